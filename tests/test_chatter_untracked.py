"""The statuses of the recipients that have no tracking (Unknown, No Email,
No Partner, Cc) on every message of a chatter, as the web client fetches it:
notes that notify by inbox only, incoming emails, messages from before the
addon. Odoo's own payloads of the same messages stay as Odoo builds them."""

import json

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.mail.tools.discuss import Store

from ..tools.context_keys import CHATTER_KEY
from .common import TrackingCase

TRACKING_KEYS = {"tracking_recipients", "is_failed_message", "tracking_can_act"}

INCOMING = """From: Xavier Outside <xavier@example.com>
To: Tom To <tom.to@example.com>, Alice <alice@example.com>
Cc: Cora Cc <cora.cc@example.com>
Subject: About the offer
Message-ID: <untracked-incoming@example.com>
Date: Mon, 05 Jan 2026 10:00:00 +0000
Content-Type: text/plain; charset=utf-8

Hello, about the offer.
"""


def inbox_user(env, login):
    """Ines, an internal user notified in her Odoo inbox, never by email."""
    return mail_new_test_user(
        env,
        login=login,
        groups="base.group_user",
        name="Ines Inbox",
        email=f"{login}@example.com",
        notification_type="inbox",
    )


@tagged("post_install", "-at_install")
class TestUntrackedStatuses(HttpCase, TrackingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.ines = inbox_user(cls.env, "tracking_ines")
        cls.nora = cls.env["res.partner"].create({"name": "Nora Noemail"})
        # nobody follows it: no email goes out, no tracking is made
        cls.page = cls.env["res.partner"].with_context(mail_create_nosubscribe=True).create({"name": "Untracked"})

    def setUp(self):
        super().setUp()
        self.user_employee.password = "tracking_employee"
        self.authenticate("tracking_employee", "tracking_employee")

    def chatter(self):
        """``{message id: {recipient: status}}`` of the page's chatter, as the
        web client fetches it."""
        result = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": "res.partner", "thread_id": self.page.id, "fetch_params": {}}
        )
        return {
            message["id"]: {recipient["name"]: recipient["status"] for recipient in message["tracking_recipients"]}
            for message in result["data"]["mail.message"]
            if "tracking_recipients" in message
        }

    def note_for_ines(self):
        return self.page.with_user(self.user_employee).message_post(
            body="<p>For Ines</p>", partner_ids=self.ines.partner_id.ids, subtype_xmlid="mail.mt_note"
        )

    def test_note_notifying_by_inbox_only(self):
        note = self.note_for_ines()
        self.assertEqual(note.notification_ids.mapped("notification_type"), ["inbox"])
        self.assertFalse(note.mail_tracking_ids)
        self.assertEqual(self.chatter()[note.id], {"Ines Inbox": "unknown"})

    def test_incoming_email_to_and_cc(self):
        """Its To and Cc addresses: No Partner and Cc; an address of a
        contact (Alice, a follower Odoo does not email again since she got
        the email) is that contact."""
        self.page.message_subscribe(self.alice.ids)
        self.env["mail.thread"].message_process("res.partner", INCOMING, thread_id=self.page.id)
        message = self.page.message_ids.filtered(lambda m: m.message_id == "<untracked-incoming@example.com>")
        self.assertEqual(message.incoming_email_cc, '"Cora Cc" <cora.cc@example.com>')
        self.assertFalse(message.mail_tracking_ids)
        self.assertEqual(self.chatter()[message.id], {"Tom To": "anonuser", "Alice": "unknown", "Cora Cc": "cc"})

    def test_message_from_before_the_addon(self):
        """Emails Odoo sent before the addon was installed have no tracking."""
        message = self.env["mail.message"].create(
            {
                "model": "res.partner",
                "res_id": self.page.id,
                "message_type": "comment",
                "subtype_id": self.env.ref("mail.mt_comment").id,
                "author_id": self.user_employee.partner_id.id,
                "body": "<p>Sent long ago</p>",
                "partner_ids": [Command.set((self.alice | self.nora).ids)],
                "notification_ids": [
                    Command.create(
                        {"res_partner_id": self.alice.id, "notification_type": "email", "notification_status": "sent"}
                    ),
                    Command.create(
                        {
                            "res_partner_id": self.nora.id,
                            "notification_type": "email",
                            "notification_status": "exception",
                            "failure_type": "mail_email_missing",
                        }
                    ),
                    # Odoo's notifications of an address without a contact, one of them without the address
                    Command.create(
                        {
                            "mail_email_address": "old.raw@example.com",
                            "notification_type": "email",
                            "notification_status": "sent",
                        }
                    ),
                    Command.create(
                        {"notification_type": "email", "notification_status": "exception", "failure_type": "unknown"}
                    ),
                ],
            }
        )
        self.assertEqual(
            self.chatter()[message.id],
            {"Alice": "unknown", "Nora Noemail": "noemail", "old.raw@example.com": "anonuser"},
        )

    def test_message_without_recipient_gets_nothing(self):
        note = self.page.with_user(self.user_employee).message_post(body="<p>Alone</p>", subtype_xmlid="mail.mt_note")
        self.assertNotIn(note.id, self.chatter())

    def test_answer_of_a_post_carries_the_statuses(self):
        """The message the user just posted shows its statuses at once."""
        data = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "res.partner",
                "thread_id": self.page.id,
                "post_data": {
                    "body": "For Ines",
                    "message_type": "comment",
                    "subtype_xmlid": "mail.mt_note",
                    "partner_ids": self.ines.partner_id.ids,
                },
            },
        )
        message = {m["id"]: m for m in data["store_data"]["mail.message"]}[data["message_id"]]
        self.assertEqual(
            [(r["name"], r["status"]) for r in message["tracking_recipients"]], [("Ines Inbox", "unknown")]
        )

    def test_odoo_payloads_of_the_same_note_stay_odoo_s(self):
        """Ines's inbox push of a note posted through the web client's route,
        and the note's data anywhere else than a chatter, carry no tracking
        key."""
        before = self.env["bus.bus"].sudo().search([]).ids
        data = self.make_jsonrpc_request(
            "/mail/message/post",
            {
                "thread_model": "res.partner",
                "thread_id": self.page.id,
                "post_data": {"body": "Ping", "subtype_xmlid": "mail.mt_note", "partner_ids": self.ines.partner_id.ids},
            },
        )
        note = self.env["mail.message"].browse(data["message_id"])
        self.env.cr.precommit.run()
        pushed = [json.loads(n.message) for n in self.env["bus.bus"].sudo().search([("id", "not in", before)])]
        self.assertIn("mail.message/inbox", [payload["type"] for payload in pushed])
        for payload in pushed:
            self.assertFalse(TRACKING_KEYS & set(json.dumps(payload).split('"')), payload["type"])
        data = Store().add(note.with_user(self.user_employee)).get_result()["mail.message"]
        self.assertFalse(TRACKING_KEYS & {key for values in data for key in values})

    def test_chatter_queries_do_not_grow_with_messages(self):
        """The statuses of every message of a chatter page cost the same
        number of queries over Odoo's own, 2 messages or 10 (no query per
        message)."""
        for index in range(5):
            self.note_for_ines()
            self.env["mail.thread"].message_process(
                "res.partner",
                INCOMING.replace("<untracked-incoming@", f"<untracked-incoming-{index}@"),
                thread_id=self.page.id,
            )
        messages = self.page.message_ids.with_user(self.user_employee)
        extra = []
        for batch in (messages[:2], messages[:10]):
            counts = []
            for chatter in (False, True):
                for _run in range(2):  # the first run fills the registry's caches
                    self.env.invalidate_all()
                    before = self.env.cr.sql_log_count
                    data = Store().add(batch.with_context(**{CHATTER_KEY: chatter})).get_result()["mail.message"]
                counts.append(self.env.cr.sql_log_count - before)
            self.assertEqual(len([values for values in data if values.get("tracking_recipients")]), len(batch))
            extra.append(counts[1] - counts[0])
        self.assertEqual(extra[0], extra[1])
        self.assertLessEqual(extra[1], 2)
