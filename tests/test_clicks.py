import html
import re
import time
from urllib.parse import urlsplit

from markupsafe import Markup

from odoo.tests import HttpCase, tagged

from ..services.handoff_writer import HANDOFF_WRITER
from .common import TrackingCase, record_handoffs
from .test_open_classifier import THUNDERBIRD

OFFER = "https://example.com/offer?id=7&ref=mail"
GUIDE = "https://docs.example.org/guide"
LEFT_ALONE = (
    "mailto:sales@example.com",
    "tel:+3212345678",
    "#details",
    "https://example.com/unsubscribe?list=3",
    "https://portal.example.net/my/orders/5?access_token=xyz",
)


@tagged("post_install", "-at_install")
class TestClickTracking(HttpCase, TrackingCase):
    """Links of a real email sent through the loopback SMTP server, read
    from the server's copy and followed by real HTTP requests; the clicks
    the requests keep are recorded by the hand-off writer's thread."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.base = self.env["mail.tracking.email"].get_base_url()
        self.view_link = f"{self.base}/mail/view?model=res.partner&res_id={self.record.id}&access_token=abc"

    def enable_click_tracking(self):
        self.env["res.config.settings"].create({"mail_tracking_click_tracking": True}).execute()

    def send(self, partners):
        links = (OFFER, GUIDE, *LEFT_ALONE, self.view_link, OFFER)
        body = Markup("<p>%s</p>") % Markup(" ").join(
            Markup('<a href="%s">link %s</a>') % (url, index) for index, url in enumerate(links)
        )
        message = self.post(partners, body=body)
        self.send_queue()
        return message

    def sent_links(self, index=-1):
        """The URLs of the links of the ``index``-th email the server got."""
        body = self.smtp.envelopes[index].message.get_body(("html",)).get_content()
        return [html.unescape(url) for url in re.findall(r'<a\b[^>]*\bhref="([^"]*)"', body)]

    def sent_text(self, index=-1):
        """The plain-text part of the ``index``-th email the server got."""
        return self.smtp.envelopes[index].message.get_body(("plain",)).get_content()

    def click_urls(self, links):
        return [url for url in links if "/mail/tracking/click/" in url]

    def follow(self, url, record=True, **kwargs):
        """GET ``url`` without following the redirect, then (when
        ``record``) have the hand-off writer record what the request kept;
        the redirect's target."""
        self.env.flush_all()
        path = url.removeprefix(self.base)
        response = self.url_open(path, allow_redirects=False, **kwargs)
        self.assertEqual(response.status_code, 303, path)
        self.assertNotIn(b"Traceback", response.content)
        if record:
            self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        return response.headers["Location"]

    def waiting(self):
        return self.env["mail.tracking.handoff"].search([("kind", "=", "click")])

    def clicks(self, tracking):
        return tracking.tracking_event_ids.filtered(lambda event: event.event_type == "click")

    def read_later(self, tracking):
        """The email was sent an hour ago: a click now is no gateway's scan."""
        tracking.timestamp = time.time() - 3600

    def assert_home(self, location):
        self.assertEqual(urlsplit(location).path, "/")
        self.assertIn(urlsplit(location).netloc, ("", urlsplit(self.base).netloc))

    def test_off_by_default(self):
        self.send(self.alice)
        links = self.sent_links()
        self.assertFalse(self.click_urls(links))
        self.assertIn(OFFER, links)
        self.assertIn(f"] {OFFER}", self.sent_text())
        self.assertNotIn("/mail/tracking/click/", self.sent_text())

    def test_links_are_rewritten_and_followed(self):
        self.enable_click_tracking()
        message = self.send(self.alice)
        tracking = self.tracking_of(message, self.alice)
        links = self.sent_links()
        self.assertNotIn(OFFER, links)
        self.assertNotIn(GUIDE, links)
        for url in (*LEFT_ALONE, self.view_link):
            self.assertIn(url, links, "left alone")
        body_clicks = self.click_urls(links)[:3]
        self.assertEqual(body_clicks[0], body_clicks[2], "one URL per link")
        self.assertTrue(
            body_clicks[0].startswith(f"{self.base}/mail/tracking/click/{self.env.cr.dbname}/{tracking.id}/")
        )
        self.read_later(tracking)
        self.assertEqual(self.follow(body_clicks[0], headers={"User-Agent": THUNDERBIRD}), OFFER)
        click = self.clicks(tracking)
        self.assertEqual((click.url, click.open_kind, click.ua_family), (OFFER, "person", "Thunderbird"))
        self.assertEqual(tracking.state, "opened")
        self.assertEqual((tracking.clicked, tracking.human_opened), (1, 1))
        self.assertEqual(self.follow(body_clicks[1]), GUIDE)
        self.assertEqual(sorted(self.clicks(tracking).mapped("url")), sorted([OFFER, GUIDE]))

    def test_plain_text_part_leads_through_the_same_click_urls(self):
        self.enable_click_tracking()
        tracking = self.tracking_of(self.send(self.alice), self.alice)
        text = self.sent_text()
        html_clicks = self.click_urls(self.sent_links())
        text_links = re.findall(r"^\[\d+\] (\S+)", text, re.MULTILINE)
        self.assertNotIn(OFFER, text)
        self.assertNotIn(GUIDE, text)
        self.assertEqual(self.click_urls(text_links), html_clicks)
        for url in (*LEFT_ALONE, self.view_link):
            self.assertIn(url, text_links, "left alone")
        self.read_later(tracking)
        self.assertEqual(self.follow(self.click_urls(text_links)[1]), GUIDE)
        self.assertEqual(self.clicks(tracking).url, GUIDE)

    def test_a_repeat_is_a_click_on_the_same_link(self):
        """Within seconds, a click on another link of the email is a click
        of its own; one on the same link again is a repeat, whether the
        writer records them in one batch or in several."""
        self.enable_click_tracking()
        tracking = self.tracking_of(self.send(self.alice), self.alice)
        self.read_later(tracking)
        offer, guide = self.click_urls(self.sent_links())[:2]
        for url in (offer, guide, offer):
            self.follow(url, record=False)
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        self.assertEqual(sorted(self.clicks(tracking).mapped("url")), sorted([OFFER, GUIDE]))
        self.follow(guide)
        self.assertEqual(len(self.clicks(tracking)), 2)

    def test_click_right_after_sending_is_a_scan(self):
        self.enable_click_tracking()
        tracking = self.tracking_of(self.send(self.alice), self.alice)
        self.assertEqual(self.follow(self.click_urls(self.sent_links())[0]), OFFER)
        click = self.clicks(tracking)
        self.assertEqual((click.open_kind, click.engagement_note), ("scanner", "Scanned by a security gateway"))
        self.assertEqual(tracking.state, "delivered")
        self.assertEqual((tracking.clicked, tracking.human_opened), (0, 0))

    def test_each_recipient_has_their_own_links(self):
        self.enable_click_tracking()
        message = self.send(self.alice | self.bob)
        alice, bob = self.tracking_of(message, self.alice), self.tracking_of(message, self.bob)
        by_tracking = {}
        for index in range(2):
            urls = self.click_urls(self.sent_links(index))
            by_tracking[int(urls[0].split("/")[-3])] = urls
        self.assertEqual(set(by_tracking), {alice.id, bob.id})
        self.assertNotEqual(by_tracking[alice.id][0], by_tracking[bob.id][0])
        self.read_later(bob)
        self.assertEqual(self.follow(by_tracking[bob.id][0]), OFFER)
        self.assertEqual((len(self.clicks(alice)), len(self.clicks(bob))), (0, 1))

    def test_forged_click_urls_lead_home_and_record_nothing(self):
        self.enable_click_tracking()
        message = self.send(self.alice | self.bob)
        alice, bob = self.tracking_of(message, self.alice), self.tracking_of(message, self.bob)
        genuine = next(
            url
            for index in range(2)
            for url in self.click_urls(self.sent_links(index))
            if url.split("/")[-3] == str(alice.id)
        )
        prefix, link_id, signature = genuine.rsplit("/", 2)
        db = self.env.cr.dbname
        other_link = self.env["mail.tracking.link"].sudo()._ids_for_urls(["https://elsewhere.example.com/"])
        other_link_id = other_link["https://elsewhere.example.com/"]
        forged = [
            f"{prefix}/{link_id}/{signature[:-1]}{'0' if signature[-1] != '0' else '1'}",  # tampered signature
            f"{prefix}/{link_id}/{signature.upper()}",
            genuine.replace(f"/{alice.id}/", f"/{bob.id}/"),  # another tracking's id
            f"{prefix}/{other_link_id}/{signature}",  # a link the email never had
            f"{prefix}/{other_link_id}/{alice._click_signature(other_link_id + 1)}",
            f"{prefix}/{link_id}/{signature}/https://evil.example.com/",
            f"/mail/tracking/click/{db}/{alice.id}/{link_id}?url=https://evil.example.com/",
            f"/mail/tracking/click/{db}/{alice.id}/https:%2F%2Fevil.example.com/{signature}",
            f"/mail/tracking/click/{db}/{alice.id}/{'9' * 40}/{signature}",
            f"/mail/tracking/click/{db}/{alice.id}/2147483647/{signature}",
            f"/mail/tracking/click/no_such_db/{alice.id}/{link_id}/{signature}",
            f"/mail/tracking/click/{db}/{alice.id}/{link_id}/%3Cscript%3E",
            f"/mail/tracking/click/{db}/%C2%B2/{link_id}/{signature}",
            "/mail/tracking/click/",
            "/mail/tracking/click",
        ]
        for url in forged:
            with self.subTest(url=url):
                self.assert_home(self.follow(url, record=False))
        self.assertFalse(self.waiting())
        self.assertFalse(self.clicks(alice | bob))
        self.assertEqual((alice.state, bob.state), ("sent", "sent"))
        # the genuine URL with a target in a parameter still goes where the email said
        self.read_later(alice)
        self.assertEqual(self.follow(f"{genuine}?url=https://evil.example.com/"), OFFER)
        self.assertEqual(self.clicks(alice).url, OFFER)

    def test_head_request_redirects_without_recording(self):
        self.enable_click_tracking()
        tracking = self.tracking_of(self.send(self.alice), self.alice)
        self.read_later(tracking)
        url = self.click_urls(self.sent_links())[0].removeprefix(self.base)
        self.env.flush_all()
        response = self.opener.head(self.base_url() + url, allow_redirects=False, timeout=60)
        self.assertIn(response.status_code, (303, 405))
        self.env.invalidate_all()
        self.assertFalse(self.waiting())
        self.assertFalse(self.clicks(tracking))

    def test_click_is_in_the_database_before_the_answer(self):
        self.enable_click_tracking()
        tracking = self.tracking_of(self.send(self.alice), self.alice)
        self.read_later(tracking)
        # a process that ends right after answering: its thread never runs
        self.patch(type(HANDOFF_WRITER), "notify", lambda writer, db: None)
        self.assertEqual(self.follow(self.click_urls(self.sent_links())[0], record=False), OFFER)
        kept = self.waiting()
        self.assertEqual((kept.tracking_email_id, len(kept)), (tracking.id, 1))
        self.assertEqual(self.env["mail.tracking.link"].browse(kept.link_id).url, OFFER)
        self.assertFalse(self.clicks(tracking))
        self.env.ref("mail_activity_tracking.ir_cron_record_handoffs").method_direct_trigger()
        self.env.invalidate_all()
        self.assertEqual(self.clicks(tracking).url, OFFER)
        self.assertEqual(tracking.state, "opened")
        self.assertFalse(self.waiting())
