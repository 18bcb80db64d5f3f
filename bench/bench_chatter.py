#!/usr/bin/env python3
"""chatter: loading the chatter of a record with 10 and with 50 messages, each
sent by email to 5 partners (5 trackings each with the addon), through the
route the web client calls (POST /mail/thread/messages, JSON-RPC) on real
Odoo server processes (one per database, threaded, 127.0.0.1), as the
internal user who wrote the messages, logged in through
/web/session/authenticate.

``fetch_params`` asks for up to 100 messages so that the whole chatter comes
in one call (the web client's first page is 30). Requests alternate between
the plain and the addon server; latency is measured by the client (median
of the runs after a warm-up), SQL queries per request are read from each
server's own request log (Odoo's perf info: query count per request).
Budgets (issue 17): extra queries the same at 10 and 50 messages and <= 3; time <= 1.1x plain.
"""

import time

import benchlib as bl

METRIC = "chatter"
SIZES = (10, 50)
ROUTE = "/mail/thread/messages"


def prepare(db, smtp_port):
    with bl.environment(db) as env:
        bl.setup_mail(env, smtp_port)
        author, partners = bl.setup_chatter(env)
        records = {size: bl.create_record(env, f"Chatter Record {size}") for size in SIZES}
        env.cr.commit()
        for size, record in records.items():
            for index in range(size):
                bl.post(record, author, partners, index)
        env.cr.commit()
        bl.send_queue(env)
        env.cr.commit()
        if bl.addon_installed(env):
            # the same mix of statuses in each chatter: some delivered, some
            # opened, one failed (a failed message costs its Failed box check)
            for record in records.values():
                trackings = env["mail.tracking.email"].search(
                    [("model", "=", record._name), ("res_id", "=", record.id)], order="id"
                )
                trackings[::3].event_create("delivered", {})
                trackings[1::3].event_create("open", {"ip": "127.0.0.1"})
                trackings[2:3].event_create("hard_bounce", {"bounce_description": "550 5.1.1 unknown user"})
        return {
            "login": author.login,
            "uid": author.id,
            "records": {size: record.id for size, record in records.items()},
        }


def fetch_params(limit=100):
    return {"limit": limit}


def in_process_queries(db, info, size):
    """The queries of the route's server code for the record of ``size``
    messages, run in this process as the user (for the diagnosis)."""
    from odoo.addons.mail.tools.discuss import Store

    with bl.environment(db) as env:
        env = env(user=info["uid"])
        thread = env["res.partner"].browse(info["records"][size])
        for _run in range(2):  # the first run warms the registry caches
            env.invalidate_all()
            with bl.QueryCapture() as capture:
                res = env["mail.message"]._message_fetch(domain=None, thread=thread, **fetch_params())
                Store().add(res["messages"]).get_result()
        env.cr.rollback()
    return capture


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args()
    bl.init_odoo()
    figures = {}
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep) as dbs:
        dbs_by_kind = {"plain": dbs.plain, "addon": dbs.addon}
        info = {kind: prepare(db, sink.port) for kind, db in dbs_by_kind.items()}
        for db in dbs_by_kind.values():
            bl.release_db(db)  # no connection of ours left while the servers run
        servers = {
            kind: bl.OdooServer(db, bl.REPO / ".run" / "bench" / f"chatter-{kind}.log")
            for kind, db in dbs_by_kind.items()
        }
        with servers["plain"], servers["addon"]:
            clients = {}
            for kind, server in servers.items():
                clients[kind] = bl.JsonRpcClient(server.port)
                clients[kind].authenticate(dbs_by_kind[kind], info[kind]["login"])
            for size in SIZES:
                latencies = {kind: [] for kind in servers}
                logged_before = {kind: len(server.requests_logged(ROUTE)) for kind, server in servers.items()}
                deadline = time.monotonic() + 120
                for run in range(args.warmup + args.runs):
                    if time.monotonic() > deadline:
                        break
                    for kind in ("plain", "addon") if run % 2 == 0 else ("addon", "plain"):
                        params = {
                            "thread_model": "res.partner",
                            "thread_id": info[kind]["records"][size],
                            "fetch_params": fetch_params(),
                        }
                        t0 = time.perf_counter()
                        result = clients[kind].call(ROUTE, params)
                        elapsed = time.perf_counter() - t0
                        if len(result["messages"]) != size:
                            raise RuntimeError(f"{kind}: {len(result['messages'])} messages instead of {size}")
                        if run >= args.warmup:
                            latencies[kind].append(elapsed)
                time.sleep(0.5)  # the server logs a request once it answered it
                for kind, server in servers.items():
                    rows = server.requests_logged(ROUTE)[logged_before[kind] :][args.warmup :]
                    figures[(kind, size)] = {
                        "ms": bl.median(latencies[kind]) * 1000,
                        "queries": bl.median([row[0] for row in rows]) if rows else None,
                        "query_counts": sorted({row[0] for row in rows}),
                        "runs": len(latencies[kind]),
                    }
                    bl.log(f"chatter {size} msgs {kind}: {figures[(kind, size)]}")
        captures = {
            (kind, size): in_process_queries(db, info[kind], size) for kind, db in dbs_by_kind.items() for size in SIZES
        }

    extras = {}
    for size in SIZES:
        plain, addon = figures[("plain", size)], figures[("addon", size)]
        if plain["queries"] is None or addon["queries"] is None:
            extras[size] = None
            continue
        extras[size] = addon["queries"] - plain["queries"]
    for size in SIZES:
        plain, addon = figures[("plain", size)], figures[("addon", size)]
        extra = extras[size]
        constant = None not in extras.values() and len(set(extras.values())) == 1
        bl.result(
            METRIC,
            f"{ROUTE}, {size} messages x 5 recipients: SQL queries per request",
            bl.fmt(plain["queries"], "", 0),
            bl.fmt(addon["queries"], "", 0),
            "—" if extra is None else f"{extra:+.0f}",
            "extra ≤ +3, same at 10 and 50",
            bl.verdict(extra is not None and extra <= 3 and constant),
        )
    for size in SIZES:
        plain, addon = figures[("plain", size)], figures[("addon", size)]
        ratio = addon["ms"] / plain["ms"]
        bl.result(
            METRIC,
            f"{ROUTE}, {size} messages: time per request (median of {addon['runs']})",
            bl.fmt(plain["ms"], " ms"),
            bl.fmt(addon["ms"], " ms"),
            f"{ratio:.2f}x",
            "≤ 1.1x plain",
            bl.verdict(ratio <= 1.1),
        )
    for size in SIZES:
        extra = captures[("addon", size)].extra_over(captures[("plain", size)])
        bl.note(
            METRIC,
            f"route code run in-process at {size} messages: {len(captures[('plain', size)].queries)} queries plain, "
            f"{len(captures[('addon', size)].queries)} with the addon; extra: {bl.describe_extra(extra)}",
        )


if __name__ == "__main__":
    main()
