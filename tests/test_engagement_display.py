import ast
import time

from lxml import etree

from odoo.tests import tagged

from .common import TrackingCase
from .test_open_classifier import THUNDERBIRD


@tagged("post_install", "-at_install")
class TestEngagementDisplay(TrackingCase):
    """What users see of opens and clicks: the measures of the tracking
    emails, and a contact's last open by a person and last click."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.message = self.post(self.alice | self.bob)
        self.send_queue()
        self.alice_tracking = self.tracking_of(self.message, self.alice)
        self.bob_tracking = self.tracking_of(self.message, self.bob)
        self.sent_at = time.time() - 3600
        (self.alice_tracking | self.bob_tracking).timestamp = self.sent_at

    def open(self, tracking, user_agent, after, event_type="open", **metadata):
        tracking.event_create(event_type, {"user_agent": user_agent, "timestamp": self.sent_at + after, **metadata})

    def test_measures_count_people_only(self):
        self.open(self.alice_tracking, "Mozilla/5.0", 30)
        self.open(self.bob_tracking, THUNDERBIRD, 600)
        self.open(self.bob_tracking, THUNDERBIRD, 900, "click", url="https://example.com/")
        trackings = self.alice_tracking | self.bob_tracking
        self.assertEqual(trackings.mapped("human_opened"), [0, 1] if trackings[0] == self.alice_tracking else [1, 0])
        sums = self.env["mail.tracking.email"].read_group(
            [("id", "in", trackings.ids)], ["human_opened:sum", "clicked:sum"], []
        )[0]
        self.assertEqual((sums["human_opened"], sums["clicked"]), (1, 1))
        self.assertEqual((self.alice_tracking.state, self.bob_tracking.state), ("delivered", "opened"))

    def test_event_filters_find_a_persons_opens_and_a_machines(self):
        self.open(self.alice_tracking, "Mozilla/5.0", 30)
        self.open(self.bob_tracking, THUNDERBIRD, 600)
        self.open(self.bob_tracking, THUNDERBIRD, 900, "click", url="https://example.com/")
        events = (self.alice_tracking | self.bob_tracking).tracking_event_ids
        Event = self.env["mail.tracking.event"]
        arch = etree.fromstring(Event.get_views([(False, "search")])["views"]["search"]["arch"])
        found = {}
        for name in ("by_person", "by_machine"):
            (node,) = arch.xpath(f"//filter[@name='{name}']")
            found[name] = Event.search([("id", "in", events.ids), *ast.literal_eval(node.get("domain"))])
        self.assertEqual(found["by_person"].mapped("event_type"), ["click", "open"])
        self.assertEqual(found["by_person"].tracking_email_id, self.bob_tracking)
        self.assertEqual(found["by_machine"].mapped("event_type"), ["open"])
        self.assertEqual(found["by_machine"].tracking_email_id, self.alice_tracking)

    def test_click_alone_is_a_human_open(self):
        self.open(self.alice_tracking, THUNDERBIRD, 600, "click", url="https://example.com/")
        self.assertEqual((self.alice_tracking.human_opened, self.alice_tracking.clicked), (1, 1))
        self.assertEqual(self.alice_tracking.state, "opened")

    def test_contact_shows_last_human_open_and_last_click(self):
        self.open(self.alice_tracking, THUNDERBIRD, 600)
        self.open(self.alice_tracking, THUNDERBIRD, 1200, "click", url="https://example.com/")
        # machines after the person: they change nothing
        self.open(self.alice_tracking, "Mozilla/5.0", 1800)
        self.open(self.alice_tracking, "Mimecast Safe Links", 2400, "click", url="https://example.com/")
        alice = self.alice.with_user(self.user_employee)
        events = self.alice_tracking.tracking_event_ids
        human_click = events.filtered(lambda event: event.event_type == "click" and event.open_kind == "person")
        self.assertEqual(alice.email_last_human_open, human_click.time)
        self.assertEqual(alice.email_last_click, human_click.time)
        self.assertFalse(self.bob.with_user(self.user_employee).email_last_human_open)
        self.assertFalse(self.bob.with_user(self.user_employee).email_last_click)

    def test_contact_with_only_machine_opens_shows_none(self):
        self.open(self.alice_tracking, "Mozilla/5.0", 30)
        self.open(self.alice_tracking, THUNDERBIRD, 2, "click", url="https://example.com/")
        alice = self.alice.with_user(self.user_employee)
        self.assertEqual(len(self.alice_tracking.tracking_event_ids.filtered("automatic")), 2)
        self.assertFalse(alice.email_last_human_open)
        self.assertFalse(alice.email_last_click)
