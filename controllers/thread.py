from odoo import http
from odoo.http import request

from odoo.addons.mail.controllers import thread

from ..tools.context_keys import CHATTER_KEY


class ThreadController(thread.ThreadController):
    @http.route()
    def mail_thread_messages(self, thread_model, thread_id, fetch_params=None):
        """A chatter's page of messages: each message with a recipient gets
        their statuses, tracked or not (``CHATTER_KEY``)."""
        request.update_context(**{CHATTER_KEY: True})
        return super().mail_thread_messages(thread_model, thread_id, fetch_params=fetch_params)
