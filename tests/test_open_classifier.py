from odoo.tests import BaseCase, tagged

from ..tools import open_classifier
from ..tools.open_classifier import RULES, SCAN_WINDOW_SECONDS, Hit, classify

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0"
OUTLOOK = "Mozilla/4.0 (compatible; ms-office; MSOffice 16) Microsoft Outlook 16.0.17928; Pro)"
THUNDERBIRD = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.1"
GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"
YAHOO_PROXY = "YahooMailProxy; https://help.yahoo.com/kb/yahoo-mail-proxy-SLN28749.html"
BARRACUDA = "Mozilla/5.0 (compatible; Barracuda Sentinel link protection)"

#: For each rule, a hit it decides (and no rule above it does).
EXAMPLES = {
    "provider_machine": Hit(user_agent="Mozilla/5.0 (iPhone)", reported_type="machine"),
    "provider_prefetch": Hit(user_agent="Mozilla/5.0 (iPhone)", reported_type="prefetch"),
    "apple_privacy_agent": Hit(user_agent="Mozilla/5.0", seconds_since_send=3600, address="203.0.113.9"),
    "apple_privacy_network": Hit(user_agent="", address="17.58.101.4"),
    "scanner_agent": Hit(user_agent=BARRACUDA, seconds_since_send=3600),
    "early_fetch": Hit(user_agent=FIREFOX, seconds_since_send=1.5),
    "gmail_proxy": Hit(user_agent=GMAIL_PROXY, seconds_since_send=120, address="66.249.84.1"),
    "yahoo_proxy": Hit(user_agent=YAHOO_PROXY, seconds_since_send=600),
    "outlook": Hit(user_agent=OUTLOOK, seconds_since_send=600),
    "thunderbird": Hit(user_agent=THUNDERBIRD, seconds_since_send=600),
    "browser": Hit(user_agent=FIREFOX, seconds_since_send=600, address="17.58.101.4"),
    "unknown": Hit(),
}


@tagged("post_install", "-at_install")
class TestOpenClassifier(BaseCase):
    """One test per row of ``open_classifier.RULES``."""

    def assert_rule(self, hit, name, kind):
        rule = classify(hit)
        self.assertEqual((rule.name, rule.kind), (name, kind))
        return rule

    def test_every_rule_has_its_example(self):
        self.assertEqual([rule.name for rule in RULES], list(EXAMPLES))
        for name, hit in EXAMPLES.items():
            with self.subTest(rule=name):
                self.assertEqual(classify(hit).name, name)

    def test_provider_machine_open_is_a_prefetch(self):
        rule = self.assert_rule(EXAMPLES["provider_machine"], "provider_machine", "prefetch")
        self.assertIsNone(rule.agent_type, "the provider's own type is kept")

    def test_provider_prefetch_is_apple_privacy_protection(self):
        rule = self.assert_rule(EXAMPLES["provider_prefetch"], "provider_prefetch", "prefetch")
        self.assertEqual(rule.family, "Apple Mail Privacy Protection")

    def test_bare_mozilla_is_apple_privacy_protection(self):
        rule = self.assert_rule(EXAMPLES["apple_privacy_agent"], "apple_privacy_agent", "prefetch")
        self.assertEqual(rule.family, "Apple Mail Privacy Protection")
        self.assertTrue(open_classifier.is_automatic(rule.kind))

    def test_no_agent_from_apple_network_is_apple_privacy_protection(self):
        self.assert_rule(EXAMPLES["apple_privacy_network"], "apple_privacy_network", "prefetch")
        # the same from elsewhere is nothing known
        self.assert_rule(Hit(user_agent="", address="203.0.113.9"), "unknown", "person")
        self.assert_rule(Hit(user_agent="", address="not an address"), "unknown", "person")

    def test_gmail_proxy_is_an_open(self):
        rule = self.assert_rule(EXAMPLES["gmail_proxy"], "gmail_proxy", "proxy")
        self.assertEqual((rule.family, rule.agent_type), ("Gmail image proxy", "proxy"))
        self.assertFalse(open_classifier.is_automatic(rule.kind))

    def test_image_proxy_right_after_sending_is_a_scan_as_a_browser_is(self):
        for agent in (GMAIL_PROXY, YAHOO_PROXY, FIREFOX):
            with self.subTest(agent=agent):
                self.assert_rule(Hit(user_agent=agent, seconds_since_send=0.2), "early_fetch", "scanner")

    def test_yahoo_proxy_is_an_open(self):
        self.assert_rule(EXAMPLES["yahoo_proxy"], "yahoo_proxy", "proxy")

    def test_scanner_agent_is_a_scan_whenever_it_comes(self):
        self.assert_rule(EXAMPLES["scanner_agent"], "scanner_agent", "scanner")
        self.assert_rule(Hit(user_agent="Mimecast Safe Links"), "scanner_agent", "scanner")

    def test_fetch_right_after_sending_is_a_scan(self):
        rule = self.assert_rule(EXAMPLES["early_fetch"], "early_fetch", "scanner")
        self.assertTrue(open_classifier.is_automatic(rule.kind))
        self.assert_rule(Hit(user_agent=OUTLOOK, seconds_since_send=0), "early_fetch", "scanner")
        self.assert_rule(Hit(user_agent=FIREFOX, seconds_since_send=SCAN_WINDOW_SECONDS), "browser", "person")
        # an unknown send time, or a clock behind the send's, proves nothing
        self.assert_rule(Hit(user_agent=FIREFOX, seconds_since_send=None), "browser", "person")
        self.assert_rule(Hit(user_agent=FIREFOX, seconds_since_send=-5), "browser", "person")

    def test_outlook_is_a_person(self):
        rule = self.assert_rule(EXAMPLES["outlook"], "outlook", "person")
        self.assertEqual((rule.family, rule.agent_type), ("Outlook", "email client"))

    def test_thunderbird_is_a_person(self):
        rule = self.assert_rule(EXAMPLES["thunderbird"], "thunderbird", "person")
        self.assertEqual((rule.family, rule.agent_type), ("Thunderbird", "email client"))

    def test_a_browser_is_a_person_keeping_its_name(self):
        rule = self.assert_rule(EXAMPLES["browser"], "browser", "person")
        self.assertEqual((rule.family, rule.agent_type), (None, "browser"))

    def test_nothing_known_is_taken_as_said(self):
        rule = self.assert_rule(EXAMPLES["unknown"], "unknown", "person")
        self.assertEqual((rule.family, rule.agent_type), (None, None))
