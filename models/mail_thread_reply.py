from odoo import api, models


class MailThread(models.AbstractModel):
    _inherit = "mail.thread"

    @api.model
    def _routing_reset_bounce(self, email_message, message_dict):
        """Odoo's gateway calls this once for each incoming email that is no
        bounce (after its duplicate and loop checks, before routing): a
        reply of a tracked email's recipient is recorded there."""
        result = super()._routing_reset_bounce(email_message, message_dict)
        self.env["mail.tracking.email"]._record_reply(message_dict)
        return result
