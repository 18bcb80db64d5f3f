"""Email Marketing (``mass_mailing``) installed beside the addon: a mailing
sent for real, through a real Postfix whose delivery reports come back
through Odoo's mail gateway. These tests run in a database where
``mass_mailing`` is installed too (``bin/test``'s second database)."""

from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TrackingCase
from .postfix import MAILBOX_DOMAIN, REMOTE_DOMAIN, REPORTS_DOMAIN, Postfix

#: The tag of the tests that need ``mass_mailing`` installed.
MASS_MAILING_TAG = "mail_activity_tracking_mass_mailing"

READERS = {"Alice": f"alice@{MAILBOX_DOMAIN}", "Bob": f"bob@{MAILBOX_DOMAIN}"}
GONE = f"gone@{REMOTE_DOMAIN}"
BUSY = f"busy@{REMOTE_DOMAIN}"


class MailingCase(TrackingCase):
    """A newsletter to a mailing list: two readers whose mailbox takes it,
    an address the remote server refuses for good, one it refuses for now."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        alias_domain = cls.env["mail.alias.domain"].create({"name": REPORTS_DOMAIN, "bounce_alias": "bounce"})
        cls.env.company.alias_domain_id = alias_domain
        contacts = cls.env["mailing.contact"].create(
            [{"name": name, "email": email} for name, email in [*READERS.items(), ("Gone", GONE), ("Busy", BUSY)]]
        )
        cls.mailing_list = cls.env["mailing.list"].create({"name": "Newsletter", "contact_ids": contacts.ids})
        cls.mailing = cls.env["mailing.mailing"].create(
            {
                "subject": "Our news",
                "mailing_type": "mail",
                "mailing_model_id": cls.env.ref("mass_mailing.model_mailing_list").id,
                "contact_list_ids": cls.mailing_list.ids,
                "body_html": '<p>Hello, read <a href="https://shop.example.com/offer">our offer</a>.</p>',
            }
        )

    def send_mailing(self):
        self.mailing.action_send_mail()
        self.send_queue()

    def trace_of(self, address):
        return self.mailing.mailing_trace_ids.filtered(lambda trace: trace.email == address)

    def tracking_of_address(self, address):
        return self.env["mail.tracking.email"].sudo().search([("recipient_address", "=", address)])

    def receive(self, raw):
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)


@tagged("post_install", "-at_install", MASS_MAILING_TAG)
class TestMailingDeliveryReports(MailingCase):
    """Postfix's own reports: delivered, failed and delayed."""

    def setUp(self):
        super().setUp()
        self.postfix = self.enterContext(Postfix(refuse=[GONE], defer=[BUSY]))
        self.mail_server.smtp_port = self.postfix.port

    def test_only_a_failure_report_is_a_bounce(self):
        self.send_mailing()
        for raw in self.postfix.reports(4):
            self.receive(raw)
        self.env.invalidate_all()
        statuses = {address: self.trace_of(address).trace_status for address in [*READERS.values(), GONE, BUSY]}
        self.assertEqual(
            statuses,
            {**dict.fromkeys(READERS.values(), "sent"), GONE: "bounce", BUSY: "sent"},
            "delivered and delayed readers are no bounces",
        )
        self.assertIn("User unknown", self.trace_of(GONE).failure_reason)
        self.assertEqual(self.mailing.bounced, 1)
        contacts = self.mailing_list.contact_ids
        self.assertEqual(
            {contact.email: contact.message_bounce for contact in contacts},
            {**dict.fromkeys(READERS.values(), 0), GONE: 1, BUSY: 0},
            "only the failure counts toward Odoo's bounce rules",
        )
        states = {address: self.tracking_of_address(address).state for address in statuses}
        self.assertEqual(
            states, {**dict.fromkeys(READERS.values(), "delivered"), GONE: "bounced", BUSY: "soft-bounced"}
        )
