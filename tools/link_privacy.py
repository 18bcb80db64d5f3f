"""Personal data in the links of tracked emails: a link sent to one person
may name them (``https://shop.example.com/cart?email=alice@example.com``).
Pure functions, no ORM."""

from urllib.parse import quote, urlsplit, urlunsplit


def address_forms(address):
    """The ways ``address`` is written in a URL: as it is, and with its
    "@" (and "+") percent-encoded."""
    return sorted({address, address.replace("@", "%40"), quote(address, safe="")})


def names_address(url, addresses):
    """Whether ``url`` names one of ``addresses`` (in any ``address_forms``,
    whatever the case)."""
    text = (url or "").lower()
    return any(form.lower() in text for address in addresses for form in address_forms(address))


def page_of(url, addresses=()):
    """``url`` without what may name a person: without its query and its
    fragment, and without its path too when the path names one of
    ``addresses``. A click on it still leads to the site."""
    parts = urlsplit(url)
    path = "/" if names_address(parts.path, addresses) else parts.path
    return urlunsplit((parts.scheme, parts.netloc, path, "", ""))
