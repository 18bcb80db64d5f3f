"""Which links of an outgoing email are tracked, and their rewriting. Pure
functions on the email's HTML and plain-text parts, no ORM.

A link is tracked when it is an ``http(s)`` URL that none of ``SKIPPED``
names. The HTML is not parsed and written again: only the ``href`` of each
tracked ``<a>`` changes, the rest of the email stays byte for byte. The
plain-text part Odoo makes of the HTML (``tools.html2plaintext``) lists the
links at its end, one ``[n] URL`` line each: only those lines change."""

import html
import re
from urllib.parse import parse_qsl, urlsplit

from markupsafe import escape

#: The ``href`` of an ``<a>`` element: the text before its value, the quote,
#: the value (HTML-escaped).
_HREF_RE = re.compile(r"""(<a\b[^>]*?\shref\s*=\s*)(["'])(.*?)\2""", re.IGNORECASE | re.DOTALL)

#: A line of the list of links at the end of a plain-text part made by
#: ``html2plaintext``: the reference, the URL.
_REFERENCE_RE = re.compile(r"^(\[\d+\] )(.+)$", re.MULTILINE)

#: Paths of this server that are Odoo's own: access links, portal, login,
#: unfollow; they carry tokens or lead back to Odoo, and stay as they are.
OWN_PATHS = ("/mail/", "/web", "/odoo", "/my", "/portal", "/r/", "/unsubscribe", "/mailing/")

#: Query parameters of access links, of this server or another Odoo.
ACCESS_PARAMETERS = frozenset({"access_token", "token", "signup_token", "hash"})

#: Words of the links by which a reader leaves a list or a conversation.
UNSUBSCRIBE_RE = re.compile(r"unsubscribe|unfollow|opt[-_]?out", re.IGNORECASE)


def _is_own_path(url, own_hosts):
    return url.hostname in own_hosts and url.path.startswith(OWN_PATHS)


def _has_access_parameter(url):
    return any(key.lower() in ACCESS_PARAMETERS for key, _value in parse_qsl(url.query, keep_blank_values=True))


#: Links left alone, each with why: ``(name, test of (raw url, split url, own hosts))``.
SKIPPED = (
    # mailto:, tel:, sms:, anchors (#...), relative links, javascript: ...
    ("not_web", lambda raw, url, own: url.scheme not in ("http", "https") or not url.hostname),
    # a reader leaving must not count as a click, and the link must work as sent
    ("unsubscribe", lambda raw, url, own: bool(UNSUBSCRIBE_RE.search(raw))),
    # Odoo's own access links (/mail/view, /web/..., the portal)
    ("odoo_own", lambda raw, url, own: _is_own_path(url, own)),
    # links with an access token, wherever they lead
    ("access_token", lambda raw, url, own: _has_access_parameter(url)),
)


def _split(raw):
    try:
        url = urlsplit(raw)
        url.hostname  # noqa: B018 -- raises on a malformed address (an unclosed "[")
    except ValueError:
        return None
    return url


def is_tracked(raw, own_hosts):
    """Whether the link to ``raw`` (unescaped) is to be tracked."""
    url = _split(raw)
    return url is not None and not any(test(raw, url, own_hosts) for _name, test in SKIPPED)


def _hrefs(body):
    """``(match, url)`` of each link of ``body``, its URL unescaped."""
    for match in _HREF_RE.finditer(body or ""):
        yield match, html.unescape(match.group(3)).strip()


def tracked_links(body, own_hosts):
    """The distinct URLs of the tracked links of ``body``, in order."""
    return list(dict.fromkeys(url for _match, url in _hrefs(body) if is_tracked(url, own_hosts)))


def rewrite_links(body, replacements):
    """``body`` with each link whose URL is a key of ``replacements`` leading
    to its value instead."""

    def replace(match):
        url = html.unescape(match.group(3)).strip()
        if url not in replacements:
            return match.group(0)
        quote = match.group(2)
        return f"{match.group(1)}{quote}{escape(replacements[url])}{quote}"

    return _HREF_RE.sub(replace, body)


def rewrite_text_links(text, replacements):
    """``text``, a plain-text part made by ``html2plaintext``, with each
    listed link whose URL is a key of ``replacements`` leading to its value
    instead."""

    def replace(match):
        url = match.group(2).strip()
        if url not in replacements:
            return match.group(0)
        return f"{match.group(1)}{replacements[url]}"

    return _REFERENCE_RE.sub(replace, text or "")
