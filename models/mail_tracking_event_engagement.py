"""Who an open or a click came from: a person, or a machine (see
``tools.open_classifier``)."""

from odoo import api, fields, models

from ..tools import open_classifier
from ..tools.states import ENGAGEMENT_EVENTS


class MailTrackingEvent(models.Model):
    _inherit = "mail.tracking.event"

    open_kind = fields.Selection(
        [
            (open_classifier.PERSON, "Person"),
            (open_classifier.PROXY, "Image proxy"),
            (open_classifier.PREFETCH, "Privacy prefetch"),
            (open_classifier.SCANNER, "Security scanner"),
        ],
        string="Opened by",
        readonly=True,
        help="Who fetched the email's image or followed its link: a person (or an image proxy on their behalf), "
        "or a machine that proves delivery only (a privacy prefetch, a security scanner).",
    )
    automatic = fields.Boolean(
        compute="_compute_engagement_note",
        help="Fetched by a machine on delivery: proves the email arrived, not that it was read.",
    )
    engagement_note = fields.Char(string="Engagement", compute="_compute_engagement_note")

    @api.depends("event_type", "open_kind", "ua_family")
    def _compute_engagement_note(self):
        for event in self:
            event.automatic = open_classifier.is_automatic(event.open_kind)
            event.engagement_note = event._engagement_note()

    def _engagement_note(self):
        """Who the open or click of ``self`` came from, in words; ``False``
        for another event, or an open recorded before opens were told apart."""
        if self.event_type not in ENGAGEMENT_EVENTS or not self.open_kind:
            return False
        if self.open_kind == open_classifier.PERSON:
            if self.event_type == "click":
                return self.env._("Clicked by a person")
            return self.env._("Opened by a person")
        if self.open_kind == open_classifier.SCANNER:
            return self.env._("Scanned by a security gateway")
        if self.open_kind == open_classifier.PREFETCH:
            if self.ua_family:
                return self.env._("Opened by %(client)s", client=self.ua_family)
            return self.env._("Fetched on delivery by a privacy prefetch")
        if self.ua_family:
            return self.env._("Opened through %(client)s", client=self.ua_family)
        return self.env._("Opened through an image proxy")

    @api.model
    def _get_view(self, view_id=None, view_type="form", **options):
        """The search filters of a person's opens and clicks, and of a
        machine's, as ``tools.states`` and ``tools.open_classifier`` define
        them."""
        arch, view = super()._get_view(view_id, view_type, **options)
        if view_type == "search":
            automatic = sorted(open_classifier.AUTOMATIC_KINDS)
            domains = {
                "by_person": [("event_type", "in", list(ENGAGEMENT_EVENTS)), ("open_kind", "not in", automatic)],
                "by_machine": [("open_kind", "in", automatic)],
            }
            for name, domain in domains.items():
                for node in arch.xpath(f"//filter[@name='{name}']"):
                    node.set("domain", repr(domain))
        return arch, view
