"""Open-pixel hits, kept in the database from the request that brought them
until they are recorded as open events: a hit answered is never lost, even
when its process ends, and never waits for a tracking another transaction
holds (a bounce, a send, another writer)."""

from odoo import api, fields, models

#: How many waiting hits one transaction records at most.
MAX_BATCH = 500


class MailTrackingOpen(models.Model):
    _name = "mail.tracking.open"
    _description = "Open-pixel hit waiting to be recorded"
    _order = "id"
    _log_access = False

    # a plain integer, no foreign key: inserting a hit takes no lock on the
    # tracking's row, so it never waits for a transaction holding it
    tracking_email_id = fields.Integer(required=True, index=True, readonly=True)
    metadata = fields.Json(readonly=True)

    @api.model
    def _add_hit(self, tracking_id, token, metadata):
        """Keep a hit of the pixel of ``tracking_id`` if ``token`` is its
        token (compared in constant time); plain reads and one insert, which
        no row lock holds up. Return whether it was kept."""
        # sudo: the pixel is public; only a hit with the tracking's own token is kept
        tracking = self.env["mail.tracking.email"].sudo().search_fetch([("id", "=", tracking_id)], ["token"])
        if not tracking or not tracking._token_matches(token):
            return False
        self.sudo().create({"tracking_email_id": tracking_id, "metadata": metadata})
        return True

    @api.model
    def _record_waiting_hits(self, limit=MAX_BATCH):
        """Record up to ``limit`` waiting hits as open events, oldest first.
        Hits taken by a concurrent writer are skipped; those of a tracking
        another transaction holds stay for a later run.

        :return: ``(recorded, left)``: how many hits this run took off the
            table, and how many of those it read it had to leave waiting
        """
        # sudo: hits were checked when kept; this runs for the server, not a user
        waiting = self.sudo().search([], limit=limit)
        hits = waiting.try_lock_for_update()
        Tracking = self.env["mail.tracking.email"].sudo()
        existing = Tracking.browse(set(hits.mapped("tracking_email_id"))).exists()
        free = {tracking.id: tracking for tracking in existing.try_lock_for_update()}
        held = set(existing.ids) - set(free)
        done = hits.filtered(lambda hit: hit.tracking_email_id not in held)
        Tracking._create_events(
            "open", [(free[hit.tracking_email_id], hit.metadata) for hit in done if hit.tracking_email_id in free]
        )
        done.unlink()
        return len(done), len(waiting) - len(done)

    @api.model
    def _cron_record_waiting_hits(self):
        """Backstop of the writer thread: hits of a process that ended before
        its thread recorded them, or of trackings held at the time."""
        while True:
            done, left = self._record_waiting_hits()
            time_left = self.env["ir.cron"]._commit_progress(done)
            if not done or done + left < MAX_BATCH or not time_left:
                break
