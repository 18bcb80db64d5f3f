from odoo import api, models

from ..tools.client_data_policy import KEEP, apply_client_policy

#: System parameters of the policies (Settings > Discuss > Email tracking).
IP_POLICY_PARAM = "mail_activity_tracking.ip_policy"
USER_AGENT_POLICY_PARAM = "mail_activity_tracking.user_agent_policy"


class MailTrackingEvent(models.Model):
    """Every event is written here, whatever brought it (the pixel, a click,
    a mail provider, ``event_create``): the client data policies apply to
    all of them before anything is stored."""

    _inherit = "mail.tracking.event"

    @api.model_create_multi
    def create(self, vals_list):
        policies = self._client_data_policies()
        return super().create([apply_client_policy(vals, *policies) for vals in vals_list])

    def write(self, vals):
        return super().write(apply_client_policy(vals, *self._client_data_policies()))

    @api.model
    def _client_data_policies(self):
        """``(ip_policy, user_agent_policy)``: keep, truncate or drop."""
        # sudo: the policies apply to whoever records an event
        Param = self.env["ir.config_parameter"].sudo()
        return (
            Param.get_param(IP_POLICY_PARAM) or KEEP,
            Param.get_param(USER_AGENT_POLICY_PARAM) or KEEP,
        )
