from odoo import http
from odoo.exceptions import AccessError, MissingError
from odoo.fields import Domain
from odoo.http import request

from odoo.addons.mail.tools.discuss import Store

from ..tools.references import is_record_id

#: How many messages one call of ``/mail/tracking/statuses`` answers for,
#: and one page of the "Failed" mailbox at most.
MAX_STATUS_MESSAGES = 200
MAX_PAGE = 200


def _fetch_params(fetch_params):
    """The paging arguments of ``_message_fetch`` in ``fetch_params`` that
    have the type it expects; anything else is left out."""
    if not isinstance(fetch_params, dict):
        return {}
    params = {key: fetch_params[key] for key in ("before", "after", "around") if is_record_id(fetch_params.get(key))}
    if isinstance(fetch_params.get("search_term"), str):
        params["search_term"] = fetch_params["search_term"]
    if isinstance(fetch_params.get("is_notification"), bool):
        params["is_notification"] = fetch_params["is_notification"]
    if is_record_id(fetch_params.get("limit")):
        params["limit"] = min(fetch_params["limit"], MAX_PAGE)
    return params


class MailTrackingMailboxController(http.Controller):
    @http.route("/mail/failed/messages", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def discuss_failed_messages(self, fetch_params=None):
        """The Discuss "Failed" mailbox, as core's inbox route: internal
        users only (which emails failed is tracking data)."""
        if not request.env.user._is_internal():
            return {"data": {}, "messages": []}
        Message = request.env["mail.message"]
        # sudo: the domain holds the user's own failed messages only
        res = Message.sudo()._message_fetch(Message._failed_message_domain(), **_fetch_params(fetch_params))
        messages = res.pop("messages").with_env(request.env)
        return {**res, "data": Store().add(messages, add_followers=True).get_result(), "messages": messages.ids}

    @http.route("/mail/tracking/thread_failed", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def thread_failed_messages(self, thread_model, thread_id):
        """The current user's failed messages on one record, whatever page of
        its chatter they are on; internal users only."""
        if not request.env.user._is_internal():
            return {"data": {}, "messages": []}
        if not isinstance(thread_model, str) or thread_model not in request.env or not is_record_id(thread_id):
            return {"data": {}, "messages": []}
        record = request.env[thread_model].browse(thread_id).exists()
        if not record or not record.has_access("read"):
            return {"data": {}, "messages": []}
        Message = request.env["mail.message"]
        domain = (
            Domain("model", "=", thread_model) & Domain("res_id", "=", thread_id) & Message._failed_message_domain()
        )
        # sudo: the domain holds the user's own failed messages only; read back as the user
        messages = Message.sudo().search(domain, order="id desc", limit=100).with_env(request.env)
        return {"data": Store().add(messages).get_result(), "messages": messages.ids}

    @http.route("/mail/tracking/statuses", methods=["POST"], type="jsonrpc", auth="user", readonly=True)
    def tracking_statuses(self, message_ids):
        """The tracking statuses of the messages of ``message_ids`` the user
        may read: a client asks them when the bus says they changed."""
        if not isinstance(message_ids, list) or not all(map(is_record_id, message_ids)):
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
        if not is_record_id(tracking_id):
            return False
        tracking = request.env["mail.tracking.email"].browse(tracking_id)
        try:
            return tracking._details()
        except (AccessError, MissingError):
            return False
