"""What the addon learns of an Email Marketing email (``mass_mailing``,
when it is installed) reaches the ``mailing.trace`` of that email, and so
the mailing's statistics and Odoo's blocklist, as Email Marketing would
record it had it learnt it itself:

- delivered (a delivery report, a provider): the trace that waited as
  "Sent" for that report reads "Delivered". Email Marketing calls an email
  "Delivered" as soon as the SMTP server took it; once delivery reports are
  known to reach this database (one came in the last 30 days), an email
  whose delivery will be reported (its SMTP server offered delivery status
  notifications, or its mail provider reports) reads "Sent" (Email
  Marketing's own status of what waits for a report) until it is;
- opened, clicked (a provider): the trace is opened, clicked;
- a spam complaint: the address is blocklisted;
- an unsubscribe (a provider): as Email Marketing's own unsubscribe link
  does, the address leaves the mailing's lists, or, for a mailing to other
  records than a list's contacts, is blocklisted.

Hard bounces reach Email Marketing through Odoo's bounce handling
(``mail.thread._handle_provider_bounce``)."""

from datetime import timedelta

from markupsafe import Markup

from odoo import api, fields, models

from ..tools.states import EVENT_STATE
from ..tools.timestamps import complete_times

#: System parameter: the last day a delivery report (a delivery status
#: notification or a provider's "delivered") reached this database.
REPORTS_ARRIVE_PARAM = "mail_activity_tracking.delivery_reports_received"
#: How long after the last report reports are still taken to come back.
REPORTS_ARRIVE_DAYS = 30
#: How long a tracking of an Email Marketing email may wait after its trace
#: says it was sent before ``_cron_record_mailing_sends_left`` records it.
SENDS_LEFT_AFTER = timedelta(minutes=10)
#: Where ``_await_delivery_report`` notes, for the transaction, the
#: trackings of the emails whose delivery will be reported.
REPORTS_AWAITED_KEY = "mail_activity_tracking.reports_awaited"


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    def _tell_mailings(self, event_type):
        """Record ``event_type``, reported for the emails of ``self``, on the
        traces of those a mailing sent."""
        if event_type == "delivered":
            self._note_delivery_reports_arrive()
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

    def _await_delivery_report(self):
        """The delivery of the email of ``self`` will be reported (a
        delivery status notification was asked for, or its mail provider
        reports)."""
        self.env.cr.precommit.data.setdefault(REPORTS_AWAITED_KEY, set()).update(self.ids)

    @api.model
    def _awaiting_delivery_report(self):
        """The ids of the trackings ``_await_delivery_report`` noted in this
        transaction."""
        return self.env.cr.precommit.data.get(REPORTS_AWAITED_KEY, set())

    @api.model
    def _delivery_reports_arrive(self):
        """Whether delivery reports reach this database: one came lately."""
        # sudo: system parameters are read by any sender
        last = self.env["ir.config_parameter"].sudo().get_param(REPORTS_ARRIVE_PARAM)
        since = fields.Date.today() - timedelta(days=REPORTS_ARRIVE_DAYS)
        return bool(last) and last >= since.isoformat()

    @api.model
    def _note_delivery_reports_arrive(self):
        """A delivery report came: note the day (once a day)."""
        # sudo: the server notes what reached it
        Param = self.env["ir.config_parameter"].sudo()
        today = fields.Date.today().isoformat()
        if Param.get_param(REPORTS_ARRIVE_PARAM) != today:
            Param.set_param(REPORTS_ARRIVE_PARAM, today)

    def action_open_mailing_trace(self):
        """The Email Marketing trace of the email of ``self``."""
        self.ensure_one()
        return {
            "type": "ir.actions.act_window",
            "res_model": "mailing.trace",
            "res_id": self.mailing_trace_id,
            "view_mode": "form",
        }

    @api.model
    def _cron_record_mailing_sends_left(self):
        """Backstop of the sends of Email Marketing's emails that a run of
        the queue lets wait beyond its commits (``_mark_sent``): those of a
        process that stopped before recording them. A tracking still
        waiting whose trace says its email was sent (it has a send time)
        ten minutes ago is recorded as sent then, as by the run."""
        since = fields.Datetime.now() - SENDS_LEFT_AFTER
        # sudo: the server records what it sent
        waiting = self.sudo().search([("state", "=", False), ("mailing_trace_id", ">", 0), ("create_date", "<", since)])
        traces = waiting._mailing_traces()
        if not traces:
            return
        sent = {trace.id: trace for trace in traces if trace.sent_datetime and trace.sent_datetime < since}
        rows = []
        for tracking in waiting.filtered(lambda tracking: tracking.mailing_trace_id in sent):
            trace = sent[tracking.mailing_trace_id]
            times = complete_times({"time": trace.sent_datetime})
            rows.append(
                (tracking.id, trace.message_id, None, None, None, times["timestamp"], times["time"], times["date"])
            )
        if rows:
            waiting._change_state(EVENT_STATE["sent"], sent_rows=rows)
