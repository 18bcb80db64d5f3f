"""Open-pixel hits are answered at once and written shortly after, in
batches, by one thread per server process: a pixel costs the mail client no
more than a static file, and the database one transaction per batch."""

import atexit
import functools
import logging
import queue
import threading
import time
from collections import defaultdict

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying

_logger = logging.getLogger(__name__)

#: How long the writer waits for more hits before writing a batch (seconds),
#: the largest batch, and how many hits may wait (past that, a hit is written
#: by the request that brought it).
FLUSH_DELAY = 0.5
MAX_BATCH = 500
MAX_QUEUED = 20000


def record_opens(db, hits):
    """Write ``hits``, ``[(tracking id, token, metadata)]``, in ``db``."""
    with Registry(db).cursor() as cr:
        env = api.Environment(cr, SUPERUSER_ID, {})
        retrying(functools.partial(env["mail.tracking.email"]._record_opens, hits), env)


class OpenBuffer:
    def __init__(self):
        self._hits = queue.Queue(maxsize=MAX_QUEUED)
        self._writer = None
        self._lock = threading.Lock()

    def add(self, db, tracking_id, token, metadata):
        try:
            self._hits.put_nowait((db, tracking_id, token, metadata))
        except queue.Full:
            record_opens(db, [(tracking_id, token, metadata)])
            return
        self._ensure_writer()

    def flush(self):
        """Write every waiting hit now."""
        self._write(self._drain([]))

    def _ensure_writer(self):
        with self._lock:
            if self._writer is None or not self._writer.is_alive():
                self._writer = threading.Thread(target=self._write_forever, name="mail_tracking_opens", daemon=True)
                self._writer.start()

    def _write_forever(self):
        while True:
            first = self._hits.get()
            time.sleep(FLUSH_DELAY)
            self._write(self._drain([first], limit=MAX_BATCH))

    def _drain(self, batch, limit=None):
        while limit is None or len(batch) < limit:
            try:
                batch.append(self._hits.get_nowait())
            except queue.Empty:
                break
        return batch

    @staticmethod
    def _write(batch):
        by_db = defaultdict(list)
        for db, tracking_id, token, metadata in batch:
            by_db[db].append((tracking_id, token, metadata))
        for db, hits in by_db.items():
            try:
                record_opens(db, hits)
            except Exception:
                _logger.warning("%d open-pixel hits not recorded in %s", len(hits), db, exc_info=True)


OPEN_BUFFER = OpenBuffer()
atexit.register(OPEN_BUFFER.flush)
