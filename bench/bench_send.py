#!/usr/bin/env python3
"""send: N chatter messages x R recipients posted (emails queued), then the
mail queue sent through a real SMTP server on 127.0.0.1 (tests/smtp_server.py,
its own process), on plain Odoo (only ``mail``) and with the addon.

Each round posts N messages, then sends the whole queue (N mail.mail, N x R
emails) in each database. To keep the load of anything else running on the
machine from favouring one side, both databases progress in turn, in chunks
of C messages / C mail.mail (ABBA order), and each side's figure is the sum
of its chunks. Queries are counted with ``cr.sql_log_count`` (the flush at
commit included); wall time of sending includes the commit.
Budgets: posting <= 1 extra query per message; sending <= 1.10x plain wall
time and <= 2 extra queries per email.
"""

import benchlib as bl

METRIC = "send"


class Side:
    """One database of the comparison, with its people and record."""

    def __init__(self, kind, db, smtp_port):
        self.kind = kind
        self.db = db
        self.domain = f"{kind}.bench.example.com"  # tells the sink whose emails it got
        with bl.environment(db) as env:
            bl.setup_mail(env, smtp_port)
            author, partners = bl.setup_chatter(env, domain=self.domain)
            record = bl.create_record(env, "Send Record")
            self.author, self.partners, self.record = author.id, partners.ids, record.id
        self.reset()

    def reset(self):
        self.post_queries = self.post_seconds = self.send_queries = self.send_seconds = 0
        self.posted = self.sent_mails = 0

    def post(self, env, count):
        author = env["res.users"].browse(self.author)
        partners = env["res.partner"].browse(self.partners)
        record = env["res.partner"].browse(self.record)
        with bl.Counter(env.cr) as counter:
            for index in range(count):
                bl.post(record, author, partners, self.posted + index)
            env.cr.commit()
        self.posted += count
        self.post_queries += counter.queries
        self.post_seconds += counter.seconds

    def send(self, env, count):
        mails = env["mail.mail"].sudo().search([("state", "=", "outgoing")], order="id", limit=count)
        env.invalidate_all()
        with bl.Counter(env.cr) as counter:
            mails.send()
            env.cr.commit()
        self.sent_mails += len(mails)
        self.send_queries += counter.queries
        self.send_seconds += counter.seconds


def interleaved(sides, total, chunk, action):
    """Run ``action(side, env, n)`` on every side, ``chunk`` at a time, in
    ABBA order, until each side did ``total``."""
    done = 0
    for step in range(-(-total // chunk)):
        count = min(chunk, total - done)
        for side in sides if step % 2 == 0 else reversed(sides):
            with bl.environment(side.db) as env:
                action(side, env, count)
        done += count


def diagnose(sides, sink, chunk):
    """Queries of posting one message and of sending its mail, addon minus
    plain, with where the addon issues them; then one chunk sent under
    cProfile on each side."""
    captures = {}
    for side in sides:
        with bl.environment(side.db) as env:
            with bl.QueryCapture() as posting:
                side.post(env, 1)
            with bl.QueryCapture() as sending:
                side.send(env, 1)
        captures[side.kind] = (posting, sending)
    for index, step in enumerate(("posting one message", f"sending one mail ({len(sides[0].partners)} emails)")):
        plain, addon = captures["plain"][index], captures["addon"][index]
        extra = addon.extra_over(plain)
        bl.note(
            METRIC,
            f"{step}: {len(plain.queries)} queries plain, {len(addon.queries)} with the addon; "
            f"extra: {bl.describe_extra(extra)}",
        )
    profiles = {}
    for side in sides:
        with bl.environment(side.db) as env:
            side.post(env, chunk)
        with bl.environment(side.db) as env:
            profiles[side.kind] = bl.profile_addon(lambda env=env, side=side: side.send(env, chunk))
    bl.note(
        METRIC,
        f"sending {chunk} mails ({chunk * len(sides[0].partners)} emails) under cProfile: "
        f"{profiles['plain'][0]:.2f} s plain, {profiles['addon'][0]:.2f} s with the addon; cumulative time of the "
        f"addon's functions: {bl.describe_profile(profiles['addon'][1])}",
    )


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--recipients", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--chunk", type=int, default=20)
    args = parser.parse_args()
    bl.init_odoo()
    expected = args.messages * args.recipients
    runs = []
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep) as dbs:
        sides = [Side("plain", dbs.plain, sink.port), Side("addon", dbs.addon, sink.port)]
        # warm-up: registry caches, SMTP code paths
        interleaved(sides, 5, 5, Side.post)
        interleaved(sides, 5, 5, Side.send)
        for number in range(args.rounds):
            for side in sides:
                side.reset()
            interleaved(sides, args.messages, args.chunk, Side.post)
            sink.reset()
            interleaved(sides, args.messages, args.chunk, Side.send)
            counts = sink.count()
            run = {}
            for side in sides:
                with bl.environment(side.db) as env:
                    left = env["mail.mail"].search_count([("state", "in", ("outgoing", "exception"))])
                    states = (
                        dict(env["mail.tracking.email"]._read_group([], ["state"], ["__count"]))
                        if bl.addon_installed(env)
                        else None
                    )
                run[side.kind] = {
                    "post_queries": side.post_queries / side.posted,
                    "post_seconds": side.post_seconds,
                    "send_queries": side.send_queries,
                    "send_seconds": side.send_seconds,
                    "left": left,
                    "states": states,
                    "emails": counts["domains"].get(side.domain, 0),
                }
                bl.log(
                    f"send round {number + 1} {side.kind}: post {run[side.kind]['post_queries']:.2f} q/msg "
                    f"{side.post_seconds:.2f}s; send {side.send_seconds:.2f}s {side.send_queries} q "
                    f"({side.sent_mails} mails), {left} not sent; trackings {states}"
                )
            bl.log(f"send round {number + 1}: SMTP server accepted {counts}")
            runs.append(run)
        diagnose(sides, sink, args.chunk)

    def med(kind, key):
        return bl.median([run[kind][key] for run in runs])

    complete = all(
        run[kind]["emails"] == expected and not run[kind]["left"] for run in runs for kind in ("plain", "addon")
    )
    post_q = {kind: med(kind, "post_queries") for kind in ("plain", "addon")}
    extra_post = post_q["addon"] - post_q["plain"]
    bl.result(
        METRIC,
        f"posting: SQL queries per message ({args.messages} msgs x {args.recipients} rcpts)",
        bl.fmt(post_q["plain"], "", 2),
        bl.fmt(post_q["addon"], "", 2),
        f"{extra_post:+.2f}",
        "≤ +1 query/message",
        bl.verdict(extra_post <= 1),
    )
    post_s = {kind: med(kind, "post_seconds") for kind in ("plain", "addon")}
    bl.result(
        METRIC,
        "posting: wall time",
        bl.fmt(post_s["plain"], " s", 2),
        bl.fmt(post_s["addon"], " s", 2),
        f"{post_s['addon'] / post_s['plain']:.2f}x",
        "—",
        "INFO",
    )
    send_s = {kind: med(kind, "send_seconds") for kind in ("plain", "addon")}
    ratio = send_s["addon"] / send_s["plain"]
    bl.result(
        METRIC,
        f"sending: wall time of the queue ({expected} emails, median of {args.rounds} rounds)",
        bl.fmt(send_s["plain"], " s", 2),
        bl.fmt(send_s["addon"], " s", 2),
        f"{ratio:.2f}x",
        "≤ 1.10x plain",
        bl.verdict(ratio <= 1.10 and complete),
        "" if complete else "not every email reached the SMTP server",
    )
    send_q = {kind: med(kind, "send_queries") / expected for kind in ("plain", "addon")}
    extra_send = send_q["addon"] - send_q["plain"]
    bl.result(
        METRIC,
        "sending: SQL queries per email",
        bl.fmt(send_q["plain"], "", 2),
        bl.fmt(send_q["addon"], "", 2),
        f"{extra_send:+.2f}",
        "≤ +2 queries/email",
        bl.verdict(extra_send <= 2 and complete),
    )
    bl.result(
        METRIC,
        "sending: emails accepted by the SMTP server per round (min)",
        bl.fmt(min(run["plain"]["emails"] for run in runs)),
        bl.fmt(min(run["addon"]["emails"] for run in runs)),
        "",
        f"= {expected}, none left in queue",
        bl.verdict(complete),
    )


if __name__ == "__main__":
    main()
