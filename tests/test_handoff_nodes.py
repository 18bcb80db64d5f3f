"""Several Odoo servers on one database: each runs a hand-off writer, and
the writers record the same table of waiting rows at the same time. Real
transactions here (the writers commit), no test cursor: what one writer
commits, the other sees as a server would."""

import threading
import time

from odoo import SUPERUSER_ID, api
from odoo.modules.registry import DummyRLock, Registry
from odoo.tests import BaseCase, get_db_name, tagged

from ..services.handoff_writer import record_waiting

#: Trackings per round, the hits of each (within seconds: one open), and
#: how many rows a writer takes at once (small, so that the two writers
#: meet often).
TRACKINGS = 40
HITS = (1, 2, 3)
BATCH = 4
ROUNDS = 3
#: A writer gives up after this many batches (the table is empty long before).
MAX_BATCHES = 2000


@tagged("post_install", "-at_install")
class TestHandoffNodes(BaseCase):
    def setUp(self):
        super().setUp()
        self.db = get_db_name()
        self.registry = Registry(self.db)
        # the server runs the tests holding the registries' lock: the writers'
        # threads look their registry up as Odoo's test mode lets them
        self.patch(Registry, "_lock", DummyRLock())
        self.tracking_ids = []
        self.addCleanup(self.delete_trackings)

    def env_of(self, cr):
        return api.Environment(cr, SUPERUSER_ID, {})

    def keep_hits(self):
        """Trackings sent an hour ago, and their pixel hits kept as the pixel
        keeps them, the hits of one email a second apart and far from each
        other in the table (two writers take them in different batches)."""
        sent = time.time() - 3600
        with self.registry.cursor() as cr:
            Tracking = self.env_of(cr)["mail.tracking.email"]
            trackings = Tracking.create(
                [
                    {"name": "Two nodes", "recipient": f"node{index}@example.com", "state": "sent", "timestamp": sent}
                    for index in range(TRACKINGS)
                ]
            )
            self.tracking_ids += trackings.ids
            Handoff = self.env_of(cr)["mail.tracking.handoff"]
            for hit in range(max(HITS)):
                for index, tracking in enumerate(trackings):
                    if hit < HITS[index % len(HITS)]:
                        metadata = {"ip": "203.0.113.9", "user_agent": "Thunderbird", "timestamp": sent + 3000 + hit}
                        self.assertTrue(Handoff._add_hit(tracking.id, tracking.token, metadata))
        return trackings.ids

    def waiting(self):
        with self.registry.cursor() as cr:
            cr.execute("SELECT count(*) FROM mail_tracking_handoff")
            return cr.fetchone()[0]

    def writer(self, start, failures):
        """A server's writer: batch after batch until nothing waits (a batch
        whose trackings the other writer holds leaves its rows waiting)."""
        start.wait()
        try:
            for _batch in range(MAX_BATCHES):
                record_waiting(self.db, limit=BATCH)
                if not self.waiting():
                    return
        except Exception as error:  # reported by the test, which fails on it
            failures.append(error)

    def race(self):
        start, failures = threading.Event(), []
        threads = [threading.Thread(target=self.writer, args=(start, failures)) for _node in range(2)]
        for thread in threads:
            thread.start()
        start.set()
        for thread in threads:
            thread.join()
        return failures

    def opens_by_tracking(self, tracking_ids):
        with self.registry.cursor() as cr:
            cr.execute(
                """SELECT tracking.id, tracking.state, count(event.id)
                     FROM mail_tracking_email tracking
                     LEFT JOIN mail_tracking_event event
                       ON event.tracking_email_id = tracking.id AND event.event_type = 'open'
                    WHERE tracking.id IN %s
                 GROUP BY tracking.id""",
                [tuple(tracking_ids)],
            )
            return {tracking_id: (state, count) for tracking_id, state, count in cr.fetchall()}

    def delete_trackings(self):
        with self.registry.cursor() as cr:
            cr.execute("DELETE FROM mail_tracking_handoff")
            if self.tracking_ids:
                cr.execute("DELETE FROM mail_tracking_email WHERE id IN %s", [tuple(self.tracking_ids)])

    def test_two_writers_record_every_hit_once_and_log_no_error(self):
        for round_ in range(ROUNDS):
            with self.subTest(round=round_):
                tracking_ids = self.keep_hits()
                with self.assertNoLogs(level="ERROR"):
                    failures = self.race()
                self.assertEqual(failures, [])
                self.assertEqual(self.waiting(), 0, "every hit recorded")
                self.assertEqual(
                    self.opens_by_tracking(tracking_ids),
                    dict.fromkeys(tracking_ids, ("opened", 1)),
                    "each email opened once: no hit lost, none counted twice",
                )
