from odoo import models
from odoo.exceptions import AccessError

from ..tools.context_keys import MAILS_DELETED_KEY


class MailMessage(models.Model):
    """Who may act on a message whose email failed, and what deleting a
    message does to its trackings."""

    _inherit = "mail.message"

    def unlink(self):
        # The trackings of the queued emails of the messages let go of those
        # emails first: PostgreSQL, nulling both links of a tracking in one
        # cascade (message -> email -> tracking), may check the first update
        # against the email already deleted. Not needed for the messages
        # Odoo deletes after their emails (mail.mail's unlink).
        if not self.env.context.get(MAILS_DELETED_KEY):
            # sudo: the trackings of the emails deleted with their messages, whoever deletes them
            self.env["mail.tracking.email"].sudo().search(
                [("mail_message_id", "in", self.ids), ("mail_id", "!=", False)]
            ).mail_id = False
        return super().unlink()

    def _tracking_check_can_act(self):
        """Raise AccessError unless the current user may retry or review
        every message of ``self``."""
        if not self.env.su and self - self.exists()._tracking_actionable():
            raise AccessError(
                self.env._(
                    "Only the author of a message, a user who may edit its record, or an administrator"
                    " may retry or review its failed emails."
                )
            )

    def _tracking_actionable(self):
        """The messages of ``self`` (existing ones) the current user may retry or review, as
        Odoo's own cancelling of failed notifications: all for a mail
        administrator; for an internal user, the messages they wrote and
        those of the records they may write; none for others."""
        user = self.env.user
        if user._is_superuser() or user.has_group("base.group_system"):
            return self
        if not user._is_internal():
            return self.browse()
        # sudo: the author and the record of each message, to check the user's own rights
        messages = self.sudo()
        allowed = messages.filtered(lambda message: message.author_id == user.partner_id)
        on_records = (messages - allowed).filtered(lambda message: message.model in self.env and message.res_id)
        writable = {
            (model, res_id)
            for model, model_messages in on_records.grouped("model").items()
            for res_id in self.env(su=False)[model]
            .browse(set(model_messages.mapped("res_id")))
            .exists()
            ._filtered_access("write")
            .ids
        }
        allowed |= on_records.filtered(lambda message: (message.model, message.res_id) in writable)
        return self.browse(allowed.ids)
