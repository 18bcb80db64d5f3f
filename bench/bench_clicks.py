#!/usr/bin/env python3
"""clicks: what click tracking costs. First, emails of a 20-link body, each
to one recipient (so each carries the pixel and gets its links rewritten),
sent through a real SMTP server on 127.0.0.1 with click tracking on and off,
in one database with the addon, in R rounds: in each, chunks of C emails in
turn (ABBA), each side's figure the sum of its chunks; the row gives the
median of the rounds' ratios (a burst of load elsewhere on the machine
spoils one round, not the figure). Then 2,000 clicks on the click URLs of
the emails sent with click tracking on, from 8 concurrent clients, against
/web/health on the same Odoo server process (threaded, --workers=0), in
blocks taking turns (ABAB...), in shuffled order (readers click different
emails at once).
Budgets: sending with click tracking <= 1.10x the same emails without
(median of the rounds);
clicks/s >= 0.8x /web/health; every click answered 303.
"""

import random
import time

import benchlib as bl
from markupsafe import Markup

METRIC = "clicks"
LINKS = 20
EMAILS, CHUNK, ROUNDS = 200, 20, 3
CLICKS, WARMUP, CONCURRENCY, BLOCKS = 2000, 100, 8, 4
CLICK_PARAM = "mail_activity_tracking.click_tracking"


def link_urls(index):
    return [f"https://shop{n % 4}.example.com/product/{index}-{n}?ref=mail" for n in range(LINKS)]


def body(index):
    links = "".join(f'<li><a href="{url}">Product {n}</a></li>' for n, url in enumerate(link_urls(index)))
    return f"<p>Bench message {index}: the products you asked about.</p><ul>{links}</ul>"


class Side:
    def __init__(self, kind):
        self.kind = kind
        self.seconds = self.queries = self.sent = 0


def post_and_send(env, side, record, author, partner, start, count):
    """Post ``count`` messages to ``partner`` with click tracking on or off
    (``side``), then send them, timed (commit included)."""
    env["ir.config_parameter"].set_param(CLICK_PARAM, "True" if side.kind == "on" else "")
    for index in range(start, start + count):
        record.with_user(author).with_context(mail_notify_force_send=False).message_post(
            body=Markup(body(index)),  # HTML: a plain string would be escaped as text
            subject=f"Bench links {index}",
            partner_ids=partner.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
    env.cr.commit()
    mails = env["mail.mail"].sudo().search([("state", "=", "outgoing")], order="id")
    env.invalidate_all()
    with bl.Counter(env.cr) as counter:
        mails.send()
        env.cr.commit()
    side.seconds += counter.seconds
    side.queries += counter.queries
    side.sent += len(mails)


def send_both(db, smtp_port):
    """Send the emails on both sides, round after round; the sides of each
    round, and the trackings of the "on" side of the last round."""
    rounds = []
    with bl.environment(db) as env:
        bl.setup_mail(env, smtp_port)
        author, partners = bl.setup_chatter(env, recipients=1)
        record = bl.create_record(env, "Links Record")
        env.cr.commit()
        start = 0
        for side in [Side("on"), Side("off")]:  # warm-up
            post_and_send(env, side, record, author, partners, start, 5)
            start += 5
        first = env["mail.tracking.email"].search([], order="id desc", limit=1).id
        for number in range(ROUNDS):
            sides = [Side("on"), Side("off")]
            tracked = []
            for step in range(EMAILS // CHUNK):
                for side in sides if (number + step) % 2 == 0 else reversed(sides):
                    before = env["mail.tracking.email"].search([], order="id desc", limit=1).id
                    post_and_send(env, side, record, author, partners, start, CHUNK)
                    start += CHUNK
                    if side.kind == "on":
                        tracked += env["mail.tracking.email"].search([("id", ">", before)]).ids
            rounds.append(sides)
            bl.log(
                f"clicks: round {number + 1}, sent {[(side.kind, side.sent, round(side.seconds, 2)) for side in sides]}"
            )
        states = dict(env["mail.tracking.email"]._read_group([("id", ">", first)], ["state"], ["__count"]))
        bl.log(f"clicks: states {states}")
    return rounds, tracked


def click_paths(db, tracking_ids):
    """The click URL paths of the links of the emails of ``tracking_ids``
    (as the rewriter made them); their trackings sent an hour ago, so the
    clicks are a person's."""
    with bl.environment(db) as env:
        Tracking = env["mail.tracking.email"].sudo()
        trackings = Tracking.browse(tracking_ids)
        trackings.write({"timestamp": time.time() - 3600})
        base = Tracking._tracking_base_url()
        paths = []
        for tracking in trackings:
            index = int(tracking.name.rsplit(" ", 1)[1])
            urls = link_urls(index)
            link_ids = env["mail.tracking.link"].sudo()._ids_for_urls(urls)
            paths += [tracking._click_url(base, link_ids[url]).removeprefix(base) for url in urls]
        env.cr.commit()
    return paths


def click_events(db):
    with bl.environment(db) as env:
        return env["mail.tracking.event"].search_count([("event_type", "=", "click")])


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    bl.init_odoo()
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep, kinds=("addon",)) as dbs:
        rounds, tracked = send_both(dbs.addon, sink.port)
        emails = sink.count()
        paths = click_paths(dbs.addon, tracked)
        random.Random(7).shuffle(paths)
        paths = (paths * (-(-(CLICKS + WARMUP) // len(paths))))[: CLICKS + WARMUP]
        bl.release_db(dbs.addon)
        server = bl.OdooServer(dbs.addon, bl.REPO / ".run" / "bench" / "clicks-server.log")
        health, clicks = [], []
        with server:
            bl.load(server.port, ["/web/health"] * WARMUP, CONCURRENCY)
            bl.load(server.port, paths[:WARMUP], CONCURRENCY)
            size = CLICKS // BLOCKS
            for block in range(BLOCKS):
                block_paths = paths[WARMUP + block * size : WARMUP + (block + 1) * size]
                health.append(bl.load(server.port, ["/web/health"] * size, CONCURRENCY, max_seconds=120))
                clicks.append(bl.load(server.port, block_paths, CONCURRENCY, max_seconds=120))
                bl.log(
                    f"clicks block: health {health[-1]['rps']:.0f} req/s; clicks {clicks[-1]['rps']:.0f} req/s, "
                    f"statuses {clicks[-1]['statuses']}, errors {clicks[-1]['errors'][:3]}"
                )
        recorded = click_events(dbs.addon)

    ratios = [on.seconds / off.seconds for on, off in rounds]
    off_seconds = bl.median([off.seconds for _on, off in rounds])
    on_seconds = bl.median([on.seconds for on, _off in rounds])
    ratio = bl.median(ratios)
    all_sent = all(side.sent == EMAILS for sides in rounds for side in sides)
    bl.result(
        METRIC,
        f"sending {EMAILS} emails of {LINKS} links to one recipient: wall time, click tracking off (plain column) / on, "
        f"median of {ROUNDS} rounds",
        bl.fmt(off_seconds, " s", 2),
        bl.fmt(on_seconds, " s", 2),
        f"{ratio:.2f}x",
        "≤ 1.10x without",
        bl.verdict(ratio <= 1.10 and all_sent),
        f"ratio per round {', '.join(f'{value:.2f}x' for value in ratios)}; "
        f"emails accepted by the SMTP server: {emails}",
    )
    on_queries, off_queries = (
        sum(sides[index].queries for sides in rounds) / sum(sides[index].sent for sides in rounds) for index in (0, 1)
    )
    bl.result(
        METRIC,
        "sending: SQL queries per email, click tracking off / on",
        bl.fmt(off_queries, "", 2),
        bl.fmt(on_queries, "", 2),
        f"{on_queries - off_queries:+.2f}",
        "—",
        "INFO",
    )

    def combine(runs):
        requests = sum(run["requests"] for run in runs)
        latencies = [value for run in runs for value in run["latencies"]]
        statuses = {}
        for run in runs:
            for status, count in run["statuses"].items():
                statuses[status] = statuses.get(status, 0) + count
        return {
            "requests": requests,
            "rps": requests / sum(run["wall"] for run in runs),
            "p99": bl.percentile(latencies, 99) * 1000,
            "errors": sum(len(run["errors"]) for run in runs),
            "statuses": statuses,
        }

    base, hit = combine(health), combine(clicks)
    rps_ratio = hit["rps"] / base["rps"]
    block_ratios = ", ".join(
        f"{run['rps'] / base_run['rps']:.2f}x" for base_run, run in zip(health, clicks, strict=True)
    )
    all_redirected = hit["statuses"] == {303: hit["requests"]} and not hit["errors"]
    bl.result(
        METRIC,
        f"click redirects/s, {hit['requests']} clicks, {CONCURRENCY} clients (plain column: /web/health, same server)",
        bl.fmt(base["rps"], " req/s", 0),
        bl.fmt(hit["rps"], " req/s", 0),
        f"{rps_ratio:.2f}x",
        "≥ 0.8x /web/health",
        bl.verdict(rps_ratio >= 0.8 and all_redirected),
        f"statuses {hit['statuses']}, errors {hit['errors']}; ratio per block "
        f"{block_ratios}; "
        f"{recorded} click events recorded "
        f"(repeated clicks on one link of an email within 10 s count once)",
    )
    bl.result(
        METRIC,
        "click p99 latency (plain column: /web/health)",
        bl.fmt(base["p99"], " ms", 1),
        bl.fmt(hit["p99"], " ms", 1),
        f"{hit['p99'] / base['p99']:.2f}x",
        "—",
        "INFO",
    )


if __name__ == "__main__":
    main()
