import logging

from odoo import api, models, tools

from ..tools.dsn import delivery_reports, envelope_id, event_of_report, plain_report
from ..tools.references import TRACKING_HEADER

_logger = logging.getLogger(__name__)

#: Where ``_get_bounced_message_data`` leaves, in the parsed values of an
#: incoming report, our header of the email the report is about.
BOUNCED_REFERENCES_KEY = "mail_tracking_bounced_references"


class MailThread(models.AbstractModel):
    """Delivery reports and bounces, on the trackings of the recipients they
    name."""

    _inherit = "mail.thread"

    def _get_bounced_message_data(self, message, message_dict):
        """Odoo's bounce extraction hands its parse of the email a report is
        about (its ``message/rfc822`` or ``text/rfc822-headers`` part) here:
        keep its ``TRACKING_HEADER`` too."""
        message_dict[BOUNCED_REFERENCES_KEY] = tools.mail.decode_message_header(message, TRACKING_HEADER) or ""
        return super()._get_bounced_message_data(message, message_dict)

    @api.model
    def _routing_handle_bounce(self, email_message, message_dict):
        """Record what a delivery report says on the tracking of the one
        recipient it names. Only failures go on to Odoo's own bounce handling:
        a "delivered" or "delayed" report is no bounce."""
        candidates = self._bounce_trackings(email_message, message_dict)
        reports = delivery_reports(email_message) or [self._report_from_plain_bounce(message_dict, candidates)]
        failed = False
        for report in reports:
            event_type, metadata = event_of_report(report)
            failed = failed or event_type == "hard_bounce" or report["action"] == "failed"
            trackings = candidates.filtered(
                lambda tracking, report=report: tracking.recipient_address == report["recipient"]
            )
            if not trackings and len(candidates) == 1 and not report["recipient"]:
                trackings = candidates
            trackings.event_create(event_type, metadata)
        if failed:
            return super()._routing_handle_bounce(email_message, message_dict)
        _logger.info(
            "Delivery report for %s recorded: %s", message_dict.get("bounced_msg_ids"), [r["action"] for r in reports]
        )
        return None

    @api.model
    def _report_from_plain_bounce(self, message_dict, candidates):
        """A report for a non-delivery report without RFC 3464 fields, from
        what Odoo's gateway found, the one candidate address its text names
        and any RFC 3463 status in it."""
        text = tools.html2plaintext(message_dict.get("body") or "")
        named = {address for address in candidates.mapped("recipient_address") if address and address in text.lower()}
        recipient = message_dict.get("bounced_email") or (named.pop() if len(named) == 1 else "")
        return plain_report(text, recipient)

    @api.model
    def _bounce_trackings(self, email_message, message_dict):
        """The trackings a report may be about: named by our envelope id or
        header, or sharing the original Message-ID (Odoo's
        ``bounced_msg_ids``, or the report's ``In-Reply-To``)."""
        # sudo: a bounce arrives for the server, not for a user
        Tracking = self.env["mail.tracking.email"].sudo()
        references = ", ".join(filter(None, [envelope_id(email_message), message_dict.get(BOUNCED_REFERENCES_KEY)]))
        trackings = Tracking._from_header(references)
        message_ids = [
            *(message_dict.get("bounced_msg_ids") or []),
            *tools.mail.unfold_references(message_dict.get("in_reply_to") or ""),
        ]
        message_ids = [message_id.strip() for message_id in message_ids if message_id]
        if message_ids:
            trackings |= Tracking.search([("message_id", "in", message_ids)])
        return trackings
