"""How a tracking names its recipient: the address it is counted under and
the name lists show (in Python and in SQL). No ORM."""

from odoo.tools import SQL, email_normalize

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
