import threading

from odoo.tests import BaseCase, tagged

from ..services import handoff_writer


class BatchLog(handoff_writer.HandoffWriter):
    """The writer's own thread, on a clock the test moves, recording
    nothing: each batch it would record is logged instead."""

    def __init__(self):
        super().__init__()
        self.now = 0.0
        self.gathering = threading.Event()
        self.clock_read = threading.Event()
        self.batches = []
        self.recorded = threading.Semaphore(0)

    def clock(self):
        self.clock_read.set()
        return self.now

    def tick(self, seconds):
        """Move the clock on, wake the thread up, and return once it read
        the clock again (whether it goes on waiting is its own call)."""
        with self._condition:
            self.clock_read.clear()
            self.now += seconds
            self._condition.notify()
        return self.clock_read.wait(10)

    def _gather(self):
        # the thread holds the condition until it waits: a tick comes after
        # the batch's deadline is set
        self.gathering.set()
        try:
            return super()._gather()
        finally:
            self.gathering.clear()

    def _record(self, databases):
        self.batches.append(sorted(databases))
        self.recorded.release()
        return set()


@tagged("post_install", "-at_install")
class TestHandoffBatches(BaseCase):
    """Rows kept a moment apart are recorded together: the writer waits
    ``FLUSH_DELAY`` after the first notice of a batch, whatever comes after.
    The test moves the writer's clock itself: no real time is raced."""

    def test_notices_within_the_delay_make_one_batch(self):
        writer = BatchLog()
        gap = handoff_writer.FLUSH_DELAY / 10
        writer.notify("db_a")
        self.assertTrue(writer.gathering.wait(10))
        for db in ("db_b", "db_a"):
            self.assertTrue(writer.tick(gap))
            writer.notify(db)
            self.assertTrue(writer.tick(0))
            self.assertEqual(writer.batches, [], "the delay is not over")
        self.assertTrue(writer.tick(2 * handoff_writer.FLUSH_DELAY))
        self.assertTrue(writer.recorded.acquire(timeout=10))
        self.assertEqual(writer.batches, [["db_a", "db_b"]])
        # a notice after the batch left makes a batch of its own
        writer.notify("db_b")
        self.assertTrue(writer.gathering.wait(10))
        self.assertTrue(writer.tick(2 * handoff_writer.FLUSH_DELAY))
        self.assertTrue(writer.recorded.acquire(timeout=10))
        self.assertEqual(writer.batches, [["db_a", "db_b"], ["db_b"]])
