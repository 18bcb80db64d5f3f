from odoo import models, tools
from odoo.tools import SQL

from odoo.addons.mail.tools.discuss import Store

from ..tools.recipients import TrackedRow, recipient_dict, tracked_recipient


class MailMessage(models.Model):
    """The recipients' statuses in the chatter's data."""

    _inherit = "mail.message"

    # Odoo's own bus payloads stay as Odoo builds them: clients hear of new
    # statuses through STATUSES_CHANGED (and ``_tracking_bus_send``), and
    # fetch them; the data a client asks for carries them.

    def _extras_to_store(self, store: Store, format_reply):
        result = super()._extras_to_store(store, format_reply=format_reply)
        if store.target.channel is None:
            self._tracking_to_store(store)
        return result

    def _message_notifications_to_store(self, store: Store):
        result = super()._message_notifications_to_store(store)
        if store.target.channel is None:
            self._tracking_to_store(store)
        return result

    def _tracking_to_store(self, store: Store, recipients=None):
        """Add the recipients' tracking statuses of the messages of ``self``
        that carry trackings to ``store``, for the whole batch in a constant
        number of queries. Other messages (Discuss channels, notes) keep the
        payload Odoo gives them. Only internal users get them: a portal
        chatter shows no other recipient's address."""
        if not self.env.user._is_internal():
            return
        recipients = self._tracking_recipients() if recipients is None else recipients
        # only a message needing action may be failed: no query for the others
        failed = self.filtered(lambda message: message.mail_tracking_needs_action and message.is_failed_message)
        # Retry and Review are offered on the messages of the user's Failed box only
        can_act = failed._tracking_actionable()
        for message in self:
            if message.id in recipients:
                store.add(
                    message,
                    {
                        "tracking_recipients": recipients[message.id],
                        "is_failed_message": message in failed,
                        "tracking_can_act": message in can_act,
                    },
                )

    def _tracking_recipients(self):
        """``{message id: [recipient dict]}`` for the messages of ``self`` that
        carry trackings: every tracked recipient with its status, then the
        notified partners without tracking (Unknown, or No Email), the raw To
        addresses without tracking (No Partner) and the Cc addresses (Cc)."""
        # Discuss channels send no email: no query for them
        # sudo: the statuses of the recipients of messages the user may read (checked by the caller)
        messages = self.sudo().filtered(lambda message: message.model != "discuss.channel")
        rows_of = messages._tracking_rows_by_message()
        result = {}
        for message in messages:
            rows = rows_of.get(message.id, ())
            if not (rows or message.mail_tracking_needs_action):
                continue
            recipients = [tracked_recipient(row) for row in rows]
            tracked_addresses = {row.recipient_address or False for row in rows}
            shown = {row.partner_id for row in rows} | {message.author_id.id}
            email_partners = message.notification_ids.filtered(lambda n: n.notification_type == "email").res_partner_id
            for partner in email_partners | message.partner_ids:
                if partner.id not in shown:
                    status = "unknown" if partner.email else "noemail"
                    recipients.append(recipient_dict(partner.name, partner.email, status, partner.id))
            for name, address in tools.mail.email_split_tuples(message.email_to or ""):
                if tools.email_normalize(address) not in tracked_addresses:
                    recipients.append(recipient_dict(name, tools.email_normalize(address), "anonuser"))
            for name, address in tools.mail.email_split_tuples(message.email_cc or ""):
                recipients.append(recipient_dict(name, tools.email_normalize(address), "cc"))
            result[message.id] = recipients
        return result

    def _tracking_rows_by_message(self):
        """``{message id: [TrackedRow]}`` of ``self``, sorted by tracking id:
        the trackings of messages created in this transaction are in cache
        already; the others come in one query, as plain rows (the ORM would
        spend more than the query on a page of trackings). Each partner is
        looked up by its id (``OFFSET 0`` keeps the subquery from becoming a
        join): expecting a few hundred trackings, PostgreSQL would otherwise
        hash the whole partner table, 10 ms on 20,000 contacts."""
        uncached = self.browse(self._fields["mail_tracking_ids"]._cache_missing_ids(self))
        rows = [_cached_row(tracking) for tracking in (self - uncached).mail_tracking_ids]
        if uncached:
            self.env["mail.tracking.email"].flush_model()
            self.env["res.partner"].flush_model(["name", "email_normalized"])
            rows += map(
                TrackedRow._make,
                self.env.execute_query(
                    SQL(
                        """SELECT tracking.mail_message_id, tracking.id, tracking.partner_id, partner.name,
                                  partner.email_normalized, tracking.recipient, tracking.recipient_address,
                                  tracking.state, tracking.error_type, tracking.error_description,
                                  tracking.bounce_description
                             FROM mail_tracking_email tracking
                        LEFT JOIN LATERAL (SELECT name, email_normalized FROM res_partner
                                            WHERE res_partner.id = tracking.partner_id
                                           OFFSET 0) partner ON TRUE
                            WHERE tracking.mail_message_id IN %s""",
                        tuple(uncached.ids),
                    )
                ),
            )
        rows_of = {}
        for row in sorted(rows, key=lambda row: row.id):
            rows_of.setdefault(row.message_id, []).append(row)
        return rows_of


def _cached_row(tracking):
    partner = tracking.partner_id
    return TrackedRow(
        tracking.mail_message_id.id,
        tracking.id,
        partner.id or None,
        partner.name or None,
        partner.email_normalized or None,
        tracking.recipient or None,
        tracking.recipient_address or None,
        tracking.state or None,
        tracking.error_type or None,
        tracking.error_description or None,
        tracking.bounce_description or None,
    )
