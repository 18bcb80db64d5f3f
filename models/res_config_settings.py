from odoo import fields, models

from ..tools.client_data_policy import DROP, KEEP, TRUNCATE
from .mail_tracking_event_retention import PERSONAL_DATA_DAYS_PARAM
from .res_partner_tracking_optout import OPTOUT_DEFAULT_PARAM


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    mail_tracking_ip_policy = fields.Selection(
        [(KEEP, "Keep"), (TRUNCATE, "Truncate (IPv4 /24, IPv6 /48)"), (DROP, "Don't store")],
        string="Opener's IP address",
        default=KEEP,
        required=True,
        config_parameter="mail_activity_tracking.ip_policy",
        help="What tracking events keep of the IP address of whoever opens an email or clicks a link, "
        "and of the one a mail provider reports.",
    )
    mail_tracking_user_agent_policy = fields.Selection(
        [(KEEP, "Keep"), (TRUNCATE, "Product names only"), (DROP, "Don't store")],
        string="Opener's client",
        default=KEEP,
        required=True,
        config_parameter="mail_activity_tracking.user_agent_policy",
        help="What tracking events keep of the user agent string of the client; "
        "its family, type and operating system are kept in every case.",
    )
    mail_tracking_optout_default = fields.Boolean(
        string="Don't track recipients by default",
        config_parameter=OPTOUT_DEFAULT_PARAM,
        help='New contacts start with "Don\'t track my emails" set, and emails to addresses without a contact '
        "carry no open pixel and no tracked link.",
    )
    mail_tracking_personal_data_days = fields.Integer(
        string="Keep opener data for",
        config_parameter=PERSONAL_DATA_DAYS_PARAM,
        help="After this many days, tracking events lose the IP address and the user agent of the reader; "
        "their states and counts stay. 0 keeps them.",
    )
