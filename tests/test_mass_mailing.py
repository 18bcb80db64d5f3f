"""Email Marketing (``mass_mailing``) installed beside the addon: a mailing
sent for real, through a real Postfix whose delivery reports come back
through Odoo's mail gateway. These tests run in a database where
``mass_mailing`` is installed too (``bin/test``'s second database)."""

import html
import json
import re
import threading

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from .common import TrackingCase, record_handoffs
from .postfix import MAILBOX_DOMAIN, REMOTE_DOMAIN, REPORTS_DOMAIN, Postfix
from .test_open_classifier import THUNDERBIRD
from .test_webhooks import WebhookPosting, mailgun_payload

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

    def test_delivered_once_a_report_says_so(self):
        """Once delivery reports are known to come back, a mailing's email
        reads "Sent" until its report says "Delivered"; before, as Odoo
        always does, "Delivered" as soon as the SMTP server took it."""
        self.send_mailing()
        self.assertEqual(set(self.mailing.mailing_trace_ids.mapped("trace_status")), {"sent"})
        for raw in self.postfix.reports(4):
            self.receive(raw)
        self.mailing = self.mailing.copy()
        self.send_mailing()
        self.env.invalidate_all()
        self.assertEqual(set(self.mailing.mailing_trace_ids.mapped("trace_status")), {"pending"})
        self.assertEqual((self.mailing.pending, self.mailing.delivered), (4, 0))
        for raw in self.postfix.reports(8)[4:]:
            self.receive(raw)
        self.env.invalidate_all()
        statuses = {address: self.trace_of(address).trace_status for address in [*READERS.values(), GONE, BUSY]}
        self.assertEqual(statuses, {**dict.fromkeys(READERS.values(), "sent"), GONE: "bounce", BUSY: "pending"})
        self.assertEqual((self.mailing.delivered, self.mailing.bounced), (2, 1))


@tagged("post_install", "-at_install", MASS_MAILING_TAG)
class TestMailingQueueRun(MailingCase):
    """A mailing sent by Odoo's queue as its cron runs it: a commit after
    each mail (the commits of Odoo's test cursor, which run the pre-commit
    hooks and empty the cache as a real one does)."""

    def run_queue(self):
        """Send the mailing's mails as the cron does; return the statements
        the addon's tables saw meanwhile."""
        # the mailing queues its mails, whatever their number
        self.env["ir.config_parameter"].set_param("mail.mail.force.send.limit", 0)
        self.mailing.action_send_mail()
        mails = self.env["mail.mail"].sudo().search([("mailing_id", "=", self.mailing.id)])
        self.assertEqual(len(mails), 4, "queued")
        statements = []

        def watch(cr, query, params, start, depth):
            text = query.decode() if isinstance(query, bytes) else str(query)
            if "mail_tracking_email" in text:
                statements.append(text)

        thread = threading.current_thread()
        hooks = getattr(thread, "query_hooks", ())
        with (
            self.enter_registry_test_mode(),
            self.registry.cursor() as cr,
            mute_logger("odoo.addons.mail.models.mail_mail"),
        ):
            thread.query_hooks = (*hooks, watch)
            try:
                self.env(cr=cr)["mail.mail"].browse(mails.ids).send(auto_commit=True)
            finally:
                thread.query_hooks = hooks
        return statements

    def test_sends_recorded_in_a_few_statements(self):
        """Each mail of a mailing goes to one recipient: the trackings of the
        run are read once and recorded as sent together, not one mail at a
        time (Odoo's queue commits after each); through a server that
        reports deliveries, where reports come back, the traces wait for
        them at no cost."""
        self.start_smtp(extensions=["DSN"])
        self.env["mail.tracking.email"]._note_delivery_reports_arrive()
        statements = self.run_queue()
        trackings = (
            self.env["mail.tracking.email"]
            .sudo()
            .search([("mailing_trace_id", "in", self.mailing.mailing_trace_ids.ids)])
        )
        self.assertEqual(trackings.mapped("state"), ["sent"] * 4)
        self.assertEqual(len(trackings.tracking_event_ids), 4)
        self.assertEqual(set(self.mailing.mailing_trace_ids.mapped("trace_status")), {"pending"})
        self.assertLessEqual(len(statements), 2, "\n".join(statements))

    def test_sends_a_stopped_run_left_are_recorded_later(self):
        """A process that stops during a run leaves the sends it had not
        recorded yet: the trackings wait while the traces say sent. Ten
        minutes on, the backstop records them with the traces' send time."""
        self.start_smtp()
        self.run_queue()
        trackings = (
            self.env["mail.tracking.email"]
            .sudo()
            .search([("mailing_trace_id", "in", self.mailing.mailing_trace_ids.ids)])
        )
        # what the stopped process left: trackings waiting, queued and sent an hour ago
        trackings.tracking_event_ids.unlink()
        self.env.cr.execute(
            "UPDATE mail_tracking_email SET state = NULL, create_date = now() - interval '1 hour' WHERE id IN %s",
            [tuple(trackings.ids)],
        )
        self.env.cr.execute(
            "UPDATE mailing_trace SET sent_datetime = now() - interval '1 hour' WHERE id IN %s",
            [tuple(self.mailing.mailing_trace_ids.ids)],
        )
        late = trackings.filtered(lambda tracking: tracking.recipient_address == BUSY)
        self.env.cr.execute("UPDATE mailing_trace SET sent_datetime = now() WHERE id = %s", [late.mailing_trace_id])
        self.env.invalidate_all()
        self.env["mail.tracking.email"]._cron_record_mailing_sends_left()
        self.assertEqual(
            {tracking.recipient_address: tracking.state for tracking in trackings},
            {**dict.fromkeys([*READERS.values(), GONE], "sent"), BUSY: False},
            "sent an hour ago: recorded; sent a moment ago: left to its run",
        )
        self.assertEqual(len(trackings.tracking_event_ids), 3)


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


@tagged("post_install", "-at_install", MASS_MAILING_TAG)
class TestMailingProviderEvents(WebhookPosting, MailingCase):
    """A mailing sent through a mail provider (Mailgun) whose webhook
    reports what became of each email: what it says reaches the mailing."""

    provider = "mailgun"
    key = "mailgun-signing-key"

    def setUp(self):
        super().setUp()
        self.mail_server.tracking_provider = self.provider
        self.mail_server.sudo().tracking_webhook_secret = self.key
        self.smtp = self.start_smtp()
        self.send_mailing()

    def report(self, event, address, **data):
        (envelope,) = (envelope for envelope in self.smtp.envelopes if envelope.rcpt_tos == [address])
        reference = json.loads(envelope.message["X-Mailgun-Variables"])["odoo_tracking"]
        token = f"{event}-{address}"
        self.post_webhook(mailgun_payload(self.key, event, reference, address, token, **data))

    def test_hard_bounce_counts_toward_odoo_bounce_rules(self):
        failure = {"severity": "permanent", "delivery-status": {"code": 550, "description": "No such user here"}}
        self.report("failed", GONE, **failure)
        trace = self.trace_of(GONE)
        self.assertEqual((trace.trace_status, trace.failure_type), ("bounce", "mail_bounce"))
        self.assertIn("No such user here", trace.failure_reason)
        contact = self.mailing_list.contact_ids.filtered(lambda contact: contact.email == GONE)
        self.assertEqual(contact.message_bounce, 1)
        self.assertEqual(self.mailing.bounced, 1)

    def test_temporary_failure_is_no_bounce(self):
        self.report("failed", BUSY, severity="temporary", **{"delivery-status": {"code": 452, "description": "Full"}})
        self.assertEqual(self.trace_of(BUSY).trace_status, "sent")
        self.assertEqual(self.mailing.bounced, 0)

    def test_spam_complaint_blocklists_the_address(self):
        self.report("complained", READERS["Alice"])
        self.assertTrue(self.env["mail.blacklist"].search([("email", "=", READERS["Alice"])]))
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", READERS["Bob"])]))

    def test_unsubscribe_opts_out_of_the_mailing_lists(self):
        self.report("unsubscribed", READERS["Bob"])
        subscription = self.mailing_list.subscription_ids.filtered(lambda sub: sub.contact_id.email == READERS["Bob"])
        self.assertTrue(subscription.opt_out)
        self.assertFalse(self.env["mail.blacklist"].search([("email", "=", READERS["Bob"])]))

    def test_provider_open_and_click_reach_the_trace(self):
        self.report("opened", READERS["Alice"])
        self.assertEqual(self.trace_of(READERS["Alice"]).trace_status, "open")
        self.report("clicked", READERS["Bob"], url="https://shop.example.com/offer")
        bob = self.trace_of(READERS["Bob"])
        self.assertEqual(bob.trace_status, "open")
        self.assertTrue(bob.links_click_datetime)
        self.assertEqual(self.mailing.clicked, 1)

    def test_the_tracking_leads_to_the_mailing_trace(self):
        action = self.tracking_of_address(READERS["Alice"]).action_open_mailing_trace()
        trace = self.env[action["res_model"]].browse(action["res_id"])
        self.assertEqual(trace, self.trace_of(READERS["Alice"]))
