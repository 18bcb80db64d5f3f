import ast

from lxml import etree

from odoo.tests import tagged

from ..tools.states import (
    DECORATION_OF_STATE,
    FAILED_STATES,
    STATES,
    STATUS_OF_STATE,
    decoration_attributes,
)
from .common import TrackingCase


@tagged("post_install", "-at_install")
class TestStateVocabulary(TrackingCase):
    """The states are defined once (tools/states.py): the field, the views,
    the "Mail State" column and the payload of the web client follow it."""

    def arch(self, model, view_type):
        return etree.fromstring(self.env[model].get_views([(False, view_type)])["views"][view_type]["arch"])

    def test_states_are_the_contracts(self):
        """The values and labels a database switching from mail_tracking
        keeps (docs/contract.md), as the users' clients get them."""
        fields = self.env["mail.tracking.email"].fields_get(["state"])
        self.assertEqual(
            fields["state"]["selection"],
            [
                ("deferred", "Deferred"),
                ("sent", "Sent"),
                ("delivered", "Delivered"),
                ("opened", "Opened"),
                ("unsub", "Unsubscribed"),
                ("error", "Error"),
                ("rejected", "Rejected"),
                ("spam", "Spam"),
                ("bounced", "Bounced"),
                ("soft-bounced", "Soft bounced"),
            ],
        )

    def test_every_state_has_a_status_and_a_colour(self):
        states = [state for state, _label in STATES]
        self.assertEqual(set(STATUS_OF_STATE), {False, *states})
        self.assertEqual(set(DECORATION_OF_STATE), set(states))
        self.assertLessEqual(set(FAILED_STATES), set(states))

    def test_views_colour_and_filter_the_states_of_tools(self):
        (badge,) = self.arch("mail.tracking.email", "list").xpath("//field[@name='state']")
        for attribute, value in decoration_attributes("state").items():
            self.assertEqual(badge.get(attribute), value)
        self.assertEqual(badge.get("decoration-danger"), "state in ('error', 'rejected', 'spam', 'bounced')")
        (failed_filter,) = self.arch("mail.tracking.email", "search").xpath("//filter[@name='failed']")
        self.assertEqual(failed_filter.get("domain"), repr([("state", "in", list(FAILED_STATES))]))
        (statusbar,) = self.arch("mail.tracking.email", "form").xpath("//field[@name='state']")
        self.assertEqual(statusbar.get("statusbar_visible"), "sent,delivered,opened")
        (column,) = self.arch("res.partner", "list").xpath("//field[@name='mail_tracking_state']")
        for attribute, value in decoration_attributes("mail_tracking_state").items():
            self.assertEqual(column.get(attribute), value)

    def test_state_filters_find_their_trackings(self):
        charlie = self.env["res.partner"].create({"name": "Charlie", "email": "charlie@example.com"})
        dora = self.env["res.partner"].create({"name": "Dora", "email": "dora@example.com"})
        message = self.post(self.alice | self.bob | charlie | dora)
        trackings = {
            event_type: self.tracking_of(message, partner)
            for event_type, partner in zip(
                ("hard_bounce", "open", "delivered", "sent"), (self.alice, self.bob, charlie, dora), strict=True
            )
        }
        for event_type, tracking in trackings.items():
            tracking.event_create(event_type, {})
        search = self.arch("mail.tracking.email", "search")
        found = {}
        for node in search.xpath("//filter[@domain]"):
            domain = ast.literal_eval(node.get("domain"))
            if domain and domain[0][0] == "state":
                found[(node.get("name"), node.get("string"))] = self.env["mail.tracking.email"].search(
                    [("mail_message_id", "=", message.id), *domain]
                )
        self.assertEqual(
            found,
            {
                ("waiting", "Waiting"): self.env["mail.tracking.email"],
                ("sent", "Sent"): trackings["sent"],
                ("delivered", "Delivered"): trackings["delivered"],
                ("opened", "Opened"): trackings["open"],
                ("failed", "Failed"): trackings["hard_bounce"],
            },
        )
        self.assertEqual(
            list(found),
            [
                ("waiting", "Waiting"),
                ("sent", "Sent"),
                ("delivered", "Delivered"),
                ("opened", "Opened"),
                ("failed", "Failed"),
            ],
        )

    def test_payload_tells_the_client_which_recipients_failed(self):
        message = self.post(self.alice | self.bob)
        self.tracking_of(message, self.alice).event_create("soft_bounce", {"bounce_description": "mailbox full"})
        self.tracking_of(message, self.bob).event_create("open", {})
        recipients = {r["name"]: r for r in message._tracking_recipients()[message.id]}
        self.assertEqual(
            (recipients["Alice"]["status"], recipients["Alice"]["failed"], recipients["Alice"]["error"]),
            ("error", True, "mailbox full"),
        )
        self.assertEqual(
            (recipients["Bob"]["status"], recipients["Bob"]["failed"], recipients["Bob"]["error"]),
            ("opened", False, False),
        )


@tagged("post_install", "-at_install")
class TestOneTransitionPath(TrackingCase):
    """A state written, an event, a send: one path, with the same precedence
    and the same effects on the message."""

    def setUp(self):
        super().setUp()
        self.message = self.post(self.alice)
        self.tracking = self.tracking_of(self.message, self.alice)

    def test_written_state_follows_precedence(self):
        self.tracking.event_create("open", {})
        self.tracking.write({"state": "sent"})
        self.assertEqual(self.tracking.state, "opened", "a late 'sent' does not undo an open")
        self.tracking.write({"state": "bounced"})
        self.assertEqual(self.tracking.state, "bounced")
        self.tracking.write({"state": "delivered"})
        self.assertEqual(self.tracking.state, "bounced", "a hard bounce stays")
        self.tracking.write({"state": False})
        self.assertFalse(self.tracking.state, "queued again: waiting, whatever came before")

    def test_written_failure_flags_the_message_and_healing_unflags_it(self):
        self.tracking.write({"state": "error"})
        self.assertTrue(self.message.mail_tracking_needs_action)
        self.tracking.write({"state": "sent"})
        self.assertFalse(self.message.mail_tracking_needs_action)

    def test_send_heals_a_failed_message_through_the_fast_path(self):
        # a provider's early word, while the email still waits in the queue
        self.tracking.event_create("soft_bounce", {})
        self.assertTrue(self.message.mail_tracking_needs_action)
        self.start_smtp()
        self.send_queue()
        self.assertEqual(self.tracking.state, "sent")
        self.assertFalse(self.message.mail_tracking_needs_action)
