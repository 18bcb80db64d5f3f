"""The open writer: one thread per server process that turns the hits the
pixel keeps (``mail.tracking.open``) into open events shortly after they
arrive, in batches, so that a pixel costs the request one insert and the
database one transaction per batch. Hits are in the database before the
pixel answers: this thread only decides when they are recorded, and the cron
``ir_cron_record_waiting_opens`` does its work for a process that ended."""

import atexit
import functools
import logging
import threading

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import Registry
from odoo.service.model import retrying

from ..models.mail_tracking_open import MAX_BATCH

_logger = logging.getLogger(__name__)

#: How long the thread waits for more hits before recording a batch, and
#: before trying again hits of a tracking another transaction held (seconds).
FLUSH_DELAY = 0.5
RETRY_DELAY = 2.0


def record_waiting_hits(db):
    """Record the waiting hits of ``db``, batch by batch, each in its own
    transaction; return how many were left for a tracking held elsewhere."""
    while True:
        with Registry(db).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            done, left = retrying(functools.partial(env["mail.tracking.open"]._record_waiting_hits), env)
        if not done or done + left < MAX_BATCH:
            return left


class OpenWriter:
    def __init__(self):
        self._condition = threading.Condition()
        self._databases = set()
        self._flush_waiters = []
        self._thread = None

    def notify(self, db):
        """A hit of ``db`` is waiting: record it soon."""
        with self._condition:
            self._databases.add(db)
            self._ensure_thread()
            self._condition.notify()

    def flush(self, db, timeout=60):
        """Have the thread record the waiting hits of ``db`` now, and wait
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
            self._thread = threading.Thread(target=self._run, name="mail_tracking_opens", daemon=True)
            self._thread.start()

    def _run(self):
        while True:
            with self._condition:
                while not self._databases:
                    self._condition.wait()
                if not self._flush_waiters:
                    self._condition.wait(FLUSH_DELAY)
                databases, self._databases = self._databases, set()
                waiters, self._flush_waiters = self._flush_waiters, []
            held = self._record(databases)
            for waiter in waiters:
                waiter.set()
            if held:
                self._retry_later(held)

    def _record(self, databases):
        """Record the waiting hits of ``databases``; return those where some
        hits had to wait for a tracking held elsewhere."""
        held = set()
        for db in databases:
            try:
                if record_waiting_hits(db):
                    held.add(db)
            except Exception:
                # the hits stay in the database: the next run or the cron records them
                _logger.warning("Open-pixel hits of %s not recorded yet", db, exc_info=True)
                held.add(db)
        return held

    def _retry_later(self, databases):
        timer = threading.Timer(RETRY_DELAY, lambda: [self.notify(db) for db in databases])
        timer.daemon = True
        timer.start()

    def record_now(self):
        """Record what this process was told of, in the calling thread (at
        exit: the hits are safe anyway, this only saves waiting for the
        cron)."""
        with self._condition:
            databases, self._databases = self._databases, set()
        self._record(databases)


OPEN_WRITER = OpenWriter()
atexit.register(OPEN_WRITER.record_now)
