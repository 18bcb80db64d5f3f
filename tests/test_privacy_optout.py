from odoo.tests import HttpCase, tagged

from .common import TrackingCase, record_handoffs

OPTOUT_DEFAULT = "mail_activity_tracking.optout_default"


@tagged("post_install", "-at_install")
class TestTrackingOptOut(HttpCase, TrackingCase):
    """A contact who asked not to be tracked gets emails without the open
    pixel (read from the copy the SMTP server received)."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()

    def html_to(self, address):
        (envelope,) = [
            envelope for envelope in self.smtp.envelopes if address in [rcpt.lower() for rcpt in envelope.rcpt_tos]
        ]
        return envelope.message.get_body(("html",)).get_content()

    def hit_pixel(self, tracking):
        tracking = tracking.sudo()
        self.env.flush_all()
        url = f"/mail/tracking/open/{self.env.cr.dbname}/{tracking.id}/{tracking.token}/blank.gif"
        self.assertEqual(self.url_open(url).status_code, 200)
        self.assertTrue(record_handoffs(self.env.cr.dbname))
        self.env.invalidate_all()

    def test_opted_out_contact_gets_no_pixel_and_stays_sent(self):
        self.alice.mail_tracking_optout = True
        message = self.post(self.alice | self.bob)
        self.send_queue()
        self.assertNotIn("blank.gif", self.html_to("alice@example.com"))
        self.assertIn("blank.gif", self.html_to("bob@example.com"), "the others are tracked as before")
        alice_tracking, bob_tracking = self.tracking_of(message, self.alice), self.tracking_of(message, self.bob)
        self.assertTrue(alice_tracking.tracking_opted_out)
        self.assertFalse(bob_tracking.tracking_opted_out)
        # read an hour after it was sent: no gateway's scan on delivery
        for tracking in alice_tracking | bob_tracking:
            tracking.timestamp -= 3600
        # an old or forwarded pixel, or a provider's own open tracking, does not count either
        self.hit_pixel(alice_tracking)
        self.hit_pixel(bob_tracking)
        self.assertEqual(alice_tracking.state, "sent")
        self.assertFalse(alice_tracking.tracking_event_ids.filtered(lambda event: event.event_type == "open"))
        self.assertEqual(bob_tracking.state, "opened")
        alice_tracking.event_create("delivered", {})
        self.assertEqual(alice_tracking.state, "delivered", "delivery is still tracked")

    def test_details_say_why(self):
        self.alice.mail_tracking_optout = True
        message = self.post(self.alice | self.bob)
        self.send_queue()
        details = self.tracking_of(message, self.alice).with_user(self.user_employee)._details()
        self.assertEqual(details["not_tracked_reason"], "Not tracked: the recipient asked not to be tracked.")
        self.assertFalse(
            self.tracking_of(message, self.bob).with_user(self.user_employee)._details().get("not_tracked_reason")
        )

    def test_company_default(self):
        Param = self.env["ir.config_parameter"]
        Param.set_param(OPTOUT_DEFAULT, "True")
        newcomer = self.env["res.partner"].create({"name": "Newcomer", "email": "newcomer@example.com"})
        self.assertTrue(newcomer.mail_tracking_optout, "new contacts take the default")
        mail = self.env["mail.mail"].create(
            {
                "subject": "Raw",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "raw@example.com",
            }
        )
        mail.send()
        self.assertNotIn("blank.gif", self.html_to("raw@example.com"), "raw addresses take the default")
        self.assertTrue(mail.mail_tracking_ids.tracking_opted_out)
        Param.set_param(OPTOUT_DEFAULT, "False")
        self.assertFalse(
            self.env["res.partner"].create({"name": "Other", "email": "o@example.com"}).mail_tracking_optout
        )
        other = self.env["mail.mail"].create(
            {
                "subject": "Raw",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "raw2@example.com",
            }
        )
        other.send()
        self.assertIn("blank.gif", self.html_to("raw2@example.com"))

    def test_raw_address_of_an_opted_out_contact(self):
        self.alice.mail_tracking_optout = True
        mail = self.env["mail.mail"].create(
            {
                "subject": "Raw",
                "body_html": "<p>Hi</p>",
                "email_from": "ernest@example.com",
                "email_to": "Alice <ALICE@example.com>",
            }
        )
        mail.send()
        self.assertNotIn("blank.gif", self.html_to("alice@example.com"))

    def test_flag_is_importable_and_on_the_contact_form(self):
        result = self.env["res.partner"].load(
            ["name", "email", "mail_tracking_optout"], [["Imported", "imported@example.com", "True"]]
        )
        self.assertFalse(result["messages"])
        self.assertTrue(self.env["res.partner"].browse(result["ids"]).mail_tracking_optout)
        arch = self.env["res.partner"].get_view(self.env.ref("base.view_partner_form").id)["arch"]
        self.assertIn('name="mail_tracking_optout"', arch)
