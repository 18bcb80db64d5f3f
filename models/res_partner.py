from odoo import api, fields, models
from odoo.fields import Domain


class ResPartner(models.Model):
    _inherit = "res.partner"

    email_bounced = fields.Boolean(
        index=True, help="A message to this address bounced for good, was rejected or reported as spam."
    )
    email_score = fields.Float(
        compute="_compute_email_tracking_stats",
        help="How well emails to this address fare, from 0 to 100; 50 when nothing was sent yet.",
    )
    tracking_emails_count = fields.Integer(compute="_compute_email_tracking_stats", string="Tracking emails")

    @api.depends("email_normalized")
    def _compute_email_tracking_stats(self):
        Tracking = self.env["mail.tracking.email"]
        stats = Tracking._address_stats({partner.email_normalized for partner in self} - {False})
        queued = dict(Tracking.sudo()._read_group(self._queued_trackings_domain(), ["partner_id"], ["__count"]))
        for partner in self:
            states = stats.get(partner.email_normalized, {})
            partner.tracking_emails_count = sum(states.values()) + queued.get(partner, 0)
            partner.email_score = Tracking._score_from_states(states)

    def _queued_trackings_domain(self):
        """The trackings of ``self`` not sent yet: they learn their address
        when their email is written."""
        return Domain("partner_id", "in", self.ids) & Domain("recipient_address", "=", False)

    def write(self, vals):
        if vals.get("email") and "email_bounced" not in vals:
            vals["email_bounced"] = self.env["mail.tracking.email"].email_is_bounced(vals["email"])
        return super().write(vals)

    def action_view_tracking_emails(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mail_activity_tracking.action_mail_tracking_email")
        action["domain"] = (
            Domain("recipient_address", "=", self.email_normalized or "") | self._queued_trackings_domain()
        )
        return action
