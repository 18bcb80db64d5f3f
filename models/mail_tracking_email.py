import logging
import secrets
import time
from datetime import UTC, datetime
from urllib.parse import quote as url_quote

from markupsafe import Markup

from odoo import Command, api, fields, models, tools
from odoo.tools import SQL

from ..tools.provider_events import outgoing_headers as provider_headers
from ..tools.references import parse_references

_logger = logging.getLogger(__name__)

#: Header of every tracked outgoing email: ``<id>-<token>`` of each tracking
#: the email carries, so a bounce or a provider event finds its tracking; the
#: id alone is guessable, the token is not.
TRACKING_HEADER = "X-Odoo-Tracking"

#: Where ``_outgoing_headers`` remembers, for the cursor, which trackings a
#: header value names, and to whom the email of a partner is written.
OUTGOING_CACHE_KEY = "mail_activity_tracking.outgoing"

#: Where ``_mark_sent`` notes, for the transaction, the emails sent and not
#: recorded yet.
SENT_JOURNAL_KEY = "mail_activity_tracking.sent"

#: Where ``create`` notes, for the transaction, the trackings it queued.
QUEUED_KEY = "mail_activity_tracking.queued"

STATE_SELECTION = [
    ("deferred", "Deferred"),
    ("sent", "Sent"),
    ("delivered", "Delivered"),
    ("opened", "Opened"),
    ("unsub", "Unsubscribed"),
    ("error", "Error"),
    ("rejected", "Rejected"),
    ("spam", "Spam"),
    ("bounced", "Bounced"),
    ("soft-bounced", "Soft bounced"),
]
STATES = tuple(state for state, _label in STATE_SELECTION)
FAILED_STATES = ("error", "rejected", "spam", "bounced", "soft-bounced")
#: Failures that overrule whatever happened before.
HARD_STATES = ("rejected", "spam", "bounced", "unsub")
#: Failures that a later success (a retry that worked) overrules.
SOFT_FAILED_STATES = ("error", "soft-bounced")
#: The success path, in the only order it may be walked.
SUCCESS_RANK = {"deferred": 1, "sent": 2, "delivered": 3, "opened": 4}

EVENT_STATE = {
    "sent": "sent",
    "delivered": "delivered",
    "deferral": "deferred",
    "hard_bounce": "bounced",
    "soft_bounce": "soft-bounced",
    "open": "opened",
    "click": "opened",
    "spam": "spam",
    "unsub": "unsub",
    "reject": "rejected",
}

#: What each tracking state adds to the 50 points of an address with no
#: history (the score stays within 0 and 100): a read email counts for a
#: lot, a delivered one a little; failures that are the address's fault
#: (bounces, rejects, spam complaints) take points, SMTP errors on our side
#: (``error``) and emails still under way take none.
SCORE_WEIGHTS = {
    "delivered": 2,
    "opened": 5,
    "soft-bounced": -5,
    "unsub": -10,
    "rejected": -25,
    "bounced": -30,
    "spam": -50,
}
#: Events that flag the address of their tracking as bounced.
BOUNCING_EVENTS = ("hard_bounce", "reject", "spam")

#: What a tracking knows of its failure.
FAILURE_FIELDS = ("error_type", "error_description", "error_smtp_server", "bounce_type", "bounce_description")

#: Retention: how many trackings autovacuum deletes per batch, and per run.
GC_BATCH_SIZE = 1000
GC_MAX_PER_RUN = 50000

#: Opens of one email closer together than this are one open (mail clients
#: and image proxies often fetch the pixel several times in a row).
OPEN_DEDUP_SECONDS = 10


def complete_times(vals):
    """Fill in ``timestamp``, ``time`` and ``date`` of new tracking or event
    values from each other, or with now (setting ``date`` here spares an
    update to compute it after the insert)."""
    if not vals.get("timestamp"):
        moment = fields.Datetime.to_datetime(vals.get("time")) if vals.get("time") else None
        vals["timestamp"] = moment.replace(tzinfo=UTC).timestamp() if moment else time.time()
    vals.setdefault("time", datetime.fromtimestamp(vals["timestamp"], UTC).replace(tzinfo=None))
    vals.setdefault("date", fields.Datetime.to_datetime(vals["time"]).date())
    return vals


#: Between the subject and the recipient in a tracking's display name.
NAME_SEPARATOR = " - "


def _display_name(name, recipient):
    return f"{name or ''}{NAME_SEPARATOR}{recipient}" if recipient else name or ""


def _display_name_sql(name, recipient):
    """``_display_name`` in SQL, for the statements that record in bulk."""
    return SQL(
        "CASE WHEN %(recipient)s IS NULL OR %(recipient)s = '' THEN coalesce(%(name)s, '') "
        "ELSE concat(coalesce(%(name)s, ''), %(sep)s, %(recipient)s) END",
        recipient=recipient,
        name=name,
        sep=NAME_SEPARATOR,
    )


def _address(recipient):
    return tools.email_normalize(recipient or "", strict=False) or False


def next_state(current, new):
    """Return the state a tracking takes when an event leading to ``new``
    arrives while it is in ``current`` (``False`` = waiting)."""
    if new in HARD_STATES or not current:
        return new
    if current in HARD_STATES:
        return current
    if new in SOFT_FAILED_STATES:
        return current if SUCCESS_RANK.get(current, 0) > SUCCESS_RANK["sent"] else new
    if current in SOFT_FAILED_STATES:
        return new
    return new if SUCCESS_RANK[new] > SUCCESS_RANK[current] else current


class MailTrackingEmail(models.Model):
    _name = "mail.tracking.email"
    _description = "Email tracking"
    _order = "time desc, id desc"
    _rec_names_search = ["name", "recipient", "recipient_address", "sender"]

    name = fields.Char(string="Subject", readonly=True)
    display_name = fields.Char(compute="_compute_display_name", store=True, readonly=True)
    timestamp = fields.Float(string="UTC timestamp", readonly=True, digits=(18, 6))
    time = fields.Datetime(readonly=True, index=True)
    date = fields.Date(compute="_compute_date", store=True, readonly=True)
    mail_message_id = fields.Many2one(
        "mail.message", string="Message", readonly=True, index="btree_not_null", ondelete="set null"
    )
    message_id = fields.Char(string="Message-ID", readonly=True, index="btree_not_null")
    mail_id = fields.Many2one("mail.mail", string="Email", readonly=True, index="btree_not_null", ondelete="set null")
    partner_id = fields.Many2one("res.partner", readonly=True, index="btree_not_null")
    recipient = fields.Char(string="Recipient email", readonly=True)
    recipient_address = fields.Char(
        compute="_compute_recipient_address", store=True, readonly=True, index="btree_not_null"
    )
    sender = fields.Char(string="Sender email", readonly=True)
    state = fields.Selection(
        STATE_SELECTION,
        index=True,
        readonly=True,
        help="Empty while the email waits in the queue.",
    )
    error_smtp_server = fields.Char(string="Error SMTP server", readonly=True)
    error_type = fields.Char(readonly=True)
    error_description = fields.Char(readonly=True)
    bounce_type = fields.Char(readonly=True)
    bounce_description = fields.Char(readonly=True)
    tracking_event_ids = fields.One2many("mail.tracking.event", "tracking_email_id", string="Events", readonly=True)
    token = fields.Char(readonly=True, groups="base.group_system", copy=False)

    _failed_time_idx = models.Index(f"(time) WHERE state IN {FAILED_STATES}")

    @api.depends("name", "recipient")
    def _compute_display_name(self):
        for tracking in self:
            tracking.display_name = _display_name(tracking.name, tracking.recipient)

    @api.depends("time")
    def _compute_date(self):
        for tracking in self:
            tracking.date = tracking.time and tracking.time.date()

    @api.depends("recipient")
    def _compute_recipient_address(self):
        for tracking in self:
            tracking.recipient_address = _address(tracking.recipient)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # the stored computed fields too: they go in the insert, not in
            # an update after it
            vals.setdefault("token", secrets.token_urlsafe(24))
            vals.setdefault("display_name", _display_name(vals.get("name"), vals.get("recipient")))
            vals.setdefault("recipient_address", _address(vals.get("recipient")))
            complete_times(vals)
        trackings = super().create(vals_list)
        self.env.cr.precommit.data.setdefault(QUEUED_KEY, set()).update(trackings.ids)
        return trackings

    def write(self, vals):
        if "state" not in vals:
            return super().write(vals)
        healed = self.filtered(lambda tracking: tracking.state in FAILED_STATES)
        result = super().write(vals)
        if vals["state"] in FAILED_STATES:
            self._flag_messages_needing_action()
        elif healed:
            healed._unflag_healed_messages()
        self.mail_message_id._tracking_bus_schedule()
        return result

    # ``mail_tracking_needs_action`` is true exactly while a tracking of the
    # message is failed and nobody set it as reviewed. Only the trackings that
    # leave a failed state can clear it: the bulk waiting -> sent change of the
    # sending path reads no message.

    def _flag_messages_needing_action(self):
        flagged = self.sudo().mail_message_id.filtered(lambda message: not message.mail_tracking_needs_action)
        flagged.mail_tracking_needs_action = True
        flagged._tracking_bus_schedule(failed=True)

    def _unflag_healed_messages(self):
        flagged = self.sudo().mail_message_id.filtered("mail_tracking_needs_action")
        if flagged:
            still_failed = (
                self.sudo()
                .search([("mail_message_id", "in", flagged.ids), ("state", "in", FAILED_STATES)])
                .mail_message_id
            )
            healed = flagged - still_failed
            healed.mail_tracking_needs_action = False
            healed._tracking_bus_schedule(failed=True)

    @api.autovacuum
    def _gc_expired_trackings(self):
        """Delete the trackings (and, by cascade, their events) older than
        ``mail_activity_tracking.max_age_days`` days; 0 keeps them forever."""
        max_age = self.env["ir.config_parameter"].sudo().get_param("mail_activity_tracking.max_age_days") or "0"
        days = int(max_age) if max_age.strip().isdigit() else 0
        if not days:
            return
        limit = fields.Datetime.subtract(fields.Datetime.now(), days=days)
        for _batch in range(GC_MAX_PER_RUN // GC_BATCH_SIZE):
            expired = self.sudo().search([("time", "<", limit)], limit=GC_BATCH_SIZE, order="id")
            if not expired:
                break
            expired.unlink()

    # ------------------------------------------------------------
    # Events
    # ------------------------------------------------------------

    def event_create(self, event_type, metadata):
        """Record one ``event_type`` event per tracking in ``self`` and move
        each tracking's state by the precedence rules of ``next_state``.

        :param str event_type: one of ``mail.tracking.event`` event types
        :param dict metadata: event values (timestamp, ip, user_agent, ...)
        :return: the created events
        """
        self.check_access("write")
        if event_type not in EVENT_STATE:
            _logger.info("Ignoring unknown email tracking event type %r", event_type)
            return self.env["mail.tracking.event"]
        return self._create_events(event_type, [(tracking, metadata) for tracking in self.sudo()])

    @api.model
    def _create_events(self, event_type, hits):
        """Record ``hits``, ``[(tracking, metadata)]``, as events of
        ``event_type``, and move the states, in a few queries per batch."""
        Event = self.env["mail.tracking.event"].sudo()
        if event_type in ("open", "click"):
            hits = self._deduplicated(event_type, hits)
        if not hits:
            return Event
        events = Event.create(
            [
                {
                    "recipient": tracking.recipient,
                    **Event._values_from_metadata(event_type, metadata),
                    "recipient_address": tracking.recipient_address,
                    "tracking_email_id": tracking.id,
                }
                for tracking, metadata in hits
            ]
        )
        trackings = self.sudo().union(*(tracking for tracking, _metadata in hits))
        trackings._apply_event_state(EVENT_STATE[event_type], hits[0][1])
        if event_type in BOUNCING_EVENTS:
            trackings._flag_bounced_partners()
        return events

    @api.model
    def _deduplicated(self, event_type, hits):
        """``hits`` less those that come within ``OPEN_DEDUP_SECONDS`` of an
        earlier ``event_type`` event of the same tracking."""
        trackings = self.sudo().union(*(tracking for tracking, _metadata in hits))
        # concurrent hits of one tracking queue up here (and retry if needed)
        trackings.lock_for_update()
        last = dict(
            self.env["mail.tracking.event"]
            .sudo()
            ._read_group(
                [("tracking_email_id", "in", trackings.ids), ("event_type", "=", event_type)],
                ["tracking_email_id"],
                ["timestamp:max"],
            )
        )
        now = time.time()
        kept = []
        for tracking, metadata in sorted(hits, key=lambda hit: hit[1].get("timestamp") or now):
            timestamp = metadata.get("timestamp") or now
            if timestamp - (last.get(tracking) or 0) >= OPEN_DEDUP_SECONDS:
                kept.append((tracking, metadata))
                last[tracking] = timestamp
        return kept

    def _apply_event_state(self, state, metadata):
        extra = {key: metadata[key] for key in ("bounce_type", "bounce_description") if metadata.get(key)}
        for new_state, trackings in self.grouped(lambda tracking: next_state(tracking.state, state)).items():
            trackings.write({"state": new_state, **extra})

    # ------------------------------------------------------------
    # Addresses
    # ------------------------------------------------------------

    @api.model
    def _address_stats(self, addresses):
        """``{address: {state: count}}`` of the trackings to ``addresses``
        the current user may read, in one query whatever their number."""
        if not addresses:
            return {}
        groups = self._read_group(
            [("recipient_address", "in", list(addresses))], ["recipient_address", "state"], ["__count"]
        )
        stats = {}
        for address, state, count in groups:
            stats.setdefault(address, {})[state] = count
        return stats

    @api.model
    def _score_from_states(self, state_counts):
        score = 50 + sum(SCORE_WEIGHTS.get(state, 0) * count for state, count in state_counts.items())
        return max(0.0, min(100.0, float(score)))

    @api.model
    def email_score_from_email(self, email):
        """The score of ``email`` over the trackings the current user may
        read; AccessError for a user who may read none (portal, public)."""
        self.check_access("read")
        address = tools.email_normalize(email or "")
        return self._score_from_states(self._address_stats([address] if address else []).get(address, {}))

    @api.model
    def email_is_bounced(self, email):
        """Whether a tracking to ``email`` the current user may read bounced;
        AccessError for a user who may read none (portal, public)."""
        self.check_access("read")
        address = tools.email_normalize(email or "")
        return bool(address) and bool(
            self.search_count(
                [("recipient_address", "=", address), ("state", "in", ("bounced", "rejected", "spam"))], limit=1
            )
        )

    def _flag_bounced_partners(self):
        addresses = set(self.mapped("recipient_address")) - {False}
        partners = self.partner_id | self.env["res.partner"].sudo().search(
            [("email_normalized", "in", list(addresses))]
        )
        partners.filtered(lambda partner: not partner.email_bounced).email_bounced = True

    def _details(self):
        """The tracking and its history for the chatter's details popover;
        raises AccessError when the current user may not read it."""
        self.ensure_one()
        self.check_access("read")
        states = dict(self._fields["state"]._description_selection(self.env))
        event_types = dict(self.env["mail.tracking.event"]._fields["event_type"]._description_selection(self.env))
        tracking = self.read(
            [
                "name",
                "recipient",
                "sender",
                "state",
                "time",
                "error_smtp_server",
                "error_type",
                "error_description",
                "bounce_type",
                "bounce_description",
            ]
        )[0]
        events = self.tracking_event_ids.read(
            [
                "time",
                "event_type",
                "ip",
                "user_agent",
                "os_family",
                "ua_family",
                "mobile",
                "smtp_server",
                "error_description",
            ]
        )
        for event in events:
            event["event_type_label"] = event_types.get(event["event_type"], "")
        return {**tracking, "state_label": states.get(self.state, self.env._("Waiting")), "events": events}

    # ------------------------------------------------------------
    # Sending
    # ------------------------------------------------------------

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
        return f"{self.id}-{self.sudo().token}" if self else ""

    def _outgoing_headers(self, email, provider=False):
        """The headers of ``email``, an outgoing email dict of
        ``mail.mail._prepare_outgoing_list``, to ``self``, sent through the
        mail ``provider`` (which gives our reference back with its events,
        see ``tools.provider_events``). The trackings are
        remembered for the transaction with the recipient the email is
        written to, so that sending finds them without a query."""
        value = ", ".join(f"{tracking.id}-{tracking.sudo().token}" for tracking in self)
        written = (
            (", ".join(email["email_to"]), email["email_to_normalized"][0])
            if email.get("partner_id") and email.get("email_to_normalized")
            else None
        )
        self.env.cr.cache.setdefault(OUTGOING_CACHE_KEY, {})[value] = (self.ids, written)
        return {TRACKING_HEADER: value, **provider_headers(provider, value)}

    @api.model
    def _from_outgoing_header(self, value):
        """``(trackings, written)``: the trackings of an email being sent, by
        its ``TRACKING_HEADER``, and for an email to a partner, the
        ``(recipient, address)`` it is written to (else ``None``)."""
        ids, written = self.env.cr.cache.get(OUTGOING_CACHE_KEY, {}).pop(value, (None, None))
        return (self.sudo().browse(ids), written) if ids else (self._from_header(value), None)

    @api.model
    def _from_header(self, value):
        """The trackings a ``TRACKING_HEADER`` value names; anything
        malformed or forged gives no tracking."""
        return self._from_tokens(parse_references(value))

    @api.model
    def _from_tokens(self, tokens):
        """The trackings of ``{id: token}`` whose token matches, compared in
        constant time."""
        trackings = self.sudo().browse(tokens).exists()
        return trackings.filtered(lambda tracking: tracking._token_matches(tokens[tracking.id]))

    def _token_matches(self, token):
        """Whether ``token`` is the token of ``self``, compared in constant
        time."""
        return bool(token) and secrets.compare_digest((self.sudo().token or "").encode(), token.encode())

    def _resend(self):
        """Queue the emails of ``self`` again: Odoo's retry of their mail when
        it failed (its recipients already served are not sent it again), a
        new mail to the same recipient when it was sent or is gone."""
        retriable = self.mail_id.filtered(lambda mail: mail.state == "exception")
        retried = self.filtered(lambda tracking: tracking.mail_id in retriable)
        retried._mark_waiting()
        retriable.action_retry()
        for tracking in self - retried:
            tracking._resend_in_new_mail()

    def _resend_in_new_mail(self):
        message = self.mail_message_id
        mail = (
            self.env["mail.mail"]
            .sudo()
            .with_context(mail_tracking_skip=True)
            .create(
                {
                    "mail_message_id": message.id,
                    "body_html": message.body,
                    "subject": self.name or message.subject,
                    "email_from": message.email_from,
                    "reply_to": message.reply_to,
                    "recipient_ids": [Command.link(self.partner_id.id)] if self.partner_id else [],
                    "email_to": False if self.partner_id else self.recipient,
                    "is_notification": True,
                    "auto_delete": True,
                }
            )
        )
        self.mail_id = mail
        self._mark_waiting()
        notifications = message.notification_ids.filtered(
            lambda notif: notif.notification_type == "email" and notif.res_partner_id == self.partner_id
        )
        notifications.write(
            {"mail_mail_id": mail.id, "notification_status": "ready", "failure_type": False, "failure_reason": False}
        )

    def _mark_sent(self, smtp_server, message_id, written):
        """Note that ``self``, the trackings of one email (``written`` as in
        ``_from_outgoing_header``), were sent; ``_flush_sent`` records it for all
        the emails sent at once (Odoo sends one email per recipient)."""
        data = self.env.cr.precommit.data
        if SENT_JOURNAL_KEY not in data:
            data[SENT_JOURNAL_KEY] = []
            self.env.cr.precommit.add(self._flush_sent)
        data[SENT_JOURNAL_KEY].append((self.ids, smtp_server, message_id, written, time.time()))

    @api.model
    def _sent_not_recorded(self):
        """The ids of the trackings ``_mark_sent`` noted, not recorded yet."""
        journal = self.env.cr.precommit.data.get(SENT_JOURNAL_KEY, ())
        return {tracking_id for entry in journal for tracking_id in entry[0]}

    @api.model
    def _flush_sent(self):
        """Record the sends noted by ``_mark_sent``: one statement updates
        the trackings and inserts their "sent" events, reading nothing
        before. Sending is Odoo's hottest path, and the ORM's work for each
        record written there would cost more than the tracking itself."""
        journal = self.env.cr.precommit.data.pop(SENT_JOURNAL_KEY, [])
        if not journal:
            return
        rows = []
        for ids, smtp_server, message_id, written, timestamp in journal:
            times = complete_times({"timestamp": timestamp})
            recipient, address = written[:2] if written else (None, None)
            rows += [(tracking_id, message_id, recipient, address, smtp_server, *times.values()) for tracking_id in ids]
        before = self._sql_record_sent(rows)
        sent = self.sudo().browse(tracking_id for tracking_id, _state, _message in before)
        sent.invalidate_recordset()
        healed = sent.browse(tracking_id for tracking_id, state, _message in before if state in FAILED_STATES)
        healed._unflag_healed_messages()
        # nobody can have seen the trackings queued in this transaction
        queued_now = self.env.cr.precommit.data.get(QUEUED_KEY, ())
        shown = {message for tracking_id, _state, message in before if message and tracking_id not in queued_now}
        self.env["mail.message"].browse(shown)._tracking_bus_schedule()

    @api.model
    def _sql_record_sent(self, rows):
        """Apply the rows of ``_flush_sent`` (id, Message-ID, recipient and
        address written to or ``None``, SMTP server, timestamp, time, date)
        in one statement; return ``(id, state, message)`` of each tracking
        as it was before."""
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
                                            THEN 'sent' ELSE tracking.state END,
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
                overruled=tuple(state for state in STATES if next_state(state, "sent") == "sent"),
                display_name=_display_name_sql(SQL("before.name"), SQL("before.recipient")),
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

    def _mark_waiting(self):
        """``self`` is queued again: waiting, with nothing left of the
        failure that came before."""
        self.sudo().write({"state": False, **dict.fromkeys(FAILURE_FIELDS, False)})

    def _mark_error(self, error_type, description, smtp_server=False, written=None):
        self.sudo().write(
            {
                **self._recipient_values(written),
                "state": "error",
                "error_type": error_type,
                "error_description": description,
                "error_smtp_server": smtp_server,
                **complete_times({}),
            }
        )
