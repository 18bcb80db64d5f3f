import html
import re
import time

from markupsafe import Markup

from odoo.tests import Form, HttpCase, tagged

from ..controllers.pixel import BLANK_GIF
from .common import TrackingCase, record_handoffs
from .test_open_classifier import THUNDERBIRD

PAGE = "https://shop.example.com/offer"


@tagged("post_install", "-at_install")
class TestOptOutHoldsForOldEmails(HttpCase, TrackingCase):
    """ "Don't track my emails" ticked on the contact's form after an email
    was sent: its pixel and its links, fetched and followed by real HTTP
    requests, record nothing of the person (no open, no click, no address,
    no client); the link still leads to its page."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.env["res.config.settings"].create({"mail_tracking_click_tracking": True}).execute()
        message, self.received = self.post_and_send(
            self.alice | self.bob, body=Markup('<p><a href="%s">Our offer</a></p>') % PAGE
        )
        self.alice_tracking, self.bob_tracking = (
            self.tracking_of(message, self.alice),
            self.tracking_of(message, self.bob),
        )
        # read an hour after it was sent: no gateway's scan on delivery
        for tracking in self.alice_tracking | self.bob_tracking:
            tracking.timestamp = time.time() - 3600
        with Form(self.alice) as form:
            form.mail_tracking_optout = True

    def body_of(self, address):
        return self.received[address].get_body(("html",)).get_content()

    def get(self, url, status):
        self.env.flush_all()
        base = self.env["mail.tracking.email"].get_base_url()
        response = self.url_open(url.removeprefix(base), headers={"User-Agent": THUNDERBIRD}, allow_redirects=False)
        self.assertEqual(response.status_code, status)
        record_handoffs(self.env.cr.dbname)
        self.env.invalidate_all()
        return response

    def pixel_of(self, address):
        return html.unescape(re.search(r'src="([^"]*/mail/tracking/open/[^"]*)"', self.body_of(address))[1])

    def link_of(self, address):
        return html.unescape(re.search(r'href="([^"]*/mail/tracking/click/[^"]*)"', self.body_of(address))[1])

    def engagement(self, tracking):
        return tracking.tracking_event_ids.filtered(lambda event: event.event_type in ("open", "click"))

    def test_old_pixel_records_nothing(self):
        self.assertEqual(self.get(self.pixel_of("alice@example.com"), 200).content, BLANK_GIF)
        self.assertFalse(self.engagement(self.alice_tracking))
        self.assertEqual(self.alice_tracking.state, "sent")
        self.assertFalse(self.env["mail.tracking.handoff"].sudo().search([]), "nothing kept waiting either")
        self.get(self.pixel_of("bob@example.com"), 200)
        self.assertEqual(self.bob_tracking.state, "opened", "the others are tracked as before")

    def test_old_link_leads_to_its_page_and_records_nothing(self):
        response = self.get(self.link_of("alice@example.com"), 303)
        self.assertEqual(response.headers["Location"], PAGE)
        self.assertFalse(self.engagement(self.alice_tracking))
        self.assertFalse(self.alice_tracking.tracking_event_ids.filtered("ip"))
        self.assertFalse(self.alice_tracking.tracking_event_ids.filtered("user_agent"))
        self.assertEqual(self.alice_tracking.state, "sent")

    def test_details_say_why(self):
        self.assertEqual(
            self.alice_tracking.with_user(self.user_employee)._details().get("not_tracked_reason"),
            "Not tracked: the recipient asked not to be tracked.",
        )

    def test_tracked_again_once_the_box_is_cleared(self):
        with Form(self.alice) as form:
            form.mail_tracking_optout = False
        self.get(self.pixel_of("alice@example.com"), 200)
        self.assertEqual(self.alice_tracking.state, "opened")
