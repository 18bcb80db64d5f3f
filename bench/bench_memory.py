#!/usr/bin/env python3
"""memory: resident memory (VmRSS) growth of one Odoo server process
(threaded, --workers=0, 127.0.0.1) over 10,000 open-pixel hits, after a
warm-up of 1,000 hits; the plain column is a plain Odoo server answering
the same kind of URLs (it has no such route: 404).

The hits cycle over the real pixel URLs of 500 trackings of sent emails,
one in ten with a wrong token, from 8 concurrent clients; RSS is read from
/proc after the warm-up, halfway and at the end (each once the server is
idle again).
Budget (issue 17): growth <= 5 MB with the addon.
"""

import time

import benchlib as bl

METRIC = "memory"
TRACKINGS = 500
WARMUP, HITS = 1000, 10000
CONCURRENCY = 8


def prepare(db, smtp_port):
    with bl.environment(db) as env:
        bl.setup_mail(env, smtp_port)
        author, partners = bl.setup_chatter(env)
        record = bl.create_record(env, "Memory Record")
        env.cr.commit()
        bl.post_and_send(env, record, author, partners, TRACKINGS // len(partners))
        if bl.addon_installed(env):
            trackings = env["mail.tracking.email"].search([], order="id", limit=TRACKINGS)
            bl.sent_an_hour_ago(trackings)
            return list(bl.pixel_paths(env, trackings).values())
    # plain Odoo: the same URL shapes, for a route it does not have
    return [f"/mail/tracking/open/{db}/{n + 1}/{'T' * 32}/blank.gif" for n in range(TRACKINGS)]


def hit_paths(paths, count, offset=0):
    result = []
    for n in range(offset, offset + count):
        path = paths[n % len(paths)]
        if n % 10 == 9:  # a forged one
            path = path.rsplit("/", 2)[0] + "/" + "W" * 32 + "/blank.gif"
        result.append(path)
    return result


def settle(server, seconds=2.0):
    """RSS once the server is idle (the addon may write hits shortly after)."""
    time.sleep(seconds)
    return server.rss_mb()


def measure(db, paths, log_name):
    server = bl.OdooServer(db, bl.REPO / ".run" / "bench" / log_name)
    with server:
        bl.load(server.port, hit_paths(paths, WARMUP), CONCURRENCY, max_seconds=120)
        start = settle(server)
        half = HITS // 2
        first = bl.load(server.port, hit_paths(paths, half, WARMUP), CONCURRENCY, max_seconds=200)
        middle = settle(server)
        second = bl.load(server.port, hit_paths(paths, HITS - half, WARMUP + half), CONCURRENCY, max_seconds=200)
        end = settle(server)
    done = first["requests"] + second["requests"]
    statuses = {}
    for run in (first, second):
        for status, count in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    figures = {
        "start": start,
        "middle": middle,
        "end": end,
        "requests": done,
        "statuses": statuses,
        "rps": done / (first["wall"] + second["wall"]),
    }
    bl.log(f"memory {db}: {figures}")
    return figures


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    bl.init_odoo()
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep) as dbs:
        paths = {db: prepare(db, sink.port) for db in dbs.names()}
        for db in dbs.names():
            bl.release_db(db)
        figures = {
            "plain": measure(dbs.plain, paths[dbs.plain], "memory-plain.log"),
            "addon": measure(dbs.addon, paths[dbs.addon], "memory-addon.log"),
        }
    growth = {kind: f["end"] - f["start"] for kind, f in figures.items()}
    complete = figures["addon"]["requests"] == HITS and set(figures["addon"]["statuses"]) == {200}
    bl.result(
        METRIC,
        f"RSS growth of one server over {HITS} pixel hits (after {WARMUP} warm-up)",
        bl.fmt(growth["plain"], " MB"),
        bl.fmt(growth["addon"], " MB"),
        f"{growth['addon'] - growth['plain']:+.1f} MB",
        "≤ 5 MB with the addon",
        bl.verdict(growth["addon"] <= 5 and complete),
        "" if complete else f"addon answers: {figures['addon']['statuses']} of {figures['addon']['requests']}",
    )
    bl.result(
        METRIC,
        "RSS after warm-up / halfway / end",
        " / ".join(f"{figures['plain'][k]:.0f}" for k in ("start", "middle", "end")) + " MB",
        " / ".join(f"{figures['addon'][k]:.0f}" for k in ("start", "middle", "end")) + " MB",
        "",
        "—",
        "INFO",
    )


if __name__ == "__main__":
    main()
