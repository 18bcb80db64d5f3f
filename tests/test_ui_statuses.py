"""In a real Chromium: the statuses of recipients without tracking in the
chatter, the tracking emails list, the Failed box on a phone."""

import time

from markupsafe import Markup

from odoo import Command
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .test_chatter_untracked import INCOMING, inbox_user
from .test_open_classifier import THUNDERBIRD
from .test_ui import UiCase


@tagged("post_install", "-at_install")
class TestUntrackedStatusesUi(UiCase):
    def test_statuses_of_messages_without_tracking(self):
        """A note notifying by inbox only (one posted in the tour too), an
        incoming email, a message from before the addon, a note to nobody."""
        admin = self.env.ref("base.user_admin")
        record = self.env["res.partner"].with_context(mail_create_nosubscribe=True).create({"name": "No Tracking Co"})
        ines = inbox_user(self.env, "ines_ui")
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


@tagged("post_install", "-at_install")
class TestTrackingListUi(UiCase):
    def test_tracking_list_reads_at_a_glance(self):
        """Settings > Technical > Tracking emails: a waiting email reads
        Waiting; whether a person opened, clicked or replied reads as a check
        mark, under headers that are not cut."""
        self.env["mail.tracking.email"].search([]).unlink()  # the demo's: this test's rows only
        record = self.make_partner("Tracking List Record", "list.record@example.com")
        wanda = self.make_partner("Wanda Waiting", "wanda.list@example.com")
        sam = self.make_partner("Sam Sent", "sam.list@example.com")
        oscar = self.make_partner("Oscar Opened", "oscar.list@example.com")
        message = self.make_message(record, "<p>Listed</p>", wanda | sam | oscar, subject="Listed")
        self.track(message, wanda)
        self.track(message, sam, "sent")
        sent_at = time.time() - 3600
        opened = self.track(message, oscar, "sent", timestamp=sent_at)
        opened.event_create(
            "click", {"user_agent": THUNDERBIRD, "timestamp": sent_at + 600, "url": "https://a.example/"}
        )
        opened.replied = 1  # as an answer of Oscar's would
        self.assertEqual((opened.state, opened.human_opened, opened.clicked), ("opened", 1, 1))
        self.start_tour(
            "/odoo/action-mail_activity_tracking.action_mail_tracking_email",
            "mail_activity_tracking_tracking_list",
            login="admin",
        )


@tagged("post_install", "-at_install")
class TestFailedMailboxPhoneUi(UiCase):
    browser_size = "375x667"
    touch_enabled = True

    def test_failed_box_in_the_tabs_on_a_phone(self):
        # nothing else failed for the admin (demo data)
        self.env["mail.message"].search([("mail_tracking_needs_action", "=", True)]).mail_tracking_needs_action = False
        record = self.make_partner("Phone Record", "phone.record@example.com")
        fay = self.make_partner("Fay Failing", "fay.phone@example.com")
        failed = self.failed_message(record, "<p>Phone failure</p>", fay)
        self.start_tour(
            "/odoo/action-mail.action_discuss", "mail_activity_tracking_failed_mailbox_phone", login="admin"
        )
        self.assertFalse(failed.mail_tracking_needs_action)


@tagged("post_install", "-at_install")
class TestFrenchUi(UiCase):
    def test_statuses_failed_box_and_settings_in_french(self):
        """An administrator who reads French: the chatter's statuses, the
        Failed mailbox and the settings, from i18n/fr.po."""
        self.env["res.lang"]._activate_lang("fr_FR")
        self.env["ir.module.module"]._load_module_terms(["mail_activity_tracking"], ["fr_FR"], overwrite=True)
        francoise = mail_new_test_user(
            self.env,
            login="francoise",
            groups="base.group_user,base.group_system",
            name="Françoise Admin",
            email="francoise@example.com",
            lang="fr_FR",
        )
        ines = inbox_user(self.env, "ines_fr")
        record = self.make_partner("Société Exemple", "societe@example.com")
        opal = self.make_partner("Opal Ouvert", "opal.fr@example.com")
        wanda = self.make_partner("Wanda Attente", "wanda.fr@example.com")
        erin = self.make_partner("Erin Erreur", "erin.fr@example.com")
        message = self.make_message(
            record, "<p>Votre devis</p>", opal | wanda | erin | ines.partner_id, author_id=francoise.partner_id.id
        )
        self.track(message, opal, "opened")
        self.track(message, wanda)
        self.track(message, erin, "error", error_type="recipient_refused", error_description="550 5.1.1 inconnu")
        message.mail_tracking_needs_action = True
        self.start_tour(f"/odoo/res.partner/{record.id}", "mail_activity_tracking_french", login="francoise")
