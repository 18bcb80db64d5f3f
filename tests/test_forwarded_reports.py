from odoo.tests import tagged
from odoo.tools import mute_logger

from .common import TrackingCase
from .postfix import MAILBOX_DOMAIN, REMOTE_DOMAIN, REPORTS_DOMAIN, Postfix

#: Addresses a receiving server forwards elsewhere (an alias, a forwarding
#: rule), and where to.
CAROL, CAROL_FORWARDED = "carol@forward.example.net", f"carol.smith@{REMOTE_DOMAIN}"
DAVE, DAVE_FORWARDED = "dave+news@forward.example.net", f"dave@{MAILBOX_DOMAIN}"


@tagged("post_install", "-at_install")
class TestReportsOfForwardedEmails(TrackingCase):
    """Emails sent for real through a real Postfix that forwards their
    recipients elsewhere: its reports name the address it forwarded to as
    Final-Recipient, and ours (the ORCPT we gave) as Original-Recipient."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        alias_domain = cls.env["mail.alias.domain"].create({"name": REPORTS_DOMAIN, "bounce_alias": "bounce"})
        cls.env.company.alias_domain_id = alias_domain
        cls.carol = cls.env["res.partner"].create({"name": "Carol", "email": CAROL})
        cls.dave = cls.env["res.partner"].create({"name": "Dave", "email": DAVE})

    def setUp(self):
        super().setUp()
        aliases = {CAROL: CAROL_FORWARDED, DAVE: DAVE_FORWARDED}
        self.postfix = self.enterContext(Postfix(refuse=[CAROL_FORWARDED], aliases=aliases))
        self.mail_server.smtp_port = self.postfix.port

    def receive(self, raw):
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)

    def test_reports_of_forwarded_recipients_find_their_trackings(self):
        message = self.post(self.carol | self.dave)
        self.send_queue()
        reports = self.postfix.reports(2)
        self.assertTrue(any(f"Final-Recipient: rfc822; {CAROL_FORWARDED}".encode() in raw for raw in reports))
        for raw in reports:
            self.receive(raw)
        self.env.invalidate_all()
        carol, dave = self.tracking_of(message, self.carol), self.tracking_of(message, self.dave)
        self.assertEqual((carol.state, dave.state), ("bounced", "delivered"))
        self.assertIn("User unknown", carol.bounce_description)
        self.assertEqual(self.carol.message_bounce, 1, "Odoo's bounce rules count it on the contact we sent to")
        self.assertEqual(self.dave.message_bounce, 0)
