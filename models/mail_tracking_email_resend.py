from odoo import Command, models, tools

from ..tools.context_keys import SKIP_TRACKING_KEY
from ..tools.states import FAILED_STATES


def _narrow_to(email, trackings):
    """Address ``email``, an outgoing email dict to raw addresses, only to
    the addresses of ``trackings`` when it was sent to the others already;
    its Cc, accepted with them, are not sent again either."""
    if email.get("partner_id"):
        return
    addresses = set(trackings.mapped("recipient_address"))
    email_to = [recipient for recipient in email["email_to"] if tools.email_normalize(recipient) in addresses]
    if len(email_to) < len(email["email_to"]):
        email["email_to"] = email_to
        email["email_cc"] = []
        email["email_to_normalized"] = [address for address in email["email_to_normalized"] if address in addresses]


class MailTrackingEmail(models.Model):
    """Retry: which recipients get an email again, and how it is queued
    again (the chatter's and the Failed mailbox's Retry, or Odoo's own retry
    of a failed mail), and sent to them only."""

    _inherit = "mail.tracking.email"

    def _resend_failed(self):
        """Retry (``mail.message.tracking_retry``): the emails of those of
        ``self`` that failed, queued again."""
        self.filtered(lambda tracking: tracking.state in FAILED_STATES)._resend()

    def _wait_again_after_send_error(self):
        """Odoo queues the mail of ``self`` again (its own retry): its
        recipients that it failed to send to wait again; those served do
        not, and are not sent it again (``_retry_recipients``)."""
        self.filtered(lambda tracking: tracking.state == "error")._mark_waiting()

    def _is_retry(self):
        """Whether ``self``, the trackings of a mail being sent, are those of
        a retry: some recipients wait again, the others were served
        already."""
        states = self.mapped("state")
        return any(states) and not all(states)

    def _retry_recipients(self, email):
        """Those of ``self``, the trackings of ``email`` (an outgoing email
        of a retry), still waiting, with ``email`` addressed to them only."""
        waiting = self.filtered(lambda tracking: not tracking.state)
        if waiting:
            _narrow_to(email, waiting)
        return waiting

    def _resend(self):
        """Queue the emails of ``self`` again: Odoo's retry of their mail when
        it failed (its recipients already served are not sent it again), a
        new mail to the same recipient when it was sent or is gone."""
        retriable = self.mail_id.filtered(lambda mail: mail.state == "exception")
        retried = self.filtered(lambda tracking: tracking.mail_id in retriable)
        retried._mark_waiting()
        retriable.action_retry()
        for tracking in self - retried:
            tracking._resend_in_new_mail()

    def _resend_in_new_mail(self):
        message = self.mail_message_id
        mail = (
            self.env["mail.mail"]
            # sudo: Retry was checked by the caller; the mail is the server's to queue
            .sudo()
            .with_context(**{SKIP_TRACKING_KEY: True})
            .create(
                {
                    "mail_message_id": message.id,
                    "body_html": message.body,
                    "subject": self.name or message.subject,
                    "email_from": message.email_from,
                    "reply_to": message.reply_to,
                    "recipient_ids": [Command.link(self.partner_id.id)] if self.partner_id else [],
                    "email_to": False if self.partner_id else self.recipient,
                    "is_notification": True,
                    "auto_delete": True,
                }
            )
        )
        self.mail_id = mail
        self._mark_waiting()
        notifications = message.notification_ids.filtered(
            lambda notif: notif.notification_type == "email" and notif.res_partner_id == self.partner_id
        )
        notifications.write(
            {"mail_mail_id": mail.id, "notification_status": "ready", "failure_type": False, "failure_reason": False}
        )
