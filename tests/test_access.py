from odoo.exceptions import AccessError
from odoo.tests import tagged

from odoo.addons.mail.tests.common import mail_new_test_user

from .common import TrackingCase


@tagged("post_install", "-at_install")
class TestAccess(TrackingCase):
    """Who reads which tracking: admin, an internal user who can read the
    record, one who cannot, and a portal user."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.company_a = cls.env.company
        cls.company_b = cls.env["res.company"].create({"name": "Other company"})
        cls.record.company_id = cls.company_a
        cls.alice.company_id = cls.company_a
        cls.user_admin = cls.env.ref("base.user_admin")
        cls.user_reader = mail_new_test_user(
            cls.env,
            login="tracking_reader",
            groups="base.group_user",
            name="Rita Reader",
            company_id=cls.company_a.id,
            company_ids=[(6, 0, cls.company_a.ids)],
        )
        cls.user_outsider = mail_new_test_user(
            cls.env,
            login="tracking_outsider",
            groups="base.group_user",
            name="Oscar Outsider",
            company_id=cls.company_b.id,
            company_ids=[(6, 0, cls.company_b.ids)],
        )
        cls.user_portal = mail_new_test_user(
            cls.env, login="tracking_portal", groups="base.group_portal", name="Paula Portal"
        )
        cls.message = cls.record.with_user(cls.user_employee).message_post(
            body="<p>Confidential</p>",
            partner_ids=cls.alice.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
        cls.tracking = cls.env["mail.tracking.email"].sudo().search([("mail_message_id", "=", cls.message.id)])
        cls.tracking.event_create("sent", {"smtp_server": "127.0.0.1"})
        cls.event = cls.tracking.tracking_event_ids
        assert len(cls.tracking) == 1 and len(cls.event) == 1

    def visible(self, user, model="mail.tracking.email"):
        return self.env[model].with_user(user).search([])

    def test_admin_sees_every_tracking_and_event(self):
        self.assertIn(self.tracking, self.visible(self.user_admin))
        self.assertEqual(self.tracking.with_user(self.user_admin).state, "sent")
        self.assertIn(self.event, self.visible(self.user_admin, "mail.tracking.event"))

    def test_reader_of_the_record_sees_the_tracking(self):
        self.assertIn(self.tracking, self.visible(self.user_reader))
        self.assertEqual(self.tracking.with_user(self.user_reader).partner_id, self.alice)

    def test_reader_of_the_record_sees_its_events(self):
        self.assertIn(self.event, self.visible(self.user_reader, "mail.tracking.event"))

    def test_user_who_cannot_read_the_record_sees_nothing(self):
        self.assertNotIn(self.tracking, self.visible(self.user_outsider))
        self.assertNotIn(self.event, self.visible(self.user_outsider, "mail.tracking.event"))
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_outsider).read(["state"])
        with self.assertRaises(AccessError):
            self.event.with_user(self.user_outsider).read(["event_type"])

    def test_count_and_group_follow_the_rule(self):
        Tracking = self.env["mail.tracking.email"]
        domain = [("id", "=", self.tracking.id)]
        self.assertEqual(Tracking.with_user(self.user_reader).search_count(domain), 1)
        self.assertEqual(Tracking.with_user(self.user_outsider).search_count(domain), 0)
        groups = Tracking.with_user(self.user_outsider)._read_group(domain, ["state"], ["__count"])
        self.assertEqual(groups, [])

    def test_recipient_of_the_message_does_not_read_it_without_the_record(self):
        """The tracking of a message on a record follows the record: being a
        recipient of the message gives no access to who opened it, where."""
        self.message.sudo().partner_ids |= self.user_outsider.partner_id
        self.assertTrue(self.message.with_user(self.user_outsider).has_access("read"))
        self.assertNotIn(self.tracking, self.visible(self.user_outsider))

    def test_notified_user_does_not_read_it_without_the_record(self):
        self.env["mail.notification"].sudo().create(
            {
                "mail_message_id": self.message.id,
                "res_partner_id": self.user_outsider.partner_id.id,
                "notification_type": "inbox",
            }
        )
        self.assertTrue(self.message.with_user(self.user_outsider).has_access("read"))
        self.assertNotIn(self.tracking, self.visible(self.user_outsider))

    def test_author_does_not_read_it_without_the_record(self):
        self.message.sudo().author_id = self.user_outsider.partner_id
        self.assertTrue(self.message.with_user(self.user_outsider).has_access("read"))
        self.assertNotIn(self.tracking, self.visible(self.user_outsider))

    def test_tracking_keeps_its_document(self):
        self.assertEqual((self.tracking.model, self.tracking.res_id), ("res.partner", self.record.id))

    def test_upgrade_gives_existing_trackings_their_document(self):
        """Trackings from before (the upgrade, or a database that ran
        mail_tracking) get the document of their message; those without a
        message cannot tell theirs and go to administrators only."""
        _mail, documentless = self.documentless_tracking(self.alice)
        orphan = self.env["mail.tracking.email"].create({"recipient": "alice@example.com", "partner_id": self.alice.id})
        self.assertIn(orphan, self.visible(self.user_reader), "no document ever: its partner")
        trackings = self.tracking | documentless | orphan
        self.env.flush_all()
        self.env.cr.execute(
            "UPDATE mail_tracking_email SET model = NULL, res_id = NULL WHERE id IN %s", [trackings._ids]
        )
        trackings.invalidate_recordset(["model", "res_id"])
        self.env["mail.tracking.email"]._init_documents()
        self.assertEqual((self.tracking.model, self.tracking.res_id), ("res.partner", self.record.id))
        self.assertFalse(documentless.model)
        self.assertEqual(orphan.model, "mail.message")
        self.assertNotIn(orphan, self.visible(self.user_reader))

    def test_tracking_of_a_deleted_document_is_for_administrators_only(self):
        """Deleting the record deletes its messages: the tracking loses its
        message, not its document, and no partner opens it again."""
        self.alice.company_id = False  # every internal user reads the recipient
        self.tracking.event_create("open", {"ip": "203.0.113.7"})
        events = self.tracking.tracking_event_ids
        self.assertIn(self.tracking, self.visible(self.user_reader))
        self.assertNotIn(self.tracking, self.visible(self.user_outsider))
        self.record.unlink()
        self.assertFalse(self.tracking.mail_message_id)
        for user in (self.user_reader, self.user_outsider):
            self.assertNotIn(self.tracking, self.visible(user))
            self.assertFalse(events & self.visible(user, "mail.tracking.event"))
            with self.assertRaises(AccessError):
                self.tracking.with_user(user).read(["name"])
        self.assertIn(self.tracking, self.visible(self.user_admin))
        self.assertEqual(events & self.visible(self.user_admin, "mail.tracking.event"), events)

    def test_private_notification_follows_its_message_not_the_record(self):
        """A user_notification message is private to whom it notifies, as in
        Odoo: readers of the record do not read its tracking."""
        notification = self.record.with_user(self.user_employee).message_notify(
            body="<p>Assigned to you</p>", partner_ids=self.alice.ids, subject="Private"
        )
        tracking = self.env["mail.tracking.email"].sudo().search([("mail_message_id", "=", notification.id)])
        self.assertTrue(tracking)
        self.assertNotIn(tracking, self.visible(self.user_reader))
        self.assertIn(tracking, self.visible(self.user_employee))
        self.record.unlink()
        self.assertNotIn(tracking, self.visible(self.user_employee))

    def documentless_tracking(self, partner):
        """The tracking of an email that never had a document (a mail.mail
        created without a model)."""
        mail = (
            self.env["mail.mail"]
            .sudo()
            .create({"subject": "No document", "body_html": "<p>Hi</p>", "recipient_ids": partner.ids})
        )
        tracking = mail.mail_tracking_ids
        self.assertEqual(len(tracking), 1)
        self.assertFalse(tracking.model)
        return mail, tracking

    def test_tracking_without_document_follows_its_message_then_its_partner(self):
        mail, tracking = self.documentless_tracking(self.alice)
        mail.mail_message_id.author_id = self.user_reader.partner_id
        self.assertIn(tracking, self.visible(self.user_reader))
        self.assertNotIn(tracking, self.visible(self.user_outsider))
        mail.mail_message_id.unlink()
        self.assertFalse(tracking.mail_message_id)
        self.assertIn(tracking, self.visible(self.user_reader))
        self.assertNotIn(tracking, self.visible(self.user_outsider))
        self.alice.company_id = False
        self.assertIn(tracking, self.visible(self.user_outsider))

    def test_portal_user_reads_no_tracking(self):
        with self.assertRaises(AccessError):
            self.visible(self.user_portal)
        with self.assertRaises(AccessError):
            self.visible(self.user_portal, "mail.tracking.event")
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_portal).read(["state"])

    def test_portal_recipient_still_reads_no_tracking(self):
        self.message.sudo().partner_ids |= self.user_portal.partner_id
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_portal).read(["state"])

    def test_only_system_administrators_read_tokens(self):
        self.assertTrue(self.tracking.with_user(self.user_admin).token)
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_reader).read(["token"])

    def test_internal_users_cannot_change_trackings(self):
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_reader).write({"state": "opened"})
        with self.assertRaises(AccessError):
            self.env["mail.tracking.email"].with_user(self.user_reader).create({"recipient": "x@example.com"})
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_reader).unlink()

    def test_rule_is_one_sql_query_whatever_the_number_of_messages(self):
        """The rule runs in SQL: counting is one query, for one message as
        for twenty."""
        Tracking = self.env["mail.tracking.email"].with_user(self.user_reader)
        on_record = [("partner_id", "=", self.alice.id)]
        Tracking.search_count(on_record)  # warm the caches
        with self.assertQueryCount(1):
            self.assertEqual(Tracking.search_count(on_record), 1)
        for index in range(20):
            self.record.message_post(
                body=f"<p>More {index}</p>",
                partner_ids=self.alice.ids,
                message_type="comment",
                subtype_xmlid="mail.mt_comment",
            )
        self.env.flush_all()
        expected = self.env["mail.tracking.email"].sudo().search_count(on_record)
        self.assertGreater(expected, 20)
        with self.assertQueryCount(1):
            self.assertEqual(Tracking.search_count(on_record), expected)

    def test_internal_users_cannot_forge_events(self):
        with self.assertRaises(AccessError):
            self.tracking.with_user(self.user_reader).event_create("open", {"ip": "6.6.6.6"})
        self.assertEqual(self.tracking.state, "sent")
        self.assertNotIn("open", self.tracking.tracking_event_ids.mapped("event_type"))
