"""A small but real SMTP server on loopback for the tests.

It speaks enough of RFC 5321 for smtplib and Odoo (EHLO/HELO, AUTH PLAIN and
LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every envelope it accepts
with its MAIL and RCPT parameters, and can refuse given recipients, require
authentication or advertise the DSN extension (RFC 3461).

It can also misbehave, for the fault tests: greet with another reply than
220 (``greeting``), accept the connection and say nothing (``silent``), or
drop the connection in the middle of the ``drop_in_data``-th message.
"""

import base64
import socketserver
import threading
from dataclasses import dataclass, field
from email import message_from_bytes, policy

GREETING = "220 localhost test SMTP server ready"


@dataclass
class Envelope:
    mail_from: str = ""
    mail_options: list = field(default_factory=list)
    rcpt_tos: list = field(default_factory=list)
    rcpt_options: dict = field(default_factory=dict)
    data: bytes = b""

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.SMTP)


def _address_and_params(argument):
    """``<a@b.c> NOTIFY=SUCCESS`` -> ("a@b.c", ["NOTIFY=SUCCESS"])."""
    address, _sep, params = argument.partition(">")
    return address.strip().lstrip("<").strip(), params.split()


class _Session(socketserver.StreamRequestHandler):
    timeout = 30

    def reply(self, line):
        self.wfile.write(line.encode() + b"\r\n")

    def handle(self):
        self.envelope = Envelope()
        self.authenticated = False
        smtp = self.server.smtp
        if smtp.silent:
            # say nothing, and wait for the client to give up
            self.rfile.read()
            return
        self.reply(smtp.greeting)
        if not smtp.greeting.startswith("220"):
            return
        for raw in self.rfile:
            command, _sep, argument = raw.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            handler = getattr(self, f"smtp_{command.upper()}", None)
            if handler is None:
                self.reply("502 5.5.2 Command not implemented")
            elif handler(argument) is False:
                return

    def smtp_EHLO(self, argument):
        extensions = ["8BITMIME", "SMTPUTF8", *self.server.smtp.extensions]
        if self.server.smtp.credentials:
            extensions.append("AUTH PLAIN LOGIN")
        lines = ["localhost", *extensions]
        for line in lines[:-1]:
            self.reply(f"250-{line}")
        self.reply(f"250 {lines[-1]}")

    def smtp_HELO(self, argument):
        self.reply("250 localhost")

    def smtp_AUTH(self, argument):
        mechanism, _sep, initial = argument.partition(" ")
        if mechanism.upper() == "PLAIN":
            _authzid, user, password = base64.b64decode(initial or "").decode().split("\0")
        else:
            self.reply("334 VXNlcm5hbWU6")
            user = base64.b64decode(self.rfile.readline().strip()).decode()
            self.reply("334 UGFzc3dvcmQ6")
            password = base64.b64decode(self.rfile.readline().strip()).decode()
        if (user, password) == self.server.smtp.credentials:
            self.authenticated = True
            self.reply("235 2.7.0 Authentication successful")
        else:
            self.reply("535 5.7.8 Authentication credentials invalid")

    def smtp_MAIL(self, argument):
        if self.server.smtp.credentials and not self.authenticated:
            self.reply("530 5.7.0 Authentication required")
            return
        address, params = _address_and_params(argument.partition(":")[2])
        self.envelope = Envelope(mail_from=address, mail_options=params)
        self.reply("250 2.1.0 OK")

    def smtp_RCPT(self, argument):
        address, params = _address_and_params(argument.partition(":")[2])
        refusal = self.server.smtp.refuse.get(address.lower())
        if refusal:
            self.reply(refusal)
            return
        self.envelope.rcpt_tos.append(address)
        self.envelope.rcpt_options[address] = params
        self.reply("250 2.1.5 OK")

    def smtp_DATA(self, argument):
        if not self.envelope.rcpt_tos:
            self.reply("554 5.5.1 No valid recipients")
            return
        self.reply("354 End data with <CR><LF>.<CR><LF>")
        self.server.smtp.data_count += 1
        if self.server.smtp.data_count == self.server.smtp.drop_in_data:
            # read a part of the message, then hang up without a reply
            self.rfile.readline()
            return False
        lines = []
        for raw in self.rfile:
            if raw in (b".\r\n", b".\n"):
                break
            lines.append(raw[1:] if raw.startswith(b"..") else raw)
        self.envelope.data = b"".join(lines)
        self.server.smtp.envelopes.append(self.envelope)
        self.envelope = Envelope()
        self.reply("250 2.0.0 OK queued")

    def smtp_RSET(self, argument):
        self.envelope = Envelope()
        self.reply("250 2.0.0 OK")

    def smtp_NOOP(self, argument):
        self.reply("250 2.0.0 OK")

    def smtp_QUIT(self, argument):
        self.reply("221 2.0.0 Bye")
        return False


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True


class SMTPServer:
    """Run with ``with SMTPServer() as smtp:``; ``smtp.port`` is where it
    listens on 127.0.0.1, ``smtp.envelopes`` what it accepted."""

    def __init__(
        self, extensions=(), refuse=None, credentials=None, greeting=GREETING, silent=False, drop_in_data=None
    ):
        self.extensions = list(extensions)
        self.refuse = {address.lower(): reply for address, reply in (refuse or {}).items()}
        self.credentials = credentials
        self.greeting = greeting
        self.silent = silent
        self.drop_in_data = drop_in_data
        self.data_count = 0
        self.envelopes = []
        self._server = _Server(("127.0.0.1", 0), _Session)
        self._server.smtp = self
        self.port = self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def copies(self, address):
        """How many accepted envelopes went to ``address``."""
        return sum(rcpt.lower() == address.lower() for envelope in self.envelopes for rcpt in envelope.rcpt_tos)

    def behave(self):
        """Stop misbehaving: from now on, greet, answer and accept."""
        self.greeting = GREETING
        self.silent = False
        self.drop_in_data = None
        self.refuse.clear()

    def __exit__(self, *exc_info):
        self._server.shutdown()
        self._server.server_close()
