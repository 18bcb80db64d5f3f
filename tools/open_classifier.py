"""Who fetched an open pixel or followed a tracked link: a person, or a
machine acting before anyone read the email.

Since Apple Mail Privacy Protection, image proxies and the link scanners of
mail gateways, a fetch alone proves little. Each hit is matched against
``RULES``, in order; the first rule that matches says what it was, whatever
reported the hit: the open pixel, a tracked link, or a mail provider's
webhook (with the user agent, address and time it gives, and what it says
the client was). To teach the addon a new client or machine, add a row (and
a test for it).

Kinds:

- ``person``: a mail client or a webmail, on the reader's screen: an open.
- ``proxy``: an image proxy fetching on the reader's behalf when they open
  the email (Gmail, Yahoo): an open, but the reader's address is hidden.
- ``prefetch``: a privacy prefetch (Apple Mail Privacy Protection) that loads
  every image when the email arrives: proves delivery, not reading.
- ``scanner``: a security gateway that fetches what an email links to, right
  after it was sent: proves delivery, not reading.
"""

import ipaddress
import re
from collections.abc import Callable
from typing import NamedTuple

PERSON = "person"
PROXY = "proxy"
PREFETCH = "prefetch"
SCANNER = "scanner"

#: Kinds that prove the email arrived, not that anyone read it.
AUTOMATIC_KINDS = frozenset({PREFETCH, SCANNER})

#: A fetch sooner than this after sending comes from a gateway scanning the
#: email on its way, whatever user agent it shows: nobody reads that fast.
SCAN_WINDOW_SECONDS = 10

#: Apple's own network, from which Mail Privacy Protection fetches.
APPLE_NETWORK = ipaddress.ip_network("17.0.0.0/8")

#: The user agent of Apple Mail Privacy Protection's fetches: no browser, no
#: platform, nothing else.
BARE_MOZILLA = "Mozilla/5.0"

#: Words in the user agents of security gateways and link scanners.
SCANNER_AGENTS = re.compile(
    r"Barracuda|Mimecast|Proofpoint|IronPort|Trend ?Micro|Symantec|Forcepoint|Sophos|SafeLinks|Safe Links",
    re.IGNORECASE,
)


class Hit(NamedTuple):
    """What is known of one fetch."""

    #: the User-Agent header, ``""`` when there was none
    user_agent: str = ""
    #: seconds between the send and the fetch; ``None`` when unknown
    seconds_since_send: float | None = None
    #: the client's address (behind a proxy, the forwarded one in proxy_mode)
    address: str | None = None
    #: what a mail provider's event said the client was (``machine``,
    #: ``prefetch``)
    reported_type: str | None = None


class Rule(NamedTuple):
    name: str
    kind: str
    #: the client's name to record (``ua_family``); ``None`` keeps the browser's
    family: str | None
    #: the client's type to record (``ua_type``); ``None`` keeps the reported one
    agent_type: str | None
    matches: Callable[[Hit], bool]


def _agent_has(pattern):
    regex = re.compile(pattern, re.IGNORECASE) if isinstance(pattern, str) else pattern
    return lambda hit: bool(regex.search(hit.user_agent or ""))


def _reported(agent_type):
    return lambda hit: hit.reported_type == agent_type


def _in_network(address, network):
    try:
        return ipaddress.ip_address((address or "").strip()) in network
    except ValueError:
        return False


def _sent_within(seconds):
    return lambda hit: hit.seconds_since_send is not None and 0 <= hit.seconds_since_send < seconds


#: The rules, first match wins. Each row: name, kind, family, agent type, test.
RULES = (
    # 1. a mail provider that saw the fetch told us it was a machine:
    # SendGrid's machine opens; Brevo's proxy opens, which Brevo documents as
    # Apple Mail Privacy Protection loading the images on delivery
    Rule("provider_machine", PREFETCH, None, None, _reported("machine")),
    Rule("provider_prefetch", PREFETCH, "Apple Mail Privacy Protection", "prefetch", _reported("prefetch")),
    # 2. Apple Mail Privacy Protection: a bare "Mozilla/5.0", or no user
    # agent at all from Apple's network
    Rule(
        "apple_privacy_agent",
        PREFETCH,
        "Apple Mail Privacy Protection",
        "prefetch",
        lambda hit: (hit.user_agent or "").strip() == BARE_MOZILLA,
    ),
    Rule(
        "apple_privacy_network",
        PREFETCH,
        "Apple Mail Privacy Protection",
        "prefetch",
        lambda hit: not (hit.user_agent or "").strip() and _in_network(hit.address, APPLE_NETWORK),
    ),
    # 3. security gateways: by name, or by fetching as soon as the email
    # left, whatever the client (an image proxy or a browser alike: nobody
    # has read the email yet)
    Rule("scanner_agent", SCANNER, "Security gateway", "scanner", _agent_has(SCANNER_AGENTS)),
    Rule("early_fetch", SCANNER, "Security gateway", "scanner", _sent_within(SCAN_WINDOW_SECONDS)),
    # 4. image proxies of webmails, fetching when the reader opens the email
    Rule("gmail_proxy", PROXY, "Gmail image proxy", "proxy", _agent_has(r"GoogleImageProxy")),
    Rule("yahoo_proxy", PROXY, "Yahoo image proxy", "proxy", _agent_has(r"YahooMailProxy")),
    # 5. mail clients, then anything else: a browser showing a webmail
    Rule("outlook", PERSON, "Outlook", "email client", _agent_has(r"Microsoft Outlook|ms-office|Outlook-")),
    Rule("thunderbird", PERSON, "Thunderbird", "email client", _agent_has(r"Thunderbird")),
    Rule("browser", PERSON, None, "browser", lambda hit: bool((hit.user_agent or "").strip())),
    # 6. nothing known of the client (an open reported through the API):
    # taken for what the caller says it is
    Rule("unknown", PERSON, None, None, lambda hit: True),
)


def classify(hit):
    """The first rule of ``RULES`` that ``hit`` matches."""
    return next(rule for rule in RULES if rule.matches(hit))


def is_automatic(kind):
    """Whether a hit of ``kind`` proves delivery only (no reader behind it)."""
    return kind in AUTOMATIC_KINDS
