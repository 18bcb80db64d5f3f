import time
from urllib.parse import quote as url_quote

from markupsafe import Markup

from odoo import api, models
from odoo.tools import SQL

from ..tools.context_keys import SENDING_RUN_KEY
from ..tools.provider_events import outgoing_headers as provider_headers
from ..tools.recipients import tracking_display_name_sql
from ..tools.references import TRACKING_HEADER
from ..tools.states import EVENT_STATE
from ..tools.timestamps import complete_times

#: Where ``_outgoing_headers`` remembers, for the cursor, which trackings a
#: header value names, and to whom the email of a partner is written.
OUTGOING_CACHE_KEY = "mail_activity_tracking.outgoing"

#: Where ``_mark_sent`` notes, for the transaction, the emails sent and not
#: recorded yet.
SENT_JOURNAL_KEY = "mail_activity_tracking.sent"


class MailTrackingEmail(models.Model):
    """Sending, as ``mail.mail`` and ``ir.mail_server`` drive it: the queue
    finds the trackings of each outgoing email, marks it (header, open
    pixel, envelope id), and the SMTP outcome is recorded: sent (in batch,
    at commit) or an error."""

    _inherit = "mail.tracking.email"

    def _outgoing_finder(self):
        """A function giving, for an outgoing email (a dict of
        ``mail.mail._prepare_outgoing_list``), the trackings of ``self`` it
        goes to: by partner, else by the addresses of its raw recipients."""
        by_partner = self.grouped("partner_id")
        without_partner = self.filtered(lambda tracking: not tracking.partner_id)

        def find(email):
            if email.get("partner_id"):
                return by_partner.get(email["partner_id"], self.browse())
            addresses = set(email.get("email_to_normalized") or ())
            return without_partner.filtered(lambda tracking: tracking.recipient_address in addresses)

        return find

    @api.model
    def _tracking_img_base_url(self):
        """Where mail clients fetch the open pixel from; ``None`` when the
        pixel is disabled."""
        # sudo: system parameters are read by any sender
        Param = self.env["ir.config_parameter"].sudo()
        disabled = Param.get_param("mail_activity_tracking.tracking_img_disabled") or ""
        if disabled.strip().lower() in ("1", "true"):
            return None
        return self._tracking_base_url()

    @api.model
    def _tracking_base_url(self):
        """The address of this server for mail clients and mail providers:
        ``mail_activity_tracking.base_url``, else Odoo's own."""
        # sudo: system parameters are read by any sender
        Param = self.env["ir.config_parameter"].sudo()
        return (Param.get_param("mail_activity_tracking.base_url") or self.browse().get_base_url()).rstrip("/")

    def _tracking_img(self, base_url):
        """The open pixel of one tracking, as HTML."""
        self.ensure_one()
        # sudo: the token is a secret of the server's, written in the email's pixel
        path = "/".join(url_quote(part, safe="") for part in (self.env.cr.dbname, str(self.id), self.sudo().token))
        return (
            Markup(
                '<img src="%s" alt="" width="1" height="1" border="0" style="display:block;width:1px;height:1px;border:0"/>'
            )
            % f"{base_url}/mail/tracking/open/{path}/blank.gif"
        )

    def _envelope_id(self):
        """The ENVID (RFC 3461) of an email to ``self``: delivery status
        notifications quote it back."""
        # sudo: the token is a secret of the server's, written in the email's envelope id
        return f"{self.id}-{self.sudo().token}" if self else ""

    def _outgoing_headers(self, email, provider=False, configuration_set=False):
        """The headers of ``email``, an outgoing email dict of
        ``mail.mail._prepare_outgoing_list``, to ``self``, sent through the
        mail ``provider`` (which gives our reference back with its events,
        see ``tools.provider_events``; Amazon SES publishes them through
        ``configuration_set``). The trackings are
        remembered for the transaction with the recipient the email is
        written to, so that sending finds them without a query."""
        # sudo: the tokens are secrets of the server's, written in the email's header
        value = ", ".join(f"{tracking.id}-{tracking.sudo().token}" for tracking in self)
        written = (
            (", ".join(email["email_to"]), email["email_to_normalized"][0])
            if email.get("partner_id") and email.get("email_to_normalized")
            else None
        )
        self.env.cr.cache.setdefault(OUTGOING_CACHE_KEY, {})[value] = (self.ids, written)
        return {TRACKING_HEADER: value, **provider_headers(provider, value, configuration_set)}

    @api.model
    def _from_outgoing_header(self, value):
        """``(trackings, written)``: the trackings of an email being sent, by
        its ``TRACKING_HEADER``, and for an email to a partner, the
        ``(recipient, address)`` it is written to (else ``None``)."""
        ids, written = self.env.cr.cache.get(OUTGOING_CACHE_KEY, {}).pop(value, (None, None))
        # sudo: the trackings of an email being sent, for the server
        return (self.sudo().browse(ids), written) if ids else (self._from_header(value), None)

    def _mark_sent(self, smtp_server, message_id, written):
        """Note that ``self``, the trackings of one email (``written`` as in
        ``_from_outgoing_header``), were sent; ``_flush_sent`` records the
        sends of all the emails at once (Odoo sends one email per
        recipient), at the latest when the transaction commits. During a
        run of the queue (a commit after each mail), the sends of Email
        Marketing's emails, one recipient each, wait beyond the commits to
        be recorded together (``tools.sending_run``); those a process that
        stopped in between never recorded are left to
        ``_cron_record_mailing_sends_left``."""
        entry = (self.ids, smtp_server, message_id, written, time.time())
        data = self.env.cr.precommit.data
        if SENT_JOURNAL_KEY not in data:
            data[SENT_JOURNAL_KEY] = []
            self.env.cr.precommit.add(self._flush_sent_at_commit)
        run = self.env.context.get(SENDING_RUN_KEY)
        if run and run.defers and all(self.mapped("mailing_trace_id")):
            run.sent.append(entry)
        else:
            data[SENT_JOURNAL_KEY].append(entry)

    @api.model
    def _sent_not_recorded(self):
        """The ids of the trackings ``_mark_sent`` noted, not recorded yet."""
        run = self.env.context.get(SENDING_RUN_KEY)
        journal = [*self.env.cr.precommit.data.get(SENT_JOURNAL_KEY, ()), *(run.sent if run else ())]
        return {tracking_id for entry in journal for tracking_id in entry[0]}

    @api.model
    def _flush_sent_at_commit(self):
        self._flush_sent(everything=False)

    @api.model
    def _flush_sent(self, everything=True):
        """Record the sends noted by ``_mark_sent`` (those that may wait, only
        when due unless ``everything``), through the fast path of
        ``_change_state``: one statement updates the trackings and inserts
        their "sent" events, reading nothing before."""
        run = self.env.context.get(SENDING_RUN_KEY)
        journal = [*self.env.cr.precommit.data.pop(SENT_JOURNAL_KEY, []), *(run.take_sent(everything) if run else [])]
        if not journal:
            return
        rows = []
        for ids, smtp_server, message_id, written, timestamp in journal:
            times = complete_times({"timestamp": timestamp})
            recipient, address = written[:2] if written else (None, None)
            rows += [(tracking_id, message_id, recipient, address, smtp_server, *times.values()) for tracking_id in ids]
        # sudo: the outcome of a send is the server's record, whoever sent
        self.sudo()._change_state(EVENT_STATE["sent"], sent_rows=rows)

    @api.model
    def _sql_record_sent(self, rows, state, overruled):
        """Apply the rows of ``_flush_sent`` (id, Message-ID, recipient and
        address written to or ``None``, SMTP server, timestamp, time, date)
        in one statement: the trackings in a state of ``overruled`` (or
        waiting) take ``state``, all get a "sent" event. Return ``(id, state,
        message)`` of each tracking as it was before."""
        cr, uid, now = self.env.cr, self.env.uid, self.env.cr.now()
        cr.execute(
            SQL(
                """WITH row(id, message_id, recipient, recipient_address, smtp_server, timestamp, time, date) AS (
                        VALUES %(rows)s
                   ), before AS (
                        SELECT tracking.id, tracking.state, tracking.mail_message_id, tracking.name,
                               coalesce(row.recipient, tracking.recipient) AS recipient,
                               coalesce(row.recipient_address, tracking.recipient_address) AS recipient_address
                          FROM mail_tracking_email tracking JOIN row ON row.id = tracking.id
                   ), updated AS (
                        UPDATE mail_tracking_email tracking
                           SET state = CASE WHEN tracking.state IS NULL OR tracking.state IN %(overruled)s
                                            THEN %(state)s ELSE tracking.state END,
                               message_id = row.message_id, recipient = before.recipient,
                               recipient_address = before.recipient_address,
                               display_name = %(display_name)s,
                               timestamp = row.timestamp, time = row.time, date = row.date,
                               write_uid = %(uid)s, write_date = %(now)s
                          FROM row JOIN before ON before.id = row.id
                         WHERE tracking.id = row.id
                   ), events AS (
                        INSERT INTO mail_tracking_event (tracking_email_id, event_type, smtp_server, recipient,
                                                         recipient_address, timestamp, time, date,
                                                         create_uid, create_date, write_uid, write_date)
                        SELECT row.id, 'sent', row.smtp_server, before.recipient, before.recipient_address,
                               row.timestamp, row.time, row.date, %(uid)s, %(now)s, %(uid)s, %(now)s
                          FROM row JOIN before ON before.id = row.id
                   )
                   SELECT id, state, mail_message_id FROM before""",
                rows=SQL(", ").join(
                    SQL(
                        "(%s, %s, %s::varchar, %s::varchar, %s, %s::float8, %s::timestamp, %s::date)",
                        *row,
                    )
                    for row in rows
                ),
                state=state,
                overruled=overruled,
                display_name=tracking_display_name_sql(SQL("before.name"), SQL("before.recipient")),
                uid=uid,
                now=now,
            )
        )
        return cr.fetchall()

    def _recipient_values(self, written):
        """A partner's tracking takes its recipient from the email written to
        it (``written`` as in ``_from_outgoing_header``); raw addresses keep
        their own."""
        if not (written and self.partner_id):
            return {}
        recipient, address = written
        return {"recipient": recipient, "recipient_address": address}

    def _mark_error(self, error_type, description, smtp_server=False, written=None):
        # sudo: the outcome of a send is the server's record, whoever sent
        self.sudo()._change_state(
            "error",
            {
                **self._recipient_values(written),
                "error_type": error_type,
                "error_description": description,
                "error_smtp_server": smtp_server,
                **complete_times({}),
            },
        )
