import base64
import hashlib
import hmac
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

from odoo.tests import HttpCase, TransactionCase, tagged
from odoo.tools import mute_logger

from ..tools import provider_signatures
from ..tools.sns_certificates import CERTIFICATES
from .common import TrackingCase, record_handoffs
from .test_provider_signatures import _self_signed_certificate

WEBHOOK_LOGGER = "odoo.addons.mail_activity_tracking.controllers.webhooks"
SNS_CERT_URL = "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-test.pem"
TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-events"


def mailgun_payload(key, event, reference, recipient, token, timestamp=None, **data):
    """A Mailgun webhook's body, signed with ``key`` as Mailgun documents
    it, about the email of our ``reference``."""
    timestamp = str(int(time.time())) if timestamp is None else timestamp
    signature = hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()
    return {
        "signature": {"timestamp": timestamp, "token": token, "signature": signature},
        "event-data": {
            "event": event,
            "id": f"mg-{event}-{token}",
            "timestamp": time.time(),
            "recipient": recipient,
            "user-variables": {"odoo_tracking": reference},
            **data,
        },
    }


class WebhookPosting(HttpCase):
    """Posts provider events as real HTTP requests to the webhook route of
    ``self.mail_server``, for its ``provider``."""

    provider = None

    def webhook_url(self, server=None, provider=None, db=None):
        server_id = (server or self.mail_server).id
        return f"/mail/tracking/webhook/{provider or self.provider}/{db or self.env.cr.dbname}/{server_id}"

    def post_webhook(self, body, headers=None, url=None, status=200):
        self.env.flush_all()
        if not isinstance(body, bytes):
            body = json.dumps(body).encode()
        with mute_logger(WEBHOOK_LOGGER):
            response = self.url_open(url or self.webhook_url(), data=body, headers=headers or {})
        self.assertEqual(response.status_code, status, response.text)
        self.assertNotIn("Traceback", response.text)
        self.assertTrue(record_handoffs(self.env.cr.dbname), "the hand-off writer recorded what was kept")
        self.env.invalidate_all()
        return response


@tagged("post_install", "-at_install")
class WebhookCase(WebhookPosting, TrackingCase):
    """Provider events posted as real HTTP requests to the webhook routes,
    about an email really sent through the loopback SMTP server."""

    def setUp(self):
        super().setUp()
        self.mail_server.tracking_provider = self.provider
        self.smtp = self.start_smtp()
        self.message = self.post(self.alice, subject="Webhook subject")
        self.send_queue()
        self.tracking = self.tracking_of(self.message, self.alice)
        self.reference = f"{self.tracking.id}-{self.tracking.sudo().token}"

    def sent_headers(self):
        (envelope,) = self.smtp.envelopes
        return envelope.message

    def events(self, event_type=None):
        events = self.tracking.tracking_event_ids
        return events.filtered(lambda event: event.event_type == event_type) if event_type else events


class TestMailgunWebhook(WebhookCase):
    provider = "mailgun"
    key = "mailgun-signing-key"

    def setUp(self):
        super().setUp()
        self.mail_server.sudo().tracking_webhook_secret = self.key

    def payload(self, event="delivered", timestamp=None, token="token-1", key=None, **data):
        return mailgun_payload(key or self.key, event, self.reference, "alice@example.com", token, timestamp, **data)

    def test_outgoing_email_carries_the_reference(self):
        variables = json.loads(self.sent_headers()["X-Mailgun-Variables"])
        self.assertEqual(variables, {"odoo_tracking": self.reference})

    def test_delivered_then_permanent_failure(self):
        self.post_webhook(self.payload())
        self.assertEqual(self.tracking.state, "delivered")
        self.assertEqual(self.events("delivered").provider_event_id, "mailgun:mg-delivered-token-1")
        self.assertTrue(self.mail_server.sudo().tracking_last_event_time)
        failure = {"severity": "permanent", "delivery-status": {"code": 550, "description": "No such user"}}
        self.post_webhook(self.payload("failed", token="token-2", **failure))
        self.assertEqual(self.tracking.state, "bounced")
        self.assertEqual(self.tracking.bounce_description, "No such user")
        self.assertTrue(self.alice.email_bounced, "a hard bounce flags the partner")
        # and counts toward Odoo's own bounce rules, as a report through the gateway does
        self.assertEqual(self.alice.message_bounce, 1)
        notification = self.message.notification_ids.filtered(lambda notif: notif.res_partner_id == self.alice)
        self.assertEqual((notification.notification_status, notification.failure_type), ("bounce", "mail_bounce"))

    def test_refused_requests_record_nothing(self):
        self.post_webhook(self.payload(key="another-key"), status=403)
        self.post_webhook(self.payload(timestamp=str(int(time.time()) - 3600)), status=403)
        self.post_webhook(self.payload(), status=200)
        self.post_webhook(self.payload(event="opened"), status=403)  # same token: a replay
        self.post_webhook(b"not json", status=400)
        self.post_webhook({"event-data": self.payload()["event-data"]}, status=403)
        self.assertEqual(len(self.events().filtered("provider_event_id")), 1)

    def test_fallback_on_message_id_and_recipient(self):
        message_id = self.tracking.message_id
        data = {"user-variables": {}, "message": {"headers": {"message-id": message_id}}}
        self.post_webhook(self.payload(**data))
        self.assertEqual(self.tracking.state, "delivered")

    def test_event_of_an_email_we_did_not_send_is_ignored(self):
        data = {"user-variables": {}, "message": {"headers": {"message-id": "<other@elsewhere.example>"}}}
        self.post_webhook(self.payload(**data))
        self.assertFalse(self.events().filtered("provider_event_id"))
        forged = {"user-variables": {"odoo_tracking": f"{self.tracking.id}-not-the-token"}}
        self.post_webhook(self.payload(token="token-2", **forged))
        self.assertFalse(self.events().filtered("provider_event_id"))

    def test_unknown_webhooks(self):
        other = self.env["ir.mail_server"].create({"name": "Other", "smtp_host": "127.0.0.1"})
        for url in (
            self.webhook_url(db="no_such_database"),
            self.webhook_url(server=other),
            self.webhook_url(provider="sendgrid"),
            self.webhook_url(provider="unknown"),
            self.webhook_url().replace(f"/{self.mail_server.id}", "/" + "9" * 40),
            self.webhook_url().replace(f"/{self.mail_server.id}", "/%C2%B2"),
        ):
            with self.subTest(url):
                self.post_webhook(self.payload(), url=url, status=404)
        self.assertFalse(self.events().filtered("provider_event_id"))


class SendgridCase(WebhookCase):
    """Events posted to the SendGrid webhook, signed with a key of the test's."""

    provider = "sendgrid"

    def setUp(self):
        super().setUp()
        self.key = ec.generate_private_key(ec.SECP256R1())
        der = self.key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self.mail_server.sudo().tracking_webhook_secret = base64.b64encode(der).decode()

    def signed_headers(self, body, key=None, timestamp=None):
        timestamp = timestamp or str(int(time.time()))
        signature = (key or self.key).sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return {
            "Content-Type": "application/json",
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        }

    def event(self, event, event_id, **values):
        return {
            "email": "alice@example.com",
            "timestamp": int(time.time()),
            "event": event,
            "sg_event_id": event_id,
            "odoo_tracking": self.reference,
            **values,
        }

    def post_events(self, *events, status=200):
        body = json.dumps(list(events)).encode()
        return self.post_webhook(body, headers=self.signed_headers(body), status=status)


class TestSendgridWebhook(SendgridCase):
    def test_outgoing_email_carries_the_reference(self):
        smtpapi = json.loads(self.sent_headers()["X-SMTPAPI"])
        self.assertEqual(smtpapi, {"unique_args": {"odoo_tracking": self.reference}})

    def test_machine_open_and_click(self):
        body = json.dumps(
            [
                self.event("open", "sg-1", sg_machine_open=True, useragent="Mozilla/5.0"),
                self.event("click", "sg-2", url="https://example.com/offer", timestamp=int(time.time()) + 60),
            ]
        ).encode()
        self.post_webhook(body, headers=self.signed_headers(body))
        self.assertEqual(self.events("open").ua_type, "machine")
        self.assertEqual(self.events("click").url, "https://example.com/offer")
        self.assertEqual(self.tracking.state, "opened")

    def test_refused_requests_record_nothing(self):
        body = json.dumps([self.event("delivered", "sg-1")]).encode()
        other_key = ec.generate_private_key(ec.SECP256R1())
        self.post_webhook(body, headers=self.signed_headers(body, key=other_key), status=403)
        self.post_webhook(body + b" ", headers=self.signed_headers(body), status=403)
        self.post_webhook(body, headers={"Content-Type": "application/json"}, status=403)
        headers = self.signed_headers(body)
        del headers["X-Twilio-Email-Event-Webhook-Timestamp"]
        self.post_webhook(body, headers=headers, status=403)
        stale = self.signed_headers(body, timestamp=str(int(time.time()) - 3600))
        self.post_webhook(body, headers=stale, status=403)
        self.assertFalse(self.events().filtered("provider_event_id"))
        self.assertEqual(self.tracking.state, "sent")

    def test_batch_of_1000_events_recorded_once_when_posted_twice(self):
        body = json.dumps([self.event("delivered", f"sg-{index}") for index in range(1000)]).encode()
        self.post_webhook(body, headers=self.signed_headers(body))
        self.assertEqual(len(self.events("delivered")), 1000)
        self.post_webhook(body, headers=self.signed_headers(body))
        self.assertEqual(len(self.events("delivered")), 1000)
        self.assertEqual(self.tracking.state, "delivered")
        too_many = json.dumps([self.event("delivered", f"sg-{index}") for index in range(1001)]).encode()
        self.post_webhook(too_many, headers=self.signed_headers(too_many), status=400)


class TestPostmarkWebhook(WebhookCase):
    provider = "postmark"

    def credentials(self, password=None):
        server = self.mail_server.sudo()
        token = f"{server.tracking_webhook_user}:{password or server.tracking_webhook_secret}"
        return {"Authorization": "Basic " + base64.b64encode(token.encode()).decode()}

    def bounce(self, bounce_type="HardBounce", bounce_id=42):
        return {
            "RecordType": "Bounce",
            "ID": bounce_id,
            "Type": bounce_type,
            "Email": "alice@example.com",
            "Details": "smtp;550 5.1.1 The email account does not exist",
            "BouncedAt": "2027-01-15T08:00:00Z",
            "MessageID": "883953f4-6105-42a2-a16a-77a8eac79483",
            "Metadata": {"odoo_tracking": self.reference},
        }

    def test_credentials_made_up_and_in_the_url(self):
        server = self.mail_server.sudo()
        self.assertTrue(server.tracking_webhook_secret)
        self.assertIn(f"odoo:{server.tracking_webhook_secret}@", server.tracking_webhook_url)
        self.assertEqual(self.sent_headers()["X-PM-Metadata-odoo_tracking"], self.reference)

    def test_soft_then_hard_bounce(self):
        self.post_webhook(self.bounce("SoftBounce", 41), headers=self.credentials())
        self.assertEqual(self.tracking.state, "soft-bounced")
        self.post_webhook(self.bounce(), headers=self.credentials())
        self.assertEqual(self.tracking.state, "bounced")
        self.assertIn("does not exist", self.tracking.bounce_description)

    def test_refused_requests_record_nothing(self):
        self.post_webhook(self.bounce(), headers=self.credentials(password="wrong"), status=401)
        self.post_webhook(self.bounce(), status=401)
        self.mail_server.sudo().tracking_allowed_networks = "203.0.113.0/24"
        self.post_webhook(self.bounce(), headers=self.credentials(), status=403)
        self.assertFalse(self.events().filtered("provider_event_id"))


class SnsSigning(TransactionCase):
    """Amazon SNS's messages signed with a key of the test's, whose
    certificate stands for Amazon's at ``SNS_CERT_URL``."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.signing_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        CERTIFICATES[SNS_CERT_URL] = _self_signed_certificate(cls.signing_key, start=int(time.time()))
        cls.addClassCleanup(CERTIFICATES.pop, SNS_CERT_URL, None)


class TestSesWebhook(SnsSigning, WebhookCase):
    provider = "ses"

    def setUp(self):
        super().setUp()
        self.mail_server.sudo().tracking_sns_topic_arn = TOPIC

    def sns(self, event, message_type="Notification", key=None, **values):
        message = {
            "Type": message_type,
            "MessageId": f"sns-{event.get('eventType')}-{len(str(values))}",
            "TopicArn": TOPIC,
            "Message": json.dumps(event),
            "Timestamp": "2027-01-15T08:00:00.000Z",
            "SignatureVersion": "2",
            "SigningCertURL": SNS_CERT_URL,
            **values,
        }
        signed = provider_signatures.sns_string_to_sign(message)
        signature = (key or self.signing_key).sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return {**message, "Signature": base64.b64encode(signature).decode()}

    def ses_event(self, event_type, **detail):
        return {
            "eventType": event_type,
            "mail": {
                "messageId": "0102017a-ses",
                "destination": ["alice@example.com"],
                "tags": {"odoo_tracking": [self.reference]},
            },
            **detail,
        }

    def test_outgoing_email_carries_the_reference(self):
        self.assertEqual(self.sent_headers()["X-SES-MESSAGE-TAGS"], f"odoo_tracking={self.reference}")

    def test_delivery_and_complaint(self):
        delivery = {"delivery": {"timestamp": "2027-01-15T08:00:01Z", "recipients": ["alice@example.com"]}}
        self.post_webhook(self.sns(self.ses_event("Delivery", **delivery)))
        self.assertEqual(self.tracking.state, "delivered")
        complaint = {"complaint": {"complainedRecipients": [{"emailAddress": "alice@example.com"}]}}
        self.post_webhook(self.sns(self.ses_event("Complaint", **complaint)))
        self.assertEqual(self.tracking.state, "spam")
        self.assertTrue(self.alice.email_bounced)

    def test_subscription_confirmation_kept_for_an_admin(self):
        link = "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=abc"
        self.post_webhook(self.sns({}, "SubscriptionConfirmation", Token="abc", SubscribeURL=link))
        self.assertEqual(self.mail_server.sudo().tracking_sns_subscribe_url, link)
        forged = "https://evil.example/?Action=ConfirmSubscription"
        self.post_webhook(self.sns({}, "SubscriptionConfirmation", Token="abc", SubscribeURL=forged), status=403)
        self.assertEqual(self.mail_server.sudo().tracking_sns_subscribe_url, link)

    def test_refused_requests_record_nothing(self):
        bounce = {"bounce": {"bounceType": "Permanent", "bouncedRecipients": [{"emailAddress": "alice@example.com"}]}}
        event = self.ses_event("Bounce", **bounce)
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.post_webhook(self.sns(event, key=other_key), status=403)
        self.post_webhook(self.sns(event, TopicArn="arn:aws:sns:eu-west-1:123456789012:other"), status=403)
        self.post_webhook(self.sns(event, SigningCertURL="https://evil.example/cert.pem"), status=403)
        changed = {**self.sns(event), "Message": json.dumps({**event, "eventType": "Delivery"})}
        self.post_webhook(changed, status=403)
        self.assertFalse(self.events().filtered("provider_event_id"))
        self.assertEqual(self.tracking.state, "sent")


class TestBrevoWebhook(WebhookCase):
    provider = "brevo"

    def token(self, token=None):
        return {"Authorization": f"Bearer {token or self.mail_server.sudo().tracking_webhook_secret}"}

    def event(self, event, **values):
        return {
            "event": event,
            "email": "alice@example.com",
            "message-id": self.tracking.message_id,
            "ts_event": int(time.time()),
            "X-Mailin-custom": self.reference,
            **values,
        }

    def test_proxy_open_then_hard_bounce(self):
        self.assertEqual(self.sent_headers()["X-Mailin-custom"], self.reference)
        self.post_webhook(self.event("proxy_open"), headers=self.token())
        self.assertEqual(self.events("open").open_kind, "prefetch")
        self.post_webhook(self.event("hard_bounce", reason="550 unknown user"), headers=self.token())
        self.assertEqual(self.tracking.state, "bounced")

    def test_refused_requests_record_nothing(self):
        self.post_webhook(self.event("delivered"), headers=self.token("wrong"), status=401)
        self.post_webhook(self.event("delivered"), status=401)
        self.assertFalse(self.events().filtered("provider_event_id"))
