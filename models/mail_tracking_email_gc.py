from odoo import api, fields, models

from ..tools.timestamps import days_setting

#: Retention: how many trackings autovacuum deletes per batch, and per run.
GC_BATCH_SIZE = 1000
GC_MAX_PER_RUN = 50000


class MailTrackingEmail(models.Model):
    """Retention: old trackings go, with their events."""

    _inherit = "mail.tracking.email"

    @api.autovacuum
    def _gc_expired_trackings(self):
        """Delete the trackings (and, by cascade, their events) older than
        ``mail_activity_tracking.max_age_days`` days; 0 keeps them forever."""
        # sudo: a system setting, read by the autovacuum
        days = days_setting(self.env["ir.config_parameter"].sudo().get_param("mail_activity_tracking.max_age_days"))
        if not days:
            return
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        for _batch in range(GC_MAX_PER_RUN // GC_BATCH_SIZE):
            expired = self.sudo().search([("time", "<", limit)], limit=GC_BATCH_SIZE, order="id")
            if not expired:
                break
            expired.unlink()
