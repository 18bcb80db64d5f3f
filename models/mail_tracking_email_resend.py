from odoo import Command, models

from ..tools.context_keys import SKIP_TRACKING_KEY


class MailTrackingEmail(models.Model):
    """Retry: the emails of failed trackings queued again."""

    _inherit = "mail.tracking.email"

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
