"""One verdict on machine opens, whatever reports them: the open pixel, or a
mail provider's webhook (real HTTP requests, payloads shaped as each
provider documents them)."""

import base64
import hashlib
import hmac
import time
from datetime import UTC, datetime

from odoo.tests import HttpCase, tagged

from ..controllers.pixel import BLANK_GIF
from .common import TrackingCase, record_handoffs
from .test_open_classifier import GMAIL_PROXY, THUNDERBIRD, YAHOO_PROXY
from .test_webhooks import WebhookCase


def iso(timestamp):
    return datetime.fromtimestamp(timestamp, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@tagged("post_install", "-at_install")
class MachineOpenCase(WebhookCase):
    """An email really sent, then dated as sent at ``self.sent_at``."""

    def setUp(self):
        super().setUp()
        self.sent_at = time.time() - 3600
        self.tracking.timestamp = self.sent_at

    def opens(self):
        return self.events("open")

    def assert_machine(self, kind):
        (event,) = self.opens()
        self.assertEqual(event.open_kind, kind)
        self.assertEqual(self.tracking.state, "delivered", "a machine's open proves delivery only")
        self.assertEqual(self.tracking.human_opened, 0)


@tagged("post_install", "-at_install")
class TestBrevoMachineOpens(MachineOpenCase):
    provider = "brevo"

    def post_event(self, event, seconds):
        """A transactional event as Brevo's documentation shows it, to the
        webhook URL with the credentials it carries."""
        moment = int(self.sent_at + seconds)
        payload = {
            "event": event,
            "email": "alice@example.com",
            "id": 26224,
            "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(moment)),
            "ts": moment,
            "message-id": self.tracking.message_id,
            "ts_event": moment,
            "subject": "Webhook subject",
            "X-Mailin-custom": self.reference,
            "ts_epoch": moment * 1000,
            "tags": [],
        }
        server = self.mail_server.sudo()
        token = f"{server.tracking_webhook_user}:{server.tracking_webhook_secret}"
        self.post_webhook(payload, headers={"Authorization": "Basic " + base64.b64encode(token.encode()).decode()})

    def test_proxy_open_is_apple_privacy_protection(self):
        """Brevo documents ``proxy_open`` as Apple Mail Privacy Protection
        loading the images on delivery: the pixel's verdict on that fetch."""
        self.post_event("proxy_open", 5)
        self.assert_machine("prefetch")
        self.assertEqual(self.opens().engagement_note, "Opened by Apple Mail Privacy Protection")

    def test_opened_an_hour_later_is_a_person(self):
        self.post_event("opened", 3600)
        self.assertEqual(self.opens().open_kind, "person")
        self.assertEqual(self.tracking.state, "opened")


@tagged("post_install", "-at_install")
class TestMailgunMachineOpens(MachineOpenCase):
    provider = "mailgun"
    key = "mailgun-signing-key"

    def setUp(self):
        super().setUp()
        self.mail_server.sudo().tracking_webhook_secret = self.key

    def post_opened(self, user_agent, ip, seconds, token):
        """An "opened" event as Mailgun's documentation shows it, signed."""
        timestamp = str(int(time.time()))
        signature = hmac.new(self.key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
        self.post_webhook(
            {
                "signature": {"timestamp": timestamp, "token": token, "signature": signature},
                "event-data": {
                    "event": "opened",
                    "id": f"mg-opened-{token}",
                    "timestamp": self.sent_at + seconds,
                    "recipient": "alice@example.com",
                    "ip": ip,
                    "client-info": {"client-type": "browser", "user-agent": user_agent},
                    "user-variables": {"odoo_tracking": self.reference},
                },
            }
        )

    def test_apple_privacy_protection_reported_by_mailgun(self):
        self.post_opened("Mozilla/5.0", "17.58.101.4", 30, "token-apple")
        self.assert_machine("prefetch")

    def test_gmail_proxy_at_the_moment_of_sending_is_a_machine(self):
        """0.2 s after sending nobody has read the email, whatever fetches
        it: an image proxy then is a machine, as a browser then is."""
        self.post_opened(GMAIL_PROXY, "66.249.84.1", 0.2, "token-gmail")
        self.assert_machine("scanner")


@tagged("post_install", "-at_install")
class TestPostmarkMachineOpens(MachineOpenCase):
    provider = "postmark"

    def post_open(self, user_agent, ip, seconds):
        """An Open webhook as Postmark's documentation shows it."""
        record = {
            "RecordType": "Open",
            "MessageStream": "outbound",
            "FirstOpen": True,
            "Client": {"Name": "Unknown", "Company": "Unknown", "Family": "Unknown"},
            "OS": {"Name": "Unknown", "Company": "Unknown", "Family": "Unknown"},
            "Platform": "WebMail",
            "UserAgent": user_agent,
            "ReadSeconds": 0,
            "Geo": {"IP": ip},
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Metadata": {"odoo_tracking": self.reference},
            "ReceivedAt": iso(self.sent_at + seconds),
            "Tag": "",
            "Recipient": "alice@example.com",
        }
        server = self.mail_server.sudo()
        token = f"{server.tracking_webhook_user}:{server.tracking_webhook_secret}"
        self.post_webhook(record, headers={"Authorization": "Basic " + base64.b64encode(token.encode()).decode()})

    def test_yahoo_proxy_at_the_moment_of_sending_is_a_machine(self):
        self.post_open(YAHOO_PROXY, "98.136.0.1", 0.2)
        self.assert_machine("scanner")

    def test_yahoo_proxy_an_hour_later_is_an_open(self):
        self.post_open(YAHOO_PROXY, "98.136.0.1", 3600)
        self.assertEqual(self.opens().open_kind, "proxy")
        self.assertEqual(self.tracking.state, "opened")


@tagged("post_install", "-at_install")
class TestPixelAtTheMomentOfSending(HttpCase, TrackingCase):
    """The pixel's verdict on a fetch right after sending, whoever fetches."""

    def setUp(self):
        super().setUp()
        self.tracking = self.tracking_of(self.post(self.alice), self.alice)
        self.tracking.event_create("sent", {})

    def hit(self, user_agent):
        self.env.flush_all()
        url = f"/mail/tracking/open/{self.env.cr.dbname}/{self.tracking.id}/{self.tracking.sudo().token}/blank.gif"
        response = self.url_open(url, headers={"User-Agent": user_agent})
        self.assertEqual((response.status_code, response.content), (200, BLANK_GIF))
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        return self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")[:1]

    def test_gmail_proxy_right_after_sending_is_a_machine_as_a_browser_is(self):
        self.tracking.timestamp = time.time()
        event = self.hit(GMAIL_PROXY)
        self.assertEqual(event.open_kind, "scanner")
        self.assertEqual(self.tracking.state, "delivered")
        self.tracking.timestamp = time.time() - 3600
        event.timestamp -= 60
        event = self.hit(THUNDERBIRD)
        self.assertEqual(event.open_kind, "person")
        self.assertEqual(self.tracking.state, "opened")
