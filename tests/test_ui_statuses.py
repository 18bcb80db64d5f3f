"""In a real Chromium: the statuses of recipients without tracking in the
chatter."""

from markupsafe import Markup

from odoo import Command
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .test_chatter_untracked import INCOMING
from .test_ui import UiCase


@tagged("post_install", "-at_install")
class TestUntrackedStatusesUi(UiCase):
    def test_statuses_of_messages_without_tracking(self):
        """A note notifying by inbox only (one posted in the tour too), an
        incoming email, a message from before the addon, a note to nobody."""
        admin = self.env.ref("base.user_admin")
        record = self.env["res.partner"].with_context(mail_create_nosubscribe=True).create({"name": "No Tracking Co"})
        ines = mail_new_test_user(
            self.env,
            login="ines_ui",
            groups="base.group_user",
            name="Ines Inbox",
            email="ines.inbox@example.com",
            notification_type="inbox",
        )
        olaf = self.make_partner("Olaf Old", "olaf.old@example.com")
        nora = self.make_partner("Nora Noemail")
        posted = record.with_user(admin)
        posted.message_post(
            body=Markup("<p>For Ines only</p>"),
            partner_ids=ines.partner_id.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_note",
        )
        posted.message_post(
            body=Markup("<p>A note to nobody</p>"), message_type="comment", subtype_xmlid="mail.mt_note"
        )
        self.env["mail.thread"].message_process("res.partner", INCOMING, thread_id=record.id)
        self.make_message(
            record,
            "<p>Sent before the addon</p>",
            olaf | nora,
            notification_ids=[
                Command.create(
                    {"res_partner_id": olaf.id, "notification_type": "email", "notification_status": "sent"}
                ),
                Command.create(
                    {
                        "res_partner_id": nora.id,
                        "notification_type": "email",
                        "notification_status": "exception",
                        "failure_type": "mail_email_missing",
                    }
                ),
            ],
        )
        self.assertFalse(self.env["mail.tracking.email"].search([("mail_message_id", "in", record.message_ids.ids)]))
        self.start_tour(f"/odoo/res.partner/{record.id}", "mail_activity_tracking_untracked_statuses", login="admin")
        posted_now = record.message_ids.filtered(lambda message: "Posted now for" in message.body)
        self.assertEqual(posted_now.notification_ids.res_partner_id, ines.partner_id)
