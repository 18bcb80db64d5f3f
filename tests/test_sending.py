import socket

from odoo.tests import tagged

from ..tools.references import TRACKING_HEADER
from .common import TrackingCase


@tagged("post_install", "-at_install")
class TestSending(TrackingCase):
    def test_posting_creates_one_waiting_tracking_per_recipient(self):
        message = self.post(self.alice | self.bob)
        trackings = self.trackings(message)
        self.assertEqual(trackings.partner_id, self.alice | self.bob)
        self.assertEqual(trackings.mapped("state"), [False, False])
        self.assertEqual(set(trackings.mapped("name")), {"Tracked subject"})
        self.assertTrue(all(trackings.mapped("mail_id")))

    def test_partner_address_is_the_one_written_in_the_email(self):
        """A partner's tracking takes the address of the email actually
        sent: a change of the partner's email while queued is followed."""
        smtp = self.start_smtp()
        message = self.post(self.alice)
        tracking = self.tracking_of(message, self.alice)
        self.assertFalse(tracking.recipient_address)
        self.assertEqual(tracking.display_name, "Tracked subject")
        self.alice.email = "alice.new@example.com"
        self.send_queue()
        self.assertEqual(smtp.envelopes[0].rcpt_tos, ["alice.new@example.com"])
        self.assertEqual(tracking.recipient, '"Alice" <alice.new@example.com>')
        self.assertEqual(tracking.recipient_address, "alice.new@example.com")
        self.assertEqual(tracking.display_name, 'Tracked subject - "Alice" <alice.new@example.com>')

    def test_success_marks_sent_with_event_naming_the_server(self):
        smtp = self.start_smtp()
        message = self.post(self.alice | self.bob)
        self.send_queue()
        trackings = self.trackings(message)
        self.assertEqual(trackings.mapped("state"), ["sent", "sent"])
        self.assertEqual(len(smtp.envelopes), 2)
        for tracking in trackings:
            self.assertEqual(tracking.tracking_event_ids.event_type, "sent")
            self.assertEqual(tracking.tracking_event_ids.smtp_server, "127.0.0.1")
            self.assertEqual(tracking.tracking_event_ids.recipient_address, tracking.recipient_address)
            self.assertTrue(tracking.message_id)
            self.assertTrue(tracking.time)
            self.assertEqual(tracking.date, tracking.time.date())

    def test_posting_with_immediate_sending_tracks_too(self):
        smtp = self.start_smtp()
        message = self.post(self.bob, mail_notify_force_send=True)
        self.assertIn("bob@example.com", [rcpt for envelope in smtp.envelopes for rcpt in envelope.rcpt_tos])
        self.assertEqual(self.tracking_of(message, self.bob).state, "sent")

    def test_success_keeps_odoo_notification_states(self):
        self.start_smtp()
        message = self.post(self.alice)
        self.send_queue()
        notification = message.notification_ids.filtered(lambda notif: notif.res_partner_id == self.alice)
        self.assertEqual(notification.notification_status, "sent")

    def test_each_email_carries_the_header_of_its_own_tracking(self):
        smtp = self.start_smtp()
        message = self.post(self.alice | self.bob)
        self.send_queue()
        for envelope in smtp.envelopes:
            header = envelope.message[TRACKING_HEADER]
            tracking = self.env["mail.tracking.email"]._from_header(header)
            self.assertEqual(len(tracking), 1)
            self.assertEqual(tracking.mail_message_id, message)
            self.assertEqual([tracking.recipient_address], envelope.rcpt_tos)

    def test_header_needs_the_token(self):
        message = self.post(self.alice)
        tracking = self.tracking_of(message, self.alice)
        Tracking = self.env["mail.tracking.email"]
        self.assertEqual(Tracking._from_header(f"{tracking.id}-{tracking.sudo().token}"), tracking)
        self.assertFalse(Tracking._from_header(f"{tracking.id}-wrong"))
        self.assertFalse(Tracking._from_header(str(tracking.id)))
        self.assertFalse(Tracking._from_header(f"{tracking.id}-"))
        self.assertFalse(Tracking._from_header("99999999999999999999-x"))
        self.assertFalse(Tracking._from_header("<b>x</b>, ,--"))
        self.assertFalse(Tracking._from_header(None))

    def test_raw_to_addresses_get_one_tracking_each_without_partner(self):
        smtp = self.start_smtp()
        mail = self.env["mail.mail"].create(
            {
                "subject": "Raw recipients",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "one@example.com, Two <two@example.com>",
                "email_cc": "cc@example.com",
            }
        )
        trackings = mail.mail_tracking_ids
        self.assertEqual(set(trackings.mapped("recipient_address")), {"one@example.com", "two@example.com"})
        self.assertFalse(trackings.partner_id)
        self.assertEqual(mail.mail_message_id.email_cc, "cc@example.com")
        mail.send()
        self.assertEqual(trackings.mapped("state"), ["sent", "sent"])
        self.assertEqual(sorted(smtp.envelopes[0].rcpt_tos), ["cc@example.com", "one@example.com", "two@example.com"])

    def test_refused_recipient_5xx_is_an_error_with_the_server_reply(self):
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 <alice@example.com>: mailbox unknown"})
        message = self.post(self.alice)
        self.send_queue()
        tracking = self.tracking_of(message, self.alice)
        self.assertEqual(tracking.state, "error")
        self.assertEqual(tracking.error_type, "recipient_refused")
        self.assertIn("550", tracking.error_description)
        self.assertIn("mailbox unknown", tracking.error_description)
        self.assertEqual(tracking.error_smtp_server, "127.0.0.1")

    def test_refused_to_with_its_cc_taken_is_an_error_and_the_cc_gets_it(self):
        """The server takes the email for its Cc only: the tracked To is an
        error, the Cc has its email, and the send goes on."""
        smtp = self.start_smtp(refuse={"carol@example.com": "550 5.1.1 unknown"})
        message = self.post(self.env["res.partner"])
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create(
                {
                    "mail_message_id": message.id,
                    "email_to": "carol@example.com",
                    "email_cc": "dan@example.com",
                    "auto_delete": False,
                }
            )
        )
        self.send_queue()
        self.assertEqual(self.trackings(message).mapped("state"), ["error"])
        self.assertEqual(mail.state, "sent")
        self.assertEqual([envelope.rcpt_tos for envelope in smtp.envelopes], [["dan@example.com"]])

    def test_refused_recipient_4xx_is_an_error(self):
        self.start_smtp(refuse={"bob@example.com": "451 4.7.1 greylisted, try later"})
        message = self.post(self.bob)
        self.send_queue()
        tracking = self.tracking_of(message, self.bob)
        self.assertEqual(tracking.state, "error")
        self.assertIn("451", tracking.error_description)

    def test_refusal_keeps_odoo_failure_states_and_retry_works(self):
        smtp = self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        message = self.post(self.alice)
        self.send_queue()
        notification = message.notification_ids.filtered(lambda notif: notif.res_partner_id == self.alice)
        self.assertEqual(notification.notification_status, "exception")
        tracking = self.tracking_of(message, self.alice)
        mail = tracking.mail_id
        self.assertEqual(mail.state, "exception")
        smtp.refuse.clear()
        mail.action_retry()
        self.assertFalse(tracking.state, "a retried email waits again")
        self.send_queue()
        self.assertEqual(tracking.state, "sent")
        self.assertEqual(notification.notification_status, "sent")
        self.assertEqual(len(self.trackings(message)), 1, "a retry reuses the tracking")

    def test_failure_marks_the_message_as_needing_action(self):
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        message = self.post(self.alice)
        self.assertFalse(message.mail_tracking_needs_action)
        self.send_queue()
        self.assertTrue(message.mail_tracking_needs_action)

    def test_tracking_states_agree_with_odoo_notifications(self):
        """A refusal stops Odoo's loop over the recipients of one mail: the
        ones not tried yet fail in Odoo, and so in their tracking."""
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        message = self.post(self.alice | self.bob)
        self.send_queue()
        expected = {"sent": "sent", "exception": "error"}
        for notification in message.notification_ids:
            tracking = self.tracking_of(message, notification.res_partner_id)
            self.assertEqual(tracking.state, expected[notification.notification_status])

    def test_success_does_not_need_action(self):
        self.start_smtp()
        message = self.post(self.alice)
        self.send_queue()
        self.assertFalse(message.mail_tracking_needs_action)
        self.assertFalse(message.with_user(self.user_employee).is_failed_message)

    def test_partner_without_email_is_a_no_recipient_error(self):
        self.start_smtp()
        nomail = self.env["res.partner"].create({"name": "No Mail"})
        message = self.post(nomail | self.alice)
        self.send_queue()
        tracking = self.tracking_of(message, nomail)
        self.assertEqual(tracking.state, "error")
        self.assertEqual(tracking.error_type, "no_recipient")
        self.assertFalse(tracking.recipient_address)
        self.assertFalse(nomail.email_bounced)
        self.assertEqual(self.tracking_of(message, self.alice).state, "sent")
        notification = message.notification_ids.filtered(lambda notif: notif.res_partner_id == nomail)
        self.assertEqual(notification.notification_status, "exception")
        self.assertEqual(notification.failure_type, "mail_email_invalid")

    def test_no_email_recipient_fixed_then_resent_is_sent_without_error(self):
        """Once its address is fixed and the email resent, a "No Email"
        recipient is sent, and keeps no trace of the old error."""
        smtp = self.start_smtp()
        nomail = self.env["res.partner"].create({"name": "No Mail"})
        message = self.post(nomail | self.alice)
        self.send_queue()
        tracking = self.tracking_of(message, nomail)
        self.assertEqual(tracking.error_type, "no_recipient")
        nomail.email = "nomail@example.com"
        message.with_user(self.user_employee).tracking_retry()
        self.send_queue()
        self.assertEqual(
            (tracking.state, tracking.error_type, tracking.error_description, tracking.error_smtp_server),
            ("sent", False, False, False),
        )
        statuses = {r["partner_id"]: r["status"] for r in message._tracking_recipients()[message.id]}
        self.assertEqual(statuses, {nomail.id: "sent", self.alice.id: "sent"})
        self.assertEqual((smtp.copies("nomail@example.com"), smtp.copies("alice@example.com")), (1, 1))

    def test_server_down_is_an_error_for_every_recipient(self):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            port = closed.getsockname()[1]
        self.mail_server.smtp_port = port
        message = self.post(self.alice | self.bob)
        self.send_queue()
        trackings = self.trackings(message)
        self.assertEqual(trackings.mapped("state"), ["error", "error"])
        self.assertEqual(set(trackings.mapped("error_type")), {"mail_smtp"})
        self.assertTrue(all(trackings.mapped("error_description")))
        self.assertEqual(set(message.notification_ids.mapped("notification_status")), {"exception"})
        self.assertEqual(set(message.notification_ids.mapped("failure_type")), {"mail_smtp"})
        self.assertTrue(message.mail_tracking_needs_action)

    def test_authentication_error_is_an_error_with_the_reason(self):
        self.start_smtp(credentials=("user", "right"))
        self.mail_server.smtp_pass = "wrong"
        message = self.post(self.alice)
        self.send_queue()
        tracking = self.tracking_of(message, self.alice)
        self.assertEqual(tracking.state, "error")
        self.assertEqual(tracking.error_type, "mail_smtp")
        self.assertIn("535", tracking.error_description or "")
        self.assertEqual(tracking.error_smtp_server, "127.0.0.1")

    def test_authenticated_server_sends(self):
        smtp = self.start_smtp(credentials=("user", "right"))
        message = self.post(self.alice)
        self.send_queue()
        self.assertEqual(self.tracking_of(message, self.alice).state, "sent")
        self.assertEqual(len(smtp.envelopes), 1)

    def test_server_outage_never_flags_the_partner(self):
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        self.post(self.alice)
        self.send_queue()
        self.mail_server.smtp_port = 1
        self.post(self.bob)
        self.send_queue()
        self.assertFalse(self.alice.email_bounced)
        self.assertFalse(self.bob.email_bounced)

    def test_tracking_outlives_the_deleted_email_and_message(self):
        self.start_smtp()
        mail = self.env["mail.mail"].create(
            {
                "subject": "Password reset",
                "body_html": "<p>Reset</p>",
                "email_from": "ernest@example.com",
                "email_to": "reset@example.com",
                "auto_delete": True,
            }
        )
        tracking, message = mail.mail_tracking_ids, mail.mail_message_id
        mail.send()
        self.assertFalse(mail.exists())
        self.assertFalse(message.exists(), "Odoo deletes the message of a non-notification email")
        self.assertEqual(tracking.state, "sent")
        self.assertFalse(tracking.mail_message_id)
