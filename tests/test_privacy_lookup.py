from odoo.tests import tagged

from .common import TrackingCase


@tagged("post_install", "-at_install")
class TestPrivacyLookup(TrackingCase):
    """Odoo's privacy lookup finds a person's trackings and their events, by
    contact and by address, and its actions remove them."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.message = self.post(self.alice | self.bob)
        self.raw_mail = self.env["mail.mail"].create(
            {
                "subject": "Raw",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "Carol <carol@example.com>",
            }
        )
        self.send_queue()
        self.alice_tracking = self.tracking_of(self.message, self.alice)
        self.bob_tracking = self.tracking_of(self.message, self.bob)
        self.carol_tracking = self.raw_mail.mail_tracking_ids
        for tracking in self.alice_tracking | self.bob_tracking | self.carol_tracking:
            tracking.event_create("open", {"ip": "203.0.113.7", "user_agent": "Thunderbird/128.0"})

    def lookup(self, name, email):
        wizard = self.env["privacy.lookup.wizard"].create({"name": name, "email": email})
        wizard.action_lookup()
        return wizard

    def found(self, wizard, model):
        lines = wizard.line_ids.filtered(lambda line: line.res_model == model)
        return self.env[model].browse(lines.mapped("res_id"))

    def test_lookup_by_contact_finds_trackings_and_events(self):
        wizard = self.lookup("Alice", "alice@example.com")
        self.assertEqual(self.found(wizard, "mail.tracking.email"), self.alice_tracking)
        self.assertEqual(self.found(wizard, "mail.tracking.event"), self.alice_tracking.tracking_event_ids)
        self.assertEqual(len(self.alice_tracking.tracking_event_ids), 2, "sent and open")

    def test_lookup_by_raw_address(self):
        wizard = self.lookup("Nobody by that name", "CAROL@example.com")
        self.assertEqual(self.found(wizard, "mail.tracking.email"), self.carol_tracking)
        self.assertEqual(self.found(wizard, "mail.tracking.event"), self.carol_tracking.tracking_event_ids)
        self.assertIn(self.raw_mail.mail_message_id, self.found(wizard, "mail.message"), "its raw To names Carol")

    def test_anonymise_keeps_states_and_counts(self):
        wizard = self.lookup("Alice", "alice@example.com")
        lines = wizard.line_ids.filtered(lambda line: line.res_model == "mail.tracking.email")
        lines.action_anonymize_tracking()
        tracking = self.alice_tracking
        self.assertEqual(tracking.state, "opened")
        self.assertFalse(tracking.recipient or tracking.recipient_address or tracking.partner_id)
        self.assertEqual(tracking.display_name, "Tracked subject")
        events = tracking.tracking_event_ids
        self.assertEqual(sorted(events.mapped("event_type")), ["open", "sent"])
        self.assertFalse(any(events.mapped("ip") + events.mapped("user_agent") + events.mapped("recipient_address")))
        self.assertEqual(self.bob_tracking.tracking_event_ids.filtered("ip").ip, "203.0.113.7", "others untouched")
        self.assertFalse(
            self.lookup("Nobody by that name", "alice@example.com").line_ids.filtered(
                lambda line: line.res_model.startswith("mail.tracking")
            ),
            "nothing left to find by the address",
        )
        self.assertIn(f"#{tracking.id}", wizard.execution_details)
        self.assertTrue(wizard.log_id, "the request is logged")

    def test_delete(self):
        wizard = self.lookup("Nobody by that name", "carol@example.com")
        wizard.line_ids.filtered(lambda line: line.res_model == "mail.tracking.email").action_unlink()
        self.assertFalse(self.carol_tracking.exists())
        self.assertFalse(self.env["mail.tracking.event"].search([("recipient_address", "=", "carol@example.com")]))
