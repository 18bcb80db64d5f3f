from odoo import fields, models

from .mail_tracking_email_clicks import CLICK_TRACKING_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mail_tracking_click_tracking = fields.Boolean(
        string="Track clicks in emails",
        config_parameter=CLICK_TRACKING_PARAM,
        help="The links of the emails sent to one recipient lead through this server, "
        "which records who clicked what before redirecting.",
    )
