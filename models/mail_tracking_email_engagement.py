"""Opens and clicks told apart: each is classified (``tools.open_classifier``)
when it is recorded, where the time since the send is known; a machine's
moves the tracking to Delivered only, a person's to Opened."""

from odoo import api, fields, models
from odoo.tools import SQL, partition
from odoo.tools.sql import column_exists, create_column, table_exists

from ..tools import open_classifier
from ..tools.states import EVENT_STATE

#: The events that say someone (or something) fetched the email's content.
ENGAGEMENT_EVENTS = ("open", "click")
#: Context key: the events being recorded are a machine's.
AUTOMATIC_KEY = "mail_tracking_automatic_events"


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    human_opened = fields.Integer(
        string="Human open",
        compute="_compute_engagement",
        store=True,
        precompute=True,
        readonly=True,
        help="1 when a person opened the email (or clicked one of its links), 0 otherwise: "
        "opens by privacy prefetches and security scanners do not count.",
    )
    clicked = fields.Integer(
        compute="_compute_engagement",
        store=True,
        precompute=True,
        readonly=True,
        help="1 when a person clicked a link of the email, 0 otherwise.",
    )

    def _auto_init(self):
        """On a database with trackings already (an upgrade, a switch from
        mail_tracking), the engagement columns are made and filled here, in
        one statement over the events (all recorded before opens were told
        apart: a person's), instead of the ORM recomputing every tracking:
        the existing rows keep everything else, their write date included."""
        cr = self.env.cr
        if table_exists(cr, self._table) and not column_exists(cr, self._table, "human_opened"):
            create_column(cr, self._table, "human_opened", "int4")
            create_column(cr, self._table, "clicked", "int4")
            if table_exists(cr, "mail_tracking_event"):
                cr.execute(
                    SQL(
                        """UPDATE mail_tracking_email tracking
                              SET human_opened = 1, clicked = engagement.clicked
                             FROM (SELECT tracking_email_id, max((event_type = 'click')::int) AS clicked
                                     FROM mail_tracking_event WHERE event_type IN ('open', 'click')
                                    GROUP BY tracking_email_id) AS engagement
                            WHERE tracking.id = engagement.tracking_email_id"""
                    )
                )
        return super()._auto_init()

    @api.model_create_multi
    def create(self, vals_list):
        for vals in vals_list:
            if "tracking_event_ids" not in vals:
                # no event yet: nobody opened or clicked, given to the insert
                # (precomputed fields given are not computed again) rather
                # than computed by a query and an update after it
                vals.setdefault("human_opened", 0)
                vals.setdefault("clicked", 0)
        return super().create(vals_list)

    @api.depends("tracking_event_ids.event_type", "tracking_event_ids.open_kind")
    def _compute_engagement(self):
        counts = {
            (tracking.id, event_type, kind): count
            for tracking, event_type, kind, count in self.env["mail.tracking.event"]
            # sudo: the events are read to count opens and clicks of trackings the user reads
            .sudo()
            ._read_group(
                [("tracking_email_id", "in", self.ids), ("event_type", "in", ENGAGEMENT_EVENTS)],
                ["tracking_email_id", "event_type", "open_kind"],
                ["__count"],
            )
        }
        human = {
            (tracking_id, event_type)
            for tracking_id, event_type, kind in counts
            if not open_classifier.is_automatic(kind)
        }
        for tracking in self:
            tracking.clicked = int((tracking.id, "click") in human)
            tracking.human_opened = int(tracking.clicked or (tracking.id, "open") in human)

    @api.model
    def _create_events(self, event_type, hits):
        """Opens and clicks are classified first; a machine's are recorded
        apart from a person's, as their state differs."""
        if event_type not in ENGAGEMENT_EVENTS:
            return super()._create_events(event_type, hits)
        classified = [(tracking, tracking._classified_hit(metadata)) for tracking, metadata in hits]
        automatic, human = partition(lambda hit: open_classifier.is_automatic(hit[1]["open_kind"]), classified)
        events = self.env["mail.tracking.event"]
        if human:
            events |= super()._create_events(event_type, human)
        if automatic:
            machine = super(MailTrackingEmail, self.with_context(**{AUTOMATIC_KEY: True}))
            events |= machine._create_events(event_type, automatic)
        return events

    @api.model
    def _repeat_domain(self, event_type):
        """A machine's fetch repeats a machine's, a person's a person's: the
        open that follows a prefetch within seconds is still an open."""
        domain = super()._repeat_domain(event_type)
        if event_type not in ENGAGEMENT_EVENTS:
            return domain
        operator = "in" if self.env.context.get(AUTOMATIC_KEY) else "not in"
        return [*domain, ("open_kind", operator, sorted(open_classifier.AUTOMATIC_KINDS))]

    def _change_state(self, state, values=None, sent_rows=None):
        # a machine's open or click proves delivery, not reading
        if self.env.context.get(AUTOMATIC_KEY) and state == EVENT_STATE["open"]:
            state = EVENT_STATE["delivered"]
        return super()._change_state(state, values, sent_rows)

    def _classified_hit(self, metadata):
        """``metadata`` of an open or click of ``self``, with what the
        classifier makes of the client: ``open_kind``, and its name and type
        where the matching rule gives them."""
        if metadata.get("open_kind"):
            return metadata
        rule = open_classifier.classify(
            open_classifier.Hit(
                user_agent=metadata.get("user_agent") or "",
                seconds_since_send=self._seconds_since_send(metadata.get("timestamp")),
                address=metadata.get("ip"),
                reported_type=metadata.get("ua_type"),
            )
        )
        classified = {**metadata, "open_kind": rule.kind}
        if rule.family:
            classified["ua_family"] = rule.family
        if rule.agent_type:
            classified["ua_type"] = rule.agent_type
        return classified

    def _seconds_since_send(self, timestamp):
        """Seconds between the send of ``self`` and ``timestamp``; ``None``
        when either is unknown (an open given without its time, a tracking
        never sent)."""
        if not timestamp or not self.state or not self.timestamp:
            return None
        return timestamp - self.timestamp

    def _details(self):
        """The details popover's, with who each open or click came from."""
        details = super()._details()
        events = self.tracking_event_ids.browse([event["id"] for event in details["events"]])
        for values, event in zip(details["events"], events, strict=True):
            values.update(
                open_kind=event.open_kind,
                automatic=event.automatic,
                engagement_note=event.engagement_note,
                url=event.url,
            )
        return details
