from odoo import api, fields, models

from ..tools.timestamps import days_setting

#: Retention: how many trackings one call of the autovacuum deletes (one
#: transaction); it is called again while some may be left.
GC_BATCH_SIZE = 5000


class MailTrackingEmail(models.Model):
    """Retention: old trackings go, with their events."""

    _inherit = "mail.tracking.email"

    @api.autovacuum
    def _gc_expired_trackings(self):
        """Delete the oldest ``GC_BATCH_SIZE`` trackings (and, by cascade,
        their events) older than ``mail_activity_tracking.max_age_days``
        days; 0 keeps them forever. One batch per call: Odoo's autovacuum
        commits after each call and calls again while ``more`` is true, so
        no transaction holds many rows, however many have expired.

        :return: ``(deleted, more)``
        """
        # sudo: a system setting, read by the autovacuum
        days = days_setting(self.env["ir.config_parameter"].sudo().get_param("mail_activity_tracking.max_age_days"))
        if not days:
            return 0, 0
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        # sudo: the retention applies to every tracking; walked along the index on time
        expired = self.sudo().search([("time", "<", limit)], limit=GC_BATCH_SIZE, order="time, id")
        expired.unlink()
        return len(expired), int(len(expired) == GC_BATCH_SIZE)
