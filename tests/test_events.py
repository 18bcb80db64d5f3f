from unittest.mock import patch

from odoo.tests import TransactionCase, tagged
from odoo.tools import mute_logger

from ..models import mail_tracking_email_gc
from ..models.mail_tracking_email_events import OPEN_DEDUP_SECONDS
from ..tools.states import next_state


@tagged("post_install", "-at_install")
class TestEventState(TransactionCase):
    """``event_create``: every event is recorded; the state follows the
    contract's precedence."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.partner = cls.env["res.partner"].create({"name": "Eve", "email": "Eve@Example.com"})

    def new_tracking(self, state=False):
        return self.env["mail.tracking.email"].create(
            {"name": "Subject", "recipient": "Eve <Eve@Example.com>", "partner_id": self.partner.id, "state": state}
        )

    def walk(self, *event_types, state=False):
        tracking = self.new_tracking(state)
        for event_type in event_types:
            tracking.event_create(event_type, {"timestamp": 1000.0 + len(tracking.tracking_event_ids) * 100})
        return tracking

    def test_recipient_address_is_normalized(self):
        self.assertEqual(self.new_tracking().recipient_address, "eve@example.com")

    def test_success_path_moves_forward(self):
        self.assertEqual(self.walk("sent").state, "sent")
        self.assertEqual(self.walk("sent", "delivered").state, "delivered")
        self.assertEqual(self.walk("sent", "delivered", "open").state, "opened")

    def test_late_delivered_never_turns_opened_back(self):
        tracking = self.walk("sent", "open", "delivered", "sent")
        self.assertEqual(tracking.state, "opened")
        self.assertEqual(
            tracking.tracking_event_ids.sorted("timestamp").mapped("event_type"), ["sent", "open", "delivered", "sent"]
        )

    def test_deferral_does_not_undo_sent(self):
        self.assertEqual(self.walk("sent", "deferral").state, "sent")
        self.assertEqual(self.walk("deferral").state, "deferred")
        self.assertEqual(self.walk("deferral", "sent").state, "sent")

    def test_hard_failures_override_everything(self):
        for event_type, state in (
            ("hard_bounce", "bounced"),
            ("reject", "rejected"),
            ("spam", "spam"),
            ("unsub", "unsub"),
        ):
            with self.subTest(event_type=event_type):
                self.assertEqual(self.walk("sent", "delivered", "open", event_type).state, state)

    def test_success_does_not_override_hard_failures(self):
        self.assertEqual(self.walk("sent", "hard_bounce", "delivered").state, "bounced")
        self.assertEqual(self.walk("spam", "open").state, "spam")

    def test_soft_failures_are_overridden_by_a_later_success(self):
        self.assertEqual(self.walk("sent", "soft_bounce").state, "soft-bounced")
        self.assertEqual(self.walk("sent", "soft_bounce", "delivered").state, "delivered")
        self.assertEqual(self.walk(state="error").state, "error")
        tracking = self.new_tracking("error")
        tracking.event_create("sent", {})
        self.assertEqual(tracking.state, "sent")

    def test_soft_bounce_does_not_undo_delivered(self):
        self.assertEqual(self.walk("sent", "delivered", "soft_bounce").state, "delivered")

    def test_next_state_table(self):
        self.assertEqual(next_state(False, "deferred"), "deferred")
        self.assertEqual(next_state("opened", "sent"), "opened")
        self.assertEqual(next_state("bounced", "soft-bounced"), "bounced")
        self.assertEqual(next_state("unsub", "rejected"), "rejected")
        self.assertEqual(next_state("error", "soft-bounced"), "soft-bounced")

    def test_every_event_is_recorded_with_its_metadata(self):
        tracking = self.new_tracking()
        event = tracking.event_create(
            "open",
            {
                "ip": "127.0.0.1",
                "user_agent": "Test agent",
                "os_family": "Linux",
                "ua_family": "Firefox",
                "ua_type": "browser",
                "mobile": False,
                "unknown_key": "ignored",
            },
        )
        self.assertEqual(event.tracking_email_id, tracking)
        self.assertEqual((event.ip, event.os_family, event.ua_family), ("127.0.0.1", "Linux", "Firefox"))
        self.assertEqual(event.recipient_address, "eve@example.com")
        self.assertTrue(event.time)
        self.assertEqual(event.date, event.time.date())

    def test_bounce_metadata_is_kept_on_the_tracking(self):
        tracking = self.new_tracking("sent")
        tracking.event_create("hard_bounce", {"bounce_type": "5.1.1", "bounce_description": "No such user"})
        self.assertEqual((tracking.bounce_type, tracking.bounce_description), ("5.1.1", "No such user"))

    def test_repeated_opens_within_seconds_are_one(self):
        tracking = self.new_tracking("sent")
        tracking.event_create("open", {})
        tracking.event_create("open", {})
        self.assertEqual(len(tracking.tracking_event_ids), 1)

    def test_later_opens_are_recorded(self):
        tracking = self.new_tracking("sent")
        tracking.event_create("open", {"timestamp": 1000.0})
        tracking.event_create("open", {"timestamp": 1000.0 + OPEN_DEDUP_SECONDS - 1})
        self.assertEqual(len(tracking.tracking_event_ids), 1, "within the window: the same open")
        tracking.event_create("open", {"timestamp": 1000.0 + OPEN_DEDUP_SECONDS})
        self.assertEqual(len(tracking.tracking_event_ids), 2)

    def test_unknown_event_type_is_ignored(self):
        tracking = self.new_tracking("sent")
        with mute_logger("odoo.addons.mail_activity_tracking.models.mail_tracking_email"):
            events = tracking.event_create("teleported", {})
        self.assertFalse(events)
        self.assertEqual(tracking.state, "sent")

    def test_event_create_on_many_trackings(self):
        trackings = self.new_tracking("sent") | self.new_tracking("opened")
        events = trackings.event_create("delivered", {})
        self.assertEqual(len(events), 2)
        self.assertEqual(trackings.mapped("state"), ["delivered", "opened"])

    def test_failed_state_flags_the_message(self):
        message = self.partner.message_post(body="Hi")
        tracking = self.new_tracking("sent")
        tracking.mail_message_id = message
        self.assertFalse(message.mail_tracking_needs_action)
        tracking.event_create("hard_bounce", {})
        self.assertTrue(message.mail_tracking_needs_action)

    def test_hard_bounce_flags_the_partner_and_score_drops(self):
        Tracking = self.env["mail.tracking.email"]
        self.assertEqual(Tracking.email_score_from_email("eve@example.com"), 50)
        self.assertFalse(Tracking.email_is_bounced("eve@example.com"))
        self.walk("sent", "hard_bounce")
        self.assertTrue(self.partner.email_bounced)
        self.assertTrue(Tracking.email_is_bounced("EVE@example.com"))
        self.assertLess(Tracking.email_score_from_email("eve@example.com"), 50)
        self.assertLess(self.partner.email_score, 50)
        self.assertEqual(self.partner.tracking_emails_count, 1)

    def test_contact_counts_and_lists_its_queued_emails(self):
        """A queued email has no address yet: the contact's count and list
        find it by its partner."""
        message = self.partner.message_post(
            body="Hi", partner_ids=self.partner.ids, message_type="comment", subtype_xmlid="mail.mt_comment"
        )
        queued = self.env["mail.tracking.email"].search([("mail_message_id", "=", message.id)])
        self.assertEqual(len(queued), 1)
        self.assertFalse(queued.recipient_address)
        walked = self.walk("sent", "open")
        self.partner.invalidate_recordset(["tracking_emails_count"])
        self.assertEqual(self.partner.tracking_emails_count, 2)
        domain = self.partner.action_view_tracking_emails()["domain"]
        self.assertEqual(self.env["mail.tracking.email"].search(domain), queued | walked)

    def test_opens_raise_the_score(self):
        self.walk("sent", "open")
        self.assertGreater(self.partner.email_score, 50)

    def test_soft_bounce_and_errors_do_not_flag_the_partner(self):
        self.walk("sent", "soft_bounce")
        self.walk(state="error")
        self.assertFalse(self.partner.email_bounced)

    def test_new_clean_address_clears_the_bounce_flag(self):
        self.walk("sent", "hard_bounce")
        self.assertTrue(self.partner.email_bounced)
        self.partner.email = "eve.new@example.com"
        self.assertFalse(self.partner.email_bounced)
        self.partner.email = "eve@example.com"
        self.assertTrue(self.partner.email_bounced)


@tagged("post_install", "-at_install")
class TestRetention(TransactionCase):
    def setUp(self):
        super().setUp()
        Tracking = self.env["mail.tracking.email"]
        self.old = Tracking.create({"recipient": "old@example.com", "time": "2020-01-01 10:00:00"})
        self.old.event_create("sent", {"timestamp": 1577872800.0})
        self.recent = Tracking.create({"recipient": "new@example.com"})
        self.param = self.env["ir.config_parameter"]

    def test_old_trackings_and_events_are_deleted(self):
        self.param.set_param("mail_activity_tracking.max_age_days", "30")
        events = self.old.tracking_event_ids
        self.assertTrue(events)
        self.env["mail.tracking.email"]._gc_expired_trackings()
        self.assertFalse(self.old.exists())
        self.assertFalse(events.exists())
        self.assertTrue(self.recent.exists())

    def test_expired_trackings_go_in_batches_oldest_first_until_none_is_left(self):
        """One batch per call, each its own transaction in Odoo's
        autovacuum, which calls again while the method says more may be
        left: however many expired, they all go, the oldest first."""
        Tracking = self.env["mail.tracking.email"]
        older = Tracking.create([{"recipient": f"o{n}@example.com", "time": f"2019-0{n + 1}-01"} for n in range(4)])
        self.param.set_param("mail_activity_tracking.max_age_days", "30")
        with patch.object(mail_tracking_email_gc, "GC_BATCH_SIZE", 2):
            self.assertEqual(Tracking._gc_expired_trackings(), (2, 1))
            self.assertEqual((older | self.old).exists(), older[2:] | self.old)
            self.assertEqual(Tracking._gc_expired_trackings(), (2, 1))
            self.assertEqual(Tracking._gc_expired_trackings(), (1, 0))
            self.assertEqual(Tracking._gc_expired_trackings(), (0, 0))
        self.assertFalse((older | self.old).exists())
        self.assertTrue(self.recent.exists())

    def test_zero_or_nonsense_keeps_everything(self):
        for value in ("0", "", "forever", "-5"):
            with self.subTest(value=value):
                self.param.set_param("mail_activity_tracking.max_age_days", value)
                self.env["mail.tracking.email"]._gc_expired_trackings()
                self.assertTrue(self.old.exists())

    def test_times_complete_each_other(self):
        self.assertAlmostEqual(self.old.timestamp, 1577872800.0, places=3)
        self.assertEqual(str(self.old.tracking_event_ids.time), "2020-01-01 10:00:00")
