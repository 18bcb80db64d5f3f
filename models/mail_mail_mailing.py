"""Email Marketing's emails (``mass_mailing``, when it is installed): they
carry Email Marketing's own open pixel and tracked links, not ours, and the
tracking of each knows the ``mailing.trace`` of its email (by id: the model
exists only with Email Marketing)."""

from odoo import models


class MailMail(models.Model):
    _inherit = "mail.mail"

    def _tracking_engagement_left_to_mailing(self):
        """Whether Email Marketing tracks the opens and clicks of ``self``,
        one mail: it gives its pixel and tracked links to the emails of a
        mailing that have a trace (``mass_mailing``'s
        ``_prepare_outgoing_body``)."""
        return bool(self._tracking_mailing_traces())

    def _tracking_mailing_traces(self):
        """``{mail id: trace id}`` of the mails of ``self`` that Email
        Marketing sends for a mailing."""
        if "mailing_trace_ids" not in self._fields:
            return {}
        return {mail.id: mail.mailing_trace_ids[:1].id for mail in self if mail.mailing_id and mail.mailing_trace_ids}

    def _tracking_mailing_awaits_report(self):
        """Email Marketing has just called the emails of ``self``, sent,
        "Delivered": those whose delivery will be reported read "Sent" (its
        status of what waits for a report) until the report comes
        (``mail.tracking.email._tell_mailings``), once reports are known to
        reach this database."""
        Tracking = self.env["mail.tracking.email"]
        awaited = Tracking._awaiting_delivery_report()
        traces = awaited and self._tracking_mailing_traces()
        if not traces:
            return
        reported = self.filtered(
            lambda mail: mail.id in traces and set(mail._tracking_sending_trackings().ids) & awaited
        )
        if reported and Tracking._delivery_reports_arrive():
            delivered = reported.mailing_trace_ids.filtered(lambda trace: trace.trace_status == "sent")
            delivered.trace_status = "pending"
