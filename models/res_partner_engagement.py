from odoo import api, fields, models

from ..tools import open_classifier
from ..tools.states import OPTED_OUT_EVENTS


class ResPartner(models.Model):
    _inherit = "res.partner"

    email_last_human_open = fields.Datetime(
        string="Last opened by a person",
        compute="_compute_email_engagement",
        groups="base.group_user",
        help="The last time a person opened (or clicked in) an email to this address you may read; "
        "opens by privacy prefetches and security scanners do not count.",
    )
    email_last_click = fields.Datetime(
        string="Last click",
        compute="_compute_email_engagement",
        groups="base.group_user",
        help="The last time a person clicked a link of an email to this address you may read.",
    )
    email_last_reply = fields.Datetime(
        string="Last reply",
        compute="_compute_email_engagement",
        groups="base.group_user",
        help="The last time this address replied to a tracked email you may read.",
    )

    @api.depends("email_normalized")
    @api.depends_context("uid")
    def _compute_email_engagement(self):
        """Over the events the reader may read, in one query."""
        addresses = {partner.email_normalized for partner in self} - {False}
        groups = (
            self.env["mail.tracking.event"]._read_group(
                [("recipient_address", "in", list(addresses)), ("event_type", "in", OPTED_OUT_EVENTS)],
                ["recipient_address", "event_type", "open_kind"],
                ["time:max"],
            )
            if addresses
            else []
        )
        opens, clicks, replies = {}, {}, {}
        for address, event_type, kind, moment in groups:
            if event_type == "reply":
                replies[address] = max(moment, replies.get(address, moment))
                continue
            if open_classifier.is_automatic(kind):
                continue
            # a person's click is a person's open too
            opens[address] = max(moment, opens.get(address, moment))
            if event_type == "click":
                clicks[address] = max(moment, clicks.get(address, moment))
        for partner in self:
            partner.email_last_human_open = opens.get(partner.email_normalized, False)
            partner.email_last_click = clicks.get(partner.email_normalized, False)
            partner.email_last_reply = replies.get(partner.email_normalized, False)
