import smtplib

from odoo import api, models, tools

from ..tools.context_keys import PROVIDER_KEY, SMTP_HOST_KEY
from ..tools.dsn import original_recipient_option
from ..tools.references import TRACKING_HEADER

#: smtplib's session class, bound at import: tests may replace
#: ``smtplib.SMTP`` with a factory of their own session objects.
SMTP_SESSION = smtplib.SMTP


class _TrackedSession:
    """The SMTP session of a tracked email, as Odoo's ``send_email`` uses it:
    it sends through the session's own ``send_message``, asking for delivery
    status notifications (RFC 3461) when the server offers them, and keeps
    in ``refused`` the recipients the server refused while accepting others
    (smtplib returns those, and Odoo drops them). Any other session object
    (Odoo's test session offers ``send_message`` only) sends as it would
    without the addon.

    Each recipient's RCPT names it as its original recipient (ORCPT), so
    that the report of a server that forwards it elsewhere still names the
    address we sent to. smtplib gives one set of RCPT options to all the
    recipients of a ``send_message``: an email to several recipients is
    sent once to each, with its own."""

    def __init__(self, session, envid):
        self._session = session
        self._envid = envid
        self.refused = {}
        self.reports_asked = False

    def __getattr__(self, name):
        return getattr(self._session, name)

    def send_message(self, message, from_addr=None, to_addrs=None, *args, **kwargs):
        if not isinstance(self._session, SMTP_SESSION):
            return self._session.send_message(message, from_addr, to_addrs, *args, **kwargs)
        if self._offers_dsn():
            result = self._send_with_reports(message, from_addr, to_addrs, *args, **kwargs)
        else:
            result = self._session.send_message(message, from_addr, to_addrs, *args, **kwargs)
        self.refused.update({tools.email_normalize(address): reply for address, reply in result.items()})
        return result

    def _offers_dsn(self):
        self._session.ehlo_or_helo_if_needed()
        self.reports_asked = self._session.has_extn("dsn")
        return self.reports_asked

    def _send_with_reports(self, message, from_addr, to_addrs, mail_options=(), rcpt_options=()):
        """Send ``message`` asking for its reports, once to each recipient
        (``_send_to_each``)."""
        mail_options = [*mail_options, "RET=HDRS", f"ENVID={self._envid}"]
        rcpt_options = [*rcpt_options, "NOTIFY=SUCCESS,FAILURE,DELAY"]
        addresses = [to_addrs] if isinstance(to_addrs, str) else list(to_addrs or [])
        if len(addresses) < 2:
            options = [*rcpt_options, *original_recipient_option(addresses[0] if addresses else "")]
            return self._session.send_message(message, from_addr, to_addrs, mail_options, options)
        return self._send_to_each(message, from_addr, addresses, mail_options, rcpt_options)

    def _send_to_each(self, message, from_addr, addresses, mail_options, rcpt_options):
        """Once a recipient has the email, a failure for another one is that
        recipient's refusal (as smtplib reports a partial refusal), never an
        error that would have the email sent again to all; a failure for
        every recipient is raised as smtplib raises it."""
        refused, first_error, delivered = {}, None, False
        for index, address in enumerate(addresses):
            options = [*rcpt_options, *original_recipient_option(address)]
            try:
                refused.update(self._session.send_message(message, from_addr, [address], mail_options, options))
            except smtplib.SMTPRecipientsRefused as error:
                refused.update(error.recipients)
                first_error = first_error or error
            except smtplib.SMTPResponseException as error:
                refused[address] = (error.smtp_code, error.smtp_error)
                first_error = first_error or error
            except (smtplib.SMTPException, OSError) as error:
                if not delivered:
                    raise
                # the connection is lost: the others did not get it
                refused.update(dict.fromkeys(addresses[index:], ("", str(error))))
                break
            else:
                delivered = True
        if not delivered:
            if isinstance(first_error, smtplib.SMTPRecipientsRefused):
                raise smtplib.SMTPRecipientsRefused(refused)
            raise first_error
        return refused


def _decode(reply):
    return reply.decode(errors="replace") if isinstance(reply, bytes) else str(reply)


class IrMailServer(models.Model):
    _inherit = "ir.mail_server"

    def send_email(self, message, mail_server_id=None, smtp_server=None, *args, smtp_session=None, **kwargs):
        """Record the outcome of a tracked email on its trackings; the
        exception of a failure goes on to the caller untouched, so that Odoo's
        own mail and notification states stay what they would be."""
        trackings, written = self.env["mail.tracking.email"]._from_outgoing_header(message[TRACKING_HEADER])
        if not trackings:
            return super().send_email(message, mail_server_id, smtp_server, *args, smtp_session=smtp_session, **kwargs)
        server = self._tracking_server_name(mail_server_id, smtp_server, trackings)
        session = _TrackedSession(smtp_session, trackings[:1]._envelope_id()) if smtp_session else None
        try:
            message_id = super().send_email(message, mail_server_id, smtp_server, *args, smtp_session=session, **kwargs)
        except Exception as error:
            trackings._mark_error(self._tracking_error_type(error), self._tracking_error_text(error), server, written)
            raise
        if session and session.refused:
            trackings -= self._tracking_mark_refused(trackings, session.refused, server, written)
        if not trackings:
            # every tracked recipient refused: the server took the email for its Cc only
            return message_id
        trackings._mark_sent(server, message_id, written)
        provider, _configuration_set = self.env.context.get(PROVIDER_KEY) or (False, False)
        if (session and session.reports_asked) or provider:
            trackings._await_delivery_report()
        return message_id

    def _tracking_mark_refused(self, trackings, refused, server, written):
        """Mark as errors the ``trackings`` whose address the server refused
        while accepting others; return them."""
        refused_trackings = trackings.browse()
        for tracking in trackings:
            address = tracking.recipient_address or (written and written[1])
            if address in refused:
                code, reply = refused[address]
                tracking._mark_error("recipient_refused", f"{code} {_decode(reply)}".strip(), server, written)
                refused_trackings |= tracking
        return refused_trackings

    def _tracking_server_name(self, mail_server_id, smtp_server, trackings):
        """The host of the SMTP server an email to ``trackings`` goes
        through, from Odoo's records: the server of the batch being sent,
        the one asked for, else the one Odoo picks for their mail."""
        if self.env.context.get(SMTP_HOST_KEY):
            return self.env.context[SMTP_HOST_KEY]
        if mail_server_id:
            # sudo: the server an email goes through is the server's business, not the sender's
            return self._tracking_host(self.sudo().browse(mail_server_id))
        return smtp_server or trackings.mail_id[:1]._tracking_smtp_host()

    @api.model
    def _tracking_host(self, mail_server):
        """The host Odoo connects to for ``mail_server``, a record or none
        (the server of the command line)."""
        if mail_server and mail_server.smtp_authentication != "cli":
            return mail_server.smtp_host
        return tools.config.get("smtp_server")

    def _tracking_error_type(self, error):
        if isinstance(error, AssertionError) and error.args and error.args[0] == self.NO_VALID_RECIPIENT:
            return "no_recipient"
        cause = error.__context__ or error
        return {
            smtplib.SMTPRecipientsRefused: "recipient_refused",
            smtplib.SMTPSenderRefused: "sender_refused",
            smtplib.SMTPDataError: "data_refused",
            smtplib.SMTPAuthenticationError: "authentication",
            smtplib.SMTPConnectError: "connection",
        }.get(type(cause), "smtp_error" if isinstance(cause, smtplib.SMTPException) else "unknown")

    def _tracking_error_text(self, error):
        """The server's own words: the SMTP reply behind Odoo's generic
        "Mail Delivery Failed"."""
        cause = error.__context__ or error
        if isinstance(cause, smtplib.SMTPRecipientsRefused):
            return "; ".join(
                f"{address}: {code} {_decode(reply)}" for address, (code, reply) in cause.recipients.items()
            )
        if isinstance(cause, smtplib.SMTPResponseException):
            return f"{cause.smtp_code} {_decode(cause.smtp_error)}"
        return tools.exception_to_unicode(cause)
