"""What anonymising an event removes (the privacy lookup's "Anonymise", or
its tracking's): whatever names or locates the recipient. Its type and time
stay."""

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


class MailTrackingEvent(models.Model):
    _inherit = "mail.tracking.event"

    def _privacy_anonymize(self):
        self.write(dict.fromkeys(PERSONAL_EVENT_FIELDS, False))
