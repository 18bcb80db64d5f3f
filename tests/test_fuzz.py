import logging
import random
import time
import traceback

from werkzeug.exceptions import NotFound

from odoo.tests import HttpCase, tagged
from odoo.tools import mute_logger

from ..controllers.pixel import BLANK_GIF
from .common import TrackingCase, record_handoffs
from .fuzz import forged_pair, fuzz_report, pixel_path
from .test_bounce import delivery_status_notification

_logger = logging.getLogger(__name__)

#: Frames of the addon's product code (not its tests) on a failure's stack.
ADDON_CODE = ("/mail_activity_tracking/models/", "/mail_activity_tracking/tools/")
PIXEL_URLS = 1000
BOUNCES = 200
OTHER_DATABASES = ("no_such_database", "postgres", "template1", "é💥", "", "a" * 300)
#: What Odoo answers a URL that no route matches: werkzeug's plain page.
NOT_FOUND_PAGE = NotFound().get_response().get_data()


@tagged("post_install", "-at_install")
class TestPixelFuzz(HttpCase, TrackingCase):
    """Generated pixel URLs, sent to the test server: always the blank GIF
    (so never a 5xx or a traceback), never an open without the tracking's
    own token."""

    maxDiff = None

    def test_generated_urls(self):
        message = self.post(self.alice | self.bob | self.record)
        trackings = self.trackings(message) | self.trackings(self.post(self.alice | self.bob | self.record))
        tokens = {tracking.id: tracking.sudo().token for tracking in trackings}
        # each tracking but the last is opened once, at a random point among the forged hits
        valid_hits = {index * PIXEL_URLS // len(trackings): tracking for index, tracking in enumerate(trackings[:-1])}
        rng = random.Random(1103)
        db, opened_at, bad = self.env.cr.dbname, {}, []
        self.env.flush_all()
        for index in range(PIXEL_URLS):
            if index in valid_hits:
                tracking = valid_hits[index]
                opened_at[tracking] = time.time()
                self.assertEqual(self.url_open(self.pixel(db, tracking.id, tokens[tracking.id])).content, BLANK_GIF)
            tracking_id, token = forged_pair(rng, tokens)
            url = pixel_path(rng, rng.choice((db, db, db, *OTHER_DATABASES)), tracking_id, token)
            response = self.url_open(url)
            # "open///" (no database, no id) matches no route: a plain 404 page
            not_routed = "open///" in url and (response.status_code, response.content) == (404, NOT_FOUND_PAGE)
            if (response.status_code, response.content) != (200, BLANK_GIF) and not not_routed:
                bad.append((index, url[:200], response.status_code, response.content[:100]))
        self.assertTrue(record_handoffs(db))
        self.env.invalidate_all()
        self.assertEqual(bad, [])
        opens = {
            tracking: tracking.tracking_event_ids.filtered(lambda e: e.event_type == "open") for tracking in trackings
        }
        self.assertEqual([len(opens[tracking]) for tracking in trackings], [1] * (len(trackings) - 1) + [0])
        for tracking, moment in opened_at.items():
            self.assertGreaterEqual(opens[tracking].timestamp, moment, "the open is the valid hit, not a forged one")

    def pixel(self, db, tracking_id, token):
        return f"/mail/tracking/open/{db}/{tracking_id}/{token}/blank.gif"


@tagged("post_install", "-at_install")
class TestBounceFuzz(TrackingCase):
    """Generated delivery reports fed to Odoo's mail gateway: each one is
    processed without an error, and none moves a tracking it cannot name with
    its token."""

    maxDiff = None

    def test_generated_reports(self):
        smtp = self.start_smtp()
        message = self.post(self.alice | self.bob)
        self.send_queue()
        trackings = self.trackings(message)
        tokens = {tracking.id: tracking.sudo().token for tracking in trackings}
        rng = random.Random(2207)
        bounce = self.env.company.alias_domain_id.bounce_email
        failures = []
        for index in range(BOUNCES):
            raw = fuzz_report(rng, tokens, ["alice@example.com", "bob@example.com", "carol@example.com"], bounce)
            try:
                with mute_logger("odoo.addons.mail.models.mail_thread"), self.env.cr.savepoint():
                    self.env["mail.thread"].message_process(False, raw)
            except Exception as error:  # the test reports every failure
                frames = traceback.extract_tb(error.__traceback__)
                ours = [
                    f"{frame.filename}:{frame.lineno}"
                    for frame in frames
                    if frame.filename.endswith(".py") and any(part in frame.filename for part in ADDON_CODE)
                ]
                failures.append((index, repr(error)[:200], ours, f"{frames[-1].filename}:{frames[-1].lineno}"))
        # Odoo's own gateway raises on some of them (e.g. IndexError on an
        # empty message/rfc822 part, UnicodeEncodeError refolding an encoded
        # word of undecodable bytes) before or after the addon's code runs:
        # those have no frame of the addon on their stack, and are reported
        # here; the addon's code raises on none.
        _logger.info(
            "%d of %d generated reports raised (addon frames, if any, listed): %s", len(failures), BOUNCES, failures
        )
        self.assertEqual([failure for failure in failures if failure[2]], [])
        self.assertEqual(trackings.mapped("state"), ["sent", "sent"])
        self.assertEqual(trackings.tracking_event_ids.mapped("event_type"), ["sent", "sent"])
        # the gateway still reads a genuine report after the fuzz
        alice = self.tracking_of(message, self.alice)
        report = delivery_status_notification(
            [("alice@example.com", "failed", "5.1.1", "unknown")], envid=alice._envelope_id(), to=bounce
        )
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, report)
        self.assertEqual(alice.state, "bounced")
        self.assertEqual(len(smtp.envelopes), 2)
