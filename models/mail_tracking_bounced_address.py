"""Bounced addresses: one line per address whose last failure killed it
(see ``DEAD_ADDRESS_DOMAIN``), with the contacts that use it, and an action
to clear it once fixed."""

from odoo import api, fields, models, tools
from odoo.fields import Domain
from odoo.tools import SQL

from ..tools.states import STATES
from .mail_tracking_email_bounce_warning import DEAD_ADDRESS_DOMAIN


class MailTrackingBouncedAddress(models.Model):
    _name = "mail.tracking.bounced.address"
    _description = "Bounced email address"
    _auto = False
    _order = "last_bounce desc, id desc"
    _rec_name = "address"
    _depends = {
        "mail.tracking.email": [
            "recipient_address",
            "time",
            "state",
            "bounce_cleared",
            "bounce_description",
            "error_type",
            "error_description",
        ]
    }

    address = fields.Char(readonly=True)
    last_bounce = fields.Datetime(readonly=True)
    state = fields.Selection(STATES, readonly=True)
    reason = fields.Char(readonly=True)
    tracking_email_id = fields.Many2one("mail.tracking.email", string="Last failed email", readonly=True)
    partner_ids = fields.Many2many("res.partner", compute="_compute_partner_ids", string="Contacts using it")

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        Tracking = self.env["mail.tracking.email"]
        # sudo: the view's condition, not a user's search (the model has its own rules)
        dead = Tracking.sudo()._search(DEAD_ADDRESS_DOMAIN, bypass_access=True)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS
                   SELECT DISTINCT ON (recipient_address) id, id AS tracking_email_id,
                          recipient_address AS address, time AS last_bounce, state,
                          COALESCE(bounce_description, error_description) AS reason
                     FROM mail_tracking_email
                    WHERE recipient_address IS NOT NULL AND %s
                 ORDER BY recipient_address, time DESC NULLS LAST, id DESC""",
                SQL.identifier(self._table),
                dead.where_clause,
            )
        )

    @api.depends("address")
    def _compute_partner_ids(self):
        partners = (
            self.env["res.partner"]
            .with_context(active_test=False)
            .search([("email_normalized", "in", list(set(self.mapped("address"))))])
        )
        by_address = partners.grouped("email_normalized")
        for line in self:
            line.partner_ids = by_address.get(line.address, partners.browse())

    def action_clear_bounce(self):
        """The addresses of ``self`` were fixed: their failures no longer
        warn, and the contacts using them lose the bounced flag."""
        addresses = list(set(self.mapped("address")))
        Partner = self.env["res.partner"]
        Partner.check_access("write")
        Partner.search([("email_normalized", "in", addresses), ("email_bounced", "=", True)]).email_bounced = False
        # sudo: trackings are read-only to users; the lines cleared are those the user reads
        failures = (
            self.env["mail.tracking.email"]
            .sudo()
            .search(Domain("recipient_address", "in", addresses) & DEAD_ADDRESS_DOMAIN)
        )
        failures.bounce_cleared = True
