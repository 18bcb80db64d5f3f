from collections import defaultdict

from odoo import api, models, tools

from ..tools.references import parse_references


class MailTrackingEmail(models.Model):
    """Events from mail providers' webhooks, on the trackings they are
    about."""

    _inherit = "mail.tracking.email"

    @api.model
    def _record_provider_events(self, provider, events):
        """Record ``events`` (``ProviderEvent``) of ``provider``, found by our
        reference, else by Message-ID and recipient. Events recorded before
        (providers post again what they are not sure we got) and events
        about emails this database did not send are left out. Returns the
        events created."""
        hits = defaultdict(list)
        for event, tracking in self._provider_event_trackings(events):
            metadata = {**event.metadata, "provider_event_id": f"{provider}:{event.event_id}"}
            key = (event.event_type, metadata.get("bounce_type"), metadata.get("bounce_description"))
            hits[key].append((tracking, metadata))
        new_hits = self._provider_hits_not_recorded(hits)
        created = self.env["mail.tracking.event"]
        for (event_type, _bounce_type, _bounce_description), type_hits in new_hits.items():
            events = self._record_events(event_type, type_hits)
            created |= events
            # what the pipeline left out (a repeat, a recipient who opted out) goes no further
            recorded = set(events.tracking_email_id.ids)
            self._tell_odoo(provider, event_type, [hit for hit in type_hits if hit[0].id in recorded])
        return created

    @api.model
    def _tell_odoo(self, provider, event_type, hits):
        """What ``provider`` reported reaches Odoo's own records of the
        emails: a hard bounce its bounce handling (for any email, as a
        report through the mail gateway does), the rest the traces of
        Email Marketing's mailings."""
        if not hits:
            return
        if event_type == "hard_bounce":
            for tracking, metadata in hits:
                self.env["mail.thread"]._handle_provider_bounce(tracking, provider, metadata)
        else:
            self.union(*(tracking for tracking, _metadata in hits))._tell_mailings(event_type)

    @api.model
    def _provider_event_trackings(self, events):
        """``[(event, tracking)]``: the tracking each event is about."""
        # sudo: webhooks are verified by the caller; events name trackings of any user
        Tracking = self.sudo()
        tokens = {}
        for event in events:
            # each event's own references: a batch may name many more emails than one header does
            tokens.update(parse_references(event.reference))
        by_reference = Tracking._from_tokens(tokens)
        by_id = {tracking.id: tracking for tracking in by_reference}
        message_ids = [event.message_id for event in events if event.message_id]
        by_message = Tracking.search([("message_id", "in", message_ids)]).grouped("message_id") if message_ids else {}
        pairs = []
        for event in events:
            ids = {_reference_id(item) for item in event.reference.split(",")}
            candidates = Tracking.union(*(by_id[tracking_id] for tracking_id in ids if tracking_id in by_id))
            candidates = candidates or by_message.get(event.message_id, Tracking)
            tracking = _tracking_of_recipient(candidates, event.recipient)
            if tracking:
                pairs.append((event, tracking))
        return pairs

    @api.model
    def _provider_hits_not_recorded(self, hits):
        """``hits`` less the events recorded already, in one query."""
        event_ids = [metadata["provider_event_id"] for type_hits in hits.values() for _tracking, metadata in type_hits]
        recorded = set(
            self.env["mail.tracking.event"]
            # sudo: provider events are recorded for the server: which were, whoever asks
            .sudo()
            .search_fetch([("provider_event_id", "in", event_ids)], ["tracking_email_id", "provider_event_id"])
            .mapped(lambda event: (event.tracking_email_id.id, event.provider_event_id))
        )
        new_hits = {}
        for key, type_hits in hits.items():
            for tracking, metadata in type_hits:
                pair = (tracking.id, metadata["provider_event_id"])
                if pair not in recorded:
                    recorded.add(pair)
                    new_hits.setdefault(key, []).append((tracking, metadata))
        return new_hits


def _reference_id(item):
    tracking_id = item.strip().partition("-")[0]
    return int(tracking_id) if tracking_id.isascii() and tracking_id.isdigit() and len(tracking_id) < 11 else None


def _tracking_of_recipient(candidates, recipient):
    """The one tracking of ``candidates`` the event's ``recipient`` is, or
    the only candidate when the event names no recipient."""
    address = tools.email_normalize(recipient or "")
    if address:
        candidates = candidates.filtered(lambda tracking: tracking.recipient_address == address)
    return candidates if len(candidates) == 1 else None
