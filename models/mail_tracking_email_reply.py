"""Replies: an incoming email that answers a tracked email (its
In-Reply-To or References name the Message-ID we sent) from that email's
recipient is a ``reply`` event, the engagement no machine fakes; it moves
the state as a person's open does. The mail gateway hands each incoming
email here (``mail.thread._routing_reset_bounce``)."""

from odoo import api, fields, models, tools

from ..tools.timestamps import complete_times


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    # no default: the trackings of a database that had some before are
    # read as 0 without an update of each
    replied = fields.Integer(
        readonly=True,
        help="1 when the recipient replied to the email (from the address it was sent to), 0 otherwise.",
    )

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
