import logging
import re
import time

from odoo import http
from odoo.http import request

from ..tools.references import parse_id
from .handoff import client_metadata, client_route, handoff_env, tell_handoff_writer, tracking_registry

_logger = logging.getLogger(__name__)

_SIGNATURE_RE = re.compile(r"[0-9a-f]{32}", re.ASCII)


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
        """A link of a tracked email: keep the click and redirect to the
        link. Anything but a click URL this server made (parameters are
        ignored) leads to the home page and keeps nothing."""
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
        """The link's URL, the click kept in the database before the answer
        leaves (``handoff_env``) for the hand-off writer to record; not for
        a HEAD request: link checkers, not readers, send those."""
        registry = tracking_registry(db)
        if registry is None:
            return None
        metadata["timestamp"] = time.time()
        keep = request.httprequest.method == "GET"
        with handoff_env(registry) as env:
            if not env["mail.tracking.email"]._click_signed(tracking_id, link_id, signature):
                return None
            target, kept = env["mail.tracking.handoff"]._add_click(tracking_id, link_id, metadata, keep)
            if kept:
                tell_handoff_writer(env)
        return target
