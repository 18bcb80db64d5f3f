"""The webhook payloads of each mail provider, read into ``ProviderEvent``
(see ``provider_events``). Pure functions: no ORM."""

import json

from .provider_events import (
    TRACKING_VARIABLE,
    as_dict,
    bounce_metadata,
    events_of,
    iso_timestamp,
    make_event,
    number,
    text,
)
from .references import TRACKING_HEADER

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
    data = as_dict(as_dict(payload).get("event-data"))
    event = data.get("event")
    if event == "failed":
        event_type = "hard_bounce" if data.get("severity") == "permanent" else "soft_bounce"
    else:
        event_type = MAILGUN_TYPES.get(event)
    status = as_dict(data.get("delivery-status"))
    client = as_dict(data.get("client-info"))
    parsed = make_event(
        event_type,
        data.get("id"),
        as_dict(data.get("user-variables")).get(TRACKING_VARIABLE),
        as_dict(as_dict(data.get("message")).get("headers")).get("message-id"),
        data.get("recipient"),
        timestamp=number(data.get("timestamp")),
        ip=text(data.get("ip"), 64),
        user_agent=text(client.get("user-agent")),
        url=text(data.get("url"), 2048),
        **(bounce_metadata(status.get("code"), status.get("description") or status.get("message")) if status else {}),
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
    return events_of(payload, _sendgrid_event)


def _sendgrid_event(item):
    event = item.get("event")
    if event == "bounce":
        event_type = "soft_bounce" if item.get("type") == "blocked" else "hard_bounce"
    else:
        event_type = SENDGRID_TYPES.get(event)
    return make_event(
        event_type,
        item.get("sg_event_id"),
        item.get(TRACKING_VARIABLE),
        item.get("smtp-id"),
        item.get("email"),
        timestamp=number(item.get("timestamp")),
        ip=text(item.get("ip"), 64),
        user_agent=text(item.get("useragent")),
        url=text(item.get("url"), 2048),
        ua_type="machine" if item.get("sg_machine_open") is True else None,
        **(bounce_metadata(item.get("status"), item.get("reason")) if event in ("bounce", "deferred") else {}),
    )


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
    item = as_dict(payload)
    event_type = _postmark_type(item)
    recipient = item.get("Recipient") or item.get("Email")
    moment = next((item[key] for key in ("DeliveredAt", "BouncedAt", "ReceivedAt", "ChangedAt") if item.get(key)), "")
    # Postmark gives an id to bounces only: the others are named by what
    # they are about
    event_id = item.get("ID") or f"{item.get('RecordType')}:{item.get('MessageID')}:{recipient}:{moment}"
    parsed = make_event(
        event_type,
        str(event_id) if item.get("MessageID") or item.get("ID") else None,
        as_dict(item.get("Metadata")).get(TRACKING_VARIABLE),
        "",
        recipient,
        timestamp=iso_timestamp(moment),
        ip=text(as_dict(item.get("Geo")).get("IP"), 64),
        user_agent=text(item.get("UserAgent")),
        url=text(item.get("OriginalLink"), 2048),
        **(
            bounce_metadata(item.get("Type"), item.get("Details") or item.get("Description"))
            if item.get("RecordType") == "Bounce"
            else {}
        ),
    )
    return [parsed] if parsed else []


# --- Amazon SES (through SNS) ----------------------------------------------


def _ses_recipients(event, kind):
    """``[(address, status, diagnostic)]`` that an SES event is about."""
    if kind == "Bounce":
        entries = as_dict(event.get("bounce")).get("bouncedRecipients")
    elif kind == "Complaint":
        entries = as_dict(event.get("complaint")).get("complainedRecipients")
    elif kind == "DeliveryDelay":
        entries = as_dict(event.get("deliveryDelay")).get("delayedRecipients")
    elif kind == "Delivery":
        entries = [{"emailAddress": address} for address in as_dict(event.get("delivery")).get("recipients") or []]
    else:
        entries = [{"emailAddress": address} for address in as_dict(event.get("mail")).get("destination") or []]
    return [
        (entry.get("emailAddress"), entry.get("status"), entry.get("diagnosticCode"))
        for entry in entries or []
        if isinstance(entry, dict) and isinstance(entry.get("emailAddress"), str)
    ]


def _ses_type(event, kind):
    if kind == "Bounce":
        return "hard_bounce" if as_dict(event.get("bounce")).get("bounceType") == "Permanent" else "soft_bounce"
    return {
        "Delivery": "delivered",
        "DeliveryDelay": "deferral",
        "Complaint": "spam",
        "Reject": "reject",
        "Open": "open",
        "Click": "click",
        "Subscription": "unsub",
    }.get(kind)


def _ses_reference(mail):
    """Our reference in an SES ``mail`` object: the tag of event publishing,
    else (identity notifications carry no tags) our header among the
    original headers, when the identity includes them."""
    tags = as_dict(mail.get("tags")).get(TRACKING_VARIABLE)
    if isinstance(tags, list) and tags and isinstance(tags[0], str):
        return tags[0].replace(".", ", ")
    headers = mail.get("headers") if isinstance(mail.get("headers"), list) else []
    return next(
        (
            header["value"]
            for header in headers
            if isinstance(header, dict)
            and isinstance(header.get("value"), str)
            and str(header.get("name")).lower() == TRACKING_HEADER.lower()
        ),
        "",
    )


def parse_ses(notification_message):
    """``notification_message``: the ``Message`` of an SNS notification, the
    JSON text of one SES event."""
    try:
        event = json.loads(notification_message) if isinstance(notification_message, str) else None
    except ValueError:
        return []
    event = as_dict(event)
    kind = event.get("eventType") or event.get("notificationType")
    mail = as_dict(event.get("mail"))
    reference = _ses_reference(mail)
    detail = as_dict(event.get(kind[:1].lower() + kind[1:] if isinstance(kind, str) and kind else ""))
    events = []
    for address, status, diagnostic in _ses_recipients(event, kind):
        parsed = make_event(
            _ses_type(event, kind),
            f"{mail.get('messageId')}:{kind}:{address}:{detail.get('timestamp') or detail.get('feedbackId') or ''}",
            reference,
            as_dict(mail.get("commonHeaders")).get("messageId"),
            address,
            timestamp=iso_timestamp(detail.get("timestamp")),
            ip=text(detail.get("ipAddress"), 64),
            user_agent=text(detail.get("userAgent")),
            url=text(detail.get("link"), 2048),
            smtp_server=text(detail.get("reportingMTA"), 256),
            **(bounce_metadata(status, diagnostic) if status or diagnostic else {}),
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
    return events_of(payload, _brevo_event)


def _brevo_event(item):
    event = item.get("event")
    moment = item.get("ts_event") or item.get("ts") or item.get("date")
    event_id = f"{item.get('message-id')}:{event}:{item.get('email')}:{moment}"
    return make_event(
        BREVO_TYPES.get(event),
        event_id if item.get("message-id") and moment else None,
        item.get("X-Mailin-custom"),
        item.get("message-id"),
        item.get("email"),
        timestamp=number(item.get("ts_event") or item.get("ts")),
        ip=text(item.get("sending_ip") if event not in ("opened", "click") else item.get("ip"), 64),
        user_agent=text(item.get("user_agent")),
        url=text(item.get("link"), 2048),
        # Brevo documents its proxy opens as Apple Mail Privacy Protection's
        ua_type="prefetch" if event in ("proxy_open", "unique_proxy_open") else None,
        **(bounce_metadata(event, item.get("reason")) if item.get("reason") else {}),
    )


PARSERS = {
    "mailgun": parse_mailgun,
    "sendgrid": parse_sendgrid,
    "postmark": parse_postmark,
    "ses": parse_ses,
    "brevo": parse_brevo,
}
