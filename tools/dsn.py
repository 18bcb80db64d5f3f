"""Delivery status notifications: what an email asks for (RFC 3461), and
the reports read (RFC 3464) for what Odoo's own bounce extraction
(``mail.thread._message_parse_extract_bounce``) leaves out: the report of
each recipient (Odoo reads the first one's address only), the address we
sent to when a server forwarded the email elsewhere, the envelope id we
gave the email, and the tracking event each report amounts to. Pure
functions, no ORM."""

import re

from odoo.tools import email_normalize
from odoo.tools.mail import decode_message_header

#: RFC 3464 actions that tell the email reached (or was handed on towards)
#: its recipient.
SUCCESS_ACTIONS = ("delivered", "relayed", "expanded")
#: An RFC 3463 status code (``5.1.1``).
STATUS_RE = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
#: A character encoded in xtext (RFC 3461): "+" and two hex digits.
XTEXT_CHAR_RE = re.compile(r"\+([0-9A-F]{2})")


def xtext(text):
    """``text`` in RFC 3461's xtext: "+", "=", spaces and controls as "+XX"."""
    return "".join(char if "!" <= char <= "~" and char not in "+=" else f"+{ord(char):02X}" for char in text)


def xtext_decode(text):
    """``text`` with its xtext "+XX" decoded (a report may quote ORCPT as
    given)."""
    return XTEXT_CHAR_RE.sub(lambda match: chr(int(match[1], 16)), text)


def original_recipient_option(address):
    """The RCPT parameters naming ``address`` as its original recipient
    (ORCPT, RFC 3461): reports then carry it as Original-Recipient, whatever
    address a forwarding server delivers to. None for an address that is
    not ASCII (RFC 3461's "rfc822" addresses are)."""
    if not address or not address.isascii():
        return []
    return [f"ORCPT=rfc822;{xtext(address)}"]


def _header(part, name):
    return decode_message_header(part, name) or ""


def _typed_value(value):
    """``rfc822; a@b.c`` -> ``a@b.c`` (RFC 3464 typed fields)."""
    return value.partition(";")[2].strip() if ";" in value else value.strip()


def _status_blocks(email_message):
    """The header blocks of the ``message/delivery-status`` part: the
    per-message one first, then one per recipient; empty when absent."""
    status_part = next(
        (part for part in email_message.walk() if part.get_content_type() == "message/delivery-status"), None
    )
    blocks = status_part.get_payload() if status_part else []
    return blocks if isinstance(blocks, list) else []


def delivery_reports(email_message):
    """The per-recipient fields of an RFC 3464 delivery status notification:
    a list of dicts (recipient, original_recipient, action, status,
    diagnostic, mta), empty when the email has no ``message/delivery-status``
    part. ``original_recipient`` is the address the email was sent to (its
    ORCPT) when the report gives it, the recipient a forwarding server
    delivered to being ``recipient``."""
    blocks = _status_blocks(email_message)
    if not blocks:
        return []
    per_message, per_recipient = blocks[0], blocks[1:]
    mta = _typed_value(_header(per_message, "Reporting-MTA"))
    return [
        {
            "recipient": email_normalize(
                _typed_value(_header(block, "Final-Recipient") or _header(block, "Original-Recipient"))
            ),
            "original_recipient": email_normalize(xtext_decode(_typed_value(_header(block, "Original-Recipient")))),
            "action": _header(block, "Action").strip().lower(),
            "status": (STATUS_RE.search(_header(block, "Status")) or [""])[0],
            "diagnostic": _typed_value(_header(block, "Diagnostic-Code")),
            "mta": mta,
        }
        for block in per_recipient
    ]


def envelope_id(email_message):
    """The ENVID we gave the email when sending (RFC 3461), if reported."""
    blocks = _status_blocks(email_message)
    return _header(blocks[0], "Original-Envelope-Id").strip() if blocks else ""


def plain_report(text, recipient):
    """A report for a non-delivery report without RFC 3464 fields: failed,
    for ``recipient``, with any RFC 3463 status its ``text`` gives."""
    status = STATUS_RE.search(text)
    return {
        "recipient": email_normalize(recipient),
        "original_recipient": False,
        "action": "failed",
        "status": status[0] if status else "",
        "diagnostic": text.strip()[:500],
        "mta": "",
    }


def event_of_report(report):
    """``(event_type, metadata)`` of one recipient's delivery report."""
    action, status = report["action"], report["status"]
    metadata = {
        "bounce_type": status or action or False,
        "bounce_description": report["diagnostic"] or False,
        "smtp_server": report["mta"] or False,
        "error_type": status or False,
        "error_description": report["diagnostic"] or False,
    }
    if action in SUCCESS_ACTIONS:
        return "delivered", metadata
    if action == "delayed" or status.startswith("4"):
        return "soft_bounce", metadata
    return "hard_bounce", metadata


def is_failure(report):
    """Whether one recipient's delivery report says the email will not
    reach them: only such a report is a bounce."""
    return report["action"] == "failed" or event_of_report(report)[0] == "hard_bounce"
