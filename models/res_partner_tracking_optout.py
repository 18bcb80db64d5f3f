from odoo import api, fields, models, tools

#: System parameter: whether new contacts, and addresses without a contact,
#: are left untracked (Settings > Email tracking: privacy).
OPTOUT_DEFAULT_PARAM = "mail_activity_tracking.optout_default"


class ResPartner(models.Model):
    _inherit = "res.partner"

    mail_tracking_optout = fields.Boolean(
        string="Don't track my emails",
        default=lambda self: self._mail_tracking_optout_default(),
        help="Emails to this contact carry no open pixel and no tracked link: their status stops at Sent or Delivered.",
    )

    @api.model
    def _mail_tracking_optout_default(self):
        # sudo: the default applies to whoever creates a contact or sends an email
        value = self.env["ir.config_parameter"].sudo().get_param(OPTOUT_DEFAULT_PARAM) or ""
        return value.strip().lower() in ("1", "true")

    @api.model_create_multi
    def create(self, vals_list):
        partners = super().create(vals_list)
        if any(partners.mapped("mail_tracking_optout")):
            self.env.registry.clear_cache()
        return partners

    @api.model
    @tools.ormcache()
    def _mail_tracking_anyone_opted_out(self):
        """Whether some contact opted out: until one does, sending looks up
        no address. Cached; the cache is cleared when a contact opts out."""
        # sudo: a fact about the database, whoever sends
        return bool(
            self.sudo().with_context(active_test=False).search_count([("mail_tracking_optout", "=", True)], limit=1)
        )

    @api.model
    def _mail_tracking_opted_out_addresses(self, addresses):
        """Those of ``addresses`` (normalized) that a contact who opted out
        uses."""
        if not addresses or not self._mail_tracking_anyone_opted_out():
            return set()
        # sudo: who asked not to be tracked decides for every sender
        partners = self.sudo().search_fetch(
            [("email_normalized", "in", list(addresses)), ("mail_tracking_optout", "=", True)], ["email_normalized"]
        )
        return set(partners.mapped("email_normalized"))
