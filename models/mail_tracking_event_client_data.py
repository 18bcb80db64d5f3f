from odoo import api, models

from ..tools.client_data_policy import KEEP

#: System parameters of the policies (Settings > Discuss > Email tracking).
IP_POLICY_PARAM = "mail_activity_tracking.ip_policy"
USER_AGENT_POLICY_PARAM = "mail_activity_tracking.user_agent_policy"


class MailTrackingEvent(models.Model):
    """The client data policies: what is kept of the IP address and the user
    agent of the client behind an open or a click. They apply to every event,
    whatever brought it (the pixel, a click, a mail provider,
    ``event_create``), at create and at write, before anything is stored
    (``mail.tracking.event.create`` and ``write``)."""

    _inherit = "mail.tracking.event"

    @api.model
    def _client_data_policies(self):
        """``(ip_policy, user_agent_policy)``: keep, truncate or drop."""
        # sudo: the policies apply to whoever records an event
        Param = self.env["ir.config_parameter"].sudo()
        return (
            Param.get_param(IP_POLICY_PARAM) or KEEP,
            Param.get_param(USER_AGENT_POLICY_PARAM) or KEEP,
        )
