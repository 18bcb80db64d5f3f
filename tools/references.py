"""The one parser of the tracking ids and tokens that come back from outside
(pixel URLs, bounce headers, JSON-RPC arguments): ASCII digits only, bounded
lengths, anything else is ``None``. Pure functions, no ORM."""

import re

#: Header of every tracked outgoing email: ``<id>-<token>`` of each tracking
#: the email carries, so a bounce or a provider event finds its tracking; the
#: id alone is guessable, the token is not.
TRACKING_HEADER = "X-Odoo-Tracking"

#: The largest id PostgreSQL's ``integer`` column holds.
MAX_ID = 2**31 - 1
#: The most references one header value is read for (an email has one per
#: recipient; a forged header may have thousands).
MAX_REFERENCES = 100
#: ``secrets.token_urlsafe`` alphabet; our tokens are 32 characters long.
_ID_RE = re.compile(r"[1-9][0-9]{0,9}", re.ASCII)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{1,64}", re.ASCII)


def parse_id(text):
    """The record id written in ``text`` (ASCII digits, no leading zero,
    1 to ``MAX_ID``), else ``None``."""
    if not isinstance(text, str) or not _ID_RE.fullmatch(text):
        return None
    value = int(text)
    return value if 0 < value <= MAX_ID else None


def is_record_id(value):
    """Whether ``value``, as decoded from JSON, is a usable record id (an
    ``int``, not a ``bool``, between 1 and ``MAX_ID``)."""
    return type(value) is int and 0 < value <= MAX_ID


def parse_token(text):
    """``text`` if it has the shape of a tracking token, else ``None``."""
    return text if isinstance(text, str) and _TOKEN_RE.fullmatch(text) else None


def parse_reference(text):
    """``(id, token)`` of one ``"<id>-<token>"`` reference, else ``None``."""
    if not isinstance(text, str):
        return None
    raw_id, _sep, raw_token = text.strip().partition("-")
    record_id, token = parse_id(raw_id), parse_token(raw_token)
    return (record_id, token) if record_id and token else None


def parse_references(value):
    """``{id: token}`` of a comma-separated list of references, the
    malformed ones left out (at most ``MAX_REFERENCES`` are read)."""
    if not isinstance(value, str):
        return {}
    items = value.split(",", MAX_REFERENCES)[:MAX_REFERENCES]
    return dict(filter(None, map(parse_reference, items)))


def parse_pixel_path(path):
    """``(db, id, token)`` of the part of a pixel URL after
    ``/mail/tracking/open/``, ``"<db>/<id>/<token>/blank.gif"``, else
    ``None``. The database name is only checked for shape (printable, at
    most PostgreSQL's 63 characters): whether it may be served is the
    server's to say."""
    parts = path.split("/") if isinstance(path, str) else []
    if len(parts) != 4 or parts[3] != "blank.gif":
        return None
    db, tracking_id, token = parts[0], parse_id(parts[1]), parse_token(parts[2])
    valid_db = 0 < len(db) <= 63 and db.isprintable()
    return (db, tracking_id, token) if valid_db and tracking_id and token else None
