"""Email Marketing (``mass_mailing``) installed beside the addon: a mailing
sent for real, through a real Postfix whose delivery reports come back
through Odoo's mail gateway. These tests run in a database where
``mass_mailing`` is installed too (``bin/test``'s second database)."""

import html
import re

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import TrackingCase, record_handoffs
from .postfix import MAILBOX_DOMAIN, REMOTE_DOMAIN, REPORTS_DOMAIN, Postfix
from .test_open_classifier import THUNDERBIRD

#: The tag of the tests that need ``mass_mailing`` installed.
MASS_MAILING_TAG = "mail_activity_tracking_mass_mailing"

READERS = {"Alice": f"alice@{MAILBOX_DOMAIN}", "Bob": f"bob@{MAILBOX_DOMAIN}"}
GONE = f"gone@{REMOTE_DOMAIN}"
BUSY = f"busy@{REMOTE_DOMAIN}"


class MailingCase(TrackingCase):
    """A newsletter to a mailing list: two readers whose mailbox takes it,
    an address the remote server refuses for good, one it refuses for now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        alias_domain = cls.env["mail.alias.domain"].create({"name": REPORTS_DOMAIN, "bounce_alias": "bounce"})
        cls.env.company.alias_domain_id = alias_domain
        contacts = cls.env["mailing.contact"].create(
            [{"name": name, "email": email} for name, email in [*READERS.items(), ("Gone", GONE), ("Busy", BUSY)]]
        )
        cls.mailing_list = cls.env["mailing.list"].create({"name": "Newsletter", "contact_ids": contacts.ids})
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Our news",
                "mailing_type": "mail",
                "mailing_model_id": cls.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": cls.mailing_list.ids,
                "body_html": '<p>Hello, read <a href="https://shop.example.com/offer">our offer</a>.</p>',
            }
        )

    def send_mailing(self):
        self.mailing.action_send_mail()
        self.send_queue()

    def trace_of(self, address):
        return self.mailing.mailing_trace_ids.filtered(lambda trace: trace.email == address)

    def tracking_of_address(self, address):
        return self.env["mail.tracking.email"].sudo().search([("recipient_address", "=", address)])

    def receive(self, raw):
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)


@tagged("post_install", "-at_install", MASS_MAILING_TAG)
class TestMailingDeliveryReports(MailingCase):
    """Postfix's own reports: delivered, failed and delayed."""

    def setUp(self):
        super().setUp()
        self.postfix = self.enterContext(Postfix(refuse=[GONE], defer=[BUSY]))
        self.mail_server.smtp_port = self.postfix.port

    def test_only_a_failure_report_is_a_bounce(self):
        self.send_mailing()
        for raw in self.postfix.reports(4):
            self.receive(raw)
        self.env.invalidate_all()
        statuses = {address: self.trace_of(address).trace_status for address in [*READERS.values(), GONE, BUSY]}
        self.assertEqual(
            statuses,
            {**dict.fromkeys(READERS.values(), "sent"), GONE: "bounce", BUSY: "sent"},
            "delivered and delayed readers are no bounces",
        )
        self.assertIn("User unknown", self.trace_of(GONE).failure_reason)
        self.assertEqual(self.mailing.bounced, 1)
        contacts = self.mailing_list.contact_ids
        self.assertEqual(
            {contact.email: contact.message_bounce for contact in contacts},
            {**dict.fromkeys(READERS.values(), 0), GONE: 1, BUSY: 0},
            "only the failure counts toward Odoo's bounce rules",
        )
        states = {address: self.tracking_of_address(address).state for address in statuses}
        self.assertEqual(
            states, {**dict.fromkeys(READERS.values(), "delivered"), GONE: "bounced", BUSY: "soft-bounced"}
        )


@tagged("post_install", "-at_install", MASS_MAILING_TAG)
class TestMailingEngagement(HttpCase, MailingCase):
    """The mailing's email as the SMTP server received it, and its pixel and
    links followed by real HTTP requests: Email Marketing's pixel and link
    tracker own them, and what they record reaches the tracking too."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.env["res.config.settings"].create({"mail_tracking_click_tracking": True}).execute()
        self.send_mailing()
        self.tracking = self.tracking_of_address(READERS["Alice"])
        # sent an hour ago: the hits are a reader's, not a gateway's scan on delivery
        self.tracking.timestamp -= 3600

    def sent_body(self, address):
        (envelope,) = (envelope for envelope in self.smtp.envelopes if envelope.rcpt_tos == [address])
        return html.unescape(envelope.message.get_body(("html",)).get_content())

    def follow(self, url):
        self.env.flush_all()
        response = self.url_open(url, headers={"User-Agent": THUNDERBIRD}, allow_redirects=False)
        self.assertLess(response.status_code, 400)
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        return response

    def test_one_pixel_and_links_rewritten_once(self):
        body = self.sent_body(READERS["Alice"])
        pixels = re.findall(r'<img\b[^>]*\bsrc="([^"]*)"', body)
        self.assertEqual(len(pixels), 1, body)
        self.assertIn("/mail/track/", pixels[0], "Email Marketing's own pixel")
        links = re.findall(r'<a\b[^>]*\bhref="([^"]*)"', body)
        self.assertTrue(links)
        self.assertFalse([url for url in links if "/mail/tracking/" in url], "the link tracker owns the links")
        self.assertTrue(any("/r/" in url for url in links), links)

    def test_an_open_counts_once_in_the_trace_and_the_tracking(self):
        (pixel,) = re.findall(r'<img\b[^>]*\bsrc="([^"]*/mail/track/[^"]*)"', self.sent_body(READERS["Alice"]))
        self.follow(pixel)
        trace = self.trace_of(READERS["Alice"])
        self.assertEqual(trace.trace_status, "open")
        self.assertEqual(self.tracking.state, "opened")
        opens = self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")
        self.assertEqual(len(opens), 1)
        self.assertEqual(opens.ua_family, "Thunderbird")
        self.assertEqual(self.trace_of(READERS["Bob"]).trace_status, "sent")

    def test_a_click_counts_once_in_the_trace_and_the_tracking(self):
        links = re.findall(r'<a\b[^>]*\bhref="([^"]*/r/[^"]*)"', self.sent_body(READERS["Alice"]))
        response = self.follow(links[0])
        target = response.headers["Location"]
        self.assertTrue(target.startswith("https://shop.example.com/offer?utm_"), target)
        trace = self.trace_of(READERS["Alice"])
        self.assertTrue(trace.links_click_datetime)
        clicks = self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "click")
        self.assertEqual(clicks.mapped("url"), ["https://shop.example.com/offer"], "the link as the mailing has it")
        self.assertEqual(self.tracking.state, "opened")

    def test_a_link_with_the_trace_of_no_email_of_its_mailing_counts_nowhere(self):
        (link, *_others) = re.findall(r'<a\b[^>]*\bhref="([^"]*/r/[^"]*)"', self.sent_body(READERS["Alice"]))
        other_mailing = self.mailing.copy()
        other_mailing.action_send_mail()
        self.send_queue()
        foreign_trace = other_mailing.mailing_trace_ids[:1]
        for trace_id in (foreign_trace.id, 2**31 - 1):
            with self.subTest(trace_id=trace_id):
                self.follow(re.sub(r"/m/\d+$", f"/m/{trace_id}", link))
        clicks = self.env["mail.tracking.event"].sudo().search([("event_type", "=", "click")])
        self.assertFalse(clicks)
