"""A real Postfix of the test's own, on loopback, for the delivery status
notifications (RFC 3464) only a real MTA writes.

Odoo sends to it as to any SMTP server; it advertises DSN (RFC 3461) and
delivers as a receiving world would:

- to ``@example.com``: into a mailbox of its own (a "delivered" report);
- to ``@remote.example.org``: to a remote mail server on loopback (an
  ``SMTPServer``) that takes the addresses it is told to, refuses some for
  good (550: a "failed" report) and others for now (450: a "delayed"
  report, retried every second);
- to an address of ``aliases``: to the address it forwards to, as a
  receiving server's alias or forwarding rule does (its reports name that
  one as Final-Recipient);
- the reports, sent to the bounce address of ``REPORTS_DOMAIN``, to a sink
  (another ``SMTPServer``) whose envelopes the test hands to Odoo's mail
  gateway, as fetchmail would.

Postfix runs as root (it drops to its own user): the tests that use it run
as root, as ``bin/test`` does.
"""

import contextlib
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .smtp_server import SMTPServer

#: Where the reports go: the domain of Odoo's bounce address in the tests.
REPORTS_DOMAIN = "odoo.example.com"
MAILBOX_DOMAIN = "example.com"
REMOTE_DOMAIN = "remote.example.org"
NOBODY = 65534

MAIN_CF = """\
compatibility_level = 3.6
queue_directory = {root}/queue
data_directory = {root}/data
mail_owner = postfix
setgid_group = postdrop
maillog_file_prefixes = {root}
maillog_file = {root}/maillog
myhostname = mx.postfix.test
mydestination =
inet_interfaces = loopback-only
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtputf8_enable = no
smtp_tls_security_level = none
virtual_mailbox_domains = {mailbox_domain}
virtual_mailbox_base = {root}/mailboxes
virtual_mailbox_maps = static:inbox/
virtual_uid_maps = static:{uid}
virtual_gid_maps = static:{gid}
transport_maps = texthash:{root}/conf/transport
virtual_alias_maps = texthash:{root}/conf/aliases
delay_warning_time = 1s
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 1s
"""


class Postfix(contextlib.ExitStack):
    """``with Postfix(refuse=..., defer=...) as postfix:`` starts Postfix
    listening on 127.0.0.1:``postfix.port``; ``refuse`` and ``defer`` are the
    addresses of ``REMOTE_DOMAIN`` its remote server refuses for good and
    for now; ``aliases`` maps addresses to those it forwards them to.
    ``postfix.reports(n)`` waits for ``n`` reports and returns their raw
    bytes."""

    def __init__(self, refuse=(), defer=(), aliases=None):
        super().__init__()
        self.aliases = dict(aliases or {})
        self.refuse = {
            address: f"550 5.1.1 <{address}>: Recipient address rejected: User unknown" for address in refuse
        }
        self.refuse.update({address: f"450 4.2.1 <{address}>: Mailbox busy, try again later" for address in defer})

    def __enter__(self):
        super().__enter__()
        try:
            self._start()
        except BaseException:
            self.close()
            raise
        return self

    def _start(self):
        postfix = shutil.which("postfix") or "/usr/sbin/postfix"
        self.sink = self.enter_context(SMTPServer())
        self.remote = self.enter_context(SMTPServer(refuse=self.refuse))
        root = Path(tempfile.mkdtemp(prefix="postfix-test-"))
        self.callback(shutil.rmtree, root, ignore_errors=True)
        self.root = root
        root.chmod(0o755)
        for name in ("conf", "queue", "data", "mailboxes"):
            (root / name).mkdir()
        shutil.chown(root / "data", "postfix")
        # the mailboxes belong to an unprivileged user (nobody)
        shutil.chown(root / "mailboxes", NOBODY, NOBODY)
        with SMTPServer() as probe:
            self.port = probe.port  # a free port, for Postfix to take
        (root / "conf" / "main.cf").write_text(
            MAIN_CF.format(root=root, mailbox_domain=MAILBOX_DOMAIN, uid=NOBODY, gid=NOBODY)
        )
        (root / "conf" / "transport").write_text(
            f"{REPORTS_DOMAIN} smtp:[127.0.0.1]:{self.sink.port}\n{REMOTE_DOMAIN} smtp:[127.0.0.1]:{self.remote.port}\n"
        )
        (root / "conf" / "aliases").write_text("".join(f"{alias} {target}\n" for alias, target in self.aliases.items()))
        shutil.copy("/etc/postfix/master.cf", root / "conf" / "master.cf")
        conf = ["-c", str(root / "conf")]
        # no chroot; the SMTP server on our port, on loopback only
        subprocess.run(["postconf", *conf, "-F", "*/*/chroot = n"], check=True)
        subprocess.run(["postconf", *conf, "-M#", "smtp/inet"], check=True)
        subprocess.run(
            ["postconf", *conf, "-M", f"127.0.0.1:{self.port}/inet = 127.0.0.1:{self.port} inet n - n - - smtpd"],
            check=True,
        )
        subprocess.run([postfix, *conf, "start"], check=True, capture_output=True)
        self.callback(subprocess.run, [postfix, *conf, "abort"], capture_output=True)
        self._wait_for_port()

    def _wait_for_port(self, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port), timeout=1):
                return
            if time.monotonic() > deadline:
                raise RuntimeError(f"Postfix did not listen on port {self.port}: see {self.root}/maillog")
            time.sleep(0.05)

    def reports(self, count, timeout=60):
        """The raw reports (bytes) the sink received, once it has ``count``
        of them (they come within a second or so; ``timeout`` bounds the
        wait, and a shortfall fails with Postfix's log)."""
        deadline = time.monotonic() + timeout
        while len(self.sink.envelopes) < count:
            if time.monotonic() > deadline:
                log = (self.root / "maillog").read_text(errors="replace")[-3000:]
                raise AssertionError(f"{len(self.sink.envelopes)} reports of {count} came; Postfix's log:\n{log}")
            time.sleep(0.05)
        return [envelope.data for envelope in self.sink.envelopes[:count]]
