"""What anonymising a tracking removes: whatever names or locates its
recipient. The state, the times and the event types stay, so that counts,
scores and reports keep their figures."""

from odoo import models

#: The fields of an event that are personal data.
PERSONAL_EVENT_FIELDS = (
    "recipient",
    "recipient_address",
    "ip",
    "user_agent",
    "user_country_id",
    "url",
    "error_description",
    "error_details",
)
#: The fields of a tracking that are personal data (its display name and
#: address follow its recipient).
PERSONAL_TRACKING_FIELDS = ("recipient", "partner_id", "error_description", "bounce_description")


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    def _privacy_anonymize(self):
        self.write(dict.fromkeys(PERSONAL_TRACKING_FIELDS, False))
        self.tracking_event_ids._privacy_anonymize()


class MailTrackingEvent(models.Model):
    _inherit = "mail.tracking.event"

    def _privacy_anonymize(self):
        self.write(dict.fromkeys(PERSONAL_EVENT_FIELDS, False))
