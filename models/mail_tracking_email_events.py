import logging
import time

from odoo import api, models

from ..tools.states import EVENT_STATE

_logger = logging.getLogger(__name__)

#: Opens of one email closer together than this are one open (mail clients
#: and image proxies often fetch the pixel several times in a row).
OPEN_DEDUP_SECONDS = 10
#: Events that flag the address of their tracking as bounced.
BOUNCING_EVENTS = ("hard_bounce", "reject", "spam")


class MailTrackingEmail(models.Model):
    """Events on trackings (a bounce, an open, a provider's report): each is
    recorded and moves its tracking's state; repeated opens count once."""

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
        return self._create_events(event_type, [(tracking, metadata) for tracking in self.sudo()])

    @api.model
    def _create_events(self, event_type, hits):
        """Record ``hits``, ``[(tracking, metadata)]``, as events of
        ``event_type``, and move the states, in a few queries per batch."""
        # sudo: events are written by the server only
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
        # sudo: the states move for the server, after the events are recorded
        trackings = self.sudo().union(*(tracking for tracking, _metadata in hits))
        metadata = hits[0][1]
        bounce = {key: metadata[key] for key in ("bounce_type", "bounce_description") if metadata.get(key)}
        trackings._change_state(EVENT_STATE[event_type], bounce)
        if event_type in BOUNCING_EVENTS:
            trackings._flag_bounced_partners()
        return events

    @api.model
    def _repeat_domain(self, event_type):
        """The earlier events of a tracking that a new ``event_type`` event
        repeats, when they are close in time."""
        return [("event_type", "=", event_type)]

    @api.model
    def _repeat_fields(self, event_type):
        """The event fields whose values a new ``event_type`` event shares
        with the earlier events it repeats: a click repeats a click on the
        same link, not one on another link of the email."""
        return ["url"] if event_type == "click" else []

    def _deduplicated(self, event_type, hits):
        """``hits`` less those that come within ``OPEN_DEDUP_SECONDS`` of an
        earlier ``event_type`` event of the same tracking (and the same
        ``_repeat_fields``)."""
        # sudo: the dedup reads every event of these trackings
        trackings = self.sudo().union(*(tracking for tracking, _metadata in hits))
        # concurrent hits of one tracking queue up here (and retry if needed)
        trackings.lock_for_update()
        fields = self._repeat_fields(event_type)
        last = {
            tuple(group): timestamp
            for *group, timestamp in self.env["mail.tracking.event"]
            # sudo: the last events of these trackings, whoever may read them
            .sudo()
            ._read_group(
                [("tracking_email_id", "in", trackings.ids), *self._repeat_domain(event_type)],
                ["tracking_email_id", *fields],
                ["timestamp:max"],
            )
        }
        now = time.time()
        kept = []
        for tracking, metadata in sorted(hits, key=lambda hit: hit[1].get("timestamp") or now):
            key = (tracking, *(metadata.get(field) or False for field in fields))
            timestamp = metadata.get("timestamp") or now
            if timestamp - (last.get(key) or 0) >= OPEN_DEDUP_SECONDS:
                kept.append((tracking, metadata))
                last[key] = timestamp
        return kept
