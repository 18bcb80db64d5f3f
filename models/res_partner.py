from odoo import api, fields, models, tools


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

    @api.depends("email")
    def _compute_email_tracking_stats(self):
        Tracking = self.env["mail.tracking.email"]
        addresses = {partner: tools.email_normalize(partner.email or "") for partner in self}
        stats = Tracking._address_stats([address for address in addresses.values() if address])
        for partner, address in addresses.items():
            states = stats.get(address, {})
            partner.tracking_emails_count = sum(states.values())
            partner.email_score = Tracking._score_from_states(states)

    def write(self, vals):
        if vals.get("email") and "email_bounced" not in vals:
            vals["email_bounced"] = self.env["mail.tracking.email"].email_is_bounced(vals["email"])
        return super().write(vals)

    def action_view_tracking_emails(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mail_activity_tracking.action_mail_tracking_email")
        action["domain"] = [("recipient_address", "=", tools.email_normalize(self.email or ""))]
        return action
