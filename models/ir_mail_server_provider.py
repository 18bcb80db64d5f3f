import secrets
from typing import NamedTuple
from urllib.parse import quote, urlsplit, urlunsplit

from odoo import api, fields, models, tools
from odoo.exceptions import ValidationError

from ..tools.provider_signatures import load_public_key, parse_networks, parse_sns_topics

#: The providers whose events a mail server may receive, and the secret each
#: one proves its requests with.
TRACKING_PROVIDERS = [
    ("mailgun", "Mailgun"),
    ("sendgrid", "SendGrid"),
    ("postmark", "Postmark"),
    ("ses", "Amazon SES (through SNS)"),
    ("brevo", "Brevo"),
]
#: Providers that prove their requests with credentials we make up.
CREDENTIAL_PROVIDERS = ("postmark", "brevo")
#: The fields a webhook request is verified with (``_tracking_webhook_settings``).
WEBHOOK_SETTINGS_FIELDS = (
    "tracking_provider",
    "tracking_webhook_secret",
    "tracking_webhook_user",
    "tracking_sns_topic_arn",
    "tracking_allowed_networks",
)
#: The "last event received" time of a server is written at most this often
#: (seconds): it costs a write on the server's row.
LAST_EVENT_PRECISION = 60


class WebhookSettings(NamedTuple):
    """What a webhook request of a mail server is verified with."""

    provider: str
    secret: str
    user: str
    #: the ARNs of the SNS topics whose messages are this server's
    sns_topics: tuple
    networks: tuple


class IrMailServer(models.Model):
    """The mail provider behind an outgoing mail server, and what its
    webhook needs: events are checked against this server's secret only."""

    _inherit = "ir.mail_server"

    tracking_provider = fields.Selection(
        TRACKING_PROVIDERS,
        help="The mail provider this server sends through. Its webhook reports deliveries, bounces, "
        "complaints, opens and clicks of the emails sent through this server.",
    )
    tracking_webhook_secret = fields.Char(
        string="Webhook secret",
        groups="base.group_system",
        copy=False,
        help="Mailgun: the webhook signing key. SendGrid: the verification key of the signed event webhook. "
        "Postmark and Brevo: the password of the webhook's credentials (made up for you, and in the webhook URL); "
        "Brevo also takes it as the bearer token of a webhook made through its API. "
        "Amazon SES: not used (SNS signs with Amazon's certificates).",
    )
    tracking_webhook_user = fields.Char(
        string="Webhook user",
        groups="base.group_system",
        copy=False,
        help="Postmark and Brevo: the user of the webhook's credentials (made up for you, and in the webhook URL).",
    )
    tracking_sns_topic_arn = fields.Text(
        string="SNS topic ARN",
        groups="base.group_system",
        help="Amazon SES: the topics the events are published to, one per line (the configuration set's, "
        "the identity's feedback notifications'); messages of any other topic are refused.",
    )
    tracking_ses_configuration_set = fields.Char(
        string="SES configuration set",
        help="Amazon SES: the configuration set whose event destination publishes to the topic, named on every "
        "email this server sends (X-SES-CONFIGURATION-SET). Leave empty when it is the sending identity's "
        "default configuration set.",
    )
    tracking_sns_subscribe_url = fields.Char(
        string="SNS subscription to confirm",
        groups="base.group_system",
        readonly=True,
        copy=False,
        help="Open this link once to confirm the topic's subscription; it goes away with the first event.",
    )
    tracking_sns_subscribe_topic = fields.Char(
        string="Topic asking",
        groups="base.group_system",
        readonly=True,
        copy=False,
        help="The SNS topic the subscription to confirm is of. Confirm it only if the topic is yours; "
        "its events are recorded once its ARN is in SNS topic ARN.",
    )
    tracking_allowed_networks = fields.Text(
        string="Allowed networks",
        groups="base.group_system",
        help="Optional: the addresses or networks (CIDR) webhook requests may come from, one per line.",
    )
    tracking_webhook_url = fields.Char(
        string="Webhook URL",
        compute="_compute_tracking_webhook_url",
        groups="base.group_system",
        help="Paste this URL in the provider's console, as the webhook of the events to track.",
    )
    tracking_last_event_time = fields.Datetime(
        string="Last event received", readonly=True, copy=False, groups="base.group_system"
    )

    @api.depends("tracking_provider", "tracking_webhook_user", "tracking_webhook_secret")
    def _compute_tracking_webhook_url(self):
        base_url = self.env["mail.tracking.email"]._tracking_base_url()
        for server in self:
            server.tracking_webhook_url = server._tracking_webhook_url(base_url)

    def _tracking_webhook_url(self, base_url):
        if not (self.id and self.tracking_provider):
            return False
        path = f"/mail/tracking/webhook/{self.tracking_provider}/{quote(self.env.cr.dbname, safe='')}/{self.id}"
        url = urlsplit(f"{base_url}{path}")
        if (
            self.tracking_provider in CREDENTIAL_PROVIDERS
            and self.tracking_webhook_user
            and self.tracking_webhook_secret
        ):
            # no signature: the credentials go in the URL, where the
            # provider's console takes them (it sends no header of ours)
            credentials = f"{quote(self.tracking_webhook_user, safe='')}:{quote(self.tracking_webhook_secret, safe='')}"
            url = url._replace(netloc=f"{credentials}@{url.netloc}")
        return urlunsplit(url)

    @api.constrains("tracking_provider", "tracking_webhook_secret")
    def _check_tracking_webhook_secret(self):
        for server in self.filtered(lambda server: server.tracking_provider == "sendgrid"):
            if server.tracking_webhook_secret and not load_public_key(server.tracking_webhook_secret):
                raise ValidationError(
                    self.env._(
                        "The SendGrid verification key must be the public key the console shows (base64 or PEM)."
                    )
                )

    @api.constrains("tracking_allowed_networks")
    def _check_tracking_allowed_networks(self):
        for server in self:
            try:
                parse_networks(server.tracking_allowed_networks)
            except ValueError as error:
                raise ValidationError(
                    self.env._("“%(entry)s” is not an address or a network.", entry=error.args[0])
                ) from error

    @api.model_create_multi
    def create(self, vals_list):
        servers = super().create(vals_list)
        servers._tracking_make_credentials()
        self.env.registry.clear_cache()  # a server unknown until now may have been looked up
        return servers

    def write(self, vals):
        result = super().write(vals)
        if vals.get("tracking_provider") in CREDENTIAL_PROVIDERS:
            self._tracking_make_credentials()
        if not vals.keys().isdisjoint(WEBHOOK_SETTINGS_FIELDS):
            self.env.registry.clear_cache()
        return result

    def unlink(self):
        result = super().unlink()
        self.env.registry.clear_cache()
        return result

    @api.model
    @tools.ormcache("server_id")
    def _tracking_webhook_settings(self, server_id):
        """The ``WebhookSettings`` of mail server ``server_id``, or ``None``
        when it has no provider: cached, so that a webhook request reads
        nothing to be verified."""
        # sudo: the secret verifies requests for the server; it is never shown
        server = self.sudo().browse(server_id).exists()
        if not server.tracking_provider:
            return None
        return WebhookSettings(
            server.tracking_provider,
            server.tracking_webhook_secret or "",
            server.tracking_webhook_user or "",
            tuple(parse_sns_topics(server.tracking_sns_topic_arn)),
            tuple(parse_networks(server.tracking_allowed_networks)),
        )

    def _tracking_outgoing_provider(self):
        """``(provider, SES configuration set)`` that the emails sent through
        this server name (``tools.provider_events.outgoing_headers``)."""
        configuration_set = self.tracking_provider == "ses" and self.tracking_ses_configuration_set
        return self.tracking_provider, configuration_set or False

    def _tracking_keep_sns_subscription(self, url, topic):
        """Keep the confirmation link of ``topic``'s subscription on the
        server, where an administrator opens it: this server visits no
        address that a request gives it. A topic not saved yet asks too (the
        subscription was made first): the form says which."""
        # sudo: a verified SNS request, for the server's administrators
        self.sudo().write({"tracking_sns_subscribe_url": url, "tracking_sns_subscribe_topic": topic})

    def _tracking_events_received(self):
        """These servers' webhooks received events now: note the time (at
        most every ``LAST_EVENT_PRECISION`` seconds); an SNS topic that
        sends has its subscription confirmed."""
        now = fields.Datetime.now()
        for server in self:
            values = {}
            last = server.tracking_last_event_time
            if not last or (now - last).total_seconds() > LAST_EVENT_PRECISION:
                values["tracking_last_event_time"] = now
            if server.tracking_sns_subscribe_url:
                values.update(tracking_sns_subscribe_url=False, tracking_sns_subscribe_topic=False)
            if values:
                server.write(values)

    def _tracking_make_credentials(self):
        """Postmark and Brevo prove their requests with credentials we give
        them, in the webhook URL: make them up when none are set."""
        for server in self.filtered(lambda server: server.tracking_provider in CREDENTIAL_PROVIDERS):
            # sudo: the secret is for system administrators only; who may set the provider may have it made
            server = server.sudo()
            if not server.tracking_webhook_secret:
                server.tracking_webhook_secret = secrets.token_urlsafe(24)
            if not server.tracking_webhook_user:
                server.tracking_webhook_user = "odoo"
