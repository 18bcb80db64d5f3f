"""Mail providers' webhooks: ``POST /mail/tracking/webhook/<provider>/<db>/
<server id>``. Each request is checked against the secret of the one mail
server its URL names before anything in it is read as an event; what fails
the check gets 401/403, records nothing and leaves one line in the log. What
passes is kept as it came (``mail.tracking.handoff``), in one insert
committed before the answer, and recorded shortly after by the hand-off
writer."""

import json
import logging

from odoo import http
from odoo.http import request

from ..tools import provider_signatures
from ..tools.sns_certificates import sns_certificate
from .handoff import client_route, handoff_env, tell_handoff_writer, tracking_registry

_logger = logging.getLogger(__name__)

#: The largest request body read, and the most events one request may carry
#: (SendGrid posts batches of up to 1,000).
MAX_BODY_SIZE = 5 * 1024 * 1024
MAX_EVENTS = 1000
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


# Each verifier returns ``(payload, replay key)``: what the provider's parser
# (``PARSERS``) reads, or ``None`` when the request carries no event; and a
# key the request may be accepted with once only, or ``None``.


def _verify_mailgun(env, settings, server_id, httprequest, body):
    payload = _json(body)
    signature = payload.get("signature") if isinstance(payload, dict) else None
    signature = signature if isinstance(signature, dict) else {}
    timestamp, token = signature.get("timestamp"), signature.get("token")
    if not provider_signatures.mailgun_signature_valid(settings.secret, timestamp, token, signature.get("signature")):
        raise WebhookRefused(403, "wrong or stale signature")
    return payload, f"mailgun:{token}"


def _verify_sendgrid(env, settings, server_id, httprequest, body):
    headers = httprequest.headers
    if not provider_signatures.sendgrid_signature_valid(
        settings.secret,
        headers.get("X-Twilio-Email-Event-Webhook-Timestamp"),
        headers.get("X-Twilio-Email-Event-Webhook-Signature"),
        body,
    ):
        raise WebhookRefused(403, "wrong signature")
    payload = _json(body)
    if not isinstance(payload, list) or len(payload) > MAX_EVENTS:
        raise WebhookRefused(400, f"not a list of at most {MAX_EVENTS} events")
    return payload, None


def _verify_postmark(env, settings, server_id, httprequest, body):
    if not provider_signatures.basic_auth_valid(_authorization(httprequest), settings.user, settings.secret):
        raise WebhookRefused(401, "wrong credentials")
    return _json(body), None


def _verify_brevo(env, settings, server_id, httprequest, body):
    # the console's webhooks carry the credentials of the URL (basic
    # authentication); those made through Brevo's API may carry the secret
    # as a bearer token instead
    authorization = _authorization(httprequest)
    valid = provider_signatures.basic_auth_valid(authorization, settings.user, settings.secret)
    if not (valid or provider_signatures.bearer_token_valid(authorization, settings.secret)):
        raise WebhookRefused(401, "wrong credentials")
    payload = _json(body)
    if isinstance(payload, list) and len(payload) > MAX_EVENTS:
        raise WebhookRefused(400, f"more than {MAX_EVENTS} events")
    return payload, None


def _verify_ses(env, settings, server_id, httprequest, body):
    message = _json(body)
    if not isinstance(message, dict):
        raise WebhookRefused(400, "not an SNS message")
    if httprequest.headers.get("x-amz-sns-rawdelivery") == "true" or "Type" not in message:
        # the SES event alone, without SNS's envelope and its signature
        raise WebhookRefused(403, "SNS raw message delivery is on: turn it off in the topic's subscription")
    message_type, topic = message.get("Type"), message.get("TopicArn")
    confirmation = message_type == "SubscriptionConfirmation"
    if not (confirmation or topic in settings.sns_topics):
        raise WebhookRefused(403, "another SNS topic")
    certificate = sns_certificate(message.get("SigningCertURL"))
    if not certificate or not provider_signatures.sns_signature_valid(message, certificate):
        raise WebhookRefused(403, "wrong signature or certificate")
    if confirmation:
        if not (isinstance(topic, str) and provider_signatures.sns_subscribe_url_valid(message.get("SubscribeURL"))):
            raise WebhookRefused(403, "subscription link off SNS")
        _logger.info("SNS subscription of mail server %s waits for its confirmation link to be opened", server_id)
        env["ir.mail_server"].browse(server_id)._tracking_keep_sns_subscription(message["SubscribeURL"], topic[:256])
    if message_type != "Notification":
        return None, None
    return message.get("Message"), None


VERIFIERS = {
    "mailgun": _verify_mailgun,
    "sendgrid": _verify_sendgrid,
    "postmark": _verify_postmark,
    "ses": _verify_ses,
    "brevo": _verify_brevo,
}


class MailTrackingWebhookController(http.Controller):
    @client_route("/mail/tracking/webhook/<string:provider>/<string:db>/<string:server_id>", ["POST"])
    def mail_tracking_webhook(self, provider, db, server_id, **kwargs):
        try:
            self._receive(provider, db, server_id, request.httprequest)
        except WebhookRefused as refusal:
            _logger.warning(
                "Webhook request refused (%s): %s for server %r of %r", refusal.status, refusal, server_id[:12], db[:64]
            )
            return request.make_response(str(refusal), headers=TEXT_HEADERS, status=refusal.status)
        except Exception:
            _logger.exception("Webhook request of %s not kept", provider[:16])
            return request.make_response("Not received, try again later", headers=TEXT_HEADERS, status=503)
        return request.make_response("Received", headers=TEXT_HEADERS)

    def _receive(self, provider, db, server_id, httprequest):
        """Verify the request, then keep what it carries; refusals raise
        ``WebhookRefused``."""
        verify = VERIFIERS.get(provider)
        if not (verify and server_id.isascii() and server_id.isdigit() and len(server_id) < 10):
            raise WebhookRefused(404, "no such webhook")
        if not httprequest.content_length or httprequest.content_length > MAX_BODY_SIZE:
            raise WebhookRefused(413, f"a body of at most {MAX_BODY_SIZE} bytes, with its length, is expected")
        body = httprequest.get_data()
        registry = tracking_registry(db)
        if registry is None:
            raise WebhookRefused(404, "no such webhook")
        server_id = int(server_id)
        with handoff_env(registry) as env:
            settings = env["ir.mail_server"]._tracking_webhook_settings(server_id)
            if not settings or settings.provider != provider:
                raise WebhookRefused(404, "no such webhook")
            if not provider_signatures.address_allowed(httprequest.remote_addr, settings.networks):
                raise WebhookRefused(403, "address not allowed")
            payload, replay_key = verify(env, settings, server_id, httprequest, body)
            if payload is None:
                return
            if not env["mail.tracking.handoff"]._add_webhook_request(provider, server_id, payload, replay_key):
                raise WebhookRefused(403, "replayed token")
            tell_handoff_writer(env)
