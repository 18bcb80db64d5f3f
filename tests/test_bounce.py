from email.message import EmailMessage

from odoo.tests import tagged
from odoo.tools import mute_logger

from ..tools.references import TRACKING_HEADER
from .common import TrackingCase


def delivery_status_notification(recipients, original=None, envid=None, to="bounce@example.com", orcpt=None):
    """The raw text of an RFC 3464 report: ``recipients`` is a list of
    (address, action, status, diagnostic); ``original`` the headers of the
    reported email; ``orcpt`` maps a final recipient to the Original-Recipient
    its block gives (RFC 3461's ORCPT, given when the email was sent)."""
    fields = ["Reporting-MTA: dns; mx.example.net"] + ([f"Original-Envelope-Id: {envid}"] if envid else [])
    blocks = ["\r\n".join(fields)]
    for address, action, status, diagnostic in recipients:
        block = [f"Final-Recipient: rfc822; {address}", f"Action: {action}", f"Status: {status}"]
        if orcpt and address in orcpt:
            block.insert(0, f"Original-Recipient: {orcpt[address]}")
        blocks.append("\r\n".join(block + ([f"Diagnostic-Code: smtp; {diagnostic}"] if diagnostic else [])))
    parts = [
        "Content-Type: text/plain\r\n\r\nThis is an automatically generated Delivery Status Notification.\r\n",
        "Content-Type: message/delivery-status\r\n\r\n" + "\r\n\r\n".join(blocks) + "\r\n",
    ]
    if original:
        parts.append("Content-Type: text/rfc822-headers\r\n\r\n" + original)
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.net>\r\n"
        f"To: {to}\r\n"
        "Subject: Delivery Status Notification\r\n"
        "Message-Id: <report-1@mx.example.net>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="REPORT"\r\n\r\n'
        + "".join(f"--REPORT\r\n{part}\r\n" for part in parts)
        + "--REPORT--\r\n"
    )


def headers_of(message, *names):
    return "".join(f"{name}: {message[name]}\r\n" for name in names if message[name]) + "\r\n"


@tagged("post_install", "-at_install")
class TestBounces(TrackingCase):
    """Delivery reports fed to Odoo's mail gateway as real emails."""

    def setUp(self):
        super().setUp()
        self.smtp = self.start_smtp()
        self.message, self.sent = self.post_and_send(self.alice | self.bob)

    def receive(self, raw):
        with mute_logger("odoo.addons.mail.models.mail_thread"):
            self.env["mail.thread"].message_process(False, raw)

    def report_for(self, address, action, status, diagnostic=None, names=("Message-Id", TRACKING_HEADER)):
        original = self.sent[address]
        return delivery_status_notification(
            [(address, action, status, diagnostic)], original=headers_of(original, *names)
        )

    def notification(self, partner):
        return self.message.notification_ids.filtered(lambda notif: notif.res_partner_id == partner)

    def test_permanent_failure_bounces_that_recipient_only(self):
        self.receive(
            self.report_for("alice@example.com", "failed", "5.1.1", "550 5.1.1 <alice@example.com>: user unknown")
        )
        alice, bob = self.tracking_of(self.message, self.alice), self.tracking_of(self.message, self.bob)
        self.assertEqual(alice.state, "bounced")
        self.assertEqual(alice.bounce_type, "5.1.1")
        self.assertIn("user unknown", alice.bounce_description)
        self.assertEqual(alice.tracking_event_ids.sorted("id")[-1].event_type, "hard_bounce")
        self.assertEqual(bob.state, "sent")
        self.assertEqual(bob.tracking_event_ids.mapped("event_type"), ["sent"])

    def test_permanent_failure_flags_the_contact_and_odoo_notification(self):
        self.receive(self.report_for("alice@example.com", "failed", "5.1.1", "550 user unknown"))
        self.assertTrue(self.alice.email_bounced)
        self.assertFalse(self.bob.email_bounced)
        self.assertEqual(self.notification(self.alice).notification_status, "bounce")
        self.assertEqual(self.notification(self.bob).notification_status, "sent")
        self.assertTrue(self.message.mail_tracking_needs_action)

    def test_temporary_failure_is_a_soft_bounce(self):
        self.receive(self.report_for("bob@example.com", "failed", "4.2.2", "452 4.2.2 mailbox full"))
        tracking = self.tracking_of(self.message, self.bob)
        self.assertEqual(tracking.state, "soft-bounced")
        self.assertIn("mailbox full", tracking.bounce_description)
        self.assertFalse(self.bob.email_bounced)

    def test_delayed_report_is_a_soft_bounce_not_an_odoo_bounce(self):
        self.receive(self.report_for("bob@example.com", "delayed", "4.4.7", "timeout, still trying"))
        self.assertEqual(self.tracking_of(self.message, self.bob).state, "soft-bounced")
        self.assertEqual(self.notification(self.bob).notification_status, "sent")
        self.assertEqual(self.bob.message_bounce, 0)

    def test_delivered_report_is_delivered_and_no_bounce(self):
        self.receive(self.report_for("alice@example.com", "delivered", "2.0.0", "250 2.0.0 Ok: queued"))
        tracking = self.tracking_of(self.message, self.alice)
        self.assertEqual(tracking.state, "delivered")
        delivered = tracking.tracking_event_ids.filtered(lambda event: event.event_type == "delivered")
        self.assertEqual(delivered.smtp_server, "mx.example.net")
        self.assertEqual(self.notification(self.alice).notification_status, "sent")
        self.assertEqual(self.alice.message_bounce, 0)
        self.assertFalse(self.alice.email_bounced)

    def test_relayed_report_is_delivered(self):
        self.receive(self.report_for("bob@example.com", "relayed", "2.0.0"))
        self.assertEqual(self.tracking_of(self.message, self.bob).state, "delivered")

    def test_late_delivered_report_keeps_opened(self):
        tracking = self.tracking_of(self.message, self.alice)
        tracking.event_create("open", {})
        self.receive(self.report_for("alice@example.com", "delivered", "2.0.0"))
        self.assertEqual(tracking.state, "opened")
        self.assertIn("delivered", tracking.tracking_event_ids.mapped("event_type"))

    def test_report_found_by_message_id_alone(self):
        self.receive(self.report_for("alice@example.com", "failed", "5.7.1", "rejected", names=("Message-Id",)))
        self.assertEqual(self.tracking_of(self.message, self.alice).state, "bounced")
        self.assertEqual(self.tracking_of(self.message, self.bob).state, "sent")

    def test_report_found_by_tracking_header_alone(self):
        self.receive(self.report_for("alice@example.com", "failed", "5.1.1", "unknown", names=(TRACKING_HEADER,)))
        self.assertEqual(self.tracking_of(self.message, self.alice).state, "bounced")

    def test_report_found_by_envelope_id_alone(self):
        tracking = self.tracking_of(self.message, self.bob)
        self.receive(
            delivery_status_notification(
                [("bob@example.com", "delivered", "2.0.0", None)], envid=tracking._envelope_id()
            )
        )
        self.assertEqual(tracking.state, "delivered")

    def test_report_naming_two_recipients(self):
        original = headers_of(self.sent["alice@example.com"], "Message-Id")
        self.receive(
            delivery_status_notification(
                [("alice@example.com", "failed", "5.1.1", "unknown"), ("bob@example.com", "delivered", "2.0.0", None)],
                original=original,
            )
        )
        self.assertEqual(self.tracking_of(self.message, self.alice).state, "bounced")
        self.assertEqual(self.tracking_of(self.message, self.bob).state, "delivered")

    def test_report_delivered_first_bounces_the_one_that_failed(self):
        """Odoo's extraction names a report's first recipient: here the one
        delivered. The bounce handling counts the one that failed."""
        original = headers_of(self.sent["alice@example.com"], "Message-Id")
        self.receive(
            delivery_status_notification(
                [("alice@example.com", "delivered", "2.0.0", None), ("bob@example.com", "failed", "5.1.1", "unknown")],
                original=original,
            )
        )
        self.assertEqual((self.alice.message_bounce, self.bob.message_bounce), (0, 1))
        self.assertEqual(self.notification(self.alice).notification_status, "sent")

    def test_forged_header_and_unknown_recipient_touch_nothing(self):
        tracking = self.tracking_of(self.message, self.alice)
        forged = f"{TRACKING_HEADER}: {tracking.id}-forged\r\n\r\n"
        self.receive(delivery_status_notification([("alice@example.com", "failed", "5.1.1", "x")], original=forged))
        original = headers_of(self.sent["alice@example.com"], "Message-Id", TRACKING_HEADER)
        self.receive(delivery_status_notification([("carol@example.com", "failed", "5.1.1", "x")], original=original))
        self.assertEqual(self.trackings(self.message).mapped("state"), ["sent", "sent"])

    def test_malformed_reports_are_harmless(self):
        raw_reports = [
            "From: MAILER-DAEMON@mx.example.net\r\nTo: bounce@example.com\r\nSubject: x\r\n"
            'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n--b\r\n'
            "Content-Type: message/delivery-status\r\n\r\nthis is: not; a\r\n\r\ngarbage <b>html</b>\r\n--b--\r\n",
            delivery_status_notification([("", "", "", None)], original="Message-Id: <nothing@here>\r\n\r\n"),
            delivery_status_notification([("alice@example.com", "failed", "9.9.9", "<script>x</script>")]),
        ]
        for raw in raw_reports:
            with self.subTest(raw=raw[:60]):
                self.receive(raw)
        self.assertEqual(self.trackings(self.message).mapped("state"), ["sent", "sent"])

    def test_report_of_a_forwarding_server_found_by_original_recipient(self):
        """A server that forwards alice@example.com elsewhere reports the
        address it forwarded to as Final-Recipient; the Original-Recipient
        (the ORCPT we gave) names the address we sent to."""
        self.receive(
            delivery_status_notification(
                [("alice.smith@forwarded.example", "failed", "5.1.1", "550 5.1.1 user unknown")],
                original=headers_of(self.sent["alice@example.com"], "Message-Id", TRACKING_HEADER),
                orcpt={"alice.smith@forwarded.example": "rfc822;alice@example.com"},
            )
        )
        self.assertEqual(self.tracking_of(self.message, self.alice).state, "bounced")
        self.assertEqual(self.tracking_of(self.message, self.bob).state, "sent")
        self.receive(
            delivery_status_notification(
                [("bob.jones@forwarded.example", "delivered", "2.0.0", None)],
                envid=self.tracking_of(self.message, self.bob)._envelope_id(),
                orcpt={"bob.jones@forwarded.example": "rfc822;bob+2Btag@example.com"},
            )
        )
        self.assertEqual(self.tracking_of(self.message, self.bob).state, "sent", "another original recipient")

    def test_plain_non_delivery_report_of_a_single_recipient(self):
        message = self.post(self.bob)
        self.send_queue()
        original_id = self.smtp.envelopes[-1].message["Message-Id"]
        ndr = EmailMessage()
        ndr["From"] = "MAILER-DAEMON@mx.example.net"
        ndr["To"] = "bounce@example.com"
        ndr["Subject"] = "Undelivered Mail Returned to Sender"
        ndr["In-Reply-To"] = original_id
        ndr["References"] = original_id
        ndr.set_content(
            "I'm sorry to have to inform you that your message could not be delivered.\n"
            "<bob@example.com>: host mx.example.com said: 550 5.1.1 User unknown\n"
        )
        self.receive(ndr.as_string())
        tracking = self.tracking_of(message, self.bob)
        self.assertEqual(tracking.state, "bounced")
        self.assertEqual(tracking.bounce_type, "5.1.1")


@tagged("post_install", "-at_install")
class TestDeliveryStatusRequest(TrackingCase):
    """Asking for delivery status notifications when the server offers them."""

    def raw_mail(self, email_to):
        """A mail to raw addresses, without contacts."""
        return self.env["mail.mail"].create(
            {"subject": "Raw", "body_html": "<p>Hi</p>", "email_from": "ernest@example.com", "email_to": email_to}
        )

    def test_dsn_server_gets_notify_and_envelope_id(self):
        smtp = self.start_smtp(extensions=["DSN"])
        message = self.post(self.alice)
        self.send_queue()
        envelope = smtp.envelopes[0]
        tracking = self.tracking_of(message, self.alice)
        self.assertEqual(
            envelope.rcpt_options["alice@example.com"],
            ["NOTIFY=SUCCESS,FAILURE,DELAY", "ORCPT=rfc822;alice@example.com"],
        )
        self.assertIn(f"ENVID={tracking._envelope_id()}", envelope.mail_options)
        self.assertIn("RET=HDRS", envelope.mail_options)
        self.assertEqual(tracking.state, "sent")

    def test_each_recipient_of_one_email_gets_its_own_original_recipient(self):
        """RFC 3461's ORCPT names each recipient as we sent to it (xtext:
        "+" is "+2B"), so that the report of a server that forwards it
        still names it; one copy reaches each recipient."""
        smtp = self.start_smtp(extensions=["DSN"])
        mail = self.raw_mail("one@example.com, two+tag@example.com")
        mail.send()
        options = {rcpt: opts for envelope in smtp.envelopes for rcpt, opts in envelope.rcpt_options.items()}
        self.assertEqual(
            options,
            {
                "one@example.com": ["NOTIFY=SUCCESS,FAILURE,DELAY", "ORCPT=rfc822;one@example.com"],
                "two+tag@example.com": ["NOTIFY=SUCCESS,FAILURE,DELAY", "ORCPT=rfc822;two+2Btag@example.com"],
            },
        )
        self.assertEqual([smtp.copies("one@example.com"), smtp.copies("two+tag@example.com")], [1, 1])
        self.assertEqual({envelope.message["Message-Id"] for envelope in smtp.envelopes}, {mail.message_id})
        self.assertEqual(mail.mail_tracking_ids.mapped("state"), ["sent", "sent"])

    def test_one_refused_address_of_an_email_asking_for_reports(self):
        smtp = self.start_smtp(extensions=["DSN"], refuse={"two@example.com": "550 5.1.1 no such user"})
        mail = self.raw_mail("one@example.com, two@example.com")
        mail.send()
        states = {tracking.recipient_address: tracking.state for tracking in mail.mail_tracking_ids}
        self.assertEqual(states, {"one@example.com": "sent", "two@example.com": "error"})
        self.assertEqual(mail.state, "sent")
        self.assertEqual(smtp.copies("one@example.com"), 1)

    def test_server_without_dsn_gets_no_parameters(self):
        smtp = self.start_smtp()
        self.post(self.alice)
        self.send_queue()
        self.assertEqual(smtp.envelopes[0].rcpt_options["alice@example.com"], [])
        self.assertFalse([option for option in smtp.envelopes[0].mail_options if "ENVID" in option])

    def test_one_refused_address_among_accepted_ones(self):
        self.start_smtp(refuse={"two@example.com": "550 5.1.1 no such user"})
        mail = self.raw_mail("one@example.com, two@example.com")
        mail.send()
        states = {tracking.recipient_address: tracking.state for tracking in mail.mail_tracking_ids}
        self.assertEqual(states, {"one@example.com": "sent", "two@example.com": "error"})
        refused = mail.mail_tracking_ids.filtered(lambda tracking: tracking.state == "error")
        self.assertIn("no such user", refused.error_description)
