"""Seeded generators of hostile input: pixel URL parts and delivery reports.
The same seed gives the same inputs, so that a failure reproduces."""

from urllib.parse import quote

ODD_TEXT = (
    "²",
    "١٢٣",
    "１２",
    "߁",
    "Ⅻ",
    "\u200b1",
    "1\u0000",
    "é",
    "💥",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "..",
    "%2e%2e%2f",
    " ",
    "\t1",
    "1e9",
    "0x10",
    "+1",
    "1.0",
)


def _number(rng):
    return rng.choice(
        [
            str(rng.randint(-(10**6), 0)),
            "9" * rng.randint(11, 4000),
            str(2**31),
            str(2**63),
            str(rng.randint(1, 10**9)),
            "0" * rng.randint(1, 30) + str(rng.randint(1, 9)),
            "",
        ]
    )


def fuzz_id(rng, real_ids):
    """A tracking id as a URL segment: real, out of range, odd or empty."""
    kind = rng.randrange(4)
    if kind == 0:
        return str(rng.choice(real_ids))
    if kind == 1:
        return _number(rng)
    if kind == 2:
        return rng.choice(ODD_TEXT) + rng.choice(["", str(rng.choice(real_ids))])
    return "".join(chr(rng.choice([rng.randint(0x30, 0x39), _non_ascii(rng)])) for _i in range(8))


def _non_ascii(rng):
    """A code point past ASCII that UTF-8 can encode (no surrogate)."""
    return rng.choice([rng.randint(0x80, 0xD7FF), rng.randint(0xE000, 0x2FFFF)])


def fuzz_token(rng, real_tokens):
    """A token that is never the right one for its id: another tracking's,
    truncated, lengthened, case-flipped, odd or huge."""
    token = rng.choice(real_tokens)
    kind = rng.randrange(7)
    if kind == 0:
        return token[:-1]
    if kind == 1:
        return token + rng.choice(["A", "-", "²", "%00"])
    if kind == 2:
        return token.swapcase()
    if kind == 3:
        return "x" * rng.choice([1, 64, 65, 5000])
    if kind == 4:
        return rng.choice(ODD_TEXT)
    if kind == 5:
        return token  # another tracking's (the caller pairs it with a different id)
    return ""


def pixel_path(rng, db, tracking_id, token):
    """``/mail/tracking/open/...`` with each part percent-encoded or raw, and
    now and then a part missing or doubled."""

    def part(text):
        return quote(text, safe="") if rng.random() < 0.8 else quote(text, safe="%")

    parts = [part(db), part(tracking_id), part(token)]
    if rng.random() < 0.05:
        del parts[rng.randrange(3)]
    elif rng.random() < 0.05:
        parts.insert(rng.randrange(3), part(tracking_id))
    return "/mail/tracking/open/" + "/".join(parts) + "/blank.gif"


#: Charsets Python knows: Odoo's own gateway raises LookupError on a text
#: part in a charset it does not know, with or without this addon.
CHARSETS = ("us-ascii", "utf-8", "iso-8859-1", "utf-7", "")
ENCODINGS = ("7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary")


def might_be_valid(tracking_id, token, tokens):
    """Whether a generated pair could name a tracking of ``tokens``, ``{id:
    token}``, with its own token (then the generator draws again)."""
    # whitespace around a reference is allowed (header lists are "a, b")
    tracking_id, token = tracking_id.strip(), token.strip()
    digits = tracking_id.isascii() and tracking_id.isdigit() and len(tracking_id) < 20
    return digits and tokens.get(int(tracking_id)) == token


def forged_pair(rng, tokens):
    """``(id, token)`` as URL or header text, never a tracking's own token."""
    while True:
        tracking_id, token = fuzz_id(rng, list(tokens)), fuzz_token(rng, list(tokens.values()))
        if not might_be_valid(tracking_id, token, tokens):
            return tracking_id, token


def fuzz_reference(rng, tokens):
    """An ``<id>-<token>`` reference with a wrong token or an odd id."""
    return "-".join(forged_pair(rng, tokens))


def _encoded_header(rng, value):
    kind = rng.randrange(4)
    if kind == 0:
        return value
    if kind == 1:
        return "=?utf-8?b?" + value.encode().hex() + "?="
    if kind == 2:
        return f"=?{rng.choice(CHARSETS) or 'x'}?q?{quote(value)}?="
    return value + "\r\n " + value[: rng.randrange(1 + len(value))]


def fuzz_report(rng, tokens, addresses, to):
    """The bytes of a delivery report to the bounce address ``to``: random
    actions, statuses, envelope ids, tracking headers, charsets, transfer
    encodings, and sometimes cut short."""
    references = ", ".join(fuzz_reference(rng, tokens) for _i in range(rng.choice([1, 1, 2, 150])))
    recipients = []
    for _i in range(rng.randint(0, 3)):
        recipients.append(
            "\r\n".join(
                [
                    f"Final-Recipient: rfc822; {rng.choice([*addresses, '', '<>', 'x@', '@@', 'é@ü.example'])}",
                    f"Action: {rng.choice(['failed', 'delayed', 'delivered', 'relayed', 'expanded', '', 'ÿ'])}",
                    f"Status: {rng.choice(['5.1.1', '4.2.2', '2.0.0', '9.9.9', '5.' + '9' * 50, '', 'x'])}",
                    f"Diagnostic-Code: smtp; {rng.choice(['550 unknown', '<b>html</b>', '²' * 100, ''])}",
                ]
            )
        )
    envid = _encoded_header(rng, fuzz_reference(rng, tokens))
    status = "\r\n\r\n".join([f"Reporting-MTA: dns; mx.example.net\r\nOriginal-Envelope-Id: {envid}", *recipients])
    original = f"Message-Id: <fuzz-{rng.random()}@nowhere>\r\nX-Odoo-Tracking: {_encoded_header(rng, references)}\r\n"
    charset, encoding = rng.choice(CHARSETS), rng.choice(ENCODINGS)
    original_type = rng.choice(["text/rfc822-headers", "message/rfc822"])
    parts = [
        "Content-Type: text/plain\r\n\r\nDelivery failed.\r\n",
        f"Content-Type: {rng.choice(['message/delivery-status', 'message/global-delivery-status'])}\r\n\r\n"
        f"{status}\r\n",
        f"Content-Type: {original_type}; charset={charset}\r\nContent-Transfer-Encoding: {encoding}\r\n\r\n"
        f"{original}\r\n",
    ]
    rng.shuffle(parts)
    text = (
        "From: MAILER-DAEMON@mx.example.net\r\n"
        f"To: {to}\r\n"
        f"Message-Id: <report-{rng.random()}@mx.example.net>\r\n"
        "Subject: Delivery Status Notification\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="R"\r\n\r\n'
        + "".join(f"--R\r\n{part}\r\n" for part in parts)
        + "--R--\r\n"
    )
    raw = text.encode()
    if rng.random() < 0.3:
        head = raw.index(b"boundary=")
        raw = raw[: rng.randint(head, len(raw))]
    return raw
