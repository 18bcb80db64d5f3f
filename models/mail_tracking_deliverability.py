"""Deliverability report: the trackings by recipient domain and state, for
the pivot and graph views (a view on ``mail_tracking_email``: the domain is
not a column, and the sending path writes the addresses in SQL)."""

from odoo import fields, models, tools
from odoo.tools import SQL

from ..tools.states import STATES


class MailTrackingDeliverability(models.Model):
    _name = "mail.tracking.deliverability"
    _description = "Email deliverability by recipient domain"
    _auto = False
    _order = "time desc, id desc"
    _rec_name = "recipient_domain"
    _depends = {"mail.tracking.email": ["recipient_address", "partner_id", "state", "time", "date"]}

    tracking_email_id = fields.Many2one("mail.tracking.email", string="Tracking email", readonly=True)
    recipient_domain = fields.Char(readonly=True)
    recipient_address = fields.Char(string="Recipient email", readonly=True)
    partner_id = fields.Many2one("res.partner", readonly=True)
    state = fields.Selection(STATES, readonly=True)
    time = fields.Datetime(readonly=True)
    date = fields.Date(readonly=True)

    def init(self):
        tools.drop_view_if_exists(self.env.cr, self._table)
        self.env.cr.execute(
            SQL(
                """CREATE VIEW %s AS
                   SELECT id, id AS tracking_email_id, recipient_address, partner_id, state, time, date,
                          NULLIF(split_part(recipient_address, '@', 2), '') AS recipient_domain
                     FROM mail_tracking_email""",
                SQL.identifier(self._table),
            )
        )
