"""What mail providers' webhooks say, in the addon's own words: the event
type every parser returns, the header that carries our reference out to the
provider, and the helpers the parsers of ``provider_payloads`` share.

Each ``parse_<provider>`` function of ``provider_payloads`` takes the decoded body of one verified
webhook request and returns a list of ``ProviderEvent``: one per recipient
and thing that happened, with the event type of ``mail.tracking.event``,
the provider's own id of the event (to record it once however often the
provider posts it), how to find our tracking, and the event's metadata as
``mail.tracking.email.event_create`` takes it. Events of no interest
(accepted, queued, processed...) are left out; a malformed item is skipped,
never raised on. Pure functions: no ORM.

Each provider carries back the custom variable we set on the outgoing email
(``TRACKING_VARIABLE``, see ``outgoing_headers``): the ``<id>-<token>`` of
its trackings.
"""

import json
from datetime import UTC, datetime
from typing import NamedTuple

#: The name of our custom variable / metadata / tag at every provider.
TRACKING_VARIABLE = "odoo_tracking"


class ProviderEvent(NamedTuple):
    event_type: str
    #: the provider's id of this event, unique per provider
    event_id: str
    #: our ``<id>-<token>`` list, as the provider sent it back ('' if none)
    reference: str
    #: RFC 5322 Message-ID of the email, when the provider gives it
    message_id: str
    recipient: str
    metadata: dict


def outgoing_headers(provider, reference, configuration_set=False):
    """The header asking ``provider`` to give ``reference`` back with each
    event about the email (its "custom variable"); for Amazon SES, the
    ``configuration_set`` that publishes the events too, when given (else
    the sending identity's default one does)."""
    if provider == "mailgun":
        return {"X-Mailgun-Variables": json.dumps({TRACKING_VARIABLE: reference})}
    if provider == "sendgrid":
        return {"X-SMTPAPI": json.dumps({"unique_args": {TRACKING_VARIABLE: reference}})}
    if provider == "postmark":
        return {f"X-PM-Metadata-{TRACKING_VARIABLE}": reference}
    if provider == "ses":
        # SES tags allow letters, digits, _ - . @ only: the reference's
        # separators between trackings become "."
        tags = {"X-SES-MESSAGE-TAGS": f"{TRACKING_VARIABLE}={reference.replace(', ', '.')}"}
        return {**tags, "X-SES-CONFIGURATION-SET": configuration_set} if configuration_set else tags
    if provider == "brevo":
        return {"X-Mailin-custom": reference}
    return {}


def text(value, limit=512):
    return value.strip()[:limit] if isinstance(value, str) else ""


def number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 < number < 1e11 else None


def iso_timestamp(value):
    """Seconds since the epoch of an ISO 8601 time (UTC when it names no
    zone), or ``None``."""
    try:
        moment = datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment and not moment.tzinfo:
        moment = moment.replace(tzinfo=UTC)
    return number(moment.timestamp()) if moment else None


def as_dict(value):
    return value if isinstance(value, dict) else {}


def items_of(payload):
    """The objects of a payload that may be one object or a list of them."""
    items = payload if isinstance(payload, list) else [payload]
    return [item for item in items if isinstance(item, dict)]


def events_of(payload, parse_item):
    """The events of a payload that may be one object or a list of them,
    each read by ``parse_item`` (``None`` for an object that is no event)."""
    return [event for event in map(parse_item, items_of(payload)) if event]


def make_event(event_type, event_id, reference, message_id, recipient, **metadata):
    if not (event_type and event_id and (reference or message_id)):
        return None
    values = {key: value for key, value in metadata.items() if value not in (None, "", False)}
    return ProviderEvent(
        event_type, text(event_id, 256), text(reference, 2000), text(message_id, 998), text(recipient), values
    )


def bounce_metadata(code, description):
    return {
        "bounce_type": text(str(code) if code else "", 64),
        "bounce_description": text(description),
        "error_type": text(str(code) if code else "", 64),
        "error_description": text(description),
    }
