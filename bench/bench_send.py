#!/usr/bin/env python3
"""send: N chatter messages x R recipients posted (emails queued), then the
mail queue sent through a real SMTP server on 127.0.0.1 (tests/smtp_server.py,
its own process), on plain Odoo (only ``mail``) and with the addon.

Each round posts N messages and sends the whole queue (N mail.mail, N x R
emails) in each database, twice: in batches of C mails in one transaction
(``mail.mail.send``), then as Odoo's cron sends it
(``mail.mail.process_email_queue``, a commit after each mail, Q mails per
call). To keep the load of anything else running on the machine from
favouring one side, both databases progress in turn, chunk by chunk (ABBA
order), and each side's figure is the sum of its chunks. Queries are counted
with ``cr.sql_log_count`` (the flush at commit included); wall time of
sending includes the commits.
Budgets: posting <= 1 extra query per message; sending <= 1.10x plain wall
time, in batches (<= 2 extra queries per email) and through the queue
(<= 0.5 extra query per email).
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
        self.queue_queries = self.queue_seconds = 0
        self.posted = self.sent_mails = self.queued_mails = 0

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

    def send_queue(self, env, count):
        """Odoo's queue as its cron runs it, ``count`` mails per call."""
        Mail = env["mail.mail"].sudo()
        waiting = Mail.search_count([("state", "=", "outgoing")])
        env.invalidate_all()
        with bl.Counter(env.cr) as counter:
            env["mail.mail"].process_email_queue(batch_size=count)
            env.cr.commit()
        self.queued_mails += waiting - Mail.search_count([("state", "=", "outgoing")])
        self.queue_queries += counter.queries
        self.queue_seconds += counter.seconds


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


def diagnose(sides, chunk):
    """Queries of posting one message, of sending its mail in a batch and of
    sending two mails through the queue, addon minus plain, with where the
    addon issues them; then one chunk sent under cProfile on each side."""
    recipients = len(sides[0].partners)
    steps = (
        ("posting one message", lambda side, env: side.post(env, 1)),
        (f"sending one mail ({recipients} emails)", lambda side, env: side.send(env, 1)),
        ("posting two messages", lambda side, env: side.post(env, 2)),
        (f"two mails through the queue ({2 * recipients} emails)", lambda side, env: side.send_queue(env, 2)),
    )
    captures = {}
    for side in sides:
        with bl.environment(side.db) as env:
            for label, action in steps:
                with bl.QueryCapture() as capture:
                    action(side, env)
                captures[side.kind, label] = capture
    for label, _action in steps:
        plain, addon = captures["plain", label], captures["addon", label]
        bl.note(
            METRIC,
            f"{label}: {len(plain.queries)} queries plain, {len(addon.queries)} with the addon; "
            f"extra: {bl.describe_extra(addon.extra_over(plain))}",
        )
    profiles = {}
    for side in sides:
        with bl.environment(side.db) as env:
            side.post(env, chunk)
        with bl.environment(side.db) as env:
            profiles[side.kind] = bl.profile_addon(lambda env=env, side=side: side.send_queue(env, chunk))
    bl.note(
        METRIC,
        f"sending {chunk} mails ({chunk * recipients} emails) through the queue under cProfile: "
        f"{profiles['plain'][0]:.2f} s plain, {profiles['addon'][0]:.2f} s with the addon; cumulative time of the "
        f"addon's functions: {bl.describe_profile(profiles['addon'][1])}",
    )


def send_all(sides, sink, total, chunk, action):
    """Send the queue of every side with ``action``: ``{kind: (emails the SMTP
    server accepted, mails not sent)}``."""
    sink.reset()
    interleaved(sides, total, chunk, action)
    counts = sink.count()
    bl.log(f"send: SMTP server accepted {counts}")
    outcome = {}
    for side in sides:
        with bl.environment(side.db) as env:
            left = env["mail.mail"].search_count([("state", "in", ("outgoing", "exception"))])
        outcome[side.kind] = (counts["domains"].get(side.domain, 0), left)
    return outcome


def report_sending(label, runs, key, expected, queries_budget):
    """The wall time and queries per email rows of one way of sending."""
    complete = all(run[key + "_outcome"][kind] == (expected, 0) for run in runs for kind in ("plain", "addon"))
    seconds = {kind: bl.median([run[kind][key + "_seconds"] for run in runs]) for kind in ("plain", "addon")}
    ratio = seconds["addon"] / seconds["plain"]
    bl.result(
        METRIC,
        f"sending {label}: wall time ({expected} emails, median of {len(runs)} rounds)",
        bl.fmt(seconds["plain"], " s", 2),
        bl.fmt(seconds["addon"], " s", 2),
        f"{ratio:.2f}x",
        "≤ 1.10x plain",
        bl.verdict(round(ratio, 2) <= 1.10 and complete),
        "" if complete else "not every email reached the SMTP server",
    )
    queries = {kind: bl.median([run[kind][key + "_queries"] for run in runs]) / expected for kind in ("plain", "addon")}
    extra = queries["addon"] - queries["plain"]
    bl.result(
        METRIC,
        f"sending {label}: SQL queries per email",
        bl.fmt(queries["plain"], "", 2),
        bl.fmt(queries["addon"], "", 2),
        f"{extra:+.2f}",
        f"≤ +{queries_budget:g} queries/email",
        bl.verdict(round(extra, 2) <= queries_budget and complete),
    )
    return complete


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=200)
    parser.add_argument("--recipients", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--chunk", type=int, default=20, help="mails per batch, messages per posting chunk")
    parser.add_argument("--queue-chunk", type=int, default=50, help="mails per call of the queue")
    args = parser.parse_args()
    bl.init_odoo()
    expected = args.messages * args.recipients
    runs = []
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep) as dbs:
        sides = [Side("plain", dbs.plain, sink.port), Side("addon", dbs.addon, sink.port)]
        # warm-up: registry caches, SMTP code paths
        for action in (Side.post, Side.send, Side.post, Side.send_queue):
            interleaved(sides, 5, 5, action)
        for number in range(args.rounds):
            for side in sides:
                side.reset()
            interleaved(sides, args.messages, args.chunk, Side.post)
            run = {"batch_outcome": send_all(sides, sink, args.messages, args.chunk, Side.send)}
            interleaved(sides, args.messages, args.chunk, Side.post)
            run["queue_outcome"] = send_all(sides, sink, args.messages, args.queue_chunk, Side.send_queue)
            for side in sides:
                run[side.kind] = {
                    "post_queries": side.post_queries / side.posted,
                    "post_seconds": side.post_seconds,
                    "batch_queries": side.send_queries,
                    "batch_seconds": side.send_seconds,
                    "queue_queries": side.queue_queries,
                    "queue_seconds": side.queue_seconds,
                }
                bl.log(
                    f"send round {number + 1} {side.kind}: post {run[side.kind]['post_queries']:.2f} q/msg "
                    f"{side.post_seconds:.2f}s; batches {side.send_seconds:.2f}s {side.send_queries} q "
                    f"({side.sent_mails} mails); queue {side.queue_seconds:.2f}s {side.queue_queries} q "
                    f"({side.queued_mails} mails); (emails accepted, mails left): batches "
                    f"{run['batch_outcome'][side.kind]}, queue {run['queue_outcome'][side.kind]}"
                )
            runs.append(run)
        diagnose(sides, args.chunk)

    post_q = {kind: bl.median([run[kind]["post_queries"] for run in runs]) for kind in ("plain", "addon")}
    extra_post = post_q["addon"] - post_q["plain"]
    bl.result(
        METRIC,
        f"posting: SQL queries per message ({args.messages} msgs x {args.recipients} rcpts)",
        bl.fmt(post_q["plain"], "", 2),
        bl.fmt(post_q["addon"], "", 2),
        f"{extra_post:+.2f}",
        "≤ +1.00 query/message",
        bl.verdict(round(extra_post, 2) <= 1),
    )
    post_s = {kind: bl.median([run[kind]["post_seconds"] for run in runs]) for kind in ("plain", "addon")}
    bl.result(
        METRIC,
        "posting: wall time",
        bl.fmt(post_s["plain"], " s", 2),
        bl.fmt(post_s["addon"], " s", 2),
        f"{post_s['addon'] / post_s['plain']:.2f}x",
        "—",
        "INFO",
    )
    complete = report_sending(f"in batches of {args.chunk} mails", runs, "batch", expected, 2)
    label = f"through Odoo's queue as its cron runs it (commit per mail, {args.queue_chunk} mails per call)"
    complete &= report_sending(label, runs, "queue", expected, 0.5)
    bl.result(
        METRIC,
        "sending: emails accepted by the SMTP server per round and way of sending",
        bl.fmt(min(run[way]["plain"][0] for run in runs for way in ("batch_outcome", "queue_outcome"))),
        bl.fmt(min(run[way]["addon"][0] for run in runs for way in ("batch_outcome", "queue_outcome"))),
        "",
        f"= {expected}, none left in queue",
        bl.verdict(complete),
    )


if __name__ == "__main__":
    main()
