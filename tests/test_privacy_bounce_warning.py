from odoo.tests import HttpCase, TransactionCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user

REASON = "550 5.1.1 <b>User unknown</b> <img src=x onerror='window.__bounce_xss = 1'>"


class BounceWarningData:
    def make_data(self, env):
        Partner, Tracking = env["res.partner"], env["mail.tracking.email"]
        self.bea = Partner.create({"name": "Bea Bounced", "email": "bea@example.com"})
        self.rex = Partner.create({"name": "Rex Refused", "email": "rex@example.com"})
        self.gus = Partner.create({"name": "Gus Good", "email": "gus@example.com"})
        self.sam = Partner.create({"name": "Sam Soft", "email": "sam@example.com"})
        common = {"name": "Earlier email", "time": "2026-03-04 10:00:00"}
        Tracking.create(
            [
                {**common, "partner_id": self.bea.id, "recipient": "bea@example.com", "state": "delivered"},
                {
                    **common,
                    "partner_id": self.bea.id,
                    "recipient": "Bea <bea@example.com>",
                    "state": "bounced",
                    "bounce_description": REASON,
                    "time": "2026-03-05 11:00:00",
                },
                {
                    **common,
                    "partner_id": self.rex.id,
                    "recipient": "rex@example.com",
                    "state": "error",
                    "error_type": "recipient_refused",
                    "error_description": "550 5.1.1 Recipient address rejected",
                },
                {**common, "recipient": "gus@example.com", "state": "opened"},
                {
                    **common,
                    "recipient": "sam@example.com",
                    "state": "error",
                    "error_type": "recipient_refused",
                    "error_description": "450 4.2.0 Mailbox busy, try later",
                },
                {**common, "recipient": "sam@example.com", "state": "soft-bounced"},
                {**common, "recipient": "spam@example.com", "state": "spam"},
            ]
        )


class TestBounceWarnings(BounceWarningData, TransactionCase):
    def setUp(self):
        super().setUp()
        self.make_data(self.env)
        self.employee = mail_new_test_user(self.env, login="bounce_employee", groups="base.group_user")

    def test_dead_addresses_only_with_date_and_reason(self):
        Tracking = self.env["mail.tracking.email"].with_user(self.env.ref("base.user_admin"))
        emails = ["Bea <BEA@example.com>", "rex@example.com", "gus@example.com", "sam@example.com", "spam@example.com"]
        warnings = Tracking.get_bounce_warnings(emails)
        self.assertEqual(set(warnings), {"Bea <BEA@example.com>", "rex@example.com", "spam@example.com"})
        self.assertEqual(
            warnings["Bea <BEA@example.com>"],
            {"time": "2026-03-05 11:00:00", "state": "bounced", "state_label": "Bounced", "reason": REASON},
        )
        self.assertEqual(warnings["rex@example.com"]["reason"], "550 5.1.1 Recipient address rejected")
        self.assertEqual(warnings["spam@example.com"]["state_label"], "Spam")

    def test_one_query_for_all_recipients(self):
        Tracking = self.env["mail.tracking.email"].with_user(self.env.ref("base.user_admin"))
        Tracking.get_bounce_warnings(["bea@example.com"])
        many = [f"someone{index}@example.com" for index in range(50)] + ["bea@example.com", "rex@example.com"]
        with self.assertQueryCount(1):
            self.assertEqual(len(Tracking.get_bounce_warnings(many)), 2)

    def test_only_what_the_sender_may_read(self):
        """The employee may read the trackings of the contacts they may read
        (no message: the partner decides); a private contact's stay hidden."""
        self.assertIn(
            "bea@example.com",
            self.env["mail.tracking.email"].with_user(self.employee).get_bounce_warnings(["bea@example.com"]),
        )
        self.env["ir.rule"].create(
            {
                "name": "Bea is private",
                "model_id": self.env.ref("base.model_res_partner").id,
                "domain_force": f"[('id', '!=', {self.bea.id})]",
                "groups": [(4, self.env.ref("base.group_user").id)],
            }
        )
        self.assertEqual(
            self.env["mail.tracking.email"].with_user(self.employee).get_bounce_warnings(["bea@example.com"]), {}
        )
        portal = mail_new_test_user(self.env, login="bounce_portal", groups="base.group_portal")
        self.assertEqual(self.env["mail.tracking.email"].with_user(portal).get_bounce_warnings(["rex@example.com"]), {})

    def test_bad_input(self):
        Tracking = self.env["mail.tracking.email"]
        for emails in ([], ["", None, 5, "not an address", "<b>@</b>"], "bea@example.com", None, [["bea@example.com"]]):
            with self.subTest(emails=emails):
                self.assertEqual(Tracking.get_bounce_warnings(emails), {})


@tagged("post_install", "-at_install")
class TestBounceWarningUi(BounceWarningData, HttpCase):
    def test_composer_warnings(self):
        """In the chatter's composer and the full composer, a warning next to
        a dead address, its reason as text; sending still works."""
        self.make_data(self.env)
        self.start_tour(f"/odoo/res.partner/{self.bea.id}", "mail_activity_tracking_bounce_warnings", login="admin")
        bodies = (
            self.env["mail.message"]
            .search([("model", "=", "res.partner"), ("res_id", "=", self.bea.id)])
            .mapped("body")
        )
        self.assertTrue(any("Sent despite the warning" in body for body in bodies))
        self.assertTrue(any("Sent from the full composer" in body for body in bodies))
