"""What mail providers' webhooks say, in the addon's own words.

Each ``parse_<provider>`` function takes the decoded body of one verified
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


def outgoing_headers(provider, reference):
    """The header asking ``provider`` to give ``reference`` back with each
    event about the email (its "custom variable")."""
    if provider == "mailgun":
        return {"X-Mailgun-Variables": json.dumps({TRACKING_VARIABLE: reference})}
    if provider == "sendgrid":
        return {"X-SMTPAPI": json.dumps({"unique_args": {TRACKING_VARIABLE: reference}})}
    if provider == "postmark":
        return {f"X-PM-Metadata-{TRACKING_VARIABLE}": reference}
    if provider == "ses":
        # SES tags allow letters, digits, _ - . @ only: the reference's
        # separators between trackings become "."
        return {"X-SES-MESSAGE-TAGS": f"{TRACKING_VARIABLE}={reference.replace(', ', '.')}"}
    if provider == "brevo":
        return {"X-Mailin-custom": reference}
    return {}


def _text(value, limit=512):
    return value.strip()[:limit] if isinstance(value, str) else ""


def _number(value):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return None
    try:
        number = float(value)
    except ValueError:
        return None
    return number if 0 < number < 1e11 else None


def _iso_timestamp(value):
    """Seconds since the epoch of an ISO 8601 time (UTC when it names no
    zone), or ``None``."""
    try:
        moment = datetime.fromisoformat(value.strip()) if isinstance(value, str) else None
    except ValueError:
        return None
    if moment and not moment.tzinfo:
        moment = moment.replace(tzinfo=UTC)
    return _number(moment.timestamp()) if moment else None


def _dict(value):
    return value if isinstance(value, dict) else {}


def _items(payload):
    """The objects of a payload that may be one object or a list of them."""
    items = payload if isinstance(payload, list) else [payload]
    return [item for item in items if isinstance(item, dict)]


def _event(event_type, event_id, reference, message_id, recipient, **metadata):
    if not (event_type and event_id and (reference or message_id)):
        return None
    values = {key: value for key, value in metadata.items() if value not in (None, "", False)}
    return ProviderEvent(
        event_type, _text(event_id, 256), _text(reference, 2000), _text(message_id, 998), _text(recipient), values
    )


def _bounce_metadata(code, description):
    return {
        "bounce_type": _text(str(code) if code else "", 64),
        "bounce_description": _text(description),
        "error_type": _text(str(code) if code else "", 64),
        "error_description": _text(description),
    }


# --- Mailgun ---------------------------------------------------------------

MAILGUN_TYPES = {
    "delivered": "delivered",
    "opened": "open",
    "clicked": "click",
    "unsubscribed": "unsub",
    "complained": "spam",
    "rejected": "reject",
}


def parse_mailgun(payload):
    data = _dict(_dict(payload).get("event-data"))
    event = data.get("event")
    if event == "failed":
        event_type = "hard_bounce" if data.get("severity") == "permanent" else "soft_bounce"
    else:
        event_type = MAILGUN_TYPES.get(event)
    status = _dict(data.get("delivery-status"))
    client = _dict(data.get("client-info"))
    parsed = _event(
        event_type,
        data.get("id"),
        _dict(data.get("user-variables")).get(TRACKING_VARIABLE),
        _dict(_dict(data.get("message")).get("headers")).get("message-id"),
        data.get("recipient"),
        timestamp=_number(data.get("timestamp")),
        ip=_text(data.get("ip"), 64),
        user_agent=_text(client.get("user-agent")),
        url=_text(data.get("url"), 2048),
        **(_bounce_metadata(status.get("code"), status.get("description") or status.get("message")) if status else {}),
    )
    return [parsed] if parsed else []


# --- SendGrid --------------------------------------------------------------

SENDGRID_TYPES = {
    "delivered": "delivered",
    "deferred": "deferral",
    "dropped": "reject",
    "open": "open",
    "click": "click",
    "spamreport": "spam",
    "unsubscribe": "unsub",
    "group_unsubscribe": "unsub",
}


def parse_sendgrid(payload):
    events = []
    for item in _items(payload):
        event = item.get("event")
        if event == "bounce":
            event_type = "soft_bounce" if item.get("type") == "blocked" else "hard_bounce"
        else:
            event_type = SENDGRID_TYPES.get(event)
        parsed = _event(
            event_type,
            item.get("sg_event_id"),
            item.get(TRACKING_VARIABLE),
            item.get("smtp-id"),
            item.get("email"),
            timestamp=_number(item.get("timestamp")),
            ip=_text(item.get("ip"), 64),
            user_agent=_text(item.get("useragent")),
            url=_text(item.get("url"), 2048),
            ua_type="machine" if item.get("sg_machine_open") is True else None,
            **(_bounce_metadata(item.get("status"), item.get("reason")) if event in ("bounce", "deferred") else {}),
        )
        events += [parsed] if parsed else []
    return events


# --- Postmark --------------------------------------------------------------


def _postmark_type(item):
    record_type = item.get("RecordType")
    if record_type == "Bounce":
        return (
            "hard_bounce"
            if item.get("Type") in ("HardBounce", "BadEmailAddress", "ManuallyDeactivated")
            else "soft_bounce"
        )
    if record_type == "SubscriptionChange":
        return "unsub" if item.get("SuppressSending") is True else None
    return {"Delivery": "delivered", "SpamComplaint": "spam", "Open": "open", "Click": "click"}.get(record_type)


def parse_postmark(payload):
    item = _dict(payload)
    event_type = _postmark_type(item)
    recipient = item.get("Recipient") or item.get("Email")
    moment = next((item[key] for key in ("DeliveredAt", "BouncedAt", "ReceivedAt", "ChangedAt") if item.get(key)), "")
    # Postmark gives an id to bounces only: the others are named by what
    # they are about
    event_id = item.get("ID") or f"{item.get('RecordType')}:{item.get('MessageID')}:{recipient}:{moment}"
    parsed = _event(
        event_type,
        str(event_id) if item.get("MessageID") or item.get("ID") else None,
        _dict(item.get("Metadata")).get(TRACKING_VARIABLE),
        "",
        recipient,
        timestamp=_iso_timestamp(moment),
        ip=_text(_dict(item.get("Geo")).get("IP"), 64),
        user_agent=_text(item.get("UserAgent")),
        url=_text(item.get("OriginalLink"), 2048),
        **(
            _bounce_metadata(item.get("Type"), item.get("Details") or item.get("Description"))
            if item.get("RecordType") == "Bounce"
            else {}
        ),
    )
    return [parsed] if parsed else []


# --- Amazon SES (through SNS) ----------------------------------------------


def _ses_recipients(event, kind):
    """``[(address, status, diagnostic)]`` that an SES event is about."""
    if kind == "Bounce":
        entries = _dict(event.get("bounce")).get("bouncedRecipients")
    elif kind == "Complaint":
        entries = _dict(event.get("complaint")).get("complainedRecipients")
    elif kind == "DeliveryDelay":
        entries = _dict(event.get("deliveryDelay")).get("delayedRecipients")
    elif kind == "Delivery":
        entries = [{"emailAddress": address} for address in _dict(event.get("delivery")).get("recipients") or []]
    else:
        entries = [{"emailAddress": address} for address in _dict(event.get("mail")).get("destination") or []]
    return [
        (entry.get("emailAddress"), entry.get("status"), entry.get("diagnosticCode"))
        for entry in entries or []
        if isinstance(entry, dict) and isinstance(entry.get("emailAddress"), str)
    ]


def _ses_type(event, kind):
    if kind == "Bounce":
        return "hard_bounce" if _dict(event.get("bounce")).get("bounceType") == "Permanent" else "soft_bounce"
    return {
        "Delivery": "delivered",
        "DeliveryDelay": "deferral",
        "Complaint": "spam",
        "Reject": "reject",
        "Open": "open",
        "Click": "click",
        "Subscription": "unsub",
    }.get(kind)


def parse_ses(notification_message):
    """``notification_message``: the ``Message`` of an SNS notification, the
    JSON text of one SES event."""
    try:
        event = json.loads(notification_message) if isinstance(notification_message, str) else None
    except ValueError:
        return []
    event = _dict(event)
    kind = event.get("eventType") or event.get("notificationType")
    mail = _dict(event.get("mail"))
    tags = _dict(mail.get("tags")).get(TRACKING_VARIABLE)
    reference = tags[0].replace(".", ", ") if isinstance(tags, list) and tags and isinstance(tags[0], str) else ""
    detail = _dict(event.get(kind[:1].lower() + kind[1:] if isinstance(kind, str) and kind else ""))
    events = []
    for address, status, diagnostic in _ses_recipients(event, kind):
        parsed = _event(
            _ses_type(event, kind),
            f"{mail.get('messageId')}:{kind}:{address}:{detail.get('timestamp') or detail.get('feedbackId') or ''}",
            reference,
            _dict(mail.get("commonHeaders")).get("messageId"),
            address,
            timestamp=_iso_timestamp(detail.get("timestamp")),
            ip=_text(detail.get("ipAddress"), 64),
            user_agent=_text(detail.get("userAgent")),
            url=_text(detail.get("link"), 2048),
            smtp_server=_text(detail.get("reportingMTA"), 256),
            **(_bounce_metadata(status, diagnostic) if status or diagnostic else {}),
        )
        events += [parsed] if parsed and mail.get("messageId") else []
    return events


# --- Brevo -----------------------------------------------------------------

BREVO_TYPES = {
    "delivered": "delivered",
    "deferred": "deferral",
    "soft_bounce": "soft_bounce",
    "hard_bounce": "hard_bounce",
    "invalid_email": "hard_bounce",
    "blocked": "reject",
    "error": "reject",
    "spam": "spam",
    "complaint": "spam",
    "unsubscribed": "unsub",
    "opened": "open",
    "unique_opened": "open",
    "proxy_open": "open",
    "unique_proxy_open": "open",
    "click": "click",
}


def parse_brevo(payload):
    events = []
    for item in _items(payload):
        event = item.get("event")
        moment = item.get("ts_event") or item.get("ts") or item.get("date")
        event_id = f"{item.get('message-id')}:{event}:{item.get('email')}:{moment}"
        parsed = _event(
            BREVO_TYPES.get(event),
            event_id if item.get("message-id") and moment else None,
            item.get("X-Mailin-custom"),
            item.get("message-id"),
            item.get("email"),
            timestamp=_number(item.get("ts_event") or item.get("ts")),
            ip=_text(item.get("sending_ip") if event not in ("opened", "click") else item.get("ip"), 64),
            user_agent=_text(item.get("user_agent")),
            url=_text(item.get("link"), 2048),
            ua_type="proxy" if event in ("proxy_open", "unique_proxy_open") else None,
            **(_bounce_metadata(event, item.get("reason")) if item.get("reason") else {}),
        )
        events += [parsed] if parsed else []
    return events


PARSERS = {
    "mailgun": parse_mailgun,
    "sendgrid": parse_sendgrid,
    "postmark": parse_postmark,
    "ses": parse_ses,
    "brevo": parse_brevo,
}
