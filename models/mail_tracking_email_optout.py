from odoo import api, fields, models

#: Events that tell what a recipient did with an email: not recorded for a
#: recipient who opted out.
ENGAGEMENT_EVENTS = ("open", "click")

#: Where ``_address_opted_out`` keeps, for the transaction, the raw
#: addresses it looked up.
OPTED_OUT_ADDRESSES_KEY = "mail_activity_tracking.opted_out_addresses"


class MailTrackingEmail(models.Model):
    _inherit = "mail.tracking.email"

    tracking_opted_out = fields.Boolean(
        string="Recipient opted out",
        readonly=True,
        help="The recipient asked not to be tracked: the email carried no open pixel and no tracked link, "
        "and its opens and clicks are not recorded.",
    )

    def _engagement_tracking_allowed(self):
        """Whether the opens and clicks of the email to ``self`` (the
        trackings of one outgoing email) may be tracked: none of its
        recipients opted out. The trackings of those who did are marked, so
        that their details say why."""
        opted_out = self._opted_out()
        if opted_out:
            # sudo: sending marks the trackings, whoever sends
            opted_out.sudo().tracking_opted_out = True
        return not opted_out

    def _opted_out(self):
        """The trackings of ``self`` to a contact who opted out; for a raw
        address, to an address a contact who opted out uses, or to any
        address when the default is not to track."""
        with_partner = self.filtered("partner_id")
        raw = self - with_partner
        opted_out = with_partner.filtered(lambda tracking: tracking.partner_id.mail_tracking_optout)
        if raw:
            if self.env["res.partner"]._mail_tracking_optout_default():
                return opted_out | raw
            opted_out |= raw.filtered(lambda tracking: raw._address_opted_out(tracking.recipient_address))
        return opted_out

    def _address_opted_out(self, address):
        """Whether a contact who opted out uses ``address``. Odoo prepares
        the emails of a batch one by one: the addresses of all the trackings
        read with ``self`` are looked up at once, once per transaction."""
        known = self.env.cr.precommit.data.setdefault(OPTED_OUT_ADDRESSES_KEY, {})
        if address not in known:
            batch = self.browse(self._prefetch_ids)
            addresses = {address} | set(
                batch.filtered(lambda tracking: not tracking.partner_id).mapped("recipient_address")
            )
            addresses -= {False, *known}
            opted_out = self.env["res.partner"]._mail_tracking_opted_out_addresses(addresses)
            known.update({candidate: candidate in opted_out for candidate in addresses})
        return known.get(address, False)

    @api.model
    def _create_events(self, event_type, hits):
        if event_type in ENGAGEMENT_EVENTS:
            hits = [(tracking, metadata) for tracking, metadata in hits if not tracking.tracking_opted_out]
            if not hits:
                return self.env["mail.tracking.event"]
        return super()._create_events(event_type, hits)

    def _details(self):
        details = super()._details()
        if self.tracking_opted_out:
            details["not_tracked_reason"] = self.env._("Not tracked: the recipient asked not to be tracked.")
        return details
