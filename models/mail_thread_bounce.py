import logging
from email.message import EmailMessage

from odoo import api, models, tools

from ..tools.dsn import delivery_reports, envelope_id, event_of_report, is_failure, plain_report
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
    def message_route(self, message, message_dict, model=None, thread_id=None, custom_values=None):
        """Record what a delivery report says on the trackings of the
        recipients it names, before any routing. Only a report of a failure
        goes on to the bounce handling (``_routing_handle_bounce``, Odoo's
        and every module's that extends it, Email Marketing's included): a
        "delivered", "relayed" or "delayed" report is nobody's bounce, and
        ends here."""
        if message_dict.get("is_bounce"):
            failures = self._record_delivery_reports(message, message_dict)
            if not failures:
                return []
            self._name_a_failed_recipient(message_dict, failures)
        return super().message_route(
            message, message_dict, model=model, thread_id=thread_id, custom_values=custom_values
        )

    @api.model
    def _record_delivery_reports(self, email_message, message_dict):
        """Record each recipient's report on its tracking (named as its
        original or final recipient); return the addresses whose report is
        a failure (``""`` for a failure that names no address)."""
        candidates = self._bounce_trackings(email_message, message_dict)
        reports = delivery_reports(email_message) or [self._report_from_plain_bounce(message_dict, candidates)]
        for report in reports:
            # a forwarding server reports the address it forwarded to, and
            # the one we sent to (the ORCPT we gave) as the original one
            addresses = {report["original_recipient"], report["recipient"]} - {False, ""}
            trackings = candidates.filtered(
                lambda tracking, addresses=addresses: tracking.recipient_address in addresses
            )
            if not trackings and len(candidates) == 1 and not report["recipient"]:
                trackings = candidates
            event_type, metadata = event_of_report(report)
            trackings.event_create(event_type, metadata)
            if not is_failure(report):
                # a failure reaches Email Marketing through the bounce handling
                trackings._tell_mailings(event_type)
        # the bounce handling flags the contact of the address we sent to
        failures = [report["original_recipient"] or report["recipient"] for report in reports if is_failure(report)]
        if not failures:
            _logger.info(
                "Delivery report for %s recorded, no bounce: %s",
                message_dict.get("bounced_msg_ids"),
                [report["action"] for report in reports],
            )
        return failures

    @api.model
    def _name_a_failed_recipient(self, message_dict, failures):
        """Odoo's bounce extraction names the first recipient of a report;
        in a report of several, that one may have been delivered: the
        bounce handling is given a recipient whose delivery failed."""
        if message_dict.get("bounced_email") in failures or not any(failures):
            return
        address = next(address for address in failures if address)
        message_dict["bounced_email"] = address
        # sudo: a bounce arrives for the server, not for a user (as Odoo's own extraction does)
        message_dict["bounced_partner"] = self.env["res.partner"].sudo().search([("email_normalized", "=", address)])

    @api.model
    def _handle_provider_bounce(self, tracking, provider, metadata):
        """A mail provider reported that the email of ``tracking`` bounced
        for good: Odoo's bounce handling (``_routing_handle_bounce``, with
        every module's extension of it) takes it as it takes a report that
        comes through the mail gateway, from the values its bounce
        extraction would have found in such a report."""
        address = tracking.recipient_address
        reason = metadata.get("bounce_description") or metadata.get("bounce_type") or ""
        report = EmailMessage()
        report["From"] = f"{provider} <mailer-daemon@{provider}.invalid>"
        report["Subject"] = "Delivery Status Notification (Failure)"
        report.set_content(f"{address}: {reason}")
        self._routing_handle_bounce(
            report,
            {
                "email_from": report["From"],
                "to": "",
                "message_id": "",
                "body": tools.plaintext2html(str(report.get_content())),
                "bounced_email": address,
                # sudo: a bounce arrives for the server, not for a user (as Odoo's own extraction does)
                "bounced_partner": self.env["res.partner"].sudo().search([("email_normalized", "=", address)]),
                "bounced_msg_ids": [tracking.message_id] if tracking.message_id else [],
                # sudo: the bounced message, whoever may read it (as Odoo's own extraction does)
                "bounced_message": tracking.mail_message_id.sudo(),
            },
        )

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
