from odoo import api, fields, models

#: Events that tell what a recipient did with an email: not recorded for a
#: recipient who opted out.
ENGAGEMENT_EVENTS = ("open", "click")


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
            addresses = self.env["res.partner"]._mail_tracking_opted_out_addresses(
                set(raw.mapped("recipient_address")) - {False}
            )
            opted_out |= raw.filtered(lambda tracking: tracking.recipient_address in addresses)
        return opted_out

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
