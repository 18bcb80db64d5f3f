from odoo import models, tools
from odoo.tools import SQL

from odoo.addons.mail.tools.discuss import Store

from ..tools.context_keys import CHATTER_KEY
from ..tools.recipients import TrackedRow, tracked_recipient, untracked_recipients


class MailMessage(models.Model):
    """The recipients' statuses in the chatter's data."""

    _inherit = "mail.message"

    # Odoo's own bus payloads stay as Odoo builds them: clients hear of new
    # statuses through STATUSES_CHANGED (and ``_tracking_bus_send``), and
    # fetch them; the data a client asks for carries them.

    def _extras_to_store(self, store: Store, format_reply):
        result = super()._extras_to_store(store, format_reply=format_reply)
        if store.target.channel is None:
            self._tracking_to_store(store, every_message=self._tracking_store_is_chatter(store))
        return result

    def _message_notifications_to_store(self, store: Store):
        result = super()._message_notifications_to_store(store)
        if store.target.channel is None:
            self._tracking_to_store(store)
        return result

    def _tracking_store_is_chatter(self, store):
        """``store`` is the answer to a chatter: its page of messages (the
        route sets ``CHATTER_KEY``), or the message its user just posted
        (Odoo's post route hands its answer's store down as
        ``message_post_store``; the bus pushes of the post have their own)."""
        return bool(self.env.context.get(CHATTER_KEY)) or store is self.env.context.get("message_post_store")

    def _tracking_to_store(self, store: Store, recipients=None, every_message=False):
        """Add the recipients' tracking statuses of the messages of ``self``
        that carry trackings (with ``every_message``, a chatter's: of every
        message that has a recipient) to ``store``, for the whole batch in a
        constant number of queries. Other messages (Discuss channels, notes
        elsewhere) keep the payload Odoo gives them. Only internal users get
        them: a portal chatter shows no other recipient's address."""
        if not self.env.user._is_internal():
            return
        if recipients is None:
            recipients = self._tracking_recipients(every_message=every_message)
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

    def _tracking_recipients(self, every_message=False):
        """``{message id: [recipient dict]}`` for the messages of ``self`` that
        carry trackings (with ``every_message``: that have any recipient):
        every tracked recipient with its status, then the others
        (``tools.recipients.untracked_recipients``), their contacts found by
        address in one query for the whole batch."""
        # Discuss channels send no email: no query for them
        # sudo: the statuses of the recipients of messages the user may read (checked by the caller)
        messages = self.sudo().filtered(lambda message: message.model != "discuss.channel")
        rows_of = messages._tracking_rows_by_message()
        shown = messages.filtered(
            lambda message: every_message or message.id in rows_of or message.mail_tracking_needs_action
        )
        raw_of = {message.id: message._tracking_raw_recipients() for message in shown}
        contacts = self._tracking_contacts_by_address({address for raw in raw_of.values() for _n, address, _s in raw})
        result = {}
        for message in shown:
            rows = rows_of.get(message.id, ())
            partners = (message.notification_ids.res_partner_id | message.partner_ids) - message.author_id
            people = [(partner.id, partner.name, partner.email) for partner in partners]
            recipients = [tracked_recipient(row) for row in rows]
            recipients += untracked_recipients(rows, people, raw_of[message.id], contacts)
            if recipients or rows or message.mail_tracking_needs_action:
                result[message.id] = recipients
        return result

    def _tracking_raw_recipients(self):
        """``[(name, address, status)]`` of the addresses ``self`` went to
        without a partner of Odoo's: the raw To of its emails (ours,
        ``email_to``, and Odoo's, ``outgoing_email_to`` and the notified
        addresses), No Partner; an incoming email's To, No Partner, and Cc,
        Cc; the raw Cc of its emails, Cc."""
        # Odoo's notification of an address without a contact may have lost the address (a failure)
        notified = self.notification_ids.filtered(lambda notif: not notif.res_partner_id and notif.mail_email_address)
        lists = (
            (self.email_to, "anonuser"),
            (self.outgoing_email_to, "anonuser"),
            (",".join(notified.mapped("mail_email_address")), "anonuser"),
            (self.incoming_email_to, "anonuser"),
            (self.incoming_email_cc, "cc"),
            (self.email_cc, "cc"),
        )
        return [
            (name, tools.email_normalize(address) or address, status)
            for raw, status in lists
            for name, address in tools.mail.email_split_tuples(raw or "")
            if name or address
        ]

    def _tracking_contacts_by_address(self, addresses):
        """``{address: (partner id, name, email)}`` of the contacts of
        ``addresses`` (the oldest of each), in one query, none without
        addresses."""
        addresses = [address for address in addresses if address]
        if not addresses:
            return {}
        # sudo: the names of the recipients of messages the user may read, as Odoo's store shows them
        partners = (
            self.env["res.partner"]
            .sudo()
            .search_fetch(
                [("email_normalized", "in", addresses)], ["name", "email", "email_normalized"], order="id desc"
            )
        )
        return {partner.email_normalized: (partner.id, partner.name, partner.email) for partner in partners}

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
