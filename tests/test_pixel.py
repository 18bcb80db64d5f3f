import re
from concurrent.futures import ThreadPoolExecutor
from unittest.mock import patch

from requests import Session

from odoo.tests import HttpCase, tagged
from odoo.tools import config

from ..controllers.main import BLANK_GIF
from ..controllers.open_buffer import OpenBuffer
from .common import TrackingCase

FIREFOX_ON_ANDROID = "Mozilla/5.0 (Android 14; Mobile; rv:128.0) Gecko/128.0 Firefox/128.0"
GMAIL_PROXY = "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)"


@tagged("post_install", "-at_install")
class TestOpenPixel(HttpCase, TrackingCase):
    """The open pixel, hit by real HTTP requests to the test server."""

    def setUp(self):
        super().setUp()
        message = self.post(self.alice)
        self.tracking = self.tracking_of(message, self.alice)
        self.tracking.event_create("sent", {"timestamp": 1000.0})

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
        self.env.invalidate_all()
        return response

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
        self.hit(self.pixel_url(token="not-the-token"))
        self.assertEqual(self.tracking.state, "sent")
        self.assertFalse(self.opens())

    def test_token_of_another_tracking_records_nothing(self):
        other = self.tracking_of(self.post(self.bob), self.bob)
        self.hit(self.pixel_url(token=other.sudo().token))
        self.assertFalse(self.opens())
        self.assertFalse(other.tracking_event_ids)

    def test_unknown_database_gets_the_gif(self):
        self.hit(self.pixel_url(db="no_such_database"))
        self.assertFalse(self.opens())

    def test_malformed_ids_get_the_gif(self):
        for tracking_id in ("abc", "-1", "0", "99999999999999999999999", "1e9", "%3Cscript%3E"):
            with self.subTest(tracking_id=tracking_id):
                self.hit(self.pixel_url(tracking_id=tracking_id))
        self.assertFalse(self.opens())

    def test_missing_parts_and_huge_tokens_are_harmless(self):
        self.hit(self.pixel_url(token="x" * 5000))
        response = self.url_open(f"/mail/tracking/open/{self.env.cr.dbname}/{self.tracking.id}/blank.gif")
        self.assertNotIn(b"Traceback", response.content)
        self.assertFalse(self.opens())

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
        url = self.base_url() + self.pixel_url()
        self.env.flush_all()
        with self.allow_requests():
            cookies = dict(self.opener.cookies)

            def get(_index):
                with Session() as session:
                    return session.get(url, cookies=cookies, timeout=30).status_code

            with ThreadPoolExecutor(max_workers=4) as pool:
                statuses = list(pool.map(get, range(8)))
        self.env.invalidate_all()
        self.assertEqual(statuses, [200] * 8)
        self.assertEqual(len(self.opens()), 1)

    def test_sent_email_carries_the_pixel(self):
        smtp = self.start_smtp()
        message = self.post(self.bob)
        self.send_queue()
        html = smtp.envelopes[0].message.get_body(("html",)).get_content()
        tracking = self.tracking_of(message, self.bob)
        match = re.search(r'src="([^"]+/blank\.gif)"', html)
        self.assertTrue(match, "the email has the pixel")
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


@tagged("post_install", "-at_install")
class TestOpenBatches(HttpCase, TrackingCase):
    """Hits written in batches by the server's writer thread."""

    def setUp(self):
        super().setUp()
        self.alice_tracking = self.tracking_of(self.post(self.alice), self.alice)
        self.bob_tracking = self.tracking_of(self.post(self.bob), self.bob)

    def hit(self, tracking, seconds, token=None):
        return (tracking.id, token or tracking.sudo().token, {"timestamp": 2000.0 + seconds, "ip": "127.0.0.1"})

    def opens(self, tracking):
        return tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open")

    def test_batch_keeps_valid_hits_apart_enough(self):
        self.env["mail.tracking.email"]._record_opens(
            [
                self.hit(self.alice_tracking, 0),
                self.hit(self.alice_tracking, 0, token="forged"),
                self.hit(self.alice_tracking, 3),
                self.hit(self.alice_tracking, 30),
                self.hit(self.bob_tracking, 3, token="forged"),
                (999999999, "x", {"timestamp": 2000.0}),
            ]
        )
        self.assertEqual(sorted(self.opens(self.alice_tracking).mapped("timestamp")), [2000.0, 2030.0])
        self.assertEqual(self.alice_tracking.state, "opened")
        self.assertFalse(self.opens(self.bob_tracking))

    def test_writer_groups_hits_by_database(self):
        buffer = OpenBuffer()
        db = self.env.cr.dbname
        buffer._write(
            [
                (db, *self.hit(self.alice_tracking, 0)),
                (db, *self.hit(self.bob_tracking, 0)),
                (db, *self.hit(self.bob_tracking, 5)),
            ]
        )
        self.env.invalidate_all()
        self.assertEqual(len(self.opens(self.alice_tracking)), 1)
        self.assertEqual(len(self.opens(self.bob_tracking)), 1)
