from odoo import api, fields, models
from odoo.fields import Domain


class ResPartner(models.Model):
    _inherit = "res.partner"

    email_bounced = fields.Boolean(
        index=True, help="A message to this address bounced for good, was rejected or reported as spam."
    )
    email_score = fields.Float(
        compute="_compute_email_tracking_stats",
        groups="base.group_user",
        help="How well the emails to this address you may read fare, from 0 to 100; 50 when there are none.",
    )
    tracking_emails_count = fields.Integer(
        compute="_compute_email_tracking_stats", string="Tracking emails", groups="base.group_user"
    )

    @api.depends("email_normalized")
    @api.depends_context("uid")
    def _compute_email_tracking_stats(self):
        """Over the trackings the reader may read: the count is the length of
        the list ``action_view_tracking_emails`` opens."""
        Tracking = self.env["mail.tracking.email"]
        stats = Tracking._address_stats({partner.email_normalized for partner in self} - {False})
        queued = dict(Tracking._read_group(self._queued_trackings_domain(), ["partner_id"], ["__count"]))
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
            # sudo: the flag is about the address, whoever may read its trackings
            vals["email_bounced"] = self.env["mail.tracking.email"].sudo().email_is_bounced(vals["email"])
        if vals.get("mail_tracking_optout"):
            # sending looks addresses up from now on (``_mail_tracking_anyone_opted_out``)
            self.env.registry.clear_cache()
        return super().write(vals)

    def action_view_tracking_emails(self):
        self.ensure_one()
        action = self.env["ir.actions.act_window"]._for_xml_id("mail_activity_tracking.action_mail_tracking_email")
        action["domain"] = (
            Domain("recipient_address", "=", self.email_normalized or "") | self._queued_trackings_domain()
        )
        return action
