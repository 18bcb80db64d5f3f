"""The web client, in a real Chromium: tours over the chatter, Discuss and the
Contacts views, and the addon's hoot unit tests (static/tests/*.test.js)."""

import logging
import re
import time
from contextlib import contextmanager

from odoo import Command
from odoo.tests import HttpCase, tagged

from odoo.addons.web.tests.test_js import unit_test_error_checker

#: Our hoot tests are the suites under "@mail_activity_tracking"
HOOT_SUITE = "@mail_activity_tracking"
HOOT_TESTS = 16


def hoot_job_id(name):
    """Hoot's id of a suite or test, as in its URL (``&id=``); same hash as
    web's HOOTCommon._generate_hash."""
    value = 0
    for char in name:
        value = ((value << 5) - value + ord(char)) & 0xFFFFFFFF
    return f"{value:08x}"


class LogCollector(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


@contextmanager
def collect_logs(logger):
    """What ``logger`` and its children log, still logged as usual."""
    handler = LogCollector()
    logger.addHandler(handler)
    try:
        yield handler.messages
    finally:
        logger.removeHandler(handler)


class UiCase(HttpCase):
    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.admin_partner = cls.env.ref("base.user_admin").partner_id

    def make_partner(self, name, email=None):
        return self.env["res.partner"].create({"name": name, "email": email or False})

    def make_message(self, record, body, partners=(), **values):
        """A chatter message of the admin on ``record``, as if posted."""
        return self.env["mail.message"].create(
            {
                "model": record._name,
                "res_id": record.id,
                "message_type": "comment",
                "subtype_id": self.env.ref("mail.mt_comment").id,
                "author_id": self.admin_partner.id,
                "body": body,
                "subject": values.pop("subject", False),
                "partner_ids": [Command.set([partner.id for partner in partners])],
                **values,
            }
        )

    def track(self, message, partner, state=False, **values):
        """A tracking email of ``message`` to ``partner`` in ``state``."""
        return self.env["mail.tracking.email"].create(
            {
                "mail_message_id": message.id,
                "partner_id": partner.id,
                "name": message.subject or "Tracked",
                "sender": "Mitchell Admin <admin@yourcompany.example.com>",
                "recipient": f"{partner.name} <{partner.email}>" if partner.email else partner.name,
                "state": state,
                **values,
            }
        )

    def failed_message(self, record, body, partner, reason="550 5.1.1 mailbox unavailable"):
        """A message of the admin whose email to ``partner`` failed."""
        message = self.make_message(record, body, [partner])
        self.track(message, partner, "error", error_type="recipient_refused", error_description=reason)
        message.mail_tracking_needs_action = True
        return message


@tagged("post_install", "-at_install")
class TestChatterUi(UiCase):
    def test_status_icons_details_and_contact_link(self):
        """The nine statuses with the seeds' tooltips, the details popover
        (escaped), and the contact of a recipient."""
        record = self.make_partner("Tracking UI Record", "record@example.com")
        opal = self.make_partner("Opal Opened", "opal@example.com")
        dean = self.make_partner("Dean Delivered", "dean@example.com")
        sam = self.make_partner("Sam Sent", "sam@example.com")
        wanda = self.make_partner("Wanda Waiting", "wanda@example.com")
        erin = self.make_partner("Erin Error", "erin@example.com")
        nina = self.make_partner("Nina Noemail")
        uma = self.make_partner("Uma Unknown", "uma@example.com")
        message = self.make_message(
            record,
            "<p>Tracked in the UI</p>",
            [opal, dean, sam, wanda, erin, nina, uma],
            subject="Quotation for the UI",
            email_cc="Carl Copy <carl.copy@example.com>",
            email_to="anon.recipient@example.com",
        )
        opened = self.track(message, opal, "opened", time="2026-01-02 09:00:05")
        self.env["mail.tracking.event"].create(
            [
                {
                    "tracking_email_id": opened.id,
                    "event_type": "sent",
                    "smtp_server": "smtp.ui.example.com",
                    "time": "2026-01-02 09:00:05",
                },
                {
                    "tracking_email_id": opened.id,
                    "event_type": "open",
                    "ip": "203.0.113.9",
                    "user_agent": "<script>window.__tracking_xss = 1</script>",
                    "ua_family": "Thunderbird <img src=x onerror='window.__tracking_xss = 2'>",
                    "os_family": "linux",
                    "time": "2026-01-02 10:12:40",
                },
            ]
        )
        self.track(message, dean, "delivered")
        self.track(message, sam, "sent")
        self.track(message, wanda)
        self.track(
            message,
            erin,
            "error",
            error_type="recipient_refused",
            error_description="550 <b>mailbox</b> unavailable",
            error_smtp_server="smtp.ui.example.com",
        )
        self.start_tour(f"/odoo/res.partner/{record.id}", "mail_activity_tracking_status_icons", login="admin")

    def test_live_update_after_an_open(self):
        """The form is open; the email is opened (pixel hit): the icon turns to
        Opened without reloading."""
        record = self.make_partner("Live Record", "live.record@example.com")
        lisa = self.make_partner("Lisa Live", "lisa.live@example.com")
        message = self.make_message(record, "<p>Watch me live</p>", [lisa], subject="Live")
        # sent an hour ago: the pixel hit is Lisa's, no gateway's scan on delivery
        tracking = self.track(message, lisa, "sent", timestamp=time.time() - 3600)
        self.start_tour(f"/odoo/res.partner/{record.id}", "mail_activity_tracking_live_update", login="admin")
        self.env.invalidate_all()
        self.assertEqual(tracking.state, "opened")

    def test_chatter_failed_messages(self):
        """The record's failed messages at the top of its chatter, reviewed
        from there; the message stays in the chatter."""
        record = self.make_partner("Chatter Failed Record", "failed.record@example.com")
        fred = self.make_partner("Fred Failed", "fred@example.com")
        message = self.failed_message(record, "<p>Chatter failure</p>", fred)
        other = self.failed_message(record, "<p>Another chatter failure</p>", fred)
        self.start_tour(f"/odoo/res.partner/{record.id}", "mail_activity_tracking_chatter_failed", login="admin")
        self.env.invalidate_all()
        self.assertFalse(message.mail_tracking_needs_action)
        self.assertFalse(other.mail_tracking_needs_action)
        self.assertFalse(other.mail_tracking_ids.state, "retried: waiting again")


@tagged("post_install", "-at_install")
class TestFailedMailboxUi(UiCase):
    def test_failed_mailbox(self):
        """Discuss > Failed: counter, reasons, Set as reviewed, Retry and
        Mark all as reviewed, without reload."""
        # nothing else failed for the admin (demo data)
        self.env["mail.message"].search([("mail_tracking_needs_action", "=", True)]).mail_tracking_needs_action = False
        record = self.make_partner("Mailbox Record", "mailbox.record@example.com")
        fay = self.make_partner("Fay Failing", "fay@example.com")
        first = self.failed_message(record, "<p>First failure</p>", fay, "550 5.1.1 first reason")
        second = self.failed_message(record, "<p>Second failure</p>", fay, "550 5.1.1 second reason")
        third = self.failed_message(record, "<p>Third failure</p>", fay)
        fourth = self.failed_message(record, "<p>Fourth failure</p>", fay)
        self.start_tour(
            "/odoo/action-mail.action_discuss?active_id=mail.box_failed",
            "mail_activity_tracking_failed_mailbox",
            login="admin",
        )
        self.env.invalidate_all()
        self.assertFalse(first.mail_tracking_needs_action)
        self.assertEqual(first.mail_tracking_ids.state, "error", "reviewed, not retried")
        self.assertFalse(second.mail_tracking_ids.state, "retried: waiting again")
        self.assertFalse((third | fourth).filtered("mail_tracking_needs_action"))
        self.assertEqual(
            self.env["mail.message"].with_user(self.env.ref("base.user_admin"))._tracking_failed_count(), 0
        )

    def test_failed_filter_and_mail_state_column(self):
        """Contacts: the "Failed sent messages" filter and the optional "Mail
        State" column."""
        failing = self.make_partner("Failing Filter Co", "failing.filter@example.com")
        happy = self.make_partner("Happy Filter Co", "happy.filter@example.com")
        fay = self.make_partner("Fay Filter", "fay.filter@example.com")
        self.failed_message(failing, "<p>Failed</p>", fay)
        self.track(self.make_message(happy, "<p>Opened</p>", [fay]), fay, "opened")
        self.start_tour("/odoo/action-base.action_partner_form", "mail_activity_tracking_filter_column", login="admin")


@tagged("post_install", "-at_install")
class TestHoot(HttpCase):
    def test_hoot_unit_tests(self):
        """static/tests/*.test.js, and only them."""
        url = f"/web/tests?headless&loglevel=2&preset=desktop&timeout=15000&id={hoot_job_id(HOOT_SUITE)}"
        with collect_logs(logging.getLogger(__name__)) as messages:
            self.browser_js(
                url,
                "",
                "",
                login="admin",
                timeout=1800,
                success_signal="[HOOT] Test suite succeeded",
                error_checker=unit_test_error_checker,
            )
        passed = [re.search(r"\[HOOT\] Passed (\d+) tests", message) for message in messages]
        counts = [int(match[1]) for match in passed if match]
        self.assertEqual(counts, [HOOT_TESTS], "every hoot test of the addon ran and passed")
