from odoo import models
from odoo.exceptions import UserError

#: The community addon this one replaces: same tables, same fields.
REPLACED_MODULE = "mail_tracking"


def refusal_message(env):
    return env._(
        "mail_tracking cannot be installed beside Email activity tracking (mail_activity_tracking), "
        "which replaces it and uses the same tables."
    )


class IrModuleModule(models.Model):
    _inherit = "ir.module.module"

    def button_install(self):
        """Refuse to mark ``mail_tracking`` for installation, alone or as a
        dependency of what is installed, while this addon is installed (the
        Apps menu and ``button_immediate_install``)."""
        result = super().button_install()
        self._refuse_replaced_module(self.search([("name", "=", REPLACED_MODULE), ("state", "=", "to install")]))
        return result

    def _check(self):
        """Refuse to install ``mail_tracking`` when the modules are loaded:
        ``-i mail_tracking`` on the command line marks it for installation
        before any addon's code is in the registry. Its schema changes of
        this transaction are rolled back and its state reset by Odoo."""
        result = super()._check()
        self._refuse_replaced_module(self.filtered(lambda module: module.name == REPLACED_MODULE))
        return result

    def _refuse_replaced_module(self, modules):
        if modules.filtered(lambda module: module.state == "to install"):
            raise UserError(refusal_message(self.env))
