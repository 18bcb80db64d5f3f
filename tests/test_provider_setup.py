"""Each provider set up as the README tells an administrator to, from the
server's form and the provider's own console: what the console can set is
all the requests carry (no header, field or option it does not offer)."""

import base64
import hashlib
import hmac
import json
import time

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding

from odoo.tests import Form, HttpCase, tagged
from odoo.tools import mute_logger

from ..tools import provider_signatures
from ..tools.references import TRACKING_HEADER
from .common import TrackingCase, record_handoffs
from .test_webhooks import SNS_CERT_URL, WEBHOOK_LOGGER, SnsSigning

EVENTS_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-events"
FEEDBACK_TOPIC = "arn:aws:sns:eu-west-1:123456789012:ses-feedback"


@tagged("post_install", "-at_install")
class ConsoleCase(HttpCase, TrackingCase):
    """The server's Tracking provider tab filled in through its form, an
    email really sent through it, and the provider's requests sent to the
    URL the form shows, with what the provider's console sets and nothing
    else."""

    provider = None

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()

    def configure(self, **values):
        """Choose the provider on the server's form, fill in ``values``, save."""
        with Form(self.mail_server) as form:
            form.tracking_provider = self.provider
            for name, value in values.items():
                setattr(form, name, value)
        return self.mail_server.sudo()

    def send_to_alice(self):
        """``(tracking, email as the SMTP server received it)``."""
        message = self.post(self.alice, subject="Console subject")
        self.send_queue()
        return self.tracking_of(message, self.alice), self.smtp.envelopes[-1].message

    def post_json(self, url, payload, headers=None, status=200):
        """POST ``payload`` to ``url`` as the provider does; return the
        response once the hand-off writer recorded what was kept."""
        self.env.flush_all()
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        with mute_logger(WEBHOOK_LOGGER):
            response = self.url_open(url, data=body, headers={"Content-Type": "application/json", **(headers or {})})
        self.assertEqual(response.status_code, status, response.text)
        record_handoffs(self.env.cr.dbname)
        self.env.invalidate_all()
        return response


class TestBrevoConsole(ConsoleCase):
    provider = "brevo"

    def delivered(self, tracking, sent):
        """A transactional "delivered" event as Brevo's documentation shows it."""
        now = int(time.time())
        return {
            "event": "delivered",
            "email": "alice@example.com",
            "id": 26224,
            "date": time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(now)),
            "ts": now,
            "message-id": sent["Message-Id"],
            "ts_event": now,
            "subject": "Console subject",
            "X-Mailin-custom": sent["X-Mailin-custom"],
            "sending_ip": "185.41.28.109",
            "ts_epoch": now * 1000,
            "tags": [],
        }

    def test_url_pasted_in_the_console_records_events(self):
        """Brevo's console takes a URL and the events, no header: the
        credentials go in the URL (``https://user:password@…``), and Brevo
        sends them as HTTP basic authentication."""
        server = self.configure()
        tracking, sent = self.send_to_alice()
        self.post_json(server.tracking_webhook_url, self.delivered(tracking, sent))
        self.assertEqual(tracking.state, "delivered")
        self.assertIn(f"{server.tracking_webhook_user}:{server.tracking_webhook_secret}@", server.tracking_webhook_url)

    def test_bearer_token_of_a_webhook_made_through_the_api(self):
        """Brevo's API also takes ``auth: {type: bearer, token}``: the
        webhook secret as the token."""
        server = self.configure()
        tracking, sent = self.send_to_alice()
        url = server.tracking_webhook_url.replace(
            f"{server.tracking_webhook_user}:{server.tracking_webhook_secret}@", ""
        )
        self.post_json(url, self.delivered(tracking, sent), status=401)
        self.post_json(
            url, self.delivered(tracking, sent), {"Authorization": f"Bearer {server.tracking_webhook_secret}"}
        )
        self.assertEqual(tracking.state, "delivered")

    def test_wrong_credentials_in_the_url_are_refused(self):
        server = self.configure()
        tracking, sent = self.send_to_alice()
        url = server.tracking_webhook_url.replace(f":{server.tracking_webhook_secret}@", ":guessed@")
        self.post_json(url, self.delivered(tracking, sent), status=401)
        self.assertEqual(tracking.state, "sent")


class TestMailgunConsole(ConsoleCase):
    provider = "mailgun"
    key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"

    def test_signing_key_pasted_on_the_form(self):
        """Mailgun's console takes a URL per event type; its requests carry
        their signature in the body, made with the domain's signing key."""
        server = self.configure(tracking_webhook_secret=self.key)
        tracking, sent = self.send_to_alice()
        timestamp, token = str(int(time.time())), "0f0c3c5bd6b9e4b1a6e7d0c2"
        delivered = {
            "signature": {
                "timestamp": timestamp,
                "token": token,
                "signature": hmac.new(self.key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest(),
            },
            "event-data": {
                "event": "delivered",
                "id": "CPgfbmQMTCKtHW6uIWtuVe",
                "timestamp": time.time(),
                "recipient": "alice@example.com",
                "delivery-status": {"code": 250, "message": "OK", "description": ""},
                "message": {"headers": {"message-id": sent["Message-Id"].strip("<>")}},
                "user-variables": json.loads(sent["X-Mailgun-Variables"]),
            },
        }
        self.post_json(server.tracking_webhook_url, delivered)
        self.assertEqual(tracking.state, "delivered")


class TestSendgridConsole(ConsoleCase):
    provider = "sendgrid"

    def test_verification_key_pasted_on_the_form(self):
        """SendGrid's console makes the key pair of the signed event webhook
        and shows its public half: the form takes it as it is shown."""
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        server = self.configure(tracking_webhook_secret=base64.b64encode(public).decode())
        tracking, sent = self.send_to_alice()
        reference = json.loads(sent["X-SMTPAPI"])["unique_args"]["odoo_tracking"]
        events = [
            {
                "email": "alice@example.com",
                "timestamp": int(time.time()),
                "smtp-id": sent["Message-Id"],
                "event": "delivered",
                "category": [],
                "sg_event_id": "sg_event_id_delivered",
                "sg_message_id": "sg_message_id.filter0001",
                "response": "250 OK",
                "odoo_tracking": reference,
            }
        ]
        body = json.dumps(events).encode()
        timestamp = str(int(time.time()))
        signature = key.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        headers = {
            "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
            "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
        }
        self.post_json(server.tracking_webhook_url, body, headers)
        self.assertEqual(tracking.state, "delivered")


class TestPostmarkConsole(ConsoleCase):
    provider = "postmark"

    def test_url_pasted_in_the_console_records_events(self):
        server = self.configure()
        tracking, sent = self.send_to_alice()
        delivery = {
            "RecordType": "Delivery",
            "ServerID": 23,
            "MessageStream": "outbound",
            "MessageID": "00000000-0000-0000-0000-000000000000",
            "Recipient": "alice@example.com",
            "Tag": "",
            "DeliveredAt": "2027-01-15T08:00:00Z",
            "Details": "Test delivery webhook details",
            "Metadata": {"odoo_tracking": sent["X-PM-Metadata-odoo_tracking"]},
        }
        self.post_json(server.tracking_webhook_url, delivery)
        self.assertEqual(tracking.state, "delivered")


class SesConsoleCase(SnsSigning, ConsoleCase):
    """Amazon SNS, signed with a key of the test's whose certificate stands
    for Amazon's."""

    provider = "ses"

    def sns(self, topic, message_type="Notification", message="", **values):
        """An SNS message of ``topic`` as SNS posts it to an HTTPS subscription."""
        sns = {
            "Type": message_type,
            "MessageId": f"sns-{message_type}-{len(str(values))}-{len(message)}",
            "TopicArn": topic,
            "Message": message,
            "Timestamp": "2027-01-15T08:00:00.000Z",
            "SignatureVersion": "2",
            "SigningCertURL": SNS_CERT_URL,
            **values,
        }
        signed = provider_signatures.sns_string_to_sign(sns)
        signature = self.signing_key.sign(signed, padding.PKCS1v15(), hashes.SHA256())
        return {**sns, "Signature": base64.b64encode(signature).decode()}

    def confirmation(self, topic):
        link = f"https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&TopicArn={topic}&Token=abc"
        message = (
            f"You have chosen to subscribe to the topic {topic}.\nTo confirm the subscription, visit the SubscribeURL"
        )
        return link, self.sns(topic, "SubscriptionConfirmation", message, Token="abc", SubscribeURL=link)

    def headers(self, topic, message_type="Notification"):
        """The headers SNS adds to each HTTP request."""
        return {
            "x-amz-sns-message-type": message_type,
            "x-amz-sns-topic-arn": topic,
            "User-Agent": "Amazon Simple Notification Service Agent",
        }


class TestSesConsole(SesConsoleCase):
    def test_configuration_set_named_on_every_email(self):
        """Event publishing needs the configuration set on the email, when it
        is not the identity's default: the form names it, each email says it."""
        self.configure(tracking_sns_topic_arn=EVENTS_TOPIC, tracking_ses_configuration_set="odoo-events")
        _tracking, sent = self.send_to_alice()
        self.assertEqual(sent["X-SES-CONFIGURATION-SET"], "odoo-events")

    def test_no_configuration_set_header_without_one(self):
        self.configure(tracking_sns_topic_arn=EVENTS_TOPIC)
        _tracking, sent = self.send_to_alice()
        self.assertIsNone(sent["X-SES-CONFIGURATION-SET"])

    def test_confirmation_of_a_topic_not_saved_yet_is_kept(self):
        """The subscription made before its topic was saved on the form: its
        link waits on the form with the topic that asked, and the topic's
        events count once its ARN is saved."""
        server = self.configure(tracking_sns_topic_arn=EVENTS_TOPIC)
        link, confirmation = self.confirmation(FEEDBACK_TOPIC)
        self.post_json(
            server.tracking_webhook_url, confirmation, self.headers(FEEDBACK_TOPIC, "SubscriptionConfirmation")
        )
        self.assertEqual(server.tracking_sns_subscribe_url, link)
        self.assertEqual(server.tracking_sns_subscribe_topic, FEEDBACK_TOPIC)
        tracking, sent = self.send_to_alice()
        delivery = self.identity_delivery(sent)
        self.post_json(server.tracking_webhook_url, delivery, self.headers(FEEDBACK_TOPIC), status=403)
        self.assertEqual(tracking.state, "sent")
        with Form(self.mail_server) as form:
            form.tracking_sns_topic_arn = f"{EVENTS_TOPIC}\n{FEEDBACK_TOPIC}"
        self.post_json(server.tracking_webhook_url, delivery, self.headers(FEEDBACK_TOPIC))
        self.assertEqual(tracking.state, "delivered")
        self.assertFalse(server.tracking_sns_subscribe_url, "the first event confirms the subscription")

    def identity_delivery(self, sent):
        """A delivery notification of the identity's feedback topic, with the
        original headers, as SES's documentation shows it."""
        notification = {
            "notificationType": "Delivery",
            "mail": {
                "timestamp": "2027-01-15T08:00:00.000Z",
                "messageId": "0000014644fe5ef6-9a483358-9170-4cb4-a269-f5dcdf415321-000000",
                "source": "company@example.com",
                "sourceArn": "arn:aws:ses:eu-west-1:123456789012:identity/example.com",
                "sourceIp": "127.0.3.0",
                "sendingAccountId": "123456789012",
                "destination": ["alice@example.com"],
                "headersTruncated": False,
                "headers": [{"name": name, "value": value} for name, value in sent.items()],
                "commonHeaders": {
                    "from": [sent["From"]],
                    "date": sent["Date"],
                    "to": [sent["To"]],
                    "messageId": sent["Message-Id"],
                    "subject": sent["Subject"],
                },
            },
            "delivery": {
                "timestamp": "2027-01-15T08:00:01.000Z",
                "recipients": ["alice@example.com"],
                "processingTimeMillis": 546,
                "reportingMTA": "a8-70.smtp-out.amazonses.com",
                "smtpResponse": "250 ok:  Message 64111812 accepted",
                "remoteMtaIp": "127.0.2.0",
            },
        }
        return self.sns(FEEDBACK_TOPIC, message=json.dumps(notification))

    def test_identity_notifications_on_a_topic_of_their_own(self):
        """Bounce, complaint and delivery notifications set on the identity
        (``notificationType``), on their own topic beside the configuration
        set's: both topics are the server's."""
        server = self.configure(tracking_sns_topic_arn=f"{EVENTS_TOPIC}\n{FEEDBACK_TOPIC}")
        tracking, sent = self.send_to_alice()
        self.post_json(server.tracking_webhook_url, self.identity_delivery(sent), self.headers(FEEDBACK_TOPIC))
        self.assertEqual(tracking.state, "delivered")
        self.assertEqual(
            tracking.tracking_event_ids.filtered(lambda e: e.event_type == "delivered").smtp_server,
            "a8-70.smtp-out.amazonses.com",
        )

    def test_identity_notification_found_by_our_header(self):
        """With the original headers included, our reference header finds the
        tracking even where SES rewrote the Message-ID."""
        server = self.configure(tracking_sns_topic_arn=FEEDBACK_TOPIC)
        tracking, sent = self.send_to_alice()
        self.assertTrue(sent[TRACKING_HEADER])
        del sent["Message-Id"]
        sent["Message-Id"] = "<0000014644fe5ef6@eu-west-1.amazonses.com>"
        self.post_json(server.tracking_webhook_url, self.identity_delivery(sent), self.headers(FEEDBACK_TOPIC))
        self.assertEqual(tracking.state, "delivered")

    def test_raw_message_delivery_is_refused_with_its_reason(self):
        """With raw message delivery on, SNS posts the SES event alone,
        without its signature: refused, saying what to change."""
        server = self.configure(tracking_sns_topic_arn=EVENTS_TOPIC)
        tracking, sent = self.send_to_alice()
        event = json.loads(self.identity_delivery(sent)["Message"])
        response = self.post_json(
            server.tracking_webhook_url,
            event,
            {**self.headers(EVENTS_TOPIC), "x-amz-sns-rawdelivery": "true"},
            status=403,
        )
        self.assertIn("raw message delivery", response.text)
        self.assertEqual(tracking.state, "sent")
