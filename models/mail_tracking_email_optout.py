"""A recipient who asked not to be tracked: the email to them carries no
open pixel and no tracked link, and their opens, clicks and replies are not
recorded (the opt-out step of ``mail_tracking_email_events.py``), those of
the emails sent before they asked included."""

from odoo import fields, models


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

    def _opted_out_now(self):
        """The trackings of ``self`` whose recipient opted out: when the email
        was sent (``tracking_opted_out``), or since (the pixel and the links
        of an email sent before, a provider's report)."""
        marked = self.filtered("tracking_opted_out")
        return marked | (self - marked)._opted_out()

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
