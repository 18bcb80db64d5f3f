"""Click tracking: the links of a tracked email to one recipient lead
through this server, which keeps the click (``mail.tracking.handoff``, for
the hand-off writer to record) and redirects to the link.

A click URL names the tracking and the link (``mail.tracking.link``) by id,
with a signature of the pair made with the database secret: the server
redirects only to a link it sent in that email, and a forged or altered URL
leads nowhere but the home page."""

import secrets
from urllib.parse import quote as url_quote
from urllib.parse import urlsplit

from odoo import api, models
from odoo.tools.misc import hmac as odoo_hmac

from ..tools import link_rewriter

#: System parameter (a setting) turning click tracking on; off by default.
CLICK_TRACKING_PARAM = "mail_activity_tracking.click_tracking"
#: Scope of the signatures of click URLs, and how many hex digits they keep.
CLICK_SIGNATURE_SCOPE = "mail_activity_tracking.click"
CLICK_SIGNATURE_LENGTH = 32


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    @api.model
    def _click_tracking_enabled(self):
        # sudo: system parameters are read by any sender
        value = self.env["ir.config_parameter"].sudo().get_param(CLICK_TRACKING_PARAM) or ""
        return value.strip().lower() in ("1", "true")

    def _tracking_rewrite_links(self, email, base_url):
        """The parts of ``email``, an outgoing email dict to ``self`` (one
        tracking), whose tracked links (``tools.link_rewriter``) lead through
        ``base_url``, this server, when click tracking is on: its HTML
        ``body`` and, with the same click URLs, its plain-text
        ``body_alternative``; an empty dict when none changes."""
        self.ensure_one()
        if not self._click_tracking_enabled():
            return {}
        urls = link_rewriter.tracked_links(email["body"], self._own_hosts(base_url))
        if not urls:
            return {}
        # sudo: the links table is the server's, not a user's
        link_ids = self.env["mail.tracking.link"].sudo()._ids_for_urls(urls)
        click_urls = {url: self._click_url(base_url, link_ids[url]) for url in urls}
        rewritten = {"body": link_rewriter.rewrite_links(email["body"], click_urls)}
        if email.get("body_alternative"):
            rewritten["body_alternative"] = link_rewriter.rewrite_text_links(email["body_alternative"], click_urls)
        return rewritten

    def _own_hosts(self, base_url):
        """The host names under which this server sends its own links."""
        return {urlsplit(url).hostname for url in (base_url, self.get_base_url())} - {None}

    def _click_url(self, base_url, link_id):
        parts = (self.env.cr.dbname, str(self.id), str(link_id), self._click_signature(link_id))
        return f"{base_url}/mail/tracking/click/{'/'.join(url_quote(part, safe='') for part in parts)}"

    def _click_signature(self, link_id):
        """The signature of the click URL of the link ``link_id`` in the
        email to ``self``."""
        # sudo: the database secret signs for any sender
        return odoo_hmac(self.env(su=True), CLICK_SIGNATURE_SCOPE, (self.id, link_id))[:CLICK_SIGNATURE_LENGTH]

    @api.model
    def _click_signed(self, tracking_id, link_id, signature):
        """Whether ``signature`` is the one of the click URL of the link
        ``link_id`` in the email of ``tracking_id``: this server made the
        URL, and so sent that link in that email."""
        expected = self.browse(tracking_id)._click_signature(link_id)
        return secrets.compare_digest(expected.encode(), (signature or "").encode())
