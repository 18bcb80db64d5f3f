import time

from odoo.tests import TransactionCase

from ..models import mail_tracking_event_retention

DAY = 86400
UA = "Thunderbird/128.0"


class TestPersonalDataRetention(TransactionCase):
    """Events older than the retention lose their IP and user agent; events,
    states and counts stay."""

    def setUp(self):
        super().setUp()
        self.param = self.env["ir.config_parameter"]
        Tracking = self.env["mail.tracking.email"]
        now = time.time()
        self.old = Tracking.create({"recipient": "old@example.com", "timestamp": now - 40 * DAY})
        self.new = Tracking.create({"recipient": "new@example.com", "timestamp": now - 5 * DAY})
        for tracking, age in ((self.old, 40), (self.new, 5)):
            tracking.event_create("sent", {"timestamp": now - age * DAY})
            for hour in range(3):
                tracking.event_create(
                    "open",
                    {
                        "timestamp": now - age * DAY + hour * 3600,
                        "ip": "203.0.113.7",
                        "user_agent": UA,
                        "ua_family": "Thunderbird",
                    },
                )
        self.trackings = self.old | self.new

    def snapshot(self):
        self.env.invalidate_all()
        return {
            tracking.recipient_address: (
                tracking.state,
                sorted(tracking.tracking_event_ids.mapped("event_type")),
                tracking.tracking_event_ids.mapped("ua_family"),
            )
            for tracking in self.trackings
        }

    def opens(self, tracking):
        return tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")

    def old_with_client_data(self, days):
        """How many events (of these tests or of the demo data) the retention
        of ``days`` days has to blank."""
        return self.env["mail.tracking.event"].search_count(
            [("timestamp", "<", time.time() - days * DAY), "|", ("ip", "!=", False), ("user_agent", "!=", False)]
        )

    def test_old_events_lose_client_data_only(self):
        self.param.set_param("mail_activity_tracking.personal_data_days", "30")
        before = self.snapshot()
        expected = self.old_with_client_data(30)
        self.assertGreaterEqual(expected, 3)
        self.assertEqual(self.env["mail.tracking.event"]._gc_personal_data(), (expected, 0))
        self.assertEqual(self.snapshot(), before, "states, events and client families stay")
        self.assertEqual(self.opens(self.old).mapped("ip"), [False] * 3)
        self.assertEqual(self.opens(self.old).mapped("user_agent"), [False] * 3)
        self.assertEqual(self.opens(self.new).mapped("ip"), ["203.0.113.7"] * 3)
        self.assertEqual(self.opens(self.new).mapped("user_agent"), [UA] * 3)
        partner = self.env["res.partner"].create({"name": "Old", "email": "old@example.com"})
        self.assertEqual(partner.tracking_emails_count, 1)

    def test_batches_and_calls(self):
        self.param.set_param("mail_activity_tracking.personal_data_days", "1")
        self.patch(mail_tracking_event_retention, "BLANK_BATCH_SIZE", 2)
        self.patch(mail_tracking_event_retention, "BLANK_MAX_PER_CALL", 4)
        Event = self.env["mail.tracking.event"]
        expected = self.old_with_client_data(1)
        self.assertGreater(expected, 4)
        self.assertEqual(Event._gc_personal_data(), (4, 1), "a full call says more may be left")
        blanked, calls, more = 4, 1, 1
        while more and calls < expected:
            done, more = Event._gc_personal_data()
            blanked, calls = blanked + done, calls + 1
        self.assertEqual((blanked, more), (expected, 0))
        self.assertEqual(Event._gc_personal_data(), (0, 0))
        self.env.invalidate_all()
        self.assertFalse(any(self.trackings.tracking_event_ids.mapped("ip")))

    def test_no_retention_keeps_everything(self):
        for value in ("0", "", "forever", "-5"):
            with self.subTest(value=value):
                self.param.set_param("mail_activity_tracking.personal_data_days", value)
                self.assertEqual(self.env["mail.tracking.event"]._gc_personal_data(), (0, 0))
                self.env.invalidate_all()
                self.assertEqual(self.opens(self.old).mapped("ip"), ["203.0.113.7"] * 3)

    def test_setting(self):
        settings = self.env["res.config.settings"].create({"mail_tracking_personal_data_days": 90})
        settings.execute()
        self.assertEqual(self.param.get_param("mail_activity_tracking.personal_data_days"), "90")
