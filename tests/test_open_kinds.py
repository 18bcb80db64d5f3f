import time
from unittest.mock import patch

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from ..controllers.pixel import BLANK_GIF
from .common import TrackingCase, record_handoffs
from .test_open_classifier import GMAIL_PROXY, OUTLOOK, THUNDERBIRD

CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)


@tagged("post_install", "-at_install")
class TestOpenKinds(HttpCase, TrackingCase):
    """Pixel hits of each kind of client, as real HTTP requests: a person's
    open moves the tracking to Opened, a machine's to Delivered only."""

    def setUp(self):
        super().setUp()
        self.tracking = self.tracking_of(self.post(self.alice), self.alice)
        self.tracking.event_create("sent", {})
        self.sent_ago(3600)

    def sent_ago(self, seconds):
        self.tracking.timestamp = time.time() - seconds

    def hit(self, user_agent, headers=None):
        self.env.flush_all()
        tracking = self.tracking
        url = f"/mail/tracking/open/{self.env.cr.dbname}/{tracking.id}/{tracking.sudo().token}/blank.gif"
        response = self.url_open(url, headers={"User-Agent": user_agent, **(headers or {})})
        self.assertEqual((response.status_code, response.content), (200, BLANK_GIF))
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        return self.opens()[:1]

    def opens(self):
        return self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")

    def age_opens(self):
        """The opens so far happened a minute ago: the next hit is no repeat."""
        for event in self.opens():
            event.timestamp -= 60

    def assert_open(self, event, kind, state, note="Opened by a person"):
        self.assertEqual(event.open_kind, kind)
        self.assertEqual(self.tracking.state, state)
        self.assertEqual(event.engagement_note, note)

    def test_apple_privacy_prefetch_proves_delivery_then_a_person_opens(self):
        event = self.hit("Mozilla/5.0")
        self.assert_open(event, "prefetch", "delivered", "Opened by Apple Mail Privacy Protection")
        self.assertTrue(event.automatic)
        self.assertEqual(self.tracking.human_opened, 0)
        self.age_opens()
        event = self.hit(THUNDERBIRD)
        self.assert_open(event, "person", "opened")
        self.assertEqual(self.tracking.human_opened, 1)

    def test_a_person_right_after_a_prefetch_opens(self):
        """A machine's fetch does not hide the person's open that follows
        within seconds: each is a repeat of its own kind only."""
        self.hit("Mozilla/5.0")
        event = self.hit(THUNDERBIRD)
        self.assert_open(event, "person", "opened")
        self.assertEqual(sorted(self.opens().mapped("open_kind")), ["person", "prefetch"])

    def test_apple_network_without_agent_behind_a_proxy(self):
        self.enterContext(patch.dict(config.options, {"proxy_mode": True}))
        event = self.hit("", headers={"X-Forwarded-For": "17.58.101.4", "X-Forwarded-Host": "odoo.example.com"})
        self.assertEqual(event.ip, "17.58.101.4")
        self.assert_open(event, "prefetch", "delivered", "Opened by Apple Mail Privacy Protection")

    def test_gmail_proxy_is_an_open(self):
        event = self.hit(GMAIL_PROXY)
        self.assert_open(event, "proxy", "opened", "Opened through Gmail image proxy")
        self.assertEqual((event.ua_family, event.ua_type), ("Gmail image proxy", "proxy"))
        self.assertEqual(self.tracking.human_opened, 1)

    def test_scanner_within_two_seconds_of_sending_then_outlook(self):
        self.sent_ago(1)
        event = self.hit(CHROME)
        self.assert_open(event, "scanner", "delivered", "Scanned by a security gateway")
        self.assertEqual((event.ua_family, event.ua_type), ("Security gateway", "scanner"))
        self.sent_ago(3600)
        self.age_opens()
        event = self.hit(OUTLOOK)
        self.assert_open(event, "person", "opened")
        self.assertEqual((event.ua_family, event.ua_type), ("Outlook", "email client"))

    def test_scanner_after_a_person_keeps_opened(self):
        self.hit(THUNDERBIRD)
        self.age_opens()
        event = self.hit("Mozilla/5.0 (compatible; Barracuda Sentinel link protection)")
        self.assert_open(event, "scanner", "opened", "Scanned by a security gateway")
        self.assertEqual(self.tracking.human_opened, 1)

    def test_outlook_is_a_person(self):
        event = self.hit(OUTLOOK)
        self.assert_open(event, "person", "opened")
        self.assertEqual((event.ua_family, event.ua_type), ("Outlook", "email client"))

    def test_thunderbird_is_a_person(self):
        event = self.hit(THUNDERBIRD)
        self.assert_open(event, "person", "opened")
        self.assertEqual((event.ua_family, event.ua_type), ("Thunderbird", "email client"))

    def test_browser_is_a_person(self):
        event = self.hit(CHROME)
        self.assert_open(event, "person", "opened")
        self.assertEqual((event.ua_family, event.ua_type, event.os_family), ("chrome", "browser", "windows"))

    def test_details_show_who_opened(self):
        self.hit("Mozilla/5.0")
        details = self.tracking.with_user(self.user_employee)._details()
        notes = [event["engagement_note"] for event in details["events"] if event["event_type"] == "open"]
        self.assertEqual(notes, ["Opened by Apple Mail Privacy Protection"])
