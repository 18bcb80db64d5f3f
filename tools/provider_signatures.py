"""Proofs that a webhook request comes from a mail provider account.

Pure functions, without the ORM or the network: each one answers ``True``
only when the request is proven to come from whoever holds the secret
configured for that account, and ``False`` for anything else, malformed
input included. They never raise on what a client sends.

Mailgun, SendGrid and Amazon SNS sign their requests; Postmark and Brevo
offer credentials only (HTTP basic authentication, or a bearer token for
Brevo), compared here in constant time.
"""

import base64
import binascii
import hashlib
import hmac
import ipaddress
import re
import time
from datetime import UTC
from urllib.parse import urlsplit

from cryptography import x509
from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

#: How far a signed timestamp may be from now, in seconds, before the
#: request is refused as a replay or a stale copy.
MAX_CLOCK_SKEW = 15 * 60

#: Hosts that serve the certificates Amazon SNS signs with.
SNS_CERT_HOST_RE = re.compile(r"^sns\.[a-z0-9-]+\.amazonaws\.com(\.cn)?$")

#: The fields of each type of SNS message that its signature covers, in the
#: order they are signed.
SNS_SIGNED_FIELDS = {
    "Notification": ("Message", "MessageId", "Subject", "Timestamp", "TopicArn", "Type"),
    "SubscriptionConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
    "UnsubscribeConfirmation": ("Message", "MessageId", "SubscribeURL", "Timestamp", "Token", "TopicArn", "Type"),
}
SNS_SIGNATURE_HASHES = {"1": hashes.SHA1, "2": hashes.SHA256}


def _ascii_bytes(value):
    """``value`` as bytes when it is an ASCII string, else ``None``."""
    return value.encode() if isinstance(value, str) and value.isascii() else None


def secrets_equal(given, expected):
    """Whether the secret ``given`` by a client is ``expected``, in constant
    time; an empty secret never matches."""
    if not (isinstance(given, str) and isinstance(expected, str) and expected):
        return False
    return hmac.compare_digest(given.encode(), expected.encode())


def timestamp_is_fresh(timestamp, now=None, max_skew=MAX_CLOCK_SKEW):
    """Whether ``timestamp``, seconds since the epoch as a string of ASCII
    digits, is within ``max_skew`` seconds of ``now``."""
    if not (isinstance(timestamp, str) and timestamp.isascii() and timestamp.isdigit() and len(timestamp) <= 12):
        return False
    now = time.time() if now is None else now
    return abs(now - int(timestamp)) <= max_skew


def mailgun_signature_valid(signing_key, timestamp, token, signature, now=None):
    """Mailgun: ``signature`` is the hex HMAC-SHA256 of ``timestamp`` and
    ``token`` with the webhook signing key; the timestamp must be fresh
    (refusing a replayed token is the caller's part: it needs storage)."""
    key, signed, given = _ascii_bytes(signing_key), _ascii_bytes(f"{timestamp}{token}"), _ascii_bytes(signature)
    if not (key and token and given and timestamp_is_fresh(timestamp, now)):
        return False
    expected = hmac.new(key, signed, hashlib.sha256).hexdigest().encode()
    return hmac.compare_digest(expected, given.lower())


def load_public_key(text):
    """A public key from the text a provider's console shows: PEM, or the
    base64 of its DER form; ``None`` when it is neither."""
    if not isinstance(text, str) or not text.strip():
        return None
    data = text.strip().encode()
    try:
        if data.startswith(b"-----BEGIN"):
            return serialization.load_pem_public_key(data)
        return serialization.load_der_public_key(base64.b64decode(data, validate=True))
    except (ValueError, TypeError, binascii.Error, UnsupportedAlgorithm):
        return None


def sendgrid_signature_valid(public_key_text, timestamp, signature, body, now=None):
    """SendGrid's signed event webhook: ``signature`` is the base64 of an
    ECDSA P-256 / SHA-256 signature of ``timestamp`` followed by the raw
    request ``body`` (bytes), by the key whose public half is in the
    console; the timestamp must be fresh, so that a captured request cannot
    be played again later."""
    public_key = load_public_key(public_key_text)
    stamp = _ascii_bytes(timestamp)
    fresh = timestamp_is_fresh(timestamp, now)
    if not (isinstance(public_key, ec.EllipticCurvePublicKey) and stamp and fresh and isinstance(body, bytes)):
        return False
    if not isinstance(public_key.curve, ec.SECP256R1):
        return False
    try:
        public_key.verify(base64.b64decode(signature or "", validate=True), stamp + body, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError, TypeError, binascii.Error):
        return False
    return True


def basic_credentials(authorization):
    """``(user, password)`` of an HTTP basic ``Authorization`` header, or
    ``None``."""
    scheme, _sep, value = (authorization or "").strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None
    user, sep, password = decoded.partition(":")
    return (user, password) if sep else None


def basic_auth_valid(authorization, user, password):
    """Whether an HTTP basic ``Authorization`` header carries ``user`` and
    ``password`` (Postmark, Brevo)."""
    credentials = basic_credentials(authorization)
    if not (credentials and user and password):
        return False
    return secrets_equal(credentials[0], user) & secrets_equal(credentials[1], password)


def bearer_token_valid(authorization, token):
    """Whether an ``Authorization: Bearer <token>`` header carries ``token``
    (Brevo's token authentication)."""
    scheme, _sep, value = (authorization or "").strip().partition(" ")
    return scheme.lower() == "bearer" and secrets_equal(value.strip(), token)


def parse_networks(text):
    """The networks of an allow-list written one per line or separated by
    commas (``203.0.113.0/24``, ``2001:db8::/32``, single addresses);
    raises ``ValueError`` naming the first entry that is not one."""
    networks = []
    for entry in re.split(r"[\s,]+", text or ""):
        if entry:
            try:
                networks.append(ipaddress.ip_network(entry, strict=False))
            except ValueError as error:
                raise ValueError(entry) from error
    return networks


def parse_sns_topics(text):
    """The topic ARNs of a list written one per line or separated by
    commas or spaces."""
    return [entry for entry in re.split(r"[\s,]+", text or "") if entry]


def address_allowed(address, networks):
    """Whether the client ``address`` is in one of ``networks``; an empty
    allow-list allows every address."""
    if not networks:
        return True
    try:
        client = ipaddress.ip_address(address or "")
    except ValueError:
        return False
    return any(client in network for network in networks)


def _sns_url(url):
    """The parts of ``url`` when it is an HTTPS URL of an Amazon SNS host on
    the default port, without credentials; else ``None``."""
    if not isinstance(url, str) or not url.isascii():
        return None
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    if parts.scheme != "https" or port not in (None, 443) or parts.username or parts.password:
        return None
    return parts if SNS_CERT_HOST_RE.match(parts.hostname or "") else None


def sns_certificate_url_valid(url):
    """Whether ``url`` may serve an Amazon SNS signing certificate: an SNS
    URL (``_sns_url``) of a ``.pem`` file, without query or fragment."""
    parts = _sns_url(url)
    return bool(parts) and parts.path.endswith(".pem") and not parts.query and not parts.fragment


def sns_subscribe_url_valid(url):
    """Whether ``url``, the ``SubscribeURL`` of a subscription confirmation,
    leads to Amazon SNS."""
    return bool(_sns_url(url))


def sns_string_to_sign(message):
    """The text an SNS ``message`` (the decoded JSON body) is signed over:
    each signed field present, as its name then its value, one per line;
    ``None`` for a message type that is not signed that way."""
    fields = SNS_SIGNED_FIELDS.get(message.get("Type")) if isinstance(message, dict) else None
    if not fields:
        return None
    lines = []
    for name in fields:
        value = message.get(name)
        if value is None and name == "Subject":
            continue
        if not isinstance(value, str):
            return None
        lines += [name, value]
    return "".join(f"{line}\n" for line in lines).encode()


def sns_signature_valid(message, certificate_pem, now=None):
    """Whether the SNS ``message`` is signed (``SignatureVersion`` 1:
    SHA1withRSA, 2: SHA256withRSA) by the key of ``certificate_pem``, a
    certificate valid now."""
    hash_class = SNS_SIGNATURE_HASHES.get(message.get("SignatureVersion")) if isinstance(message, dict) else None
    signed = sns_string_to_sign(message) if hash_class else None
    if not (signed and isinstance(certificate_pem, bytes)):
        return False
    try:
        certificate = x509.load_pem_x509_certificate(certificate_pem)
        signature = base64.b64decode(message.get("Signature") or "", validate=True)
    except (ValueError, TypeError, binascii.Error):
        return False
    moment = time.time() if now is None else now
    valid_from = certificate.not_valid_before.replace(tzinfo=UTC).timestamp()
    valid_until = certificate.not_valid_after.replace(tzinfo=UTC).timestamp()
    if not valid_from - MAX_CLOCK_SKEW <= moment <= valid_until + MAX_CLOCK_SKEW:
        return False
    public_key = certificate.public_key()
    if not isinstance(public_key, rsa.RSAPublicKey):
        return False
    try:
        public_key.verify(signature, signed, padding.PKCS1v15(), hash_class())
    except (InvalidSignature, ValueError):
        return False
    return True
