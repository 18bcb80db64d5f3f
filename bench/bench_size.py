#!/usr/bin/env python3
"""size: flat from 0 to 5 million trackings (issue 17). One database grows
in bulk SQL (benchlib.bigdata: messages of 5 recipients, their
notifications, trackings and events) to each size in turn: 0, 1M and, with
``--size 5M`` (or BENCH_SIZE=5M), 5M trackings. At each size, in the same
run:

- the paths that must not grow (size_flat): sending, the chatter of a
  record with 50 messages, recording pixel opens and webhook events, each
  beside an empty database (the 0 of these rows, measured again at each
  size) in interleaved rounds: the same queries, time within 5 % (sending)
  or 10 % of the empty database;
- the screens (size_screens): the Discuss Failed counter, the Contacts
  filter, the Tracking emails list and its exact count, as a non-admin
  author; budgets 20, 150, 300 ms at 5M, 300 ms for the exact count at 1M.

Then (size_gc) the autovacuum deletes the 1M oldest trackings and their
events: ≤ 2 min, in batches, while live rows stay writable (≤ 1 s). The
slowest query of each screen is EXPLAIN ANALYZEd at the largest size.
"""

import os

import benchlib as bl
import size_flat
import size_gc
import size_screens
from benchlib import bigdata

METRIC = "size"
SIZES = {"1M": 1_000_000, "5M": 5_000_000}
GC_EXPIRED, GC_BUDGET_S = 1_000_000, 120
FLAT_BUDGETS = {"send": 1.05, "chatter": 1.10, "pixel": 1.10, "webhook": 1.10}
FLAT_LABELS = {
    "send": "sending 100 emails from the queue (20 messages x 5 recipients), per email",
    "chatter": "chatter of a record with 50 messages (_message_fetch + Store), per request",
    "pixel": "pixel opens kept and recorded by the hand-off writer, per event",
    "webhook": "SendGrid 'delivered' events recorded, per event",
}


def label(size):
    return f"{size // 1_000_000}M" if size else "0"


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--size", choices=sorted(SIZES), default=os.environ.get("BENCH_SIZE", "1M"))
    parser.add_argument("--runs", type=int, default=7, help="runs of each screen")
    parser.add_argument("--rounds", type=int, default=3, help="interleaved rounds of the flat paths")
    args = parser.parse_args()
    sizes = [0, *(size for size in SIZES.values() if size <= SIZES[args.size])]
    bl.init_odoo()
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep, kinds=("addon",)) as dbs:
        # the reference ("plain" column): an empty database with the addon
        dbs.plain = f"bench_{METRIC}_plain"
        empty, big = dbs.plain, dbs.addon
        bl.clone_db(bl.TEMPLATE_ADDON, empty)
        infos = {db: size_flat.prepare(db, sink.port) for db in (empty, big)}
        with bl.environment(big) as env:
            uid = bigdata.load_people(env)[0]
        flat, screens = {}, {}
        for size in sizes:
            with bl.environment(big) as env:
                bigdata.grow(env, size)
            if size:  # at 0, the two databases are alike
                flat[size] = size_flat.measure((empty, big), infos, args.rounds)
            screens[size] = size_screens.measure_all(big, uid, args.runs)
            bl.log(
                f"size {label(size)}: flat {flat.get(size)}, screens { {k: v['ms'] for k, v in screens[size].items()} }"
            )
        report_flat(sizes, flat, empty, big)
        report_screens(sizes, screens, big)
        report_gc(big)


def report_flat(sizes, flat, empty, big):
    for path, budget in FLAT_BUDGETS.items():
        for size in sizes[1:]:
            (ms0, q0), (ms, q) = flat[size][empty][path], flat[size][big][path]
            ratio = ms / ms0
            # per unit (email, event): a query of its own in one round, e.g. a
            # cache filled again, is 1 / units; more than that is growth
            same_queries = q - q0 <= 1 / size_flat.UNITS[path] + 1e-9
            bl.result(
                METRIC,
                f"{FLAT_LABELS[path]}, {label(size)} trackings",
                f"{ms0:.2f} ms, {q0:.2f} q",
                f"{ms:.2f} ms, {q:.2f} q",
                f"{ratio:.2f}x, {q - q0:+.2f} q",
                f"same queries (+1 per round at most), ≤ {budget:.2f}x",
                bl.verdict(same_queries and ratio <= budget),
                "plain column: an empty database with the addon; fastest of interleaved rounds",
            )


def report_screens(sizes, screens, big):
    largest = sizes[-1]
    for key, (name, budget, budget_size) in size_screens.SCREENS.items():
        for size in sizes[1:]:
            figure, at0 = screens[size][key], screens[0][key]
            checked = size == budget_size or (size == largest and largest < budget_size)
            status = bl.verdict(figure["ms"] <= budget) if checked else "INFO"
            note = f"value {figure['value']}; plain column: at 0 trackings"
            if checked and size < budget_size:
                note += f"; budget is for {label(budget_size)}: bin/bench --only size --size {label(budget_size)}"
            bl.result(
                METRIC,
                f"{name}, non-admin, {label(size)} trackings",
                bl.fmt(at0["ms"], " ms"),
                bl.fmt(figure["ms"], " ms"),
                f"{figure['queries']:.0f} queries",
                f"≤ {budget} ms at {label(budget_size)}" if checked else "—",
                status,
                note,
            )
        figure = screens[largest][key]
        if figure["slowest"]:
            bl.note(
                METRIC,
                f"{name} at {label(largest)} trackings, {figure['ms']:.0f} ms: its slowest query, "
                f"{figure['slowest'][1] * 1000:.0f} ms:\n\n" + size_screens.explain(big, figure["slowest"]),
            )


def report_gc(big):
    with bl.environment(big) as env:
        live = env["mail.tracking.email"].search([("res_id", "!=", False)], order="time desc", limit=1).id
    trackings0, events0 = size_gc.table_counts(big)
    days, expired = size_gc.expire_oldest(big, GC_EXPIRED)
    figures = size_gc.run(big, live, max_seconds=3 * GC_BUDGET_S)
    trackings1, events1 = size_gc.table_counts(big)
    deleted, left = trackings0 - trackings1, size_gc.expired_count(big, days, at=figures["last_call_started"])
    live_ok = figures["live_max_ms"] <= size_gc.LIVE_WRITE_BUDGET_MS and not figures["live_errors"]
    bl.result(
        METRIC,
        f"autovacuum of {expired} expired trackings (older than {days} days) and their events",
        "—",
        bl.fmt(figures["seconds"], " s"),
        f"{figures['calls']} calls",
        f"≤ {GC_BUDGET_S} s, all deleted",
        bl.verdict(figures["seconds"] <= GC_BUDGET_S and not left),
        f"{deleted} trackings and {events0 - events1 + figures['live_writes']} events deleted (more expire while it "
        f"runs), {left} expired when the last call started left, {trackings1} trackings kept; slowest call (one transaction) "
        f"{figures['slowest_call']:.2f} s",
    )
    bl.result(
        METRIC,
        "autovacuum: slowest write to a live tracking and its events meanwhile",
        "—",
        bl.fmt(figures["live_max_ms"], " ms"),
        f"{figures['live_writes']} writes",
        f"≤ {size_gc.LIVE_WRITE_BUDGET_MS} ms, none failed",
        bl.verdict(live_ok),
        "; ".join(sorted(set(figures["live_errors"])))[:300],
    )


if __name__ == "__main__":
    main()
