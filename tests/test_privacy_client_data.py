from odoo.tests import HttpCase, TransactionCase, tagged

from ..tools.client_data_policy import truncate_ip, truncate_user_agent
from . import test_webhooks
from .common import TrackingCase, record_handoffs
from .test_webhooks import WebhookCase

FIREFOX_ON_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
IP_POLICY = "mail_activity_tracking.ip_policy"
USER_AGENT_POLICY = "mail_activity_tracking.user_agent_policy"


class TestTruncation(TransactionCase):
    def test_ip_networks(self):
        for value, network in (
            ("203.0.113.7", "203.0.113.0"),
            (" 198.51.100.255 ", "198.51.100.0"),
            ("2001:db8:1:2:3:4:5:6", "2001:db8:1::"),
            ("::ffff:192.0.2.9", "192.0.2.0"),
            ("fe80::1%eth0", "fe80::"),
            ("not an address", False),
            ("<b>1.2.3.4</b>", False),
            ("", False),
        ):
            with self.subTest(value=value):
                self.assertEqual(truncate_ip(value), network)

    def test_user_agent_keeps_product_names(self):
        self.assertEqual(truncate_user_agent(FIREFOX_ON_ANDROID), "Mozilla Gecko Firefox")
        self.assertEqual(truncate_user_agent("Microsoft Outlook 16.0.17328; ms-office;"), "Microsoft Outlook ms-office")
        self.assertFalse(truncate_user_agent("(only a comment) 1.0"))


@tagged("post_install", "-at_install")
class TestPixelClientPolicy(HttpCase, TrackingCase):
    """Each policy in each position, on opens brought by real pixel requests
    of a real email's pixel."""

    def setUp(self):
        super().setUp()
        self.tracking = self.tracking_sent_long_ago(self.alice)

    def open_with_policies(self, ip_policy, user_agent_policy):
        Param = self.env["ir.config_parameter"]
        Param.set_param(IP_POLICY, ip_policy)
        Param.set_param(USER_AGENT_POLICY, user_agent_policy)
        self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open").unlink()
        self.env.flush_all()
        tracking = self.tracking.sudo()
        url = f"/mail/tracking/open/{self.env.cr.dbname}/{tracking.id}/{tracking.token}/blank.gif"
        self.assertEqual(self.url_open(url, headers={"User-Agent": FIREFOX_ON_ANDROID}).status_code, 200)
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        event = self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")
        self.assertEqual(len(event), 1)
        self.assertEqual((event.os_family, event.ua_family, event.mobile), ("android", "firefox", True))
        return event.ip, event.user_agent

    def test_keep(self):
        self.assertEqual(self.open_with_policies("keep", "keep"), ("127.0.0.1", FIREFOX_ON_ANDROID))

    def test_truncate(self):
        self.assertEqual(self.open_with_policies("truncate", "truncate"), ("127.0.0.0", "Mozilla Gecko Firefox"))

    def test_drop(self):
        self.assertEqual(self.open_with_policies("drop", "drop"), (False, False))

    def test_each_policy_alone(self):
        self.assertEqual(self.open_with_policies("drop", "keep"), (False, FIREFOX_ON_ANDROID))
        self.assertEqual(self.open_with_policies("keep", "drop"), ("127.0.0.1", False))
        self.assertEqual(self.open_with_policies("truncate", "keep"), ("127.0.0.0", FIREFOX_ON_ANDROID))


class TestProviderClientPolicy(WebhookCase):
    """A provider's open and click, posted to the real webhook route."""

    provider = "mailgun"
    key = test_webhooks.TestMailgunWebhook.key
    payload = test_webhooks.TestMailgunWebhook.payload

    def setUp(self):
        super().setUp()
        self.mail_server.sudo().tracking_webhook_secret = self.key

    def post_client_event(self, event, token, ip_policy, user_agent_policy):
        Param = self.env["ir.config_parameter"]
        Param.set_param(IP_POLICY, ip_policy)
        Param.set_param(USER_AGENT_POLICY, user_agent_policy)
        client = {
            "ip": "2001:db8:85a3:8d3:1319:8a2e:370:7348",
            "client-info": {"user-agent": FIREFOX_ON_ANDROID},
            "url": "https://example.com/offer",
        }
        self.post_webhook(self.payload(event, token=token, **client))
        event_type = {"opened": "open", "clicked": "click"}[event]
        (recorded,) = self.events(event_type)
        return recorded.ip, recorded.user_agent

    def test_provider_events(self):
        self.assertEqual(
            self.post_client_event("opened", "t1", "truncate", "truncate"), ("2001:db8:85a3::", "Mozilla Gecko Firefox")
        )
        self.assertEqual(self.post_client_event("clicked", "t2", "drop", "drop"), (False, False))

    def test_provider_events_kept(self):
        self.assertEqual(
            self.post_client_event("clicked", "t3", "keep", "keep"),
            ("2001:db8:85a3:8d3:1319:8a2e:370:7348", FIREFOX_ON_ANDROID),
        )


class TestClientPolicySettings(TransactionCase):
    def test_settings_write_the_policies(self):
        Param = self.env["ir.config_parameter"]
        for ip_policy, user_agent_policy in (("truncate", "drop"), ("drop", "truncate"), ("keep", "keep")):
            settings = self.env["res.config.settings"].create(
                {"mail_tracking_ip_policy": ip_policy, "mail_tracking_user_agent_policy": user_agent_policy}
            )
            settings.execute()
            self.assertEqual(Param.get_param(IP_POLICY), ip_policy)
            self.assertEqual(Param.get_param(USER_AGENT_POLICY), user_agent_policy)
            self.assertEqual(
                self.env["res.config.settings"].default_get(["mail_tracking_ip_policy"]).get("mail_tracking_ip_policy"),
                ip_policy,
            )
