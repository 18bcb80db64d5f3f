from contextlib import closing

from odoo import SUPERUSER_ID, api, sql_db
from odoo.modules.registry import Registry
from odoo.tests import HttpCase, get_db_name, tagged

from ..controllers.pixel import BLANK_GIF
from ..services.handoff_writer import HANDOFF_WRITER
from .common import TrackingCase, record_handoffs


@tagged("post_install", "-at_install")
class TestOpenWriter(HttpCase, TrackingCase):
    """The path of a pixel hit: kept in the database by the request, then
    recorded by the open writer's thread (or the cron when the process that
    took the hit ended first)."""

    @classmethod
    def setUpClass(cls):
        # a tracking committed before the test's transaction starts: another
        # connection can lock it and the test sees it; deleted after the class
        db = get_db_name()
        with Registry(db).cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            cls.held_id = env["mail.tracking.email"].create({"name": "Held", "recipient": "held@example.com"}).id
        cls.addClassCleanup(cls.delete_committed, db, cls.held_id)
        super().setUpClass()

    @classmethod
    def delete_committed(cls, db, tracking_id):
        with sql_db.db_connect(db).cursor() as cr:  # commits on leaving
            cr.execute("DELETE FROM mail_tracking_email WHERE id = %s", [tracking_id])

    def setUp(self):
        super().setUp()
        self.alice_tracking = self.tracking_of(self.post(self.alice), self.alice)

    def pixel_url(self, tracking):
        return f"/mail/tracking/open/{tracking.env.cr.dbname}/{tracking.id}/{tracking.sudo().token}/blank.gif"

    def get(self, tracking):
        self.env.flush_all()
        response = self.url_open(self.pixel_url(tracking))
        self.assertEqual((response.status_code, response.content), (200, BLANK_GIF))

    def opens(self, tracking):
        self.env.invalidate_all()
        return tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")

    def waiting(self, tracking):
        return self.env["mail.tracking.handoff"].search([("tracking_email_id", "=", tracking.id)])

    def test_hit_is_in_the_database_before_the_answer(self):
        # a process that ends right after answering: its thread never runs
        self.patch(type(HANDOFF_WRITER), "notify", lambda writer, db: None)
        self.get(self.alice_tracking)
        self.assertEqual(len(self.waiting(self.alice_tracking)), 1)
        self.assertFalse(self.opens(self.alice_tracking))
        self.env.ref("mail_activity_tracking.ir_cron_record_handoffs").method_direct_trigger()
        self.assertEqual(len(self.opens(self.alice_tracking)), 1)
        self.assertEqual(self.alice_tracking.state, "opened")
        self.assertFalse(self.waiting(self.alice_tracking))

    def test_opens_of_a_held_tracking_wait_for_the_lock(self):
        """A tracking another transaction holds (as a bounce being processed
        does): its open waits, other trackings' opens do not."""
        held = self.env["mail.tracking.email"].browse(self.held_id)
        with closing(sql_db.db_connect(self.env.cr.dbname).cursor()) as other:
            other.execute("SELECT id FROM mail_tracking_email WHERE id = %s FOR UPDATE", [held.id])
            self.get(held)
            self.get(self.alice_tracking)
            self.assertTrue(record_handoffs(self.env.cr.dbname))
            self.assertEqual(len(self.opens(self.alice_tracking)), 1)
            self.assertFalse(self.opens(held))
            self.assertEqual(len(self.waiting(held)), 1)
            other.rollback()
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.assertEqual(len(self.opens(held)), 1)
        self.assertEqual(held.state, "opened")
        self.assertFalse(self.waiting(held))

    def test_hits_of_a_deleted_tracking_are_dropped(self):
        self.patch(type(HANDOFF_WRITER), "notify", lambda writer, db: None)
        self.get(self.alice_tracking)
        self.alice_tracking.unlink()
        self.env["mail.tracking.handoff"]._record_waiting()
        self.assertFalse(self.env["mail.tracking.handoff"].search([]))
