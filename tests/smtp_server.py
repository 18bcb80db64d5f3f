#!/usr/bin/env python3
"""The one SMTP server of the project, small but real, on loopback: the
tests' (imported), ``bin/serve``'s sink and the benchmarks' (run as a
program, see ``main``).

It speaks enough of RFC 5321 for smtplib and Odoo (EHLO/HELO, AUTH PLAIN and
LOGIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT), keeps every envelope it accepts
with its MAIL and RCPT parameters, and can refuse given recipients, require
authentication or advertise the DSN extension (RFC 3461).

It can also misbehave, for the fault tests: greet with another reply than
220 (``greeting``), accept the connection and say nothing (``silent``), or
drop the connection in the middle of the ``drop_in_data``-th message.
"""

import argparse
import base64
import contextlib
import json
import logging
import signal
import socketserver
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path

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
        self.server.smtp.accept(self.envelope)
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
    listens on 127.0.0.1 (``port``, else a free one), ``smtp.envelopes``
    what it accepted (or ``store``, a function, takes each one instead)."""

    def __init__(
        self,
        extensions=(),
        refuse=None,
        credentials=None,
        greeting=GREETING,
        silent=False,
        drop_in_data=None,
        port=0,
        store=None,
    ):
        self.extensions = list(extensions)
        self.refuse = {address.lower(): reply for address, reply in (refuse or {}).items()}
        self.credentials = credentials
        self.greeting = greeting
        self.silent = silent
        self.drop_in_data = drop_in_data
        self.data_count = 0
        self.envelopes = []
        self._store = store
        self._server = _Server(("127.0.0.1", port), _Session)
        self._server.smtp = self
        self.port = self._server.server_address[1]

    def __enter__(self):
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def accept(self, envelope):
        if self._store:
            self._store(envelope)
        else:
            self.envelopes.append(envelope)

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


# ----------------------------------------------------------------------------
# As a program: bin/serve's sink (--dir) and the benchmarks' (--control)
# ----------------------------------------------------------------------------


def _eml_writer(directory):
    """Store each envelope as ``<directory>/<time>-<id>.eml``, with a log line."""
    logger = logging.getLogger("smtp_server")

    def store(envelope):
        path = directory / f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}.eml"
        path.write_bytes(envelope.data)
        logger.info(
            "received from=%s to=%s size=%d file=%s",
            envelope.mail_from,
            ",".join(envelope.rcpt_tos),
            len(envelope.data),
            path,
        )

    return store


def _counts(envelopes):
    """Messages, RCPT count, and RCPT count per recipient domain."""
    domains = {}
    for envelope in envelopes:
        for rcpt in envelope.rcpt_tos:
            domain = rcpt.rpartition("@")[2].lower()
            domains[domain] = domains.get(domain, 0) + 1
    return {"messages": len(envelopes), "rcpts": sum(domains.values()), "domains": domains}


def _say(line):
    """One line to the program that started us."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def _answer_commands(server):
    """Answer one command a line on stdin: ``count`` (JSON, see ``_counts``,
    since the last ``reset``), ``reset``, ``quit``; stdin closed is ``quit``."""
    for line in sys.stdin:
        command = line.strip()
        if command == "count":
            _say(json.dumps(_counts(list(server.envelopes))))
        elif command == "reset":
            server.envelopes.clear()
            _say("ok")
        elif command == "quit":
            break
        else:
            _say(f"error unknown command {command!r}")


def main():
    parser = argparse.ArgumentParser(description="SMTP server on 127.0.0.1; prints 'port <P>' once listening.")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--dir", type=Path, help="store each message there as .eml, until SIGTERM or Ctrl-C")
    mode.add_argument("--control", action="store_true", help="keep messages, answer commands on stdin")
    args = parser.parse_args()
    store = None
    if args.dir:
        args.dir.mkdir(parents=True, exist_ok=True)
        handlers = [logging.StreamHandler(), logging.FileHandler(args.dir / "sink.log")]
        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s: %(message)s", handlers=handlers)
        store = _eml_writer(args.dir)
    with SMTPServer(port=args.port, store=store) as server:
        _say(f"port {server.port}")
        if args.control:
            _answer_commands(server)
            return
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


if __name__ == "__main__":
    main()
