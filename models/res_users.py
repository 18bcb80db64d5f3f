from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _init_messaging(self, store):
        result = super()._init_messaging(store)
        if self._is_internal():
            store.add_global_values(failed=self.env["mail.message"].with_user(self)._tracking_failed_box())
        return result
