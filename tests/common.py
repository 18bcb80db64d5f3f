from odoo.tests import TransactionCase
from odoo.tests.common import release_test_lock
from odoo.tools import mute_logger

from odoo.addons.mail.tests.common import mail_new_test_user

from ..services.handoff_writer import HANDOFF_WRITER
from .smtp_server import SMTPServer


def record_handoffs(db):
    """Have the hand-off writer's thread record the waiting pixel hits and
    webhook requests of ``db`` now, and wait for it; the test lets go of the
    registry's test lock meanwhile, as it does for its own HTTP requests."""
    with release_test_lock():
        return HANDOFF_WRITER.flush(db)


class TrackingCase(TransactionCase):
    """Posts chatter messages and sends their emails for real, through an
    SMTP server of the test's own on 127.0.0.1."""

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # keep notification emails in the queue until the test sends them
        cls.env = cls.env(
            context={
                **cls.env.context,
                "mail_create_nolog": True,
                "tracking_disable": True,
                "mail_notify_force_send": False,
            }
        )
        cls.env["ir.mail_server"].search([]).active = False
        cls.mail_server = cls.env["ir.mail_server"].create(
            {"name": "Loopback", "smtp_host": "127.0.0.1", "smtp_port": 25, "smtp_encryption": "none"}
        )
        cls.env.company.email = "company@example.com"
        cls.user_employee = mail_new_test_user(
            cls.env,
            login="tracking_employee",
            groups="base.group_user,base.group_partner_manager",
            name="Ernest Employee",
            email="ernest@example.com",
        )
        cls.record = cls.env["res.partner"].create({"name": "Record with a chatter", "email": "record@example.com"})
        cls.alice = cls.env["res.partner"].create({"name": "Alice", "email": "alice@example.com"})
        cls.bob = cls.env["res.partner"].create({"name": "Bob", "email": "bob@example.com"})

    def setUp(self):
        super().setUp()
        # Odoo sends nothing while tests run; these tests are about sending.
        self.patch(type(self.env["ir.mail_server"]), "_disable_send", classmethod(lambda cls: False))

    def start_smtp(self, **kwargs):
        """Start a loopback SMTP server for this test and send through it."""
        server = SMTPServer(**kwargs)
        self.enterContext(server)
        self.mail_server.write({"smtp_port": server.port})
        if server.credentials:
            self.mail_server.write(
                {
                    "smtp_authentication": "login",
                    "smtp_user": server.credentials[0],
                    "smtp_pass": server.credentials[1],
                }
            )
        return server

    def post(self, partners, body="<p>Hello</p>", mail_notify_force_send=False, **kwargs):
        """Post a comment on the record notifying ``partners`` by email;
        the emails stay queued unless ``mail_notify_force_send``."""
        record = self.record.with_user(self.user_employee).with_context(mail_notify_force_send=mail_notify_force_send)
        return record.message_post(
            body=body,
            partner_ids=partners.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
            subject=kwargs.pop("subject", "Tracked subject"),
            **kwargs,
        )

    def post_and_send(self, partners, **kwargs):
        """Post to ``partners`` and send the emails through the test's SMTP
        server (``self.smtp``): the message, and each email as the server
        received it, by its recipient."""
        message = self.post(partners, **kwargs)
        self.send_queue()
        return message, {envelope.rcpt_tos[0]: envelope.message for envelope in self.smtp.envelopes}

    def send_queue(self):
        """Send the queue as Odoo's cron does; Odoo logs each failure."""
        with mute_logger("odoo.addons.mail.models.mail_mail"):
            self.env["mail.mail"].sudo().search([("state", "=", "outgoing")]).send()

    def trackings(self, message):
        return self.env["mail.tracking.email"].sudo().search([("mail_message_id", "=", message.id)])

    def tracking_of(self, message, partner):
        return self.trackings(message).filtered(lambda tracking: tracking.partner_id == partner)

    def tracking_sent_long_ago(self, partner):
        """The tracking of a message posted to ``partner``, sent long ago:
        the hits it gets are no gateway's scan on delivery."""
        tracking = self.tracking_of(self.post(partner), partner)
        tracking.event_create("sent", {"timestamp": 1000.0})
        tracking.timestamp = 1000.0
        return tracking
