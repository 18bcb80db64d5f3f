"""How a tracking names its recipient: the address it is counted under and
the name lists show (in Python and in SQL). No ORM."""

from collections import namedtuple

from odoo.tools import SQL, email_normalize

from .states import FAILED_STATES, STATUS_OF_STATE

#: Between the subject and the recipient in a tracking's display name.
NAME_SEPARATOR = " - "


def tracking_display_name(subject, recipient):
    """``"<subject> - <recipient>"``, or the subject alone."""
    return f"{subject or ''}{NAME_SEPARATOR}{recipient}" if recipient else subject or ""


def tracking_display_name_sql(subject, recipient):
    """``tracking_display_name`` in SQL, for the statements that record in
    bulk."""
    return SQL(
        "CASE WHEN %(recipient)s IS NULL OR %(recipient)s = '' THEN coalesce(%(subject)s, '') "
        "ELSE concat(coalesce(%(subject)s, ''), %(sep)s, %(recipient)s) END",
        recipient=recipient,
        subject=subject,
        sep=NAME_SEPARATOR,
    )


def normalized_recipient(recipient):
    """The normalized address of ``recipient`` (lenient: a raw ``To`` may
    hold a name and an address), else ``False``."""
    return email_normalize(recipient or "", strict=False) or False


#: What the chatter shows of a tracking.
TrackedRow = namedtuple(
    "TrackedRow",
    "message_id id partner_id partner_name partner_email recipient recipient_address state error_type"
    " error_description bounce_description",
)


def tracked_recipient(row):
    """The chatter's recipient dict of a tracking, from its ``TrackedRow``."""
    return recipient_dict(
        row.partner_name or row.recipient,
        row.recipient_address or row.partner_email,
        "noemail" if row.error_type == "no_recipient" else STATUS_OF_STATE[row.state or False],
        row.partner_id or False,
        row,
    )


def untracked_recipients(rows, partners, raw_recipients, contacts):
    """The chatter's recipient dicts of the recipients of a message that no
    tracking of ``rows`` (its ``TrackedRow``) shows, each once, in the seeds'
    statuses: ``partners``, ``[(id, name, email)]`` of its notified partners
    and recipients, Unknown (No Email without an address: nothing could be
    sent); ``raw_recipients``, ``[(name, address, status)]`` of the addresses
    it went to without a partner, No Partner or Cc (``status``) but with the
    name of their contact in ``contacts`` (``{address: (id, name, email)}``),
    Unknown then for a To."""
    shown_partners = {row.partner_id for row in rows}
    shown_addresses = {row.recipient_address or row.partner_email for row in rows}
    result = []
    for partner_id, name, email in partners:
        if partner_id not in shown_partners:
            shown_partners.add(partner_id)
            shown_addresses.add(email_normalize(email or "") or None)
            result.append(recipient_dict(name, email, "unknown" if email else "noemail", partner_id))
    for name, address, status in raw_recipients:
        contact = contacts.get(address)
        if address in shown_addresses or (contact and contact[0] in shown_partners):
            continue
        shown_addresses.add(address)
        if contact:
            shown_partners.add(contact[0])
            result.append(
                recipient_dict(contact[1], contact[2], "unknown" if status == "anonuser" else status, contact[0])
            )
        else:
            result.append(recipient_dict(name, address, status))
    return result


def recipient_dict(name, email, status, partner_id=False, row=None):
    """A recipient as the chatter shows it; ``row``, its tracking's ``TrackedRow``, if any."""
    failed = bool(row) and row.state in FAILED_STATES
    return {
        "tracking_id": row.id if row else False,
        "partner_id": partner_id,
        "name": name or email or "",
        "email": email or False,
        "status": status,
        "state": (row.state or False) if row else False,
        "failed": failed,
        "error": failed and (row.bounce_description or row.error_description or False),
    }
