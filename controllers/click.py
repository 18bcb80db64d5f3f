import logging
import re
import time

from odoo import SUPERUSER_ID, api, http
from odoo.exceptions import LockError
from odoo.http import request

from ..tools.references import parse_id
from .main import client_metadata, client_route, tracking_registry

_logger = logging.getLogger(__name__)

_SIGNATURE_RE = re.compile(r"[0-9a-f]{32}", re.ASCII)
#: How many times a click waits for a tracking another transaction holds
#: (the open writer recording an open of the same email), and how long.
RECORD_TRIES = 3
RECORD_WAIT = 0.2


def parse_click_path(path):
    """``(db, tracking id, link id, signature)`` of the part of a click URL
    after ``/mail/tracking/click/``, else ``None``; whether the database
    may be served and the signature is right is for the server to say."""
    parts = path.split("/") if isinstance(path, str) else []
    if len(parts) != 4:
        return None
    db, tracking_id, link_id, signature = parts[0], parse_id(parts[1]), parse_id(parts[2]), parts[3]
    valid_db = 0 < len(db) <= 63 and db.isprintable()
    if valid_db and tracking_id and link_id and _SIGNATURE_RE.fullmatch(signature):
        return db, tracking_id, link_id, signature
    return None


class MailTrackingClickController(http.Controller):
    @client_route(["/mail/tracking/click", "/mail/tracking/click/", "/mail/tracking/click/<path:hit>"], ["GET"])
    def mail_tracking_click(self, hit="", **kwargs):
        """A link of a tracked email: record the click and redirect to the
        link. Anything but a click URL this server made (parameters are
        ignored) leads to the home page and records nothing."""
        target = None
        parsed = parse_click_path(hit)
        if parsed:
            try:
                target = self._follow(*parsed, client_metadata(request.httprequest))
            except Exception:
                # input is checked above: this is a server-side problem
                _logger.warning("Click of a tracked email not followed", exc_info=True)
        if not target:
            return request.redirect("/", code=303)
        return request.redirect(target, code=303, local=False)

    def _follow(self, db, tracking_id, link_id, signature, metadata):
        """The link's URL, the click recorded (not for a HEAD request: link
        checkers, not readers, send those)."""
        registry = tracking_registry(db)
        if registry is None:
            return None
        metadata["timestamp"] = time.time()
        record = request.httprequest.method == "GET"
        if request.db == registry.db_name:
            return self._target_and_record(
                request.env(user=SUPERUSER_ID), tracking_id, link_id, signature, metadata, record
            )
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            return self._target_and_record(env, tracking_id, link_id, signature, metadata, record)

    @staticmethod
    def _target_and_record(env, tracking_id, link_id, signature, metadata, record):
        Tracking = env["mail.tracking.email"]
        target = Tracking._click_target(tracking_id, link_id, signature)
        if not (target and record):
            return target
        for attempt in range(1, RECORD_TRIES + 1):
            try:
                # a savepoint: the redirect stands even if recording fails
                with env.cr.savepoint():
                    Tracking._record_click(tracking_id, target, metadata)
                break
            except LockError:
                if attempt == RECORD_TRIES:
                    _logger.warning("Click of tracking %s not recorded: the tracking stayed held", tracking_id)
                else:
                    time.sleep(RECORD_WAIT * attempt)
        return target
