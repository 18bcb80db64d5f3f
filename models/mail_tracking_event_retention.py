"""Retention of the personal data of events apart from their states: after
``mail_activity_tracking.personal_data_days`` days, events lose the IP
address and the user agent of the client, and the links not sent since
lose their query and fragment (``mail.tracking.link``); the events
themselves, the states and the counts of their trackings stay
(``max_age_days`` removes whole trackings)."""

from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.timestamps import days_setting

PERSONAL_DATA_DAYS_PARAM = "mail_activity_tracking.personal_data_days"

#: How many events one UPDATE blanks, and one call of the autovacuum (one
#: transaction); the autovacuum calls again while some are left.
BLANK_BATCH_SIZE = 10000
BLANK_MAX_PER_CALL = 200000


class MailTrackingEvent(models.Model):
    _inherit = "mail.tracking.event"

    @api.autovacuum
    def _gc_personal_data(self):
        """Blank the IP address and the user agent of the events older than
        the retention, in batches walked along the ids.

        :return: ``(blanked, more)``: how many events this call blanked, and
            whether some may be left for the next call
        """
        days = self._personal_data_days()
        if not days:
            return 0, 0
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        # sudo: the autovacuum clears the links for the server
        self.env["mail.tracking.link"].sudo()._clear_personal_data(limit.date())
        done, last_id = 0, 0
        while done < BLANK_MAX_PER_CALL:
            blanked, last_id = self._blank_personal_data_batch(limit, last_id)
            done += blanked
            if blanked < BLANK_BATCH_SIZE:
                return done, 0
        return done, 1

    @api.model
    def _personal_data_days(self):
        # sudo: a system setting, read by the autovacuum
        return days_setting(self.env["ir.config_parameter"].sudo().get_param(PERSONAL_DATA_DAYS_PARAM))

    @api.model
    def _blank_personal_data_batch(self, limit, after_id):
        """Blank the next ``BLANK_BATCH_SIZE`` events before ``limit`` with an
        IP or a user agent, of ids above ``after_id``; return how many, and
        the last id. Plain SQL: the ORM would read each event first."""
        self.flush_model(["ip", "user_agent", "time"])
        self.env.cr.execute(
            SQL(
                """UPDATE mail_tracking_event SET ip = NULL, user_agent = NULL
                    WHERE id IN (SELECT id FROM mail_tracking_event
                                  WHERE id > %s AND time < %s
                                    AND (ip IS NOT NULL OR user_agent IS NOT NULL)
                               ORDER BY id LIMIT %s)
                RETURNING id""",
                after_id,
                limit,
                BLANK_BATCH_SIZE,
            )
        )
        ids = [row[0] for row in self.env.cr.fetchall()]
        self.invalidate_model(["ip", "user_agent"])
        return len(ids), max(ids, default=after_id)
