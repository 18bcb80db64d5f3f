"""Replies: an incoming email that answers a tracked email (its
In-Reply-To or References name the Message-ID we sent) from that email's
recipient is a ``reply`` event, the engagement no machine fakes; it moves
the state as a person's open does. The mail gateway hands each incoming
email here (``mail.thread._routing_reset_bounce``)."""

from odoo import api, fields, models, tools
from odoo.tools import SQL
from odoo.tools.sql import column_exists, table_exists

from ..tools.timestamps import complete_times


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    replied = fields.Integer(
        readonly=True,
        default=0,
        help="1 when the recipient replied to the email (from the address it was sent to), 0 otherwise.",
    )

    def _auto_init(self):
        """On a database with trackings already, the column is made with 0
        for every row at once (none has a reply yet), rather than filled by
        an update of each."""
        cr = self.env.cr
        if table_exists(cr, self._table) and not column_exists(cr, self._table, "replied"):
            cr.execute(SQL("ALTER TABLE mail_tracking_email ADD COLUMN replied int4 DEFAULT 0"))
            cr.execute(SQL("ALTER TABLE mail_tracking_email ALTER COLUMN replied DROP DEFAULT"))
        return super()._auto_init()

    @api.model
    def _record_reply(self, message_dict):
        """Record the incoming email ``message_dict`` (as Odoo's gateway
        parsed it) as a reply on the trackings it answers from their
        recipient's address; return the events."""
        sender = tools.email_normalize(message_dict.get("email_from") or "")
        message_ids = {
            message_id.strip()
            for message_id in (
                *tools.mail.unfold_references(message_dict.get("references") or ""),
                message_dict.get("in_reply_to") or "",
            )
            if message_id.strip()
        }
        if not (sender and message_ids):
            return self.env["mail.tracking.event"]
        # sudo: an incoming email arrives for the server, not for a user
        trackings = self.sudo().search([("message_id", "in", sorted(message_ids)), ("recipient_address", "=", sender)])
        if not trackings:
            return self.env["mail.tracking.event"]
        return self._record_events("reply", [(tracking, complete_times({})) for tracking in trackings])
