"""The SMTP fault matrix: emails sent through a real SMTP server on loopback
that misbehaves (or is not there), then retried through one that behaves.

For each fault: the final state of each recipient's tracking, with the
addon's own error fields, the state of Odoo's mail and notifications, no
tracking left waiting, and the copies the server received, so that a Retry
sends again to the recipients that failed and to no one else.
"""

import socket

from odoo import Command
from odoo.tests import tagged
from odoo.tools import mute_logger

from odoo.addons.base.models import ir_mail_server

from .common import TrackingCase

SERVER = "127.0.0.1"


@tagged("post_install", "-at_install")
class TestSmtpFaults(TrackingCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls.env["res.partner"].create({"name": "Carol", "email": "carol@example.com"})
        cls.everyone = cls.alice | cls.bob | cls.carol

    def send_queue(self):
        """Send the queue through Odoo's cron entry point, which survives
        the errors that end a sending (the lost connection)."""
        with mute_logger("odoo.addons.mail.models.mail_mail"):
            self.env["mail.mail"].sudo().process_email_queue()

    def retry(self, message, user=None):
        """Retry in the chatter (by the author unless ``user``), then send
        the queue."""
        message.with_user(user or self.user_employee).tracking_retry()
        self.send_queue()

    def free_port(self):
        with socket.socket() as closed:
            closed.bind(("127.0.0.1", 0))
            return closed.getsockname()[1]

    def outcome(self, message):
        """``{name: (state, error_type, error_description, error_smtp_server)}``"""
        return {
            tracking.partner_id.name or tracking.recipient_address: (
                tracking.state,
                tracking.error_type,
                tracking.error_description,
                tracking.error_smtp_server,
            )
            for tracking in self.trackings(message)
        }

    def notification_states(self, message):
        return {notif.res_partner_id.name: notif.notification_status for notif in message.notification_ids}

    def assert_failed(self, outcome, name, error_type, reason):
        state, got_type, description, server = outcome[name]
        self.assertEqual(state, "error", name)
        self.assertEqual(got_type, error_type, name)
        self.assertIn(reason, description or "", name)
        self.assertEqual(server, SERVER, f"{name}: the server the email went through")

    def assert_nothing_waiting(self, message):
        waiting = self.trackings(message).filtered(lambda tracking: not tracking.state)
        self.assertFalse(waiting.mapped("partner_id.name"), "no tracking left waiting once the sending ended")

    def assert_all_sent_after_retry(self, message, smtp, copies):
        """Retry, then every recipient got exactly ``copies[name]`` emails in
        all, and its tracking is sent with no error left."""
        self.retry(message)
        self.assertEqual({partner.name: smtp.copies(partner.email) for partner in self.everyone}, copies)
        for name, (state, error_type, description, server) in self.outcome(message).items():
            self.assertEqual((state, error_type, description, server), ("sent", False, False, False), name)
        self.assertEqual(set(self.notification_states(message).values()), {"sent"})
        self.assertFalse(message.mail_tracking_needs_action)

    def assert_connection_failure(self, message, reason):
        """Nothing was sent: every recipient failed with the reason."""
        outcome = self.outcome(message)
        for partner in self.everyone:
            self.assert_failed(outcome, partner.name, "mail_smtp", reason)
        self.assert_nothing_waiting(message)
        self.assertEqual(self.trackings(message).mail_id.state, "exception")
        self.assertEqual(set(self.notification_states(message).values()), {"exception"})
        self.assertEqual(set(message.notification_ids.mapped("failure_type")), {"mail_smtp"})

    # ------------------------------------------------------------
    # Faults before any email is sent
    # ------------------------------------------------------------

    def test_connection_refused(self):
        self.mail_server.smtp_port = self.free_port()
        message = self.post(self.everyone)
        self.send_queue()
        self.assert_connection_failure(message, "Connection refused")
        smtp = self.start_smtp()
        self.assert_all_sent_after_retry(message, smtp, {"Alice": 1, "Bob": 1, "Carol": 1})

    def test_421_greeting(self):
        smtp = self.start_smtp(greeting="421 4.3.2 Service not available")
        message = self.post(self.everyone)
        self.send_queue()
        self.assert_connection_failure(message, "421")
        smtp.behave()
        self.assert_all_sent_after_retry(message, smtp, {"Alice": 1, "Bob": 1, "Carol": 1})

    def test_no_answer(self):
        """The server accepts the connection and says nothing: Odoo gives up
        after ``SMTP_TIMEOUT`` (60 s), lowered here to 1 s."""
        self.patch(ir_mail_server, "SMTP_TIMEOUT", 1)
        smtp = self.start_smtp(silent=True)
        message = self.post(self.everyone)
        self.send_queue()
        self.assert_connection_failure(message, "timed out")
        smtp.behave()
        self.assert_all_sent_after_retry(message, smtp, {"Alice": 1, "Bob": 1, "Carol": 1})

    # ------------------------------------------------------------
    # Faults after the first email was sent
    # ------------------------------------------------------------

    def assert_stopped_at_bob(self, message, smtp, error_type, reason):
        """Alice's email went, Bob's failed with ``reason``; Odoo stops the
        mail there, so Carol's was never tried: she failed too."""
        outcome = self.outcome(message)
        self.assertEqual(outcome["Alice"][:2], ("sent", False))
        self.assert_failed(outcome, "Bob", error_type, reason)
        self.assertEqual(outcome["Carol"][0], "error")
        self.assertTrue(outcome["Carol"][2], "Carol's tracking says why")
        self.assertEqual(outcome["Carol"][3], SERVER)
        self.assert_nothing_waiting(message)
        self.assertEqual(
            {partner.name: smtp.copies(partner.email) for partner in self.everyone}, {"Alice": 1, "Bob": 0, "Carol": 0}
        )
        self.assertEqual(self.trackings(message).mail_id.state, "exception")
        self.assertTrue(message.mail_tracking_needs_action)

    def test_451_for_one_recipient(self):
        smtp = self.start_smtp(refuse={"bob@example.com": "451 4.7.1 Greylisted, try again later"})
        message = self.post(self.everyone)
        self.send_queue()
        self.assert_stopped_at_bob(message, smtp, "recipient_refused", "451 4.7.1 Greylisted")
        self.assertEqual(self.notification_states(message), {"Alice": "sent", "Bob": "exception", "Carol": "exception"})
        smtp.behave()
        self.assert_all_sent_after_retry(message, smtp, {"Alice": 1, "Bob": 1, "Carol": 1})

    def test_550_for_one_recipient(self):
        smtp = self.start_smtp(refuse={"bob@example.com": "550 5.1.1 <bob@example.com>: mailbox unknown"})
        message = self.post(self.everyone)
        self.send_queue()
        self.assert_stopped_at_bob(message, smtp, "recipient_refused", "550 5.1.1")
        self.assertEqual(self.notification_states(message), {"Alice": "sent", "Bob": "exception", "Carol": "exception"})
        smtp.behave()
        self.assert_all_sent_after_retry(message, smtp, {"Alice": 1, "Bob": 1, "Carol": 1})

    def test_550_retried_by_odoo_mail_retry(self):
        """Odoo's own Retry of the mail (Emails menu) sends only to the
        recipients that failed too."""
        smtp = self.start_smtp(refuse={"bob@example.com": "550 5.1.1 mailbox unknown"})
        message = self.post(self.everyone)
        self.send_queue()
        mail = self.trackings(message).mail_id
        smtp.behave()
        mail.action_retry()
        self.send_queue()
        self.assertEqual(
            {partner.name: smtp.copies(partner.email) for partner in self.everyone}, {"Alice": 1, "Bob": 1, "Carol": 1}
        )
        self.assertEqual(set(self.trackings(message).mapped("state")), {"sent"})

    def test_connection_dropped_during_data(self):
        """The server hangs up in the middle of Bob's email: Odoo lets the
        lost connection end the sending, before Carol's email."""
        smtp = self.start_smtp(drop_in_data=2)
        message = self.post(self.everyone)
        self.send_queue()
        self.assert_stopped_at_bob(message, smtp, "smtp_error", "Connection unexpectedly closed")
        # Odoo marks every notification failed before sending, and the lost
        # connection skips its update of those that were sent
        self.assertEqual(set(self.notification_states(message).values()), {"exception"})
        smtp.behave()
        self.assert_all_sent_after_retry(message, smtp, {"Alice": 1, "Bob": 1, "Carol": 1})

    def test_recipients_of_one_email_refused_and_accepted(self):
        """One email to two raw addresses: the server refuses one and takes
        the other. Odoo counts the email as sent; the refused address fails
        and its Retry sends only to it."""
        smtp = self.start_smtp(refuse={"two@example.com": "550 5.1.1 mailbox unknown"})
        mail = self.env["mail.mail"].create(
            {
                "subject": "Two raw recipients",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "one@example.com, two@example.com",
                "auto_delete": False,
            }
        )
        message = mail.mail_message_id
        self.send_queue()
        self.assertEqual(mail.state, "sent")
        outcome = self.outcome(message)
        self.assertEqual(outcome["one@example.com"][:2], ("sent", False))
        self.assert_failed(outcome, "two@example.com", "recipient_refused", "550 5.1.1")
        smtp.behave()
        self.retry(message, user=self.env.user)
        self.assertEqual((smtp.copies("one@example.com"), smtp.copies("two@example.com")), (1, 1))
        self.assertEqual({state for state, *_errors in self.outcome(message).values()}, {"sent"})

    def test_retry_narrows_an_email_to_its_failed_addresses(self):
        """An email to raw addresses was accepted for one, refused for the
        other, and the mail failed further on (Bob): its Retry sends that
        email to the refused address only, without its Cc."""
        smtp = self.start_smtp(
            refuse={"two@example.com": "550 5.1.1 mailbox unknown", "bob@example.com": "550 5.1.1 mailbox unknown"}
        )
        mail = self.env["mail.mail"].create(
            {
                "subject": "Raw and partner recipients",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "one@example.com, two@example.com",
                "email_cc": "cc@example.com",
                "recipient_ids": [Command.link(self.bob.id)],
                "auto_delete": False,
            }
        )
        self.send_queue()
        self.assertEqual(mail.state, "exception")
        outcome = self.outcome(mail.mail_message_id)
        self.assertEqual(outcome["one@example.com"][0], "sent")
        self.assert_failed(outcome, "two@example.com", "recipient_refused", "550 5.1.1")
        self.assert_failed(outcome, "Bob", "recipient_refused", "550 5.1.1")
        smtp.behave()
        mail.action_retry()
        self.send_queue()
        copies = {address: smtp.copies(address) for address in ("one@example.com", "two@example.com", "cc@example.com")}
        self.assertEqual(copies, {"one@example.com": 1, "two@example.com": 1, "cc@example.com": 1})
        self.assertEqual(smtp.copies("bob@example.com"), 1)
        self.assertEqual(mail.state, "sent")
        self.assertEqual({state for state, *_errors in self.outcome(mail.mail_message_id).values()}, {"sent"})
