from odoo import api, fields, models


class ResPartner(models.Model):
    _inherit = "res.partner"

    email_last_reply = fields.Datetime(
        string="Last reply",
        compute="_compute_email_last_reply",
        groups="base.group_user",
        help="The last time this address replied to a tracked email you may read.",
    )

    @api.depends("email_normalized")
    @api.depends_context("uid")
    def _compute_email_last_reply(self):
        """Over the events the reader may read, in one query."""
        addresses = {partner.email_normalized for partner in self} - {False}
        replies = (
            dict(
                self.env["mail.tracking.event"]._read_group(
                    [("recipient_address", "in", list(addresses)), ("event_type", "=", "reply")],
                    ["recipient_address"],
                    ["time:max"],
                )
            )
            if addresses
            else {}
        )
        for partner in self:
            partner.email_last_reply = replies.get(partner.email_normalized, False)
