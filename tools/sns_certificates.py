"""The certificates Amazon SNS signs its messages with, fetched from the
URL a message names (once checked to be an SNS host) and kept for the life
of the process: SNS signs every message of a region with one certificate."""

import logging
import threading

import requests

from .provider_signatures import sns_certificate_url_valid

_logger = logging.getLogger(__name__)

#: Certificates by URL; tests fill it, since no SNS host is reachable there.
CERTIFICATES = {}
MAX_CERTIFICATES = 64
MAX_CERTIFICATE_SIZE = 64 * 1024
FETCH_TIMEOUT = 5

_lock = threading.Lock()


def sns_certificate(url):
    """The PEM bytes of the certificate at ``url``, or ``None`` when the URL
    is not an SNS certificate URL or the certificate cannot be had."""
    if not sns_certificate_url_valid(url):
        return None
    with _lock:
        if url in CERTIFICATES:
            return CERTIFICATES[url]
    try:
        response = requests.get(url, timeout=FETCH_TIMEOUT, allow_redirects=False, stream=True)
        response.raise_for_status()
        pem = response.raw.read(MAX_CERTIFICATE_SIZE + 1, decode_content=True)
    except (requests.RequestException, OSError) as error:
        _logger.warning("SNS certificate %s not fetched: %s", url, error)
        return None
    if len(pem) > MAX_CERTIFICATE_SIZE:
        return None
    with _lock:
        if len(CERTIFICATES) >= MAX_CERTIFICATES:
            CERTIFICATES.pop(next(iter(CERTIFICATES)))
        CERTIFICATES[url] = pem
    return pem
