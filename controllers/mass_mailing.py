"""Email Marketing's own open pixel and tracked links (``mass_mailing``,
when it is installed): Email Marketing answers them and records them on its
trace, as it does without the addon; the hit is then kept for the tracking
of the same email too. This controller extends Email Marketing's, so Odoo
routes through it only in a database where ``mass_mailing`` is installed."""

import logging
import time

from odoo import http
from odoo.http import request

from .handoff import client_metadata, tell_handoff_writer

try:
    from odoo.addons.mass_mailing.controllers.main import MassMailController
except ImportError:  # Email Marketing is not on the addons path: nothing to extend
    MassMailController = None

_logger = logging.getLogger(__name__)


def keep_mailing_hit(add, *args):
    """Keep a hit of Email Marketing's pixel or link with ``add``, the name
    of a method of ``mail.tracking.handoff``, in the request's transaction (committed
    before the answer leaves), without ever failing Email Marketing's own
    recording: a problem here is logged and left out."""
    # sudo: the hit comes from a mail client, without a session; Email Marketing checked its token
    env = request.env(su=True)
    metadata = {**client_metadata(request.httprequest), "timestamp": time.time()}
    try:
        with env.cr.savepoint():
            if getattr(env["mail.tracking.handoff"], add)(*args, metadata):
                tell_handoff_writer(env)
    except Exception:
        _logger.warning("Hit of Email Marketing's pixel or link not kept for its tracking", exc_info=True)


if MassMailController:

    class MailingTrackingController(MassMailController):
        @http.route()
        def track_mail_open(self, mail_id, token, **post):
            response = super().track_mail_open(mail_id, token, **post)
            keep_mailing_hit("_add_mailing_open", mail_id)
            return response

        @http.route()
        def full_url_redirect(self, code, mailing_trace_id, **post):
            response = super().full_url_redirect(code, mailing_trace_id, **post)
            keep_mailing_hit("_add_mailing_click", code, mailing_trace_id)
            return response
