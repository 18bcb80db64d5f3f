import base64
import logging
import time

from odoo import http
from odoo.http import request

from ..tools.references import parse_pixel_path
from .handoff import client_metadata, client_route, handoff_env, tell_handoff_writer, tracking_registry

_logger = logging.getLogger(__name__)

BLANK_GIF = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")
NO_CACHE_HEADERS = [
    ("Content-Type", "image/gif"),
    ("Cache-Control", "no-store, no-cache, must-revalidate, max-age=0"),
    ("Pragma", "no-cache"),
    ("Expires", "0"),
]


class MailTrackingController(http.Controller):
    @client_route("/mail/tracking/open/<path:hit>", ["GET"])
    def mail_tracking_open(self, hit, **kwargs):
        """The open pixel, ``/mail/tracking/open/<db>/<id>/<token>/blank.gif``.
        Whatever follows ``/mail/tracking/open/``, the answer is the same
        blank GIF, so that the URL tells nothing to whoever forges one. A
        valid hit is in the database before the answer leaves."""
        parsed = parse_pixel_path(hit)
        if parsed:
            try:
                self._keep_hit(*parsed, client_metadata(request.httprequest))
            except Exception:
                # input is checked above: this is a server-side problem
                _logger.warning("Open pixel hit not recorded", exc_info=True)
        return request.make_response(BLANK_GIF, headers=NO_CACHE_HEADERS)

    def _keep_hit(self, db, tracking_id, token, metadata):
        """Keep a valid hit in its database, committed before the answer
        leaves (``handoff_env``)."""
        registry = tracking_registry(db)
        if registry is None:
            return
        metadata["timestamp"] = time.time()
        with handoff_env(registry) as env:
            if env["mail.tracking.handoff"]._add_hit(tracking_id, token, metadata):
                tell_handoff_writer(env)
