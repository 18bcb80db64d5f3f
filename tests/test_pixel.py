import re
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from requests import Session

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from ..controllers.pixel import BLANK_GIF
from .common import TrackingCase, record_handoffs

FIREFOX_ON_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"


@tagged("post_install", "-at_install")
class TestOpenPixel(HttpCase, TrackingCase):
    """The open pixel, hit by real HTTP requests to the test server."""

    def setUp(self):
        super().setUp()
        self.tracking = self.tracking_sent_long_ago(self.alice)

    def pixel_url(self, db=None, tracking_id=None, token=None):
        db = db or self.env.cr.dbname
        tracking_id = self.tracking.id if tracking_id is None else tracking_id
        token = self.tracking.sudo().token if token is None else token
        return f"/mail/tracking/open/{db}/{tracking_id}/{token}/blank.gif"

    def hit(self, url, user_agent=FIREFOX_ON_ANDROID, headers=None):
        self.env.flush_all()
        response = self.url_open(url, headers={"User-Agent": user_agent, **(headers or {})})
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response.headers["Content-Type"], "image/gif")
        self.assertIn("no-store", response.headers["Cache-Control"])
        self.assertEqual(response.content, BLANK_GIF)
        self.assertTrue(record_handoffs(self.env.cr.dbname), "the open writer recorded the waiting hits")
        self.env.invalidate_all()
        return response

    def assert_only_the_valid_hit_counts(self, forged_urls):
        """No open from ``forged_urls``, then one from the genuine URL: a
        pixel that recorded nothing would fail here as well."""
        for url in forged_urls:
            with self.subTest(url=url):
                self.hit(url)
        self.assertEqual(self.tracking.state, "sent")
        self.assertFalse(self.opens())
        self.hit(self.pixel_url())
        self.assertEqual(self.tracking.state, "opened")
        self.assertEqual(len(self.opens()), 1)

    def opens(self):
        return self.tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")

    def test_good_token_records_an_open_with_the_client(self):
        self.hit(self.pixel_url())
        self.assertEqual(self.tracking.state, "opened")
        event = self.opens()
        self.assertEqual(len(event), 1)
        self.assertEqual(event.ip, "127.0.0.1")
        self.assertEqual(event.user_agent, FIREFOX_ON_ANDROID)
        self.assertEqual((event.os_family, event.ua_family, event.mobile), ("android", "firefox", True))
        self.assertTrue(event.time)

    def test_client_ip_behind_a_proxy(self):
        self.enterContext(patch.dict(config.options, {"proxy_mode": True}))
        self.hit(self.pixel_url(), headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "odoo.example.com"})
        self.assertEqual(self.opens().ip, "203.0.113.7")

    def test_forwarded_for_is_ignored_without_proxy_mode(self):
        self.enterContext(patch.dict(config.options, {"proxy_mode": False}))
        self.hit(self.pixel_url(), headers={"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Host": "odoo.example.com"})
        self.assertEqual(self.opens().ip, "127.0.0.1")

    def test_mail_client_proxies_are_named(self):
        self.hit(self.pixel_url(), user_agent=GMAIL_PROXY)
        self.assertEqual((self.opens().ua_family, self.opens().ua_type), ("Gmail image proxy", "proxy"))
        self.assertFalse(self.opens().mobile)

    def test_wrong_token_records_nothing(self):
        token = self.tracking.sudo().token
        self.assert_only_the_valid_hit_counts(
            [self.pixel_url(token=forged) for forged in ("not-the-token", token[:-1], token.swapcase(), token + "A")]
        )

    def test_token_of_another_tracking_records_nothing(self):
        other = self.tracking_of(self.post(self.bob), self.bob)
        self.assert_only_the_valid_hit_counts([self.pixel_url(token=other.sudo().token)])
        self.assertFalse(other.tracking_event_ids)

    def test_unknown_database_gets_the_gif(self):
        self.assert_only_the_valid_hit_counts([self.pixel_url(db="no_such_database"), self.pixel_url(db="postgres")])

    def test_malformed_ids_get_the_gif(self):
        tracking_id = self.tracking.id
        self.assert_only_the_valid_hit_counts(
            [
                self.pixel_url(tracking_id=forged)
                for forged in (
                    *("abc", "-1", "0", "99999999999999999999999", "9" * 5000, "1e9", "%3Cscript%3E"),
                    *("%C2%B2", "%D9%A1", f"0{tracking_id}", f"%EF%BC%91{tracking_id}", f"{tracking_id}%C2%B2"),
                )
            ]
        )

    def test_huge_tokens_get_the_gif(self):
        self.assert_only_the_valid_hit_counts([self.pixel_url(token="x" * 5000), self.pixel_url(token="%C2%B2")])

    def test_missing_or_extra_parts_get_the_gif(self):
        db, tracking_id, token = self.env.cr.dbname, self.tracking.id, self.tracking.sudo().token
        self.assert_only_the_valid_hit_counts(
            [
                f"/mail/tracking/open/{db}/{tracking_id}/blank.gif",
                f"/mail/tracking/open/{db}/blank.gif",
                f"/mail/tracking/open/{db}/{tracking_id}/{token}/{token}/blank.gif",
                f"/mail/tracking/open/{db}/{tracking_id}/{token}/other.gif",
                f"/mail/tracking/open/{db}%00/{tracking_id}/{token}/blank.gif",
                "/mail/tracking/open/%00",
            ]
        )

    def test_repeated_hits_count_once(self):
        for _index in range(3):
            self.hit(self.pixel_url())
        self.assertEqual(len(self.opens()), 1)

    def test_later_hits_are_recorded(self):
        self.hit(self.pixel_url())
        self.opens().timestamp = 2000.0
        self.hit(self.pixel_url())
        self.assertEqual(len(self.opens()), 2)

    def test_concurrent_hits_count_once(self):
        self.assertEqual(self.hit_at_once([self.pixel_url()] * 20), [200] * 20)
        self.assertEqual(len(self.opens()), 1)
        self.assertEqual(self.tracking.state, "opened")

    def hit_at_once(self, urls):
        """GET ``urls`` from as many threads at once; the statuses, once the
        open writer recorded the hits."""
        self.env.flush_all()
        with self.allow_requests():
            cookies = dict(self.opener.cookies)

            def get(url):
                with Session() as session:
                    return session.get(self.base_url() + url, cookies=cookies, timeout=60).status_code

            with ThreadPoolExecutor(max_workers=len(urls)) as pool:
                statuses = list(pool.map(get, urls))
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()
        return statuses

    def test_simultaneous_opens_of_many_trackings_each_count_once(self):
        message = self.post(self.bob | self.record)
        trackings = self.tracking | self.trackings(message)
        urls = [self.pixel_url(tracking_id=tracking.id, token=tracking.sudo().token) for tracking in trackings] * 7
        self.assertEqual(self.hit_at_once(urls[:20]), [200] * 20)
        opens = trackings.tracking_event_ids.filtered(lambda event: event.event_type == "open")
        self.assertEqual(sorted(opens.tracking_email_id.ids), sorted(trackings.ids))

    def test_sent_email_carries_the_pixel(self):
        smtp = self.start_smtp()
        message = self.post(self.bob)
        self.send_queue()
        html = smtp.envelopes[0].message.get_body(("html",)).get_content()
        tracking = self.tracking_of(message, self.bob)
        match = re.search(r'src="([^"]+/blank\.gif)"', html)
        self.assertTrue(match, "the email has the pixel")
        # read a minute after it was sent: no gateway's scan on delivery
        tracking.timestamp -= 60
        self.assertEqual(
            match.group(1),
            f"{tracking.get_base_url()}/mail/tracking/open/{self.env.cr.dbname}/{tracking.id}/{tracking.sudo().token}/blank.gif",
        )
        self.hit(match.group(1).removeprefix(tracking.get_base_url()))
        self.assertEqual(tracking.state, "opened")

    def test_base_url_parameter_overrides(self):
        smtp = self.start_smtp()
        self.env["ir.config_parameter"].set_param("mail_activity_tracking.base_url", "https://track.example.com/")
        self.post(self.bob)
        self.send_queue()
        html = smtp.envelopes[0].message.get_body(("html",)).get_content()
        self.assertIn('src="https://track.example.com/mail/tracking/open/', html)

    def test_disabled_parameter_removes_the_pixel(self):
        smtp = self.start_smtp()
        Param = self.env["ir.config_parameter"]
        for value, has_pixel in (
            ("1", False),
            ("true", False),
            ("True", False),
            ("0", True),
            ("False", True),
            ("", True),
        ):
            with self.subTest(value=value):
                Param.set_param("mail_activity_tracking.tracking_img_disabled", value)
                self.post(self.bob)
                self.send_queue()
                html = smtp.envelopes[-1].message.get_body(("html",)).get_content()
                self.assertEqual("blank.gif" in html, has_pixel)
