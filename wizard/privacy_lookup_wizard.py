from odoo import models, tools
from odoo.tools import SQL

#: The addon's models that hold personal data of a recipient; the lookup
#: finds their records by the recipient's address or contact (the links,
#: by the address they name).
TRACKING_MODELS = ("mail.tracking.email", "mail.tracking.event", "mail.tracking.link")


class PrivacyLookupWizard(models.TransientModel):
    """The trackings of a person, the events of those trackings, the links
    that name their address and the messages whose raw recipients name
    them, found by address or contact; Odoo's generic search would only
    find the trackings by contact."""

    _inherit = "privacy.lookup.wizard"

    def _get_query_models_blacklist(self):
        return [*super()._get_query_models_blacklist(), *TRACKING_MODELS]

    def _get_query(self):
        query = super()._get_query()
        address = tools.email_normalize(self.email.strip())
        model_id = self.env["ir.model"]._get_id
        trackings = SQL(
            """SELECT id FROM mail_tracking_email
                WHERE recipient_address = %s OR partner_id IN (SELECT id FROM indirect_references)""",
            address,
        )
        return SQL(
            """%(query)s
            UNION ALL
            SELECT %(tracking_model)s AS res_model_id, id AS res_id, True AS is_active
              FROM (%(trackings)s) trackings
            UNION ALL
            SELECT %(event_model)s AS res_model_id, id AS res_id, True AS is_active
              FROM mail_tracking_event
             WHERE recipient_address = %(address)s OR tracking_email_id IN (%(trackings)s)
            UNION ALL
            SELECT %(message_model)s AS res_model_id, id AS res_id, True AS is_active
              FROM mail_message
             WHERE email_to ILIKE %(pattern)s OR email_cc ILIKE %(pattern)s
            UNION ALL
            SELECT %(link_model)s AS res_model_id, id AS res_id, True AS is_active
              FROM mail_tracking_link
             WHERE %(naming_links)s""",
            query=query,
            trackings=trackings,
            address=address,
            pattern=f"%{address}%",
            tracking_model=model_id("mail.tracking.email"),
            event_model=model_id("mail.tracking.event"),
            message_model=model_id("mail.message"),
            link_model=model_id("mail.tracking.link"),
            naming_links=self.env["mail.tracking.link"]._naming_sql([address]),
        )
