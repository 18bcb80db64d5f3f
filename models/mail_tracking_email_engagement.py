"""Who opened and who clicked, per tracking: the measures of the lists and
reports. Opens and clicks are told a person's or a machine's when they are
recorded (``mail_tracking_email_events.py``); only a person's count here."""

from odoo import api, fields, models
from odoo.tools import SQL
from odoo.tools.sql import column_exists, create_column, table_exists

from ..tools import open_classifier
from ..tools.states import ENGAGEMENT_EVENTS


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    # Measures, not flags: 1 or 0 per email, so that the lists and the pivot
    # sum them into how many emails a person opened or clicked (the stored
    # names, kept since the first release, read like booleans).
    human_opened = fields.Integer(
        string="Human open",
        compute="_compute_engagement",
        store=True,
        precompute=True,
        readonly=True,
        help="1 when a person opened the email (or clicked one of its links), 0 otherwise: "
        "opens by privacy prefetches and security scanners do not count.",
    )
    clicked = fields.Integer(
        compute="_compute_engagement",
        store=True,
        precompute=True,
        readonly=True,
        help="1 when a person clicked a link of the email, 0 otherwise.",
    )

    def _auto_init(self):
        """On a database with trackings already (an upgrade, a switch from
        mail_tracking), the engagement columns are made and filled here, in
        one statement over the events (all recorded before opens were told
        apart: a person's), instead of the ORM recomputing every tracking:
        the existing rows keep everything else, their write date included."""
        cr = self.env.cr
        if table_exists(cr, self._table) and not column_exists(cr, self._table, "human_opened"):
            create_column(cr, self._table, "human_opened", "int4")
            create_column(cr, self._table, "clicked", "int4")
            if table_exists(cr, "mail_tracking_event"):
                cr.execute(
                    SQL(
                        """UPDATE mail_tracking_email tracking
                              SET human_opened = 1, clicked = engagement.clicked
                             FROM (SELECT tracking_email_id, max((event_type = 'click')::int) AS clicked
                                     FROM mail_tracking_event WHERE event_type IN %s
                                    GROUP BY tracking_email_id) AS engagement
                            WHERE tracking.id = engagement.tracking_email_id""",
                        ENGAGEMENT_EVENTS,
                    )
                )
        return super()._auto_init()

    @api.depends("tracking_event_ids.event_type", "tracking_event_ids.open_kind")
    def _compute_engagement(self):
        counts = {
            (tracking.id, event_type, kind): count
            for tracking, event_type, kind, count in self.env["mail.tracking.event"]
            # sudo: the events are read to count opens and clicks of trackings the user reads
            .sudo()
            ._read_group(
                [("tracking_email_id", "in", self.ids), ("event_type", "in", ENGAGEMENT_EVENTS)],
                ["tracking_email_id", "event_type", "open_kind"],
                ["__count"],
            )
        }
        human = {
            (tracking_id, event_type)
            for tracking_id, event_type, kind in counts
            if not open_classifier.is_automatic(kind)
        }
        for tracking in self:
            tracking.clicked = int((tracking.id, "click") in human)
            tracking.human_opened = int(tracking.clicked or (tracking.id, "open") in human)
