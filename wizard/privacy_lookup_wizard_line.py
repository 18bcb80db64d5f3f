from odoo import models, tools
from odoo.exceptions import UserError

from .privacy_lookup_wizard import TRACKING_MODELS


class PrivacyLookupWizardLine(models.TransientModel):
    _inherit = "privacy.lookup.wizard.line"

    def action_anonymize_tracking(self):
        """Remove the person from a tracking, an event or a link found by the
        lookup; the states and counts stay, a link still leads to its page
        (deleting it is the other choice)."""
        self.ensure_one()
        if self.res_model not in TRACKING_MODELS or self.is_unlinked:
            raise UserError(self.env._("Only email trackings, their events and their links can be anonymised."))
        # sudo: the lookup is for administrators, and acts as privacy_lookup's own deletion does
        record = self.env[self.res_model].sudo().browse(self.res_id).exists()
        if self.res_model == "mail.tracking.link":
            record._privacy_anonymize([tools.email_normalize(self.wizard_id.email)])
        else:
            record._privacy_anonymize()
        self.execution_details = self.env._(
            "Anonymised %(model)s #%(id)s", model=self.res_model_id.name, id=self.res_id
        )
