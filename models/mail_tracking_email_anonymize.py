"""What anonymising a tracking removes (the privacy lookup's "Anonymise"):
whatever names or locates its recipient, the links that name its address
included. The state, the times and the event types stay, so that counts,
scores and reports keep their figures."""

from odoo import models

#: The fields of a tracking that are personal data (its display name and
#: address follow its recipient).
PERSONAL_TRACKING_FIELDS = ("recipient", "partner_id", "error_description", "bounce_description")


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    def _privacy_anonymize(self):
        addresses = set(self.mapped("recipient_address")) - {False}
        self.write(dict.fromkeys(PERSONAL_TRACKING_FIELDS, False))
        self.tracking_event_ids._privacy_anonymize()
        # the links that name the recipient (sent to them, or to others)
        self.env["mail.tracking.link"]._naming(addresses)._privacy_anonymize(addresses)
