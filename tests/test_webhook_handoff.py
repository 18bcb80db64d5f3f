import json

from odoo.tests import tagged

from ..services.handoff_writer import HANDOFF_WRITER
from .common import record_handoffs
from .test_webhooks import SendgridCase


@tagged("post_install", "-at_install")
class TestWebhookHandoff(SendgridCase):
    """The path of a webhook request: verified and kept in the database by
    the request, then recorded by the hand-off writer's thread (or the cron
    when the process that took the request ended first)."""

    def setUp(self):
        super().setUp()
        # the writer is not told of what requests keep: the test says when it runs
        self.patch(type(HANDOFF_WRITER), "notify", lambda writer, db: None)

    def keep(self, *events):
        """POST ``events``, signed; the writer is not run."""
        self.env.flush_all()
        body = json.dumps(list(events)).encode()
        response = self.url_open(self.webhook_url(), data=body, headers=self.signed_headers(body))
        self.assertEqual(response.status_code, 200, response.text)
        self.env.invalidate_all()

    def waiting(self):
        return self.env["mail.tracking.handoff"].search([("mail_server_id", "=", self.mail_server.id)])

    def test_request_kept_then_recorded_by_the_writer(self):
        self.keep(self.event("delivered", "sg-1"))
        self.assertFalse(self.events("delivered"), "the request only keeps the events")
        self.assertEqual(self.tracking.state, "sent")
        self.assertEqual(self.waiting().mapped("kind"), ["sendgrid"])
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        self.assertEqual(self.events("delivered").provider_event_id, "sendgrid:sg-1")
        self.assertEqual(self.tracking.state, "delivered")
        self.assertTrue(self.mail_server.sudo().tracking_last_event_time)
        self.assertFalse(self.waiting())

    def test_same_event_delivered_twice_is_recorded_once(self):
        # the provider retries: the same event, signed again, waiting twice
        self.keep(self.event("open", "sg-1"))
        self.keep(self.event("open", "sg-1"))
        self.assertEqual(len(self.waiting()), 2)
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        # and once more after it was recorded
        self.keep(self.event("open", "sg-1"))
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        self.assertEqual(len(self.events("open")), 1)
        self.assertFalse(self.waiting())

    def test_request_left_by_a_process_that_ended_is_recorded_by_the_cron(self):
        self.keep(self.event("delivered", "sg-1"), self.event("click", "sg-2", url="https://example.com/"))
        self.assertFalse(self.events().filtered("provider_event_id"), "the process ended before its writer ran")
        self.assertEqual(len(self.waiting()), 1)
        self.env.ref("mail_activity_tracking.ir_cron_record_handoffs").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(len(self.events("delivered")), 1)
        self.assertEqual(self.events("click").url, "https://example.com/")
        self.assertFalse(self.waiting())

    def test_batch_about_many_emails_is_recorded_whole(self):
        trackings = self.env["mail.tracking.email"].create(
            [{"name": f"Batch {n}", "recipient": f"batch{n}@example.com", "state": "sent"} for n in range(150)]
        )
        self.env.flush_all()
        events = [
            self.event(
                "delivered",
                f"sg-{tracking.id}",
                email=tracking.recipient_address,
                odoo_tracking=f"{tracking.id}-{tracking.sudo().token}",
            )
            for tracking in trackings
        ]
        self.keep(*events)
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        self.assertEqual(set(trackings.mapped("state")), {"delivered"})
        self.assertEqual(len(trackings.tracking_event_ids.filtered(lambda event: event.event_type == "delivered")), 150)
