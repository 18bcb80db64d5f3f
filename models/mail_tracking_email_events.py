"""Events on trackings. Whatever brings an event (the open pixel, a click,
a bounce, a mail provider, ``event_create``), it is recorded by one
pipeline, ``_record_events``, whose steps run in this order:

1. classify: an open or a click is a person's or a machine's
   (``tools.open_classifier``), told here, where the time since the send is
   known;
2. opt-out: the opens, clicks and replies of a recipient who asked not to
   be tracked are dropped, those of emails sent before they asked too;
3. de-duplicate: an open or a click that repeats one of the same kind (a
   person's, a machine's; on the same link) within ``OPEN_DEDUP_SECONDS``
   counts once;
4. create the events;
5. change the states, by the one path of a state change (``_change_state``),
   each towards the state of its event (``tools.states.event_state``), which
   announces it: the message's needs-action flag and the bus notice that
   refreshes the chatter's icons; a reply counts on its tracking (Replied);
6. a bounce flags the contacts of its address.
"""

import logging
import time
from collections import defaultdict

from odoo import api, models

from ..tools import open_classifier
from ..tools.states import BOUNCING_EVENTS, ENGAGEMENT_EVENTS, EVENT_STATE, OPTED_OUT_EVENTS, event_state

_logger = logging.getLogger(__name__)

#: Opens of one email closer together than this are one open (mail clients
#: and image proxies often fetch the pixel several times in a row).
OPEN_DEDUP_SECONDS = 10
#: The event fields whose values an event shares with the earlier ones it
#: repeats: a click repeats a click on the same link, not on another link.
REPEAT_FIELDS = {"click": ("url",)}


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    def event_create(self, event_type, metadata):
        """Record one ``event_type`` event per tracking in ``self`` and move
        each tracking's state by the precedence rules of
        ``tools.states.next_state``.

        :param str event_type: one of ``mail.tracking.event`` event types
        :param dict metadata: event values (timestamp, ip, user_agent, ...)
        :return: the created events
        """
        self.check_access("write")
        if event_type not in EVENT_STATE:
            _logger.info("Ignoring unknown email tracking event type %r", event_type)
            return self.env["mail.tracking.event"]
        # sudo: the caller's right to write the trackings was checked above
        return self._record_events(event_type, [(tracking, metadata) for tracking in self.sudo()])

    @api.model
    def _record_events(self, event_type, hits):
        """Record ``hits``, ``[(tracking, metadata)]``, as events of
        ``event_type`` through the steps of the module's docstring, in a few
        queries per batch; return the events created."""
        hits = self._classify(event_type, hits)
        hits = self._without_opted_out(event_type, hits)
        hits = self._without_repeats(event_type, hits)
        if not hits:
            return self.env["mail.tracking.event"]
        events = self._create_event_records(event_type, hits)
        self._move_states(event_type, hits)
        self._flag_bounced_addresses(event_type, hits)
        return events

    @api.model
    def _classify(self, event_type, hits):
        """1. Opens and clicks with what the classifier makes of their
        client (``_classified``)."""
        if event_type not in ENGAGEMENT_EVENTS:
            return hits
        return [(tracking, tracking._classified(metadata)) for tracking, metadata in hits]

    @api.model
    def _without_opted_out(self, event_type, hits):
        """2. ``hits`` less the opens, clicks and replies of trackings to a
        recipient who opted out, when the email was sent or since
        (``_opted_out_now``)."""
        if event_type not in OPTED_OUT_EVENTS or not hits:
            return hits
        # sudo: who asked not to be tracked decides, whoever records
        opted_out = self.sudo().union(*(tracking for tracking, _metadata in hits))._opted_out_now()
        return [(tracking, metadata) for tracking, metadata in hits if tracking not in opted_out]

    @api.model
    def _without_repeats(self, event_type, hits):
        """3. ``hits`` less the opens and clicks that come within
        ``OPEN_DEDUP_SECONDS`` of an earlier event of the same tracking, type,
        kind (a person's, a machine's) and ``REPEAT_FIELDS``."""
        if event_type not in ENGAGEMENT_EVENTS or not hits:
            return hits
        # sudo: the dedup reads every event of these trackings
        trackings = self.sudo().union(*(tracking for tracking, _metadata in hits))
        # concurrent hits of one tracking queue up here (and retry if needed)
        trackings.lock_for_update()
        fields = REPEAT_FIELDS.get(event_type, ())
        last = {}
        for tracking, kind, *values, timestamp in (
            self.env["mail.tracking.event"]
            # sudo: the last events of these trackings, whoever may read them
            .sudo()
            ._read_group(
                [("tracking_email_id", "in", trackings.ids), ("event_type", "=", event_type)],
                ["tracking_email_id", "open_kind", *fields],
                ["timestamp:max"],
            )
        ):
            key = (tracking, open_classifier.is_automatic(kind), *values)
            last[key] = max(timestamp or 0, last.get(key, 0))
        now = time.time()
        kept = []
        for tracking, metadata in sorted(hits, key=lambda hit: hit[1].get("timestamp") or now):
            automatic = open_classifier.is_automatic(metadata.get("open_kind"))
            key = (tracking, automatic, *(metadata.get(field) or False for field in fields))
            timestamp = metadata.get("timestamp") or now
            if timestamp - last.get(key, 0) >= OPEN_DEDUP_SECONDS:
                kept.append((tracking, metadata))
                last[key] = timestamp
        return kept

    @api.model
    def _create_event_records(self, event_type, hits):
        """4. The events of ``hits``, in one insert."""
        # sudo: events are written by the server only
        Event = self.env["mail.tracking.event"].sudo()
        return Event.create(
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

    @api.model
    def _move_states(self, event_type, hits):
        """5. Each tracking of ``hits`` towards the state of its event, a
        machine's or not (``tools.states.event_state``), with the bounce's
        type and description, or the count of a reply."""
        metadata = hits[0][1]
        values = {key: metadata[key] for key in ("bounce_type", "bounce_description") if metadata.get(key)}
        if event_type == "reply":
            values["replied"] = 1
        by_state = defaultdict(list)
        for tracking, metadata in hits:
            by_state[event_state(event_type, open_classifier.is_automatic(metadata.get("open_kind")))].append(tracking)
        for state, trackings in by_state.items():
            # sudo: the states move for the server, after the events are recorded
            self.sudo().union(*trackings)._change_state(state, values)

    @api.model
    def _flag_bounced_addresses(self, event_type, hits):
        """6. A bounce, a reject or a spam complaint flags the contacts of
        the address (``_flag_bounced_partners``)."""
        if event_type in BOUNCING_EVENTS:
            # sudo: the contacts of a bounced address are flagged, whoever the sender
            self.sudo().union(*(tracking for tracking, _metadata in hits))._flag_bounced_partners()

    def _classified(self, metadata):
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
