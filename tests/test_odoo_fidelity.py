import json
from contextlib import contextmanager

from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.tests.common import MockSmtplibCase
from odoo.addons.mail.tools.discuss import Store

from .common import TrackingCase

TRACKING_KEYS = {"tracking_recipients", "is_failed_message"}


@tagged("post_install", "-at_install")
class TestOdooFidelity(TrackingCase, MockSmtplibCase):
    """With the addon installed, Odoo's own tests (and other modules' tests)
    see what they would see without it."""

    def store_data(self, message):
        data = Store().add(message.with_user(self.user_employee)).get_result()["mail.message"]
        return next(values for values in data if values["id"] == message.id)

    def test_sending_through_odoo_test_session(self):
        """Odoo's test SMTP session offers ``send_message`` only: the email
        goes through it and its tracking is sent."""
        message = self.post(self.alice)
        with self.mock_smtplib_connection():
            self.send_queue()
        self.assertEqual([email["smtp_to_list"] for email in self.emails], [["alice@example.com"]])
        tracking = self.tracking_of(message, self.alice)
        self.assertEqual((tracking.state, tracking.error_description), ("sent", False))
        self.assertEqual(tracking.tracking_event_ids.event_type, "sent")

    @contextmanager
    def queries(self):
        """The SQL the cursor runs inside the block, as Odoo's
        ``assertQueries`` sees it."""
        queries = []
        yield from self._patchExecute(queries)

    def send_counting(self, mails):
        """Send ``mails`` (queued in this transaction): the SQL of the
        tracking's reads of them, by mail, and of the raw recipients of
        their message."""
        with self.queries() as queries, mute_logger("odoo.addons.mail.models.mail_mail"):
            mails.send()
        by_mail = 'FROM "mail_tracking_email" WHERE "mail_tracking_email"."mail_id"'
        raw_recipients = 'SELECT "mail_message"."id", "mail_message"."email_to", "mail_message"."email_cc" FROM'
        return (
            [query for query in queries if by_mail in query],
            [query for query in queries if query.startswith(raw_recipients)],
        )

    def test_a_mail_queued_and_sent_in_one_transaction_is_not_read_again(self):
        """Odoo's query counts of a mail queued and sent in one transaction
        (its own tests, a forced send) count the tracking's send statement
        only: neither the trackings nor the raw recipients written at
        queuing are read again, even when a failure pushes the message to
        the Failed box."""
        self.start_smtp(refuse={"carol@example.com": "550 5.1.1 unknown"})
        message = self.post(self.env["res.partner"])
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create({"mail_message_id": message.id, "email_to": "carol@example.com", "email_cc": "dan@example.com"})
        )
        trackings_read, raw_recipients_read = self.send_counting(mail)
        self.assertEqual(self.trackings(message).state, "error")
        self.assertFalse(trackings_read)
        self.assertFalse(raw_recipients_read)

    def test_mails_queued_and_sent_together_read_no_tracking_again(self):
        """Several mails queued in this transaction and sent in one call:
        their trackings come from the cache for the whole batch, though
        Odoo's loop empties it after each mail it deletes."""
        self.start_smtp()
        message = self.post(self.alice | self.bob)
        mails = self.env["mail.mail"].sudo().search([("mail_message_id", "=", message.id)])
        mails |= mails.create({"mail_message_id": message.id, "email_to": "carol@example.com"})
        trackings_read, _raw_recipients_read = self.send_counting(mails)
        self.assertEqual(
            sorted(self.trackings(message).mapped(lambda tracking: (tracking.recipient_address, tracking.state))),
            [("alice@example.com", "sent"), ("bob@example.com", "sent"), ("carol@example.com", "sent")],
        )
        self.assertFalse(trackings_read)

    def bus_messages(self, before):
        """The messages of the ``mail.record/insert`` bus notifications sent
        since ``before`` (bus ids), with whether the payload is the addon's
        own (it carries the Failed counter)."""
        self.env.cr.precommit.run()
        notifications = self.env["bus.bus"].sudo().search([("id", "not in", before)])
        payloads = [json.loads(n.message) for n in notifications]
        return [
            (message, "failed" in payload["payload"].get("Store", {}))
            for payload in payloads
            if payload["type"] == "mail.record/insert"
            for message in payload["payload"].get("mail.message", [])
        ]

    def test_channel_message_payload_has_no_tracking_keys(self):
        before = self.env["bus.bus"].sudo().search([]).ids
        channel = self.env["discuss.channel"].with_user(self.user_employee)._create_channel("Fidelity", None)
        message = channel.message_post(body="Hello", message_type="comment", subtype_xmlid="mail.mt_comment")
        self.assertFalse(TRACKING_KEYS & set(self.store_data(message)))
        self.env.cr.precommit.run()
        pushed = self.env["bus.bus"].sudo().search([("id", "not in", before)]).mapped("message")
        self.assertTrue([payload for payload in pushed if "discuss.channel/new_message" in payload])
        self.assertFalse([payload for payload in pushed if any(key in payload for key in TRACKING_KEYS)])

    def test_odoo_bus_payloads_of_a_tracked_message_stay_odoo_s(self):
        """Odoo pushes a failed message to its author; only the addon's own
        push of the Failed box carries the statuses."""
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        before = self.env["bus.bus"].sudo().search([]).ids
        message = self.post(self.alice)
        self.send_queue()
        pushed = [(data, ours) for data, ours in self.bus_messages(before) if data["id"] == message.id]
        self.assertEqual({ours for _data, ours in pushed}, {True, False})
        for data, ours in pushed:
            self.assertEqual(set(data) >= TRACKING_KEYS, ours)

    def test_only_tracked_chatter_messages_carry_tracking_keys(self):
        note = self.record.with_user(self.user_employee).message_post(body="A note", subtype_xmlid="mail.mt_note")
        tracked = self.post(self.alice)
        self.assertFalse(TRACKING_KEYS & set(self.store_data(note)))
        data = self.store_data(tracked)
        self.assertEqual([recipient["status"] for recipient in data["tracking_recipients"]], ["waiting"])
        self.assertFalse(data["is_failed_message"])
