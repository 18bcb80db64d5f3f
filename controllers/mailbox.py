from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.mail.tools.discuss import Store

#: How many messages one call of ``/mail/tracking/statuses`` answers for.
MAX_STATUS_MESSAGES = 200


class MailTrackingMailboxController(http.Controller):
    @http.route("/mail/failed/messages", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def discuss_failed_messages(self, fetch_params=None):
        """The Discuss "Failed" mailbox, as core's inbox route."""
        Message = request.env["mail.message"]
        res = Message.sudo()._message_fetch(Message._failed_message_domain(), **(fetch_params or {}))
        messages = res.pop("messages").with_env(request.env)
        return {**res, "data": Store().add(messages, add_followers=True).get_result(), "messages": messages.ids}

    @http.route("/mail/tracking/thread_failed", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def thread_failed_messages(self, thread_model, thread_id):
        """The current user's failed messages on one record, whatever page of
        its chatter they are on."""
        if thread_model not in request.env or not isinstance(thread_id, int):
            return {"data": {}, "messages": []}
        record = request.env[thread_model].browse(thread_id).exists()
        if not record or not record.has_access("read"):
            return {"data": {}, "messages": []}
        Message = request.env["mail.message"]
        domain = (
            Domain("model", "=", thread_model) & Domain("res_id", "=", thread_id) & Message._failed_message_domain()
        )
        messages = Message.sudo().search(domain, order="id desc", limit=100).with_env(request.env)
        return {"data": Store().add(messages).get_result(), "messages": messages.ids}

    @http.route("/mail/tracking/statuses", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def tracking_statuses(self, message_ids):
        """The tracking statuses of the messages of ``message_ids`` the user
        may read: a client asks them when the bus says they changed."""
        if not isinstance(message_ids, list) or not all(isinstance(message_id, int) for message_id in message_ids):
            return {}
        Message = request.env["mail.message"]
        messages = Message.browse(message_ids[:MAX_STATUS_MESSAGES]).exists()._filtered_access("read")
        store = Store()
        messages._tracking_to_store(store)
        return store.get_result()

    @http.route("/mail/tracking/details", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def tracking_details(self, tracking_id):
        """What the chatter shows of one tracking email, or ``False`` when the
        user may not read it."""
        if not isinstance(tracking_id, int):
            return False
        tracking = request.env["mail.tracking.email"].browse(tracking_id)
        try:
            return tracking._details()
        except (AccessError, MissingError):
            return False
