from odoo import api, fields, models

from ..tools.client_data_policy import apply_client_policy
from ..tools.states import EVENT_TYPES
from ..tools.timestamps import complete_times


class MailTrackingEvent(models.Model):
    _name = "mail.tracking.event"
    _description = "Email tracking event"
    _order = "timestamp desc, id desc"
    _rec_name = "event_type"

    recipient = fields.Char(readonly=True)
    recipient_address = fields.Char(readonly=True, index="btree_not_null")
    timestamp = fields.Float(string="UTC timestamp", readonly=True, digits=(18, 6))
    time = fields.Datetime(readonly=True, index=True)
    date = fields.Date(compute="_compute_date", store=True, readonly=True)
    tracking_email_id = fields.Many2one(
        "mail.tracking.email", string="Message", readonly=True, required=True, ondelete="cascade", index=True
    )
    event_type = fields.Selection(
        EVENT_TYPES,
        readonly=True,
        index=True,
    )
    smtp_server = fields.Char(string="SMTP server", readonly=True)
    url = fields.Char(string="Clicked URL", readonly=True)
    ip = fields.Char(string="User IP", readonly=True)
    user_agent = fields.Char(readonly=True)
    mobile = fields.Boolean(string="Is mobile?", readonly=True)
    os_family = fields.Char(string="Operating system family", readonly=True)
    ua_family = fields.Char(string="User agent family", readonly=True)
    ua_type = fields.Char(string="User agent type", readonly=True)
    user_country_id = fields.Many2one("res.country", string="User country", readonly=True)
    error_type = fields.Char(readonly=True)
    error_description = fields.Char(readonly=True)
    error_details = fields.Text(readonly=True)
    provider_event_id = fields.Char(
        string="Provider event", readonly=True, help="The mail provider's id of this event: it is recorded once."
    )

    _provider_event_unique = models.UniqueIndex(
        "(tracking_email_id, provider_event_id) WHERE provider_event_id IS NOT NULL"
    )

    @api.model_create_multi
    def create(self, vals_list):
        # every event, whatever brought it: the client data policies apply
        # before anything is stored (mail_tracking_event_client_data.py)
        policies = self._client_data_policies()
        return super().create([complete_times(apply_client_policy(vals, *policies)) for vals in vals_list])

    def write(self, vals):
        return super().write(apply_client_policy(vals, *self._client_data_policies()))

    @api.depends("time")
    def _compute_date(self):
        for event in self:
            event.date = event.time and event.time.date()

    @api.model
    def _values_from_metadata(self, event_type, metadata):
        """Event values from an ``event_create`` metadata dict: known keys
        only, times completed from each other."""
        keys = (*self._metadata_fields(), "timestamp", "time")
        values = {key: metadata[key] for key in keys if metadata.get(key) is not None}
        return {**values, "event_type": event_type}

    @api.model
    def _metadata_fields(self):
        return (
            "recipient",
            "ip",
            "user_agent",
            "os_family",
            "ua_family",
            "ua_type",
            "mobile",
            "url",
            "user_country_id",
            "error_type",
            "error_description",
            "error_details",
            "smtp_server",
            "provider_event_id",
            "open_kind",
        )
