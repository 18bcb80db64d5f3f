"""The notices of new statuses during a run of Odoo's mail queue.

The queue commits after each mail: each commit would tell every internal
user's client that the statuses of one message changed (a bus row, a NOTIFY,
a fetch by the clients showing it), a notice per mail that plain Odoo does
not send. During a run they are merged instead: at most one every
``COALESCE_SECONDS``, naming every message since the last one, and one at the
end of the run for the rest. A message entering or leaving the Failed boxes
is pushed at once, as outside a run."""

import time
import weakref
from contextlib import contextmanager

from odoo import api, models

#: The runs under way, by cursor: the messages not announced yet and the time
#: of the last notice (the cursor's own caches are emptied at each commit).
_RUNS = weakref.WeakKeyDictionary()
#: The shortest time between two notices of new statuses in a run (seconds).
COALESCE_SECONDS = 1.0


class MailMessage(models.Model):
    _inherit = "mail.message"

    @api.model
    @contextmanager
    def _tracking_bus_coalescing(self):
        """Merge the notices of new statuses of the transactions committed
        inside (see the module's docstring); the messages not announced yet
        when it ends are announced with the transaction then open."""
        cr = self.env.cr
        if cr in _RUNS:  # a run inside a run: the outer one merges
            yield
            return
        _RUNS[cr] = {"pending": set(), "announced_at": time.monotonic()}
        try:
            yield
        finally:
            self.browse(_RUNS.pop(cr)["pending"])._tracking_bus_schedule()

    def _tracking_bus_coalesce(self, scheduled):
        """During a run, hold back the messages of the statuses notice of
        ``scheduled`` (``_tracking_bus_schedule``'s, of the transaction being
        committed), unless the last notice of the run is
        ``COALESCE_SECONDS`` old: then it names them all."""
        coalescing = _RUNS.get(self.env.cr)
        if coalescing is None:
            return
        statuses = scheduled["statuses"]
        # the failed ones are pushed with their statuses now
        coalescing["pending"] |= statuses - scheduled["failed"]
        statuses.clear()
        now = time.monotonic()
        if now - coalescing["announced_at"] >= COALESCE_SECONDS:
            statuses |= coalescing["pending"]
            coalescing.update(pending=set(), announced_at=now)
