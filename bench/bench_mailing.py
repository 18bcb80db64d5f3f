#!/usr/bin/env python3
"""mailing: an Email Marketing mailing to N contacts of a mailing list, sent
through Odoo's queue as its cron sends it, on plain Odoo (``mail`` and
``mass_mailing``) and with the addon beside them.

Both databases get ``mass_mailing`` installed on their copy of the
templates, and the same list of N contacts. The mailing is queued
(``action_send_mail``, as the mailing's cron does: not measured against a
budget), then its mails are sent by ``mail.mail.process_email_queue`` (a
commit after each mail), Q mails per call, both databases in turn (ABBA
order) so that the load of anything else running on the machine favours
neither; each side's figure is the sum of its calls. Queries are counted
with ``cr.sql_log_count``. Then the mailing's statistics (the figures of its
form: sent, delivered, opened, clicked, replied, bounced and their ratios)
are read R times on each side, interleaved, from an empty cache.
Budgets: sending <= 1.10x plain wall time and <= +0.5 query per email; the
statistics no slower than plain (<= 1.10x: the noise of this machine).
"""

import subprocess
import sys

import benchlib as bl

METRIC = "mailing"
STATISTICS = [
    "expected",
    "sent",
    "delivered",
    "opened",
    "clicked",
    "replied",
    "bounced",
    "failed",
    "received_ratio",
    "opened_ratio",
    "replied_ratio",
    "bounced_ratio",
    "clicks_ratio",
]


def install_mass_mailing(db):
    """Install ``mass_mailing`` on ``db`` in an Odoo process of its own."""
    bl.release_db(db)
    bl.log(f"installing mass_mailing on {db}")
    subprocess.run(
        [sys.executable, "-m", "odoo", "server", *bl.base_args(), "-d", db, "-i", "mass_mailing",
         "--stop-after-init", "--max-cron-threads=0", f"--http-port={bl.free_port()}", "--log-level=warn"],
        check=True,
    )  # fmt: skip


class Side:
    """One database of the comparison: its list, its mailing, its figures."""

    def __init__(self, kind, db, smtp_port, contacts):
        self.kind = kind
        self.db = db
        self.domain = f"{kind}.bench.example.com"  # tells the sink whose emails it got
        self.queries = self.seconds = self.queue_queries = self.queue_seconds = self.sent = 0
        with bl.environment(db) as env:
            bl.setup_mail(env, smtp_port)
            contact_ids = []
            for start in range(0, contacts, 1000):
                contact_ids += (
                    env["mailing.contact"]
                    .create(
                        [
                            {"name": f"Reader {i}", "email": f"reader{i}@{self.domain}"}
                            for i in range(start, min(contacts, start + 1000))
                        ]
                    )
                    .ids
                )
            mailing_list = env["mailing.list"].create({"name": "Bench newsletter", "contact_ids": contact_ids})
            self.mailing = (
                env["mailing.mailing"]
                .create(
                    {
                        "subject": "Bench news",
                        "mailing_type": "mail",
                        "mailing_model_id": env.ref("mass_mailing.model_mailing_list").id,
                        "contact_list_ids": mailing_list.ids,
                        "body_html": '<p>Our news, and <a href="https://shop.example.com/offer">an offer</a>.</p>',
                    }
                )
                .id
            )

    def queue(self, env):
        """The mailing's mails queued, as its cron does."""
        with bl.Counter(env.cr) as counter:
            env["mailing.mailing"].browse(self.mailing).action_send_mail()
            env.cr.commit()
        self.queue_queries, self.queue_seconds = counter.queries, counter.seconds

    def send(self, env, count):
        """``count`` mails of the queue sent as Odoo's cron sends them."""
        Mail = env["mail.mail"].sudo()
        waiting = Mail.search_count([("state", "=", "outgoing")])
        env.invalidate_all()
        with bl.Counter(env.cr) as counter:
            Mail.process_email_queue(batch_size=count)
            env.cr.commit()
        self.sent += waiting - Mail.search_count([("state", "=", "outgoing")])
        self.queries += counter.queries
        self.seconds += counter.seconds

    def read_statistics(self, env):
        mailing = env["mailing.mailing"].browse(self.mailing)
        env.invalidate_all()
        mailing.read(STATISTICS)


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--contacts", type=int, default=10000)
    parser.add_argument("--queue-chunk", type=int, default=500, help="mails per call of the queue")
    parser.add_argument("--reads", type=int, default=30, help="reads of the statistics per side")
    args = parser.parse_args()
    bl.init_odoo()
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep) as dbs:
        for db in dbs.names():
            install_mass_mailing(db)
        sides = [Side("plain", dbs.plain, sink.port, args.contacts), Side("addon", dbs.addon, sink.port, args.contacts)]
        for side in sides:
            with bl.environment(side.db) as env:
                side.queue(env)
            bl.log(f"mailing {side.kind}: queued in {side.queue_seconds:.1f} s, {side.queue_queries} queries")
        sink.reset()
        for step in range(-(-args.contacts // args.queue_chunk)):
            for side in sides if step % 2 == 0 else reversed(sides):
                with bl.environment(side.db) as env:
                    side.send(env, args.queue_chunk)
            bl.log(f"mailing: sent {[(side.kind, side.sent, round(side.seconds, 1)) for side in sides]}")
        accepted = sink.count()["domains"]
        reads = {side.kind: [] for side in sides}
        for step in range(args.reads + 2):
            for side in sides if step % 2 == 0 else reversed(sides):
                with bl.environment(side.db) as env:
                    with bl.Counter(env.cr) as counter:
                        side.read_statistics(env)
                    if step >= 2:  # two warm-up reads
                        reads[side.kind].append(counter.seconds)
        with bl.environment(sides[1].db) as env:
            delivered = env["mailing.mailing"].browse(sides[1].mailing).delivered

    plain, addon = sides
    complete = all(accepted.get(side.domain) == args.contacts and side.sent == args.contacts for side in sides)
    bl.log(f"mailing: accepted {accepted}, sent {plain.sent} / {addon.sent}, delivered with the addon {delivered}")
    bl.result(
        METRIC,
        f"queuing a mailing to {args.contacts} contacts (action_send_mail): wall time",
        bl.fmt(plain.queue_seconds, " s", 2),
        bl.fmt(addon.queue_seconds, " s", 2),
        f"{addon.queue_seconds / plain.queue_seconds:.2f}x",
        "—",
        "INFO",
        f"{plain.queue_queries} / {addon.queue_queries} queries",
    )
    ratio = addon.seconds / plain.seconds
    bl.result(
        METRIC,
        f"sending it through Odoo's queue as its cron runs it ({args.queue_chunk} mails per call): wall time",
        bl.fmt(plain.seconds, " s", 2),
        bl.fmt(addon.seconds, " s", 2),
        f"{ratio:.2f}x",
        "≤ 1.10x plain",
        bl.verdict(round(ratio, 2) <= 1.10 and complete),
        "" if complete else f"not every email reached the SMTP server: {accepted}",
    )
    extra = (addon.queries - plain.queries) / args.contacts
    bl.result(
        METRIC,
        "sending it through Odoo's queue: SQL queries per email",
        bl.fmt(plain.queries / args.contacts, "", 2),
        bl.fmt(addon.queries / args.contacts, "", 2),
        f"{extra:+.2f}",
        "≤ +0.5 queries/email",
        bl.verdict(round(extra, 2) <= 0.5 and complete),
    )
    read = {kind: bl.median(values) * 1000 for kind, values in reads.items()}
    ratio = read["addon"] / read["plain"]
    bl.result(
        METRIC,
        f"the mailing's statistics, read from an empty cache (median of {args.reads})",
        bl.fmt(read["plain"], " ms", 2),
        bl.fmt(read["addon"], " ms", 2),
        f"{ratio:.2f}x",
        "≤ 1.10x plain",
        bl.verdict(round(ratio, 2) <= 1.10),
    )


if __name__ == "__main__":
    main()
