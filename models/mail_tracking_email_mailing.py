"""What the addon learns of an Email Marketing email (``mass_mailing``,
when it is installed) reaches the ``mailing.trace`` of that email, and so
the mailing's statistics and Odoo's blocklist, as Email Marketing would
record it had it learnt it itself:

- delivered (a delivery report, a provider): the trace that waited as
  "Sent" for that report reads "Delivered";
- opened, clicked (a provider): the trace is opened, clicked;
- a spam complaint: the address is blocklisted;
- an unsubscribe (a provider): as Email Marketing's own unsubscribe link
  does, the address leaves the mailing's lists, or, for a mailing to other
  records than a list's contacts, is blocklisted.

Hard bounces reach Email Marketing through Odoo's bounce handling
(``mail.thread._handle_provider_bounce``)."""

from markupsafe import Markup

from odoo import models


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    def _tell_mailings(self, event_type):
        """Record ``event_type``, reported for the emails of ``self``, on the
        traces of those a mailing sent."""
        traces = self._mailing_traces()
        if not traces:
            return
        if event_type == "delivered":
            traces.filtered(lambda trace: trace.trace_status == "pending").trace_status = "sent"
        elif event_type == "open":
            traces.set_opened()
        elif event_type == "click":
            traces.set_opened()
            traces.set_clicked()
        elif event_type == "spam":
            for trace in traces:
                self._blocklist(trace, self.env._("Spam complaint about the mailing %s", trace.mass_mailing_id.name))
        elif event_type == "unsub":
            for trace in traces:
                self._unsubscribe(trace)

    def _mailing_traces(self):
        """The traces of the emails of ``self`` that a mailing sent."""
        trace_ids = set(self.mapped("mailing_trace_id")) - {0}
        if not trace_ids or "mailing.trace" not in self.env:
            return None
        # sudo: what became of an email is the server's record, whoever reports it
        return self.env["mailing.trace"].sudo().browse(trace_ids).exists()

    def _unsubscribe(self, trace):
        """The recipient of the email of ``trace`` unsubscribed through the
        mail provider: as through Email Marketing's own link."""
        mailing = trace.mass_mailing_id
        if mailing.mailing_on_mailing_list:
            mailing.contact_list_ids._update_subscription_from_email(trace.email, opt_out=True)
        else:
            self._blocklist(trace, self.env._("Unsubscribed from the mailing %s", mailing.name))

    def _blocklist(self, trace, reason):
        """Add the address of the email of ``trace`` to Odoo's blocklist,
        with ``reason`` in its history."""
        # sudo: the blocklist is the server's, updated on what the recipient said
        self.env["mail.blacklist"].sudo()._add(trace.email, message=Markup("<p>%s</p>") % reason)
