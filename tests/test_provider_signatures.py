import base64
import datetime
import hashlib
import hmac
import time

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

from odoo.tests import BaseCase

from ..tools import provider_signatures as sig

NOW = 1_800_000_000


def _mailgun_signature(key, timestamp, token):
    return hmac.new(key.encode(), f"{timestamp}{token}".encode(), hashlib.sha256).hexdigest()


def _self_signed_certificate(private_key, days=30, start=NOW):
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "sns.amazonaws.com")])
    not_before = datetime.datetime.fromtimestamp(start, datetime.UTC).replace(tzinfo=None)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(private_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before - datetime.timedelta(days=1))
        .not_valid_after(not_before + datetime.timedelta(days=days))
        .sign(private_key, hashes.SHA256())
    )
    return certificate.public_bytes(serialization.Encoding.PEM)


class TestMailgunSignature(BaseCase):
    key = "key-3ax6xnjp29jd6fds4gc373sgvjxteol0"

    def test_valid_signature_of_a_fresh_timestamp(self):
        signature = _mailgun_signature(self.key, str(NOW), "token-1")
        self.assertTrue(sig.mailgun_signature_valid(self.key, str(NOW), "token-1", signature, now=NOW + 60))

    def test_refused(self):
        good = _mailgun_signature(self.key, str(NOW), "token-1")
        cases = {
            "another key": (self.key + "x", str(NOW), "token-1", good, NOW),
            "another token": (self.key, str(NOW), "token-2", good, NOW),
            "expired timestamp": (self.key, str(NOW), "token-1", good, NOW + sig.MAX_CLOCK_SKEW + 1),
            "timestamp from the future": (self.key, str(NOW), "token-1", good, NOW - sig.MAX_CLOCK_SKEW - 1),
            "unicode digits": (self.key, "\u00b2" * 10, "token-1", good, NOW),
            "no signature": (self.key, str(NOW), "token-1", "", NOW),
            "non-ascii signature": (self.key, str(NOW), "token-1", "é" * 64, NOW),
            "no key configured": ("", str(NOW), "token-1", _mailgun_signature("", str(NOW), "token-1"), NOW),
            "not a string": (self.key, NOW, "token-1", good, NOW),
        }
        for case, (key, timestamp, token, signature, now) in cases.items():
            with self.subTest(case):
                self.assertFalse(sig.mailgun_signature_valid(key, timestamp, token, signature, now=now))


class TestSendgridSignature(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.private_key = ec.generate_private_key(ec.SECP256R1())
        der = cls.private_key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        cls.console_key = base64.b64encode(der).decode()

    def sign(self, timestamp, body, key=None):
        signature = (key or self.private_key).sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
        return base64.b64encode(signature).decode()

    def test_valid_signature_with_the_console_key_as_base64_or_pem(self):
        body = b'[{"event":"delivered","sg_event_id":"e1"}]'
        signature = self.sign(str(NOW), body)
        pem = (
            self.private_key.public_key()
            .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            .decode()
        )
        self.assertTrue(sig.sendgrid_signature_valid(self.console_key, str(NOW), signature, body, now=NOW))
        self.assertTrue(sig.sendgrid_signature_valid(pem, str(NOW), signature, body, now=NOW))

    def test_refused(self):
        body = b'[{"event":"delivered"}]'
        good = self.sign(str(NOW), body)
        other_key = ec.generate_private_key(ec.SECP256R1())
        p384 = ec.generate_private_key(ec.SECP384R1())
        p384_text = base64.b64encode(
            p384.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
        ).decode()
        cases = {
            "changed body": (self.console_key, str(NOW), good, body + b" "),
            "changed timestamp": (self.console_key, str(NOW + 1), good, body),
            "signed by another key": (self.console_key, str(NOW), self.sign(str(NOW), body, other_key), body),
            "key of another curve": (p384_text, str(NOW), self.sign(str(NOW), body, p384), body),
            "missing signature": (self.console_key, str(NOW), "", body),
            "signature not base64": (self.console_key, str(NOW), "%%%", body),
            "missing timestamp": (self.console_key, None, good, body),
            "no key configured": ("", str(NOW), good, body),
            "key not a key": ("bm90IGEga2V5", str(NOW), good, body),
            "expired timestamp": (self.console_key, str(NOW - 3600), self.sign(str(NOW - 3600), body), body),
        }
        for case, (key, timestamp, signature, payload) in cases.items():
            with self.subTest(case):
                self.assertFalse(sig.sendgrid_signature_valid(key, timestamp, signature, payload, now=NOW))


class TestCredentials(BaseCase):
    def basic(self, user, password):
        return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()

    def test_basic_auth(self):
        self.assertTrue(sig.basic_auth_valid(self.basic("postmark", "s3cret"), "postmark", "s3cret"))
        cases = {
            "wrong password": self.basic("postmark", "s3cre"),
            "wrong user": self.basic("postmar", "s3cret"),
            "no header": None,
            "bearer instead": "Bearer s3cret",
            "not base64": "Basic %%%",
            "no colon": "Basic " + base64.b64encode(b"postmark").decode(),
            "not utf-8": "Basic " + base64.b64encode(b"\xff:\xfe").decode(),
        }
        for case, header in cases.items():
            with self.subTest(case):
                self.assertFalse(sig.basic_auth_valid(header, "postmark", "s3cret"))
        self.assertFalse(sig.basic_auth_valid(self.basic("", ""), "", ""), "no credentials configured")

    def test_bearer_token(self):
        self.assertTrue(sig.bearer_token_valid("Bearer brevo-token", "brevo-token"))
        for header in ("Bearer brevo-toke", "Basic brevo-token", "", None, "Bearer "):
            with self.subTest(header):
                self.assertFalse(sig.bearer_token_valid(header, "brevo-token"))
        self.assertFalse(sig.bearer_token_valid("Bearer ", ""), "no token configured")

    def test_networks(self):
        networks = sig.parse_networks("50.31.156.6, 3.134.147.250\n2001:db8::/32 203.0.113.0/24")
        for address in ("50.31.156.6", "203.0.113.77", "2001:db8::1"):
            with self.subTest(address):
                self.assertTrue(sig.address_allowed(address, networks))
        for address in ("50.31.156.7", "198.51.100.1", "", None, "not-an-ip", "2001:db9::1"):
            with self.subTest(address):
                self.assertFalse(sig.address_allowed(address, networks))
        self.assertTrue(sig.address_allowed("198.51.100.1", []), "no allow-list")
        with self.assertRaisesRegex(ValueError, "10.0.0.300"):
            sig.parse_networks("10.0.0.1, 10.0.0.300")


class TestSnsSignature(BaseCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.private_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        cls.certificate = _self_signed_certificate(cls.private_key)

    def message(self, version="2", **values):
        message = {
            "Type": "Notification",
            "MessageId": "22b80b92-fdea-4c2c-8f9d-bdfb0c7bf324",
            "TopicArn": "arn:aws:sns:eu-west-1:123456789012:ses-events",
            "Message": '{"eventType":"Delivery"}',
            "Timestamp": "2027-01-15T08:00:00.000Z",
            "SignatureVersion": version,
            "SigningCertURL": "https://sns.eu-west-1.amazonaws.com/SimpleNotificationService-0123.pem",
            **values,
        }
        return self.signed(message)

    def signed(self, message, key=None):
        algorithm = hashes.SHA1() if message["SignatureVersion"] == "1" else hashes.SHA256()
        signature = (key or self.private_key).sign(sig.sns_string_to_sign(message), padding.PKCS1v15(), algorithm)
        return {**message, "Signature": base64.b64encode(signature).decode()}

    def test_both_signature_versions_and_message_types(self):
        confirmation = {
            "Type": "SubscriptionConfirmation",
            "Token": "2336412f37",
            "SubscribeURL": "https://sns.eu-west-1.amazonaws.com/?Action=ConfirmSubscription&Token=2336412f37",
        }
        for version in ("1", "2"):
            for values in ({}, {"Subject": "Amazon SES Email Event Notification"}, confirmation):
                with self.subTest(version=version, values=values):
                    message = self.message(version, **values)
                    self.assertTrue(sig.sns_signature_valid(message, self.certificate, now=NOW))

    def test_refused(self):
        other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        message = self.message()
        cases = {
            "changed message": ({**message, "Message": '{"eventType":"Bounce"}'}, self.certificate, NOW),
            "subject added": ({**message, "Subject": "x"}, self.certificate, NOW),
            "signed by another key": (self.signed(self.message(), other_key), self.certificate, NOW),
            "unknown signature version": ({**message, "SignatureVersion": "3"}, self.certificate, NOW),
            "version 1 claimed for a version 2 signature": (
                {**message, "SignatureVersion": "1"},
                self.certificate,
                NOW,
            ),
            "unknown type": ({**message, "Type": "Other"}, self.certificate, NOW),
            "missing signature": ({**message, "Signature": ""}, self.certificate, NOW),
            "certificate expired": (message, self.certificate, NOW + 40 * 86400),
            "certificate not yet valid": (message, self.certificate, NOW - 10 * 86400),
            "not a certificate": (message, b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n", NOW),
            "not a dict": ("Notification", self.certificate, NOW),
        }
        for case, (sns_message, certificate, now) in cases.items():
            with self.subTest(case):
                self.assertFalse(sig.sns_signature_valid(sns_message, certificate, now=now))

    def test_certificate_urls(self):
        self.assertTrue(
            sig.sns_certificate_url_valid("https://sns.us-east-1.amazonaws.com/SimpleNotificationService-1.pem")
        )
        self.assertTrue(sig.sns_certificate_url_valid("https://sns.cn-north-1.amazonaws.com.cn/cert.pem"))
        for url in (
            "http://sns.us-east-1.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com.evil.example/cert.pem",
            "https://evil.example/sns.us-east-1.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com:8443/cert.pem",
            "https://user:pw@sns.us-east-1.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com/cert.pem?x=1",
            "https://sns.us-east-1.amazonaws.com/cert.txt",
            "https://s3.amazonaws.com/cert.pem",
            "https://sns.us-east-1.amazonaws.com:99999/cert.pem",
            "https://snѕ.us-east-1.amazonaws.com/cert.pem",
            None,
        ):
            with self.subTest(url):
                self.assertFalse(sig.sns_certificate_url_valid(url))

    def test_fresh_timestamps(self):
        self.assertTrue(sig.timestamp_is_fresh(str(int(time.time()))))
        self.assertFalse(sig.timestamp_is_fresh("9" * 13))
        self.assertFalse(sig.timestamp_is_fresh("-5", now=0))
