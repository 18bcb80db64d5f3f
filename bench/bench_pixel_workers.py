#!/usr/bin/env python3
"""pixel_workers: first opens of real pixel URLs on a prefork server
(``--workers=2``) on 127.0.0.1, each tracking hit once: does every hit
answered 200 end up recorded?

- prefork: 600 trackings, 8 clients, against /web/health on the same
  server (req/s, blocks in turn);
- recycling: 400 trackings on a server whose workers are recycled every 20
  requests (``--limit-request=20``);
- SIGTERM: 200 trackings hit while the server is stopped by SIGTERM 1.5 s
  into the load.

Counted after each server stopped: open events recorded, hits still waiting
in the database (``mail.tracking.handoff``: the cron
records them later), hits answered 200 and lost.
Budget: 0 hits answered 200 lost; pixel req/s >= 0.85x /web/health with workers (decided by the owner after issue 17).
"""

import signal
import threading
import time

import benchlib as bl

METRIC = "pixel_workers"
PREFORK, RECYCLED, STOPPED = 600, 400, 200
CONCURRENCY = 8
WORKERS = ["--workers=2", "--limit-request=20", "--limit-time-real=120"]


def prepare(db):
    """Trackings of sent emails, created directly (sending them is what
    bench_pixel measures; here only their pixel URLs matter)."""
    with bl.environment(db) as env:
        trackings = env["mail.tracking.email"].create(
            [
                {"name": f"Bench {index}", "recipient": f"recipient{index}@bench.example.com", "state": "sent"}
                for index in range(PREFORK + RECYCLED + STOPPED)
            ]
        )
        paths = bl.pixel_paths(env, trackings)
    ids = trackings.ids
    return ids[:PREFORK], ids[PREFORK : PREFORK + RECYCLED], ids[PREFORK + RECYCLED :], paths


def outcome(db, ids, answers):
    """(answered 200, recorded, waiting, lost) of one hit per tracking of ``ids``."""
    answered = {tid for tid, status in zip(ids, answers, strict=True) if status == 200}
    with bl.environment(db) as env:
        opened = set(
            env["mail.tracking.event"]
            .search([("event_type", "=", "open"), ("tracking_email_id", "in", ids)])
            .mapped("tracking_email_id")
            .ids
        )
        waiting = set()
        if "mail.tracking.handoff" in env:
            waiting = set(
                env["mail.tracking.handoff"].search([("tracking_email_id", "in", ids)]).mapped("tracking_email_id")
            )
    return len(answered), len(answered & opened), len(answered & waiting - opened), len(answered - opened - waiting)


def wait_for_opens(db, ids, count, seconds=20):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        with bl.environment(db) as env:
            if (
                env["mail.tracking.event"].search_count([("event_type", "=", "open"), ("tracking_email_id", "in", ids)])
                >= count
            ):
                return
        time.sleep(0.5)


def run_prefork(db, ids, paths):
    """/web/health and first opens of ``ids`` in turn, on ``--workers=2``."""
    log_path = bl.REPO / ".run" / "bench" / "pixel-prefork.log"
    server = bl.OdooServer(db, log_path, args=["--workers=2", f"--gevent-port={bl.free_port()}"])
    health, pixel, answers = [], [], []
    with server:
        bl.load(server.port, ["/web/health"] * 100, CONCURRENCY)
        for block in (ids[: len(ids) // 2], ids[len(ids) // 2 :]):
            health.append(bl.load(server.port, ["/web/health"] * len(block), CONCURRENCY, max_seconds=120))
            pixel.append(bl.load(server.port, [paths[tid] for tid in block], CONCURRENCY, max_seconds=120))
            answers += pixel[-1]["answers"]
            bl.log(
                f"prefork block: health {health[-1]['rps']:.0f} req/s, pixel {pixel[-1]['rps']:.0f} req/s, "
                f"statuses {pixel[-1]['statuses']}"
            )
        wait_for_opens(db, ids, sum(status == 200 for status in answers))
        bl.release_db(db)
    return health, pixel, outcome(db, ids, answers)


def run_recycled(db, ids, paths):
    """First opens of ``ids`` on workers recycled every 20 requests."""
    log_path = bl.REPO / ".run" / "bench" / "pixel-recycled.log"
    server = bl.OdooServer(db, log_path, args=[*WORKERS, f"--gevent-port={bl.free_port()}"])
    with server:
        run = bl.load(server.port, [paths[tid] for tid in ids], CONCURRENCY, max_seconds=240)
        bl.log(f"recycled: pixel {run['rps']:.0f} req/s, statuses {run['statuses']}, errors {run['errors'][:3]}")
        wait_for_opens(db, ids, sum(status == 200 for status in run["answers"]))
        bl.release_db(db)
    return outcome(db, ids, run["answers"])


def run_stopped(db, ids, paths):
    """Hit ``ids`` from 2 clients and stop the server by SIGTERM 1.5 s in."""
    log_path = bl.REPO / ".run" / "bench" / "pixel-sigterm.log"
    server = bl.OdooServer(db, log_path, args=["--workers=2", f"--gevent-port={bl.free_port()}"])
    result = {}
    with server:
        loader = threading.Thread(
            target=lambda: result.update(
                bl.load(server.port, [paths[tid] for tid in ids], 2, timeout=10, max_seconds=60)
            )
        )
        loader.start()
        time.sleep(1.5)
        server.proc.send_signal(signal.SIGTERM)
        server.proc.wait(60)
        loader.join(90)
    bl.release_db(db)
    return outcome(db, ids, result["answers"])


def record_waiting(db):
    """What the cron does after a restart: record the hits still waiting."""
    with bl.environment(db) as env:
        if "mail.tracking.handoff" in env:
            env["mail.tracking.handoff"]._cron_record_waiting()


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    bl.init_odoo()
    with bl.Databases(METRIC, keep=args.keep, kinds=("addon",)) as dbs:
        prefork_ids, recycled_ids, stopped_ids, paths = prepare(dbs.addon)
        bl.release_db(dbs.addon)
        health, pixel, prefork = run_prefork(dbs.addon, prefork_ids, paths)
        recycled = run_recycled(dbs.addon, recycled_ids, paths)
        stopped = run_stopped(dbs.addon, stopped_ids, paths)
        record_waiting(dbs.addon)
        after_cron = [outcome(dbs.addon, ids, [200] * len(ids))[1] for ids in (prefork_ids, recycled_ids, stopped_ids)]

    rps = {
        name: sum(run["requests"] for run in runs) / sum(run["wall"] for run in runs)
        for name, runs in (("health", health), ("pixel", pixel))
    }
    ratio = rps["pixel"] / rps["health"]
    bl.result(
        METRIC,
        f"requests/s, {PREFORK} first opens, {CONCURRENCY} clients, --workers=2 (plain column: /web/health)",
        bl.fmt(rps["health"], " req/s", 0),
        bl.fmt(rps["pixel"], " req/s", 0),
        f"{ratio:.2f}x",
        "≥ 0.85x /web/health",
        bl.verdict(round(ratio, 2) >= 0.85),
    )
    for label, (answered, recorded, waiting, lost), total in (
        (f"--workers=2, {PREFORK} first opens", prefork, PREFORK),
        (f"workers recycled every 20 requests, {RECYCLED} first opens", recycled, RECYCLED),
        (f"server stopped by SIGTERM during {STOPPED} first opens", stopped, STOPPED),
    ):
        bl.result(
            METRIC,
            f"hits answered 200 and lost: {label}",
            "—",
            f"{lost} lost",
            f"of {answered} answered 200",
            "0 lost",
            bl.verdict(lost == 0 and answered > 0),
            f"{answered} of {total} answered 200; {recorded} recorded while the server ran, "
            f"{waiting} waiting in the database when it stopped",
        )
    bl.note(
        METRIC,
        f"after the cron's run: {after_cron[0]} of {PREFORK}, {after_cron[1]} of {RECYCLED} and "
        f"{after_cron[2]} of {STOPPED} trackings opened",
    )


if __name__ == "__main__":
    main()
