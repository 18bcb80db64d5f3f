import json

from odoo.tests import HttpCase, tagged

from odoo.addons.mail.tests.common import mail_new_test_user
from odoo.addons.mail.tools.discuss import Store

from .common import TrackingCase


@tagged("post_install", "-at_install")
class TestChatterData(TrackingCase):
    """What the web client receives about trackings, and the actions on
    failed messages."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.carol = cls.env["res.partner"].create({"name": "Carol", "email": "carol@example.com"})
        cls.nomail = cls.env["res.partner"].create({"name": "Nomail"})
        cls.other_user = mail_new_test_user(
            cls.env, login="tracking_other", groups="base.group_user", name="Olga Other"
        )

    def statuses(self, message):
        recipients = message._tracking_recipients()[message.id]
        return {recipient["name"]: recipient["status"] for recipient in recipients}

    def failed_message(self):
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 <b>unknown</b>"})
        message = self.post(self.alice | self.bob)
        self.send_queue()
        return message

    def test_every_status_of_the_recipients(self):
        self.start_smtp(refuse={"carol@example.com": "550 5.1.1 unknown"})
        message = self.post(self.alice | self.bob | self.nomail)
        self.send_queue()
        self.tracking_of(message, self.bob).event_create("delivered", {})
        self.tracking_of(message, self.alice).event_create("open", {})
        message.sudo().write({"email_cc": "Cecil <cecil@example.com>", "email_to": "raw@example.com"})
        message.sudo().partner_ids |= self.carol
        waiting = self.post(self.bob)
        self.assertEqual(
            self.statuses(message),
            {
                "Alice": "opened",
                "Bob": "delivered",
                "Nomail": "noemail",
                "Carol": "unknown",
                "Cecil": "cc",
                "raw@example.com": "anonuser",
            },
        )
        self.assertEqual(self.statuses(waiting), {"Bob": "waiting"})

    def test_sent_and_error_statuses_carry_the_reason(self):
        message = self.failed_message()
        recipients = {r["name"]: r for r in message._tracking_recipients()[message.id]}
        self.assertEqual(recipients["Alice"]["status"], "error")
        self.assertIn("<b>unknown</b>", recipients["Alice"]["error"], "raw text: the client escapes it")
        self.assertEqual(recipients["Alice"]["partner_id"], self.alice.id)
        self.assertTrue(recipients["Alice"]["tracking_id"])

    def test_tracked_recipient_without_partner_shows_its_status(self):
        self.start_smtp()
        mail = self.env["mail.mail"].create(
            {"subject": "Raw", "body_html": "<p>x</p>", "email_from": "e@example.com", "email_to": "raw@example.com"}
        )
        mail.send()
        recipients = mail.mail_message_id._tracking_recipients()[mail.mail_message_id.id]
        self.assertEqual([(r["status"], r["partner_id"]) for r in recipients], [("sent", False)])

    def test_store_carries_statuses_and_failure(self):
        message = self.failed_message()
        store = Store()
        message.with_user(self.user_employee)._tracking_to_store(store)
        data = store.get_result()["mail.message"][0]
        self.assertEqual(data["id"], message.id)
        self.assertTrue(data["is_failed_message"])
        self.assertEqual({r["status"] for r in data["tracking_recipients"]}, {"error"})

    def test_portal_users_get_no_tracking_data(self):
        message = self.failed_message()
        portal = mail_new_test_user(self.env, login="tracking_portal_store", groups="base.group_portal")
        store = Store()
        message.with_user(portal)._tracking_to_store(store)
        self.assertNotIn("mail.message", store.get_result())
        message.with_user(self.user_employee)._tracking_to_store(store)
        self.assertIn("mail.message", store.get_result())

    def test_store_queries_do_not_grow_with_messages(self):
        self.start_smtp()
        for _index in range(10):
            self.post(self.alice | self.bob | self.carol)
        self.send_queue()
        Message = self.env["mail.message"].with_user(self.user_employee)
        messages = Message.search([("model", "=", "res.partner"), ("res_id", "=", self.record.id)])
        counts = []
        for batch in (messages[:2], messages[:10]):
            self.env.invalidate_all()
            Store().add(batch)  # what core loads for the chatter anyway
            self.env["mail.tracking.email"].invalidate_model()
            before = self.env.cr.sql_log_count
            batch._tracking_to_store(Store())
            counts.append(self.env.cr.sql_log_count - before)
        self.assertEqual(counts[0], counts[1])
        self.assertLessEqual(counts[1], 4)

    def test_failed_counter_and_domain_are_per_user(self):
        message = self.failed_message()
        Message = self.env["mail.message"]
        self.assertTrue(message.with_user(self.user_employee).is_failed_message)
        self.assertEqual(Message.with_user(self.user_employee)._tracking_failed_count(), 1)
        self.assertFalse(message.with_user(self.other_user).is_failed_message)
        self.assertEqual(Message.with_user(self.other_user)._tracking_failed_count(), 0)
        self.assertIn(message, Message.with_user(self.user_employee).search([("is_failed_message", "=", True)]))

    def test_contacts_filter_finds_the_records_of_the_users_failed_messages(self):
        message = self.failed_message()
        self.record.with_user(self.user_employee).with_context(mail_notify_force_send=False).message_post(
            body="<p>Nothing failed here</p>", partner_ids=self.bob.ids, message_type="comment"
        )
        self.alice.with_user(self.user_employee).message_post(body="<p>Not sent</p>", message_type="comment")
        failed = [("message_has_failed_tracking", "=", True)]
        Partner = self.env["res.partner"]
        self.assertEqual(Partner.with_user(self.user_employee).search(failed), self.record)
        self.assertTrue(self.record.with_user(self.user_employee).message_has_failed_tracking)
        self.assertFalse(self.alice.with_user(self.user_employee).message_has_failed_tracking)
        self.assertFalse(Partner.with_user(self.other_user).search(failed))
        message.with_user(self.user_employee).tracking_set_reviewed()
        self.assertFalse(Partner.with_user(self.user_employee).search(failed))

    def test_failure_that_heals_leaves_the_failed_box(self):
        self.start_smtp()
        message = self.post(self.alice | self.bob)
        self.send_queue()
        alice, bob = self.tracking_of(message, self.alice), self.tracking_of(message, self.bob)
        alice.event_create("soft_bounce", {})
        bob.event_create("soft_bounce", {})
        Message = self.env["mail.message"].with_user(self.user_employee)
        self.assertEqual(Message._tracking_failed_count(), 1)
        alice.event_create("delivered", {})
        self.assertTrue(message.mail_tracking_needs_action, "Bob's email still failed")
        bob.event_create("delivered", {})
        self.assertFalse(message.mail_tracking_needs_action)
        self.assertEqual(Message._tracking_failed_count(), 0)

    def test_set_as_reviewed_leaves_failed_but_stays_in_chatter(self):
        message = self.failed_message()
        message.with_user(self.user_employee).tracking_set_reviewed()
        self.assertFalse(message.with_user(self.user_employee).is_failed_message)
        self.assertIn(message, self.record.message_ids)
        self.assertEqual(self.tracking_of(message, self.alice).state, "error")

    def test_mark_all_as_reviewed(self):
        first, second = self.failed_message(), self.post(self.alice)
        self.send_queue()
        Message = self.env["mail.message"].with_user(self.user_employee)
        self.assertEqual(Message._tracking_failed_count(), 2)
        Message.tracking_set_all_reviewed()
        self.assertEqual(Message._tracking_failed_count(), 0)
        self.assertFalse(any((first | second).mapped("mail_tracking_needs_action")))

    def test_retry_resends_to_the_failed_recipients(self):
        message = self.failed_message()
        smtp = self.start_smtp()
        message.with_user(self.user_employee).tracking_retry()
        alice = self.tracking_of(message, self.alice)
        self.assertFalse(alice.state, "waiting again")
        self.assertFalse(message.with_user(self.user_employee).is_failed_message)
        self.send_queue()
        self.assertEqual(alice.state, "sent")
        self.assertIn("alice@example.com", [rcpt for envelope in smtp.envelopes for rcpt in envelope.rcpt_tos])

    def test_retry_of_a_bounced_recipient_sends_a_new_email(self):
        smtp = self.start_smtp()
        message = self.post(self.alice)
        self.send_queue()
        alice = self.tracking_of(message, self.alice)
        alice.event_create("hard_bounce", {"bounce_description": "550 unknown"})
        self.assertFalse(alice.mail_id, "Odoo deleted the sent email")
        message.with_user(self.user_employee).tracking_retry()
        self.assertFalse(alice.state)
        self.assertTrue(alice.mail_id)
        self.assertEqual(len(self.trackings(message)), 1)
        self.send_queue()
        self.assertEqual(alice.state, "sent")
        self.assertEqual(len(smtp.envelopes), 2)
        notification = message.notification_ids.filtered(lambda notif: notif.res_partner_id == self.alice)
        self.assertEqual(notification.notification_status, "sent")

    def bus_notifications(self, before, type_):
        notifications = self.env["bus.bus"].sudo().search([("id", "not in", before)])
        return [n for n in notifications if json.loads(n.message)["type"] == type_]

    def test_status_changes_announced_once_per_transaction(self):
        """Opens and sends: one notification to the internal users naming
        the messages, none with the statuses themselves."""
        self.start_smtp()
        messages = self.post(self.alice) | self.post(self.bob)
        self.send_queue()
        self.env.cr.precommit.run()
        before = self.env["bus.bus"].sudo().search([]).ids
        for message in messages:
            self.trackings(message).event_create("open", {})
        self.env.cr.precommit.run()
        announced = self.bus_notifications(before, "mail_activity_tracking/statuses_changed")
        self.assertEqual(len(announced), 1)
        group = self.env.ref("base.group_user")
        self.assertEqual(json.loads(announced[0].channel)[1:], ["res.groups", group.id])
        self.assertEqual(json.loads(announced[0].message)["payload"], {"message_ids": sorted(messages.ids)})
        self.assertFalse(self.bus_notifications(before, "mail.record/insert"))

    def test_failure_pushed_to_each_user_concerned(self):
        """A message entering the Failed box: each user concerned gets it
        with the counter of their box, in one notification per user."""
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 unknown"})
        before = self.env["bus.bus"].sudo().search([]).ids
        message = self.post(self.alice | self.bob)
        self.send_queue()
        self.env.cr.precommit.run()
        pushed = [
            n
            for n in self.bus_notifications(before, "mail.record/insert")
            if "failed" in json.loads(n.message)["payload"].get("Store", {})
        ]
        channels = [json.loads(n.channel)[1:] for n in pushed]
        self.assertEqual(len(channels), len({tuple(channel) for channel in channels}), "one notification per user")
        employee = [n for n in pushed if json.loads(n.channel)[1:] == ["res.partner", self.user_employee.partner_id.id]]
        self.assertEqual(len(employee), 1)
        payload = json.loads(employee[0].message)["payload"]
        data = {m["id"]: m for m in payload["mail.message"]}[message.id]
        self.assertEqual(
            {r["name"]: r["status"] for r in data["tracking_recipients"]}, {"Alice": "error", "Bob": "error"}
        )
        self.assertTrue(data["is_failed_message"])
        self.assertEqual(payload["Store"]["failed"]["counter"], 1)
        announced = self.bus_notifications(before, "mail_activity_tracking/statuses_changed")
        self.assertNotIn(message.id, [i for n in announced for i in json.loads(n.message)["payload"]["message_ids"]])

    def test_filter_on_records_with_failed_messages(self):
        self.failed_message()
        Partner = self.env["res.partner"]
        self.assertIn(
            self.record, Partner.with_user(self.user_employee).search([("message_has_failed_tracking", "=", True)])
        )
        self.assertNotIn(
            self.record, Partner.with_user(self.other_user).search([("message_has_failed_tracking", "=", True)])
        )
        self.assertTrue(self.record.with_user(self.user_employee).message_has_failed_tracking)
        self.record.active = False
        self.record.invalidate_recordset(["message_has_failed_tracking"])
        self.assertTrue(self.record.with_user(self.user_employee).message_has_failed_tracking, "archived too")

    def test_mail_state_of_the_last_email(self):
        self.start_smtp()
        self.post(self.alice)
        self.send_queue()
        self.assertEqual(self.record.mail_tracking_state, "sent")
        self.post(self.bob)
        self.record.invalidate_recordset(["mail_tracking_state"])
        self.assertFalse(self.record.mail_tracking_state, "the last email waits")
        Partner = self.env["res.partner"]
        self.assertIn(self.record, Partner.search([("mail_tracking_state", "in", [False])]))
        self.send_queue()
        self.assertIn(self.record, Partner.search([("mail_tracking_state", "=", "sent")]))
        self.assertNotIn(self.alice, Partner.search([("mail_tracking_state", "=", "sent")]))
        groups = dict(
            Partner._read_group([("id", "in", (self.record | self.alice).ids)], ["mail_tracking_state"], ["__count"])
        )
        self.assertEqual(groups, {"sent": 1, False: 1})
        self.assertTrue(Partner.fields_get(["mail_tracking_state"])["mail_tracking_state"]["groupable"])

    def test_views_of_models_with_a_chatter(self):
        search = self.env["res.partner"].get_views([(False, "search")])["views"]["search"]["arch"]
        self.assertIn('string="Failed sent messages"', search)
        list_arch = self.env["res.partner"].get_views([(False, "list")])["views"]["list"]["arch"]
        self.assertIn('name="mail_tracking_state"', list_arch)
        self.assertIn('string="Mail State"', list_arch)
        country = self.env["res.country"].get_views([(False, "list"), (False, "search")])["views"]
        self.assertNotIn("mail_tracking_state", country["list"]["arch"])
        self.assertNotIn("Failed sent messages", country["search"]["arch"])


@tagged("post_install", "-at_install")
class TestChatterRoutes(HttpCase, TrackingCase):
    """The JSON routes the web client calls, as real HTTP requests."""

    def setUp(self):
        super().setUp()
        self.start_smtp(refuse={"alice@example.com": "550 5.1.1 <img src=x onerror=alert(1)>"})
        self.message = self.post(self.alice | self.bob)
        self.send_queue()
        self.user_employee.password = "tracking_employee"

    def test_thread_messages_carry_tracking(self):
        self.authenticate("tracking_employee", "tracking_employee")
        result = self.make_jsonrpc_request(
            "/mail/thread/messages", {"thread_model": "res.partner", "thread_id": self.record.id, "fetch_params": {}}
        )
        data = {m["id"]: m for m in result["data"]["mail.message"]}[self.message.id]
        self.assertEqual(
            {r["name"]: r["status"] for r in data["tracking_recipients"]}, {"Alice": "error", "Bob": "error"}
        )
        self.assertTrue(data["is_failed_message"])

    def test_failed_mailbox_and_thread_failed(self):
        self.authenticate("tracking_employee", "tracking_employee")
        result = self.make_jsonrpc_request("/mail/failed/messages", {"fetch_params": {"limit": 30}})
        self.assertEqual(result["messages"], [self.message.id])
        result = self.make_jsonrpc_request(
            "/mail/tracking/thread_failed", {"thread_model": "res.partner", "thread_id": self.record.id}
        )
        self.assertEqual(result["messages"], [self.message.id])
        for bad in ({"thread_model": "no.model", "thread_id": 1}, {"thread_model": "res.partner", "thread_id": "x"}):
            self.assertEqual(self.make_jsonrpc_request("/mail/tracking/thread_failed", bad)["messages"], [])

    def test_details_for_readers_only(self):
        tracking = self.tracking_of(self.message, self.alice)
        self.authenticate("tracking_employee", "tracking_employee")
        details = self.make_jsonrpc_request("/mail/tracking/details", {"tracking_id": tracking.id})
        self.assertEqual(details["state"], "error")
        self.assertEqual(details["state_label"], "Error")
        self.assertIn("<img src=x onerror=alert(1)>", details["error_description"])
        self.assertNotIn("token", details)
        for bad in (999999999, "1", None):
            self.assertFalse(self.make_jsonrpc_request("/mail/tracking/details", {"tracking_id": bad}))
        self.authenticate("admin", "admin")
        self.record.sudo().company_id = self.env["res.company"].create({"name": "Elsewhere"})
        outsider = mail_new_test_user(self.env, login="tracking_out", groups="base.group_user", password="tracking_out")
        self.authenticate(outsider.login, "tracking_out")
        self.assertFalse(self.make_jsonrpc_request("/mail/tracking/details", {"tracking_id": tracking.id}))

    def test_statuses_for_readers_only(self):
        self.authenticate("tracking_employee", "tracking_employee")
        result = self.make_jsonrpc_request("/mail/tracking/statuses", {"message_ids": [self.message.id, 999999999]})
        self.assertEqual([m["id"] for m in result["mail.message"]], [self.message.id])
        statuses = {r["name"]: r["status"] for r in result["mail.message"][0]["tracking_recipients"]}
        self.assertEqual(statuses, {"Alice": "error", "Bob": "error"})
        for bad in ("1", [None], [2**40], None):
            self.assertFalse(
                self.make_jsonrpc_request("/mail/tracking/statuses", {"message_ids": bad}).get("mail.message")
            )
        self.authenticate("admin", "admin")
        self.record.sudo().company_id = self.env["res.company"].create({"name": "Elsewhere"})
        outsider = mail_new_test_user(self.env, login="tracking_out", groups="base.group_user", password="tracking_out")
        self.authenticate(outsider.login, "tracking_out")
        result = self.make_jsonrpc_request("/mail/tracking/statuses", {"message_ids": [self.message.id]})
        self.assertFalse(result.get("mail.message"))

    def test_messaging_init_has_the_failed_counter(self):
        self.authenticate("tracking_employee", "tracking_employee")
        result = self.make_jsonrpc_request("/mail/data", {"fetch_params": ["init_messaging"]})
        self.assertEqual(result["Store"]["failed"]["counter"], 1)
        self.assertEqual(result["Store"]["failed"]["id"], "failed")


@tagged("post_install", "-at_install")
class TestDemoData(TrackingCase):
    def test_demo_shows_every_status(self):
        messages = self.env.ref("mail_activity_tracking.demo_message_success") | self.env.ref(
            "mail_activity_tracking.demo_message_failed"
        )
        recipients = messages._tracking_recipients()
        statuses = {recipient["status"] for message in messages for recipient in recipients[message.id]}
        self.assertEqual(
            statuses, {"unknown", "waiting", "error", "sent", "delivered", "opened", "cc", "noemail", "anonuser"}
        )
        self.assertTrue(messages[1:].mail_tracking_needs_action)
