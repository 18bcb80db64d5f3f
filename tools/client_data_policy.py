"""What is kept of the client behind an event (the opener of a pixel, the
clicker of a link, what a mail provider reports): its IP address and its
user agent string, each kept, truncated or not stored, by the policies of
Settings. The classified family and type of the client are not touched."""

import ipaddress
import re

KEEP, TRUNCATE, DROP = "keep", "truncate", "drop"
POLICIES = (KEEP, TRUNCATE, DROP)

#: The prefix an address is cut to: a network of many subscribers, not one.
PREFIX_LENGTH = {4: 24, 6: 48}

_COMMENT = re.compile(r"\([^)]*\)?")


def truncate_ip(value):
    """The network of ``value``: IPv4 to its /24, IPv6 to its /48 (an
    IPv4-mapped IPv6 address as IPv4); ``False`` for anything not an IP."""
    try:
        address = ipaddress.ip_address((value or "").strip())
    except ValueError:
        return False
    if address.version == 6 and address.ipv4_mapped:
        address = address.ipv4_mapped
    host_bits = address.max_prefixlen - PREFIX_LENGTH[address.version]
    return str(ipaddress.ip_address((int(address) >> host_bits) << host_bits))


def truncate_user_agent(value):
    """The product names of a user agent string, without their versions nor
    the comments that describe the device: ``Mozilla/5.0 (Android 14;
    Mobile; rv:128.0) Gecko/128.0 Firefox/128.0`` gives ``Mozilla Gecko
    Firefox``."""
    names = []
    for token in _COMMENT.sub(" ", value or "").split():
        name = token.split("/", 1)[0].strip(";,")
        if name and not any(char.isdigit() for char in name) and name not in names:
            names.append(name)
    return " ".join(names) or False


def apply_client_policy(values, ip_policy, user_agent_policy):
    """``values``, event values, with their ``ip`` and ``user_agent`` as the
    policies say (an unknown policy keeps them)."""
    values = dict(values)
    for key, policy, truncate in (
        ("ip", ip_policy, truncate_ip),
        ("user_agent", user_agent_policy, truncate_user_agent),
    ):
        if values.get(key) and policy == DROP:
            values[key] = False
        elif values.get(key) and policy == TRUNCATE:
            values[key] = truncate(values[key])
    return values
