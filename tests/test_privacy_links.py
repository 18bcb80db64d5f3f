import html
import re
from datetime import timedelta

from markupsafe import Markup

from odoo import fields
from odoo.tests import HttpCase, tagged

from ..models.mail_tracking_link import LINK_CACHE_KEY
from .common import TrackingCase, record_handoffs

CART = "https://shop.example.com/cart?email=alice@example.com&step=2#pay"
ENCODED = "https://shop.example.com/track/alice%40example.com/welcome?lang=en"
PUBLIC = "https://docs.example.org/guide"


@tagged("post_install", "-at_install")
class TestPrivacyOfLinks(HttpCase, TrackingCase):
    """Links that name their recipient (an address in the query or the
    path) are that person's data: found by Privacy Lookup, removed by
    Anonymise and by retention; a click on them still leads to the page."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.env["res.config.settings"].create({"mail_tracking_click_tracking": True}).execute()
        body = Markup("<p>%s</p>") % Markup(" ").join(
            Markup('<a href="%s">link</a>') % url for url in (CART, ENCODED, PUBLIC)
        )
        self.message = self.post(self.alice, body=body)
        self.send_queue()
        self.tracking = self.tracking_of(self.message, self.alice)
        Link = self.env["mail.tracking.link"]
        self.cart, self.encoded, self.public = (Link.search([("url", "=", url)]) for url in (CART, ENCODED, PUBLIC))
        self.assertTrue(self.cart and self.encoded and self.public)
        sent = self.smtp.envelopes[-1].message.get_body(("html",)).get_content()
        self.click_urls = [html.unescape(url) for url in re.findall(r'href="([^"]*/mail/tracking/click/[^"]*)"', sent)]

    def lookup(self, email):
        wizard = self.env["privacy.lookup.wizard"].create({"name": "Alice", "email": email})
        wizard.action_lookup()
        return wizard

    def link_lines(self, wizard):
        return wizard.line_ids.filtered(lambda line: line.res_model == "mail.tracking.link")

    def follow(self, url):
        self.env.flush_all()
        base = self.env["mail.tracking.email"].get_base_url()
        response = self.url_open(url.removeprefix(base), allow_redirects=False)
        self.assertEqual(response.status_code, 303)
        record_handoffs(self.env.cr.dbname)
        self.env.invalidate_all()
        return response.headers["Location"]

    def test_lookup_lists_the_links_naming_the_address(self):
        found = self.env["mail.tracking.link"].browse(
            self.link_lines(self.lookup("Alice@Example.com")).mapped("res_id")
        )
        self.assertEqual(found, self.cart | self.encoded)

    def test_anonymise_removes_the_address_from_the_links_and_clicks_still_lead_to_the_page(self):
        self.assertEqual(self.follow(self.click_urls[0]), CART)
        wizard = self.lookup("alice@example.com")
        wizard.line_ids.filtered(lambda line: line.res_model == "mail.tracking.email").action_anonymize_tracking()
        for link in (self.cart, self.encoded):
            self.assertNotIn("alice", link.url.lower())
        self.assertEqual(self.public.url, PUBLIC, "other links untouched")
        self.assertEqual(self.follow(self.click_urls[0]), "https://shop.example.com/cart")
        self.assertEqual(self.follow(self.click_urls[1]), "https://shop.example.com/")
        self.assertFalse(self.link_lines(self.lookup("alice@example.com")), "nothing left to find")

    def test_anonymise_a_link_line(self):
        lines = self.link_lines(self.lookup("alice@example.com"))
        for line in lines:
            line.action_anonymize_tracking()
        self.assertNotIn("alice", self.cart.url + self.encoded.url)

    def test_retention_clears_the_query_of_links_not_sent_for_the_retention(self):
        self.env["ir.config_parameter"].set_param("mail_activity_tracking.personal_data_days", "30")
        self.env["mail.tracking.link"].browse([self.cart.id, self.public.id]).write(
            {"sent_date": fields.Date.today() - timedelta(days=40)}
        )
        self.env["mail.tracking.event"]._gc_personal_data()
        self.env.invalidate_all()
        self.assertEqual(self.cart.url, "https://shop.example.com/cart")
        self.assertEqual(self.encoded.url, ENCODED, "sent within the retention")
        self.assertEqual(self.public.url, PUBLIC, "nothing to clear")
        # sending the link again makes a link of its own
        self.post(self.alice, body=Markup('<p><a href="%s">again</a></p>') % CART)
        self.send_queue()
        self.assertEqual(len(self.env["mail.tracking.link"].search([("url", "=", CART)])), 1)

    def test_sending_a_link_again_keeps_it_from_retention(self):
        self.env["mail.tracking.link"].browse(self.cart.ids).write(
            {"sent_date": fields.Date.today() - timedelta(days=40)}
        )
        # a later transaction: what this one knows of its links is gone
        self.env.cr.precommit.data.pop(LINK_CACHE_KEY)
        self.post(self.bob, body=Markup('<p><a href="%s">again</a></p>') % CART)
        self.send_queue()
        self.env.invalidate_all()
        self.assertEqual(self.cart.sent_date, fields.Date.today())
