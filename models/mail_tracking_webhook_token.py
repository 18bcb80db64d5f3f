from odoo import api, fields, models
from odoo.tools import SQL

from ..tools.provider_signatures import MAX_CLOCK_SKEW


class MailTrackingWebhookToken(models.Model):
    """The tokens of the signed webhook requests already accepted (Mailgun):
    a request signed with a token seen before is a replay. A token is kept
    as long as its signature could still be fresh."""

    _name = "mail.tracking.webhook.token"
    _description = "Webhook request token"
    _log_access = False

    token = fields.Char(required=True, readonly=True)
    time = fields.Datetime(required=True, readonly=True, index=True)

    _token_unique = models.UniqueIndex("(token)")

    @api.model
    def _insert_query(self, token):
        """The statement that keeps ``token`` if it is new, returning a row
        only then: a part of the statement that keeps the request."""
        return SQL(
            """INSERT INTO mail_tracking_webhook_token (token, time)
               VALUES (%s, now() AT TIME ZONE 'UTC')
               ON CONFLICT (token) DO NOTHING RETURNING id""",
            token,
        )

    @api.autovacuum
    def _gc_stale_tokens(self):
        self.env.execute_query(
            SQL(
                "DELETE FROM mail_tracking_webhook_token WHERE time < now() AT TIME ZONE 'UTC' - %s * interval '1 second'",
                2 * MAX_CLOCK_SKEW,
            )
        )
