from email.message import EmailMessage
from email.utils import make_msgid

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TrackingCase


@tagged("post_install", "-at_install")
class TestReplied(TrackingCase):
    """Replies to tracked emails, as the recipients' mail clients write them,
    fed to Odoo's mail gateway: the one engagement no machine fakes."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.message, self.sent = self.post_and_send(self.alice | self.bob)
        self.alice_tracking = self.tracking_of(self.message, self.alice)
        self.bob_tracking = self.tracking_of(self.message, self.bob)

    def reply(self, sender, to_email_of, references_only=False):
        """A reply from ``sender`` to the email ``to_email_of`` got, as a mail
        client writes it (In-Reply-To and References name its Message-ID)."""
        sent = self.sent[to_email_of]
        reply = EmailMessage()
        reply["From"] = sender
        reply["To"] = sent["Reply-To"] or sent["From"]
        reply["Subject"] = f"Re: {sent['Subject']}"
        reply["Date"] = "Fri, 15 Jan 2027 09:00:00 +0000"
        reply["Message-Id"] = make_msgid(domain="mail.example.org")
        if not references_only:
            reply["In-Reply-To"] = sent["Message-Id"]
        reply["References"] = f"<older@mail.example.org> {sent['Message-Id']}"
        reply.set_content("Thank you, that works for me.\n\n> Hello\n")
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, reply.as_string())

    def replies(self, tracking):
        return tracking.tracking_event_ids.filtered(lambda event: event.event_type == "reply")

    def test_reply_of_the_recipient_is_recorded(self):
        self.reply("Alice <ALICE@example.com>", "alice@example.com")
        self.assertEqual(len(self.replies(self.alice_tracking)), 1)
        self.assertEqual(self.alice_tracking.state, "opened", "a reply is at least a person's open")
        self.assertEqual(self.alice_tracking.replied, 1)
        self.assertFalse(self.replies(self.bob_tracking))
        self.assertEqual(self.bob_tracking.replied, 0)
        self.assertIn(
            "Thank you", self.record.message_ids[0].body, "the reply goes on to the chatter as without the addon"
        )

    def test_reply_found_by_references_alone(self):
        self.reply("bob@example.com", "bob@example.com", references_only=True)
        self.assertEqual(len(self.replies(self.bob_tracking)), 1)

    def test_reply_from_another_address_is_no_reply_of_the_recipient(self):
        self.reply("Carol <carol@example.com>", "alice@example.com")
        self.assertFalse(self.replies(self.alice_tracking) | self.replies(self.bob_tracking))
        self.assertEqual(self.alice_tracking.state, "sent")

    def test_reply_moves_no_further_than_an_open(self):
        self.alice_tracking.event_create("hard_bounce", {"bounce_description": "550 unknown"})
        self.reply("alice@example.com", "alice@example.com")
        self.assertEqual(self.alice_tracking.state, "bounced")
        self.reply("bob@example.com", "bob@example.com")
        self.assertEqual(self.bob_tracking.state, "opened")

    def test_replied_shown_in_details_list_pivot_and_contact(self):
        self.reply("alice@example.com", "alice@example.com")
        details = self.alice_tracking._details()
        self.assertIn("Replied", [event["event_type_label"] for event in details["events"]])
        Tracking = self.env["mail.tracking.email"]
        ((replied,),) = Tracking._read_group([("mail_message_id", "=", self.message.id)], [], ["replied:sum"])
        self.assertEqual(replied, 1)
        search_view = Tracking.get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('name="replied"', search_view)
        self.assertEqual(
            Tracking.search([("mail_message_id", "=", self.message.id), ("replied", ">", 0)]), self.alice_tracking
        )
        for view_type in ("list", "pivot"):
            arch = Tracking.get_views([(False, view_type)])["views"][view_type]["arch"]
            self.assertIn('name="replied"', arch, view_type)
        self.assertEqual(self.alice.email_last_reply, self.replies(self.alice_tracking).time)
        self.assertFalse(self.bob.email_last_reply)
        partner_form = self.env["res.partner"].get_views([(False, "form")])["views"]["form"]["arch"]
        self.assertIn('name="email_last_reply"', partner_form)

    def test_no_reply_recorded_for_a_recipient_who_opted_out(self):
        self.bob.mail_tracking_optout = True
        message = self.post(self.bob, subject="Untracked")
        self.send_queue()
        self.sent["bob@example.com"] = self.smtp.envelopes[-1].message
        self.reply("bob@example.com", "bob@example.com")
        tracking = self.tracking_of(message, self.bob)
        self.assertFalse(self.replies(tracking))
        self.assertEqual(tracking.state, "sent")
