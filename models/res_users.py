from odoo import models


class ResUsers(models.Model):
    _inherit = "res.users"

    def _init_messaging(self, store):
        result = super()._init_messaging(store)
        # sudo: bus.bus: reading non-sensitive last id
        bus_last_id = self.env["bus.bus"].sudo()._bus_last_id()
        store.add_global_values(
            failed={
                "counter": self.env["mail.message"].with_user(self)._tracking_failed_count(),
                "counter_bus_id": bus_last_id,
                "id": "failed",
                "model": "mail.box",
            }
        )
        return result
