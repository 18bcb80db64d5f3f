"""The hand-off writer: one thread per server process that records what the
open pixel and the providers' webhooks keep (``mail.tracking.handoff``)
shortly after it arrives, in batches, so that a pixel hit or a webhook
request costs its request one insert and the database one transaction per
batch. Rows are in the database before the request is answered: this thread
only decides when they are recorded, and the cron
``ir_cron_record_handoffs`` does its work for a process that ended."""

import atexit
import logging
import threading
import time
from functools import partial

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying

from ..models.mail_tracking_handoff import MAX_BATCH

_logger = logging.getLogger(__name__)

#: How long the thread waits for more rows before recording a batch, and
#: before trying again rows of a tracking another transaction held (seconds).
FLUSH_DELAY = 0.5
RETRY_DELAY = 2.0


def record_waiting(db, limit=MAX_BATCH):
    """Record the waiting rows of ``db``, batch by batch of ``limit`` rows,
    each in its own transaction; return how many were left for a tracking
    held elsewhere."""
    while True:
        with Registry(db).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done, left = retrying(partial(env["mail.tracking.handoff"]._record_waiting, limit), env)
        if not done or done + left < limit:
            return left


class HandoffWriter:
    #: The clock ``FLUSH_DELAY`` is measured on.
    clock = staticmethod(time.monotonic)

    def __init__(self):
        self._condition = threading.Condition()
        self._databases = set()
        self._flush_waiters = []
        self._thread = None

    def notify(self, db):
        """A row of ``db`` is waiting: record it soon."""
        with self._condition:
            self._databases.add(db)
            self._ensure_thread()
            self._condition.notify()

    def flush(self, db, timeout=60):
        """Have the thread record the waiting rows of ``db`` now, and wait
        until it did (or ``timeout`` seconds). Return whether it did."""
        done = threading.Event()
        with self._condition:
            self._databases.add(db)
            self._flush_waiters.append(done)
            self._ensure_thread()
            self._condition.notify()
        return done.wait(timeout)

    def _ensure_thread(self):
        if self._thread is None or not self._thread.is_alive():
            self._thread = threading.Thread(target=self._run, name="mail_tracking_handoff", daemon=True)
            self._thread.start()

    def _run(self):
        while True:
            with self._condition:
                while not self._databases:
                    self._condition.wait()
                self._gather()
                databases, self._databases = self._databases, set()
                waiters, self._flush_waiters = self._flush_waiters, []
            held = self._record(databases)
            for waiter in waiters:
                waiter.set()
            if held:
                self._retry_later(held)

    def _gather(self):
        """Let the rows of a batch come for ``FLUSH_DELAY`` after its first
        notice (the notices of later rows do not cut the wait short: each
        would make a batch of its own), unless a flush is asked for."""
        deadline = self.clock() + FLUSH_DELAY
        while not self._flush_waiters and (left := deadline - self.clock()) > 0:
            self._condition.wait(left)

    def _record(self, databases):
        """Record the waiting rows of ``databases``; return those where some
        rows had to wait for a tracking held elsewhere."""
        held = set()
        for db in databases:
            try:
                if record_waiting(db):
                    held.add(db)
            except Exception:
                # the rows stay in the database: the next run or the cron records them
                _logger.warning("Pixel hits and webhook events of %s not recorded yet", db, exc_info=True)
                held.add(db)
        return held

    def _retry_later(self, databases):
        timer = threading.Timer(RETRY_DELAY, lambda: [self.notify(db) for db in databases])
        timer.daemon = True
        timer.start()

    def record_now(self):
        """Record what this process was told of, in the calling thread (at
        exit: the rows are safe anyway, this only saves waiting for the
        cron)."""
        with self._condition:
            databases, self._databases = self._databases, set()
        self._record(databases)


HANDOFF_WRITER = HandoffWriter()
atexit.register(HANDOFF_WRITER.record_now)
