import secrets

from odoo import api, fields, models

from ..tools.recipients import normalized_recipient, tracking_display_name
from ..tools.references import parse_references
from ..tools.states import FAILED_STATES, STATES
from ..tools.timestamps import complete_times

#: Where ``create`` notes, for the transaction, the trackings it queued.
QUEUED_KEY = "mail_activity_tracking.queued"


class MailTrackingEmail(models.Model):
    """One email to one recipient, from the queue to its last event: the
    record, its fields and how it is found by its reference. Its other
    concerns have their own files, ``mail_tracking_email_<concern>.py`` (see
    docs/ARCHITECTURE.md)."""

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
    mailing_trace_id = fields.Integer(
        string="Mailing trace",
        readonly=True,
        index="btree_not_null",
        help="The Email Marketing trace (mailing.trace) of the email, when a mailing sent it.",
    )
    partner_id = fields.Many2one("res.partner", readonly=True, index="btree_not_null")
    recipient = fields.Char(string="Recipient email", readonly=True)
    recipient_address = fields.Char(
        compute="_compute_recipient_address", store=True, readonly=True, index="btree_not_null"
    )
    sender = fields.Char(string="Sender email", readonly=True)
    state = fields.Selection(
        STATES,
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
            tracking.display_name = tracking_display_name(tracking.name, tracking.recipient)

    @api.depends("time")
    def _compute_date(self):
        for tracking in self:
            tracking.date = tracking.time and tracking.time.date()

    @api.depends("recipient")
    def _compute_recipient_address(self):
        for tracking in self:
            tracking.recipient_address = normalized_recipient(tracking.recipient)

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            # the stored computed fields too: they go in the insert, not in
            # an update after it (precomputed fields given are not computed)
            vals.setdefault("token", secrets.token_urlsafe(24))
            vals.setdefault("display_name", tracking_display_name(vals.get("name"), vals.get("recipient")))
            vals.setdefault("recipient_address", normalized_recipient(vals.get("recipient")))
            if "tracking_event_ids" not in vals:
                # no event yet: nobody opened or clicked
                vals.setdefault("human_opened", 0)
                vals.setdefault("clicked", 0)
            if "model" not in vals and vals.get("mail_message_id"):
                # the document whose readers may read the tracking (``_access``)
                vals.update(self._document_values(self.env["mail.message"].browse(vals["mail_message_id"])))
            complete_times(vals)
        trackings = super().create(vals_list)
        self.env.cr.precommit.data.setdefault(QUEUED_KEY, set()).update(trackings.ids)
        return trackings

    @api.model
    def _queued_in_transaction(self):
        """The ids of the trackings created in this transaction: nobody can
        have seen them yet."""
        return self.env.cr.precommit.data.get(QUEUED_KEY, set())

    def _details(self):
        """The tracking and its history for the chatter's details popover,
        with who each open or click came from, and why it was not tracked;
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
                "open_kind",
                "automatic",
                "engagement_note",
                "url",
            ]
        )
        for event in events:
            event["event_type_label"] = event_types.get(event["event_type"], "")
        details = {**tracking, "state_label": states.get(self.state, self.env._("Waiting")), "events": events}
        if self._opted_out_now():
            details["not_tracked_reason"] = self.env._("Not tracked: the recipient asked not to be tracked.")
        return details

    @api.model
    def _from_header(self, value):
        """The trackings a ``TRACKING_HEADER`` value names; anything
        malformed or forged gives no tracking."""
        return self._from_tokens(parse_references(value))

    @api.model
    def _from_tokens(self, tokens):
        """The trackings of ``{id: token}`` whose token matches, compared in
        constant time."""
        # sudo: the tokens are a secret of the server's: the caller gives them, they are compared here
        trackings = self.sudo().browse(tokens).exists()
        return trackings.filtered(lambda tracking: tracking._token_matches(tokens[tracking.id]))

    def _token_matches(self, token):
        """Whether ``token`` is the token of ``self``, compared in constant
        time."""
        # sudo: the token is a secret of the server's, compared here
        return bool(token) and secrets.compare_digest((self.sudo().token or "").encode(), token.encode())
