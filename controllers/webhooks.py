"""Mail providers' webhooks: ``POST /mail/tracking/webhook/<provider>/<db>/
<server id>``. Each request is checked against the secret of the one mail
server its URL names before anything in it is read as an event; what fails
the check gets 401/403, records nothing and leaves one line in the log."""

import functools
import json
import logging

from odoo import SUPERUSER_ID, api, fields, http
from odoo.exceptions import ValidationError
from odoo.http import request
from odoo.service.model import retrying

from ..tools import provider_signatures as proofs
from ..tools.provider_payloads import PARSERS, parse_ses
from ..tools.sns_certificates import sns_certificate
from .main import tracking_registry

_logger = logging.getLogger(__name__)

#: The largest request body read, and the most events one request may carry
#: (SendGrid posts batches of up to 1,000).
MAX_BODY_SIZE = 5 * 1024 * 1024
MAX_EVENTS = 1000
#: The "last event received" time of a server is written at most this often
#: (seconds): concurrent requests would otherwise queue on its row.
LAST_EVENT_PRECISION = 60
TEXT_HEADERS = [("Content-Type", "text/plain; charset=utf-8"), ("Cache-Control", "no-store")]


class WebhookRefused(Exception):
    """A request that is not answered with 200, with its HTTP status."""

    def __init__(self, status, reason):
        super().__init__(reason)
        self.status = status


def _json(body):
    try:
        return json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise WebhookRefused(400, "the body is not JSON") from error


def _authorization(httprequest):
    return httprequest.headers.get("Authorization", "")


def _verify_mailgun(env, server, httprequest, body):
    payload = _json(body)
    signature = payload.get("signature") if isinstance(payload, dict) else None
    signature = signature if isinstance(signature, dict) else {}
    timestamp, token = signature.get("timestamp"), signature.get("token")
    if not proofs.mailgun_signature_valid(server.tracking_webhook_secret, timestamp, token, signature.get("signature")):
        raise WebhookRefused(403, "wrong or stale signature")
    if not env["mail.tracking.webhook.token"]._consume(f"mailgun:{token}"):
        raise WebhookRefused(403, "replayed token")
    return PARSERS["mailgun"](payload)


def _verify_sendgrid(env, server, httprequest, body):
    headers = httprequest.headers
    if not proofs.sendgrid_signature_valid(
        server.tracking_webhook_secret,
        headers.get("X-Twilio-Email-Event-Webhook-Timestamp"),
        headers.get("X-Twilio-Email-Event-Webhook-Signature"),
        body,
    ):
        raise WebhookRefused(403, "wrong signature")
    payload = _json(body)
    if not isinstance(payload, list) or len(payload) > MAX_EVENTS:
        raise WebhookRefused(400, f"not a list of at most {MAX_EVENTS} events")
    return PARSERS["sendgrid"](payload)


def _verify_postmark(env, server, httprequest, body):
    if not proofs.basic_auth_valid(
        _authorization(httprequest), server.tracking_webhook_user, server.tracking_webhook_secret
    ):
        raise WebhookRefused(401, "wrong credentials")
    return PARSERS["postmark"](_json(body))


def _verify_brevo(env, server, httprequest, body):
    authorization = _authorization(httprequest)
    if server.tracking_webhook_user:
        valid = proofs.basic_auth_valid(authorization, server.tracking_webhook_user, server.tracking_webhook_secret)
    else:
        valid = proofs.bearer_token_valid(authorization, server.tracking_webhook_secret)
    if not valid:
        raise WebhookRefused(401, "wrong credentials")
    payload = _json(body)
    if isinstance(payload, list) and len(payload) > MAX_EVENTS:
        raise WebhookRefused(400, f"more than {MAX_EVENTS} events")
    return PARSERS["brevo"](payload)


def _verify_ses(env, server, httprequest, body):
    message = _json(body)
    if not isinstance(message, dict):
        raise WebhookRefused(400, "not an SNS message")
    if not server.tracking_sns_topic_arn or message.get("TopicArn") != server.tracking_sns_topic_arn:
        raise WebhookRefused(403, "another SNS topic")
    certificate = sns_certificate(message.get("SigningCertURL"))
    if not certificate or not proofs.sns_signature_valid(message, certificate):
        raise WebhookRefused(403, "wrong signature or certificate")
    if message.get("Type") == "SubscriptionConfirmation":
        _keep_sns_subscription_link(server, message.get("SubscribeURL"))
        return []
    # the topic sends: its subscription is confirmed
    server.tracking_sns_subscribe_url = False
    return parse_ses(message.get("Message")) if message.get("Type") == "Notification" else []


def _keep_sns_subscription_link(server, url):
    """Keep the confirmation link of the topic's subscription on the server,
    where an administrator opens it: this server visits no address that a
    request gives it."""
    if not proofs.sns_subscribe_url_valid(url):
        raise WebhookRefused(403, "subscription link off SNS")
    _logger.info("SNS subscription of mail server %s waits for its confirmation link to be opened", server.id)
    server.tracking_sns_subscribe_url = url


VERIFIERS = {
    "mailgun": _verify_mailgun,
    "sendgrid": _verify_sendgrid,
    "postmark": _verify_postmark,
    "ses": _verify_ses,
    "brevo": _verify_brevo,
}


class MailTrackingWebhookController(http.Controller):
    @http.route(
        "/mail/tracking/webhook/<string:provider>/<string:db>/<string:server_id>",
        type="http",
        auth="none",
        methods=["POST"],
        csrf=False,
        save_session=False,
        readonly=False,
    )
    def mail_tracking_webhook(self, provider, db, server_id, **kwargs):
        try:
            count = self._receive(provider, db, server_id, request.httprequest)
        except WebhookRefused as refusal:
            _logger.warning(
                "Webhook request refused (%s): %s for server %r of %r", refusal.status, refusal, server_id[:12], db[:64]
            )
            return request.make_response(str(refusal), headers=TEXT_HEADERS, status=refusal.status)
        except Exception:
            _logger.exception("Webhook request of %s not recorded", provider[:16])
            return request.make_response("Not recorded, try again later", headers=TEXT_HEADERS, status=503)
        return request.make_response(f"{count} events recorded", headers=TEXT_HEADERS)

    def _receive(self, provider, db, server_id, httprequest):
        verify = VERIFIERS.get(provider)
        if not (verify and server_id.isascii() and server_id.isdigit() and len(server_id) < 10):
            raise WebhookRefused(404, "no such webhook")
        if not httprequest.content_length or httprequest.content_length > MAX_BODY_SIZE:
            raise WebhookRefused(413, f"a body of at most {MAX_BODY_SIZE} bytes, with its length, is expected")
        body = httprequest.get_data()
        registry = tracking_registry(db)
        if registry is None:
            raise WebhookRefused(404, "no such webhook")
        with registry.cursor() as cr:
            env = api.Environment(cr, SUPERUSER_ID, {})
            server = env["ir.mail_server"].browse(int(server_id)).exists()
            if not server or server.tracking_provider != provider:
                raise WebhookRefused(404, "no such webhook")
            networks = proofs.parse_networks(server.tracking_allowed_networks)
            if not proofs.address_allowed(httprequest.remote_addr, networks):
                raise WebhookRefused(403, "address not allowed")
            record = functools.partial(self._record, env, server, provider, verify, httprequest, body)
            try:
                return retrying(record, env)
            except ValidationError:
                # the same events posted twice at once: the second time, they are known
                return retrying(record, env)

    @staticmethod
    def _record(env, server, provider, verify, httprequest, body):
        events = verify(env, server, httprequest, body)
        created = env["mail.tracking.email"]._record_provider_events(provider, events)
        now = fields.Datetime.now()
        last = server.tracking_last_event_time
        if not last or (now - last).total_seconds() > LAST_EVENT_PRECISION:
            server.tracking_last_event_time = now
        return len(created)
