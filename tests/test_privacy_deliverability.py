from odoo.tests import TransactionCase


class TestDeliverability(TransactionCase):
    def setUp(self):
        super().setUp()
        Tracking = self.env["mail.tracking.email"]
        self.ann = self.env["res.partner"].create({"name": "Ann", "email": "ann@one.example"})
        self.ann_twin = self.env["res.partner"].create({"name": "Ann (old card)", "email": "Ann <ANN@one.example>"})
        self.trackings = Tracking.create(
            [
                {"recipient": "ann@one.example", "state": "opened", "time": "2026-01-01 10:00:00"},
                {
                    "recipient": "ann@one.example",
                    "state": "bounced",
                    "bounce_description": "550 <b>gone</b>",
                    "time": "2026-02-01 10:00:00",
                },
                {"recipient": "bo@one.example", "state": "delivered"},
                {"recipient": "cy@two.example", "state": "soft-bounced"},
                {"recipient": "cy@two.example", "state": "delivered"},
                {
                    "recipient": "dee@two.example",
                    "state": "error",
                    "error_type": "recipient_refused",
                    "error_description": "550 5.1.1 unknown",
                },
            ]
        )
        (self.ann | self.ann_twin).email_bounced = True

    def test_by_domain_and_state(self):
        groups = self.env["mail.tracking.deliverability"]._read_group(
            [("tracking_email_id", "in", self.trackings.ids)], ["recipient_domain", "state"], ["__count"]
        )
        self.assertEqual(
            sorted(groups),
            [
                ("one.example", "bounced", 1),
                ("one.example", "delivered", 1),
                ("one.example", "opened", 1),
                ("two.example", "delivered", 1),
                ("two.example", "error", 1),
                ("two.example", "soft-bounced", 1),
            ],
        )

    def bounced(self):
        return self.env["mail.tracking.bounced.address"].search(
            [("address", "in", ["ann@one.example", "bo@one.example", "cy@two.example", "dee@two.example"])]
        )

    def test_bounced_addresses(self):
        lines = self.bounced()
        self.assertEqual(sorted(lines.mapped("address")), ["ann@one.example", "dee@two.example"])
        ann = lines.filtered(lambda line: line.address == "ann@one.example")
        self.assertEqual(
            (ann.state, ann.reason, str(ann.last_bounce)), ("bounced", "550 <b>gone</b>", "2026-02-01 10:00:00")
        )
        self.assertEqual(ann.partner_ids, self.ann | self.ann_twin)

    def test_clear_then_bounce_again(self):
        Tracking = self.env["mail.tracking.email"]
        self.assertIn("ann@one.example", Tracking.get_bounce_warnings(["ann@one.example"]))
        self.bounced().filtered(lambda line: line.address == "ann@one.example").action_clear_bounce()
        self.assertEqual(self.bounced().mapped("address"), ["dee@two.example"])
        self.assertFalse(self.ann.email_bounced or self.ann_twin.email_bounced)
        self.assertEqual(Tracking.get_bounce_warnings(["ann@one.example"]), {})
        self.trackings[0].event_create("hard_bounce", {"bounce_description": "550 still gone"})
        self.assertEqual(
            self.bounced().filtered(lambda line: line.address == "ann@one.example").reason, "550 still gone"
        )
        self.assertTrue(self.ann.email_bounced)
