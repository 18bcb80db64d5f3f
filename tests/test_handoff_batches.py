import threading
import time

from odoo.tests import BaseCase, tagged

from ..services import handoff_writer


class BatchLog(handoff_writer.HandoffWriter):
    """The writer's own thread and timing, recording nothing: each batch it
    would record is logged instead."""

    def __init__(self):
        super().__init__()
        self.batches = []
        self.recorded = threading.Event()

    def _record(self, databases):
        self.batches.append(sorted(databases))
        self.recorded.set()
        return set()


@tagged("post_install", "-at_install")
class TestHandoffBatches(BaseCase):
    """Rows kept a moment apart are recorded together: the writer waits
    ``FLUSH_DELAY`` after the first notice of a batch, whatever comes after."""

    def test_notices_within_the_delay_make_one_batch(self):
        writer = BatchLog()
        gap = handoff_writer.FLUSH_DELAY / 10
        for db in ("db_a", "db_b", "db_a"):
            writer.notify(db)
            time.sleep(gap)
        self.assertTrue(writer.recorded.wait(10))
        time.sleep(handoff_writer.FLUSH_DELAY * 2)
        self.assertEqual(writer.batches, [["db_a", "db_b"]])
