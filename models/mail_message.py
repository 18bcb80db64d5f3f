from odoo import api, fields, models
from odoo.fields import Domain

from .mail_tracking_email import FAILED_STATES


class MailMessage(models.Model):
    _inherit = "mail.message"

    mail_tracking_ids = fields.One2many("mail.tracking.email", "mail_message_id", string="Email trackings")
    mail_tracking_needs_action = fields.Boolean(
        help="A tracking of this message failed and nobody has reviewed it yet.", copy=False
    )
    is_failed_message = fields.Boolean(compute="_compute_is_failed_message", search="_search_is_failed_message")
    email_to = fields.Text(string="Raw To", help="Raw To recipients of the emails of this message")
    email_cc = fields.Char(string="Raw Cc", help="Raw Cc recipients of the emails of this message")

    _needs_action_idx = models.Index("(author_id) WHERE mail_tracking_needs_action IS TRUE")

    @api.depends("mail_tracking_needs_action", "mail_tracking_ids.state", "author_id", "partner_ids")
    @api.depends_context("uid")
    def _compute_is_failed_message(self):
        failed = self.sudo().search(Domain("id", "in", self.ids) & self._failed_message_domain())
        for message in self:
            message.is_failed_message = message in failed

    def _search_is_failed_message(self, operator, value):
        if operator != "in":
            return NotImplemented
        return self._failed_message_domain()

    @api.model
    def _failed_message_domain(self):
        """Messages of the current user (authored or notified) that a failed
        tracking left needing action."""
        partner_id = self.env.user.partner_id.id
        return (
            Domain("mail_tracking_needs_action", "=", True)
            & Domain("mail_tracking_ids", "any", [("state", "in", FAILED_STATES)])
            & (
                Domain("author_id", "=", partner_id)
                | Domain("partner_ids", "in", partner_id)
                | Domain("notification_ids", "any", [("res_partner_id", "=", partner_id)])
            )
        )
