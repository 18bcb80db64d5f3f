#!/usr/bin/env python3
"""webhook: provider events posted to the real SendGrid webhook route of a
threaded Odoo server on 127.0.0.1, signed with an ECDSA key made here, about
1,000 emails really sent: three signed batches of 1,000 events (delivered,
open, click; time per request, client side) and 800 single-event requests
from 8 clients, taking turns with /web/health on the same server (ABAB).
The queries of one 1,000-event batch are counted in-process, the way the
hand-off writer records it; once the loads are over, every event answered
200 must be recorded (the writer records them after the answer: the wait is
reported). Budgets: a 1,000-event batch in ≤ 2 s and ≤ 3 queries per
event; single events at ≥ 0.8x the requests/s of /web/health; none lost.
"""

import base64
import http.client
import json
import threading
import time

import benchlib as bl
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

METRIC = "webhook"
BATCH, SINGLES, BLOCKS, CONCURRENCY = 1000, 800, 4, 8
SIGNING_KEY = ec.generate_private_key(ec.SECP256R1())


def prepare(db, smtp_port):
    """1,000 trackings of emails really sent (200 messages x 5 recipients)
    through a mail server whose provider is SendGrid."""
    with bl.environment(db) as env:
        bl.setup_mail(env, smtp_port)
        public = SIGNING_KEY.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        server = env["ir.mail_server"].search([("active", "=", True)], limit=1)
        server.write({"tracking_provider": "sendgrid", "tracking_webhook_secret": base64.b64encode(public).decode()})
        author, partners = bl.setup_chatter(env)
        record = bl.create_record(env, "Webhook Record")
        env.cr.commit()
        bl.post_and_send(env, record, author, partners, BATCH // len(partners))
        trackings = env["mail.tracking.email"].search([], order="id")[:BATCH]
        targets = [(f"{t.id}-{t.token}", t.recipient_address) for t in trackings]
        path = f"/mail/tracking/webhook/sendgrid/{db}/{server.id}"
    return targets, path


def events(targets, event, prefix):
    now = int(time.time())
    return [
        {"email": address, "timestamp": now, "event": event, "sg_event_id": f"{prefix}-{index}", "odoo_tracking": ref}
        for index, (ref, address) in enumerate(targets)
    ]


def signed(items):
    body = json.dumps(items).encode()
    timestamp = str(int(time.time()))
    signature = SIGNING_KEY.sign(timestamp.encode() + body, ec.ECDSA(hashes.SHA256()))
    return body, {
        "Content-Type": "application/json",
        "X-Twilio-Email-Event-Webhook-Signature": base64.b64encode(signature).decode(),
        "X-Twilio-Email-Event-Webhook-Timestamp": timestamp,
    }


def http_post(port, path, body, headers, timeout=60):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


def post_load(port, path, requests, concurrency=CONCURRENCY, max_seconds=120):
    """POST each ``(body, headers)`` of ``requests`` once from ``concurrency``
    clients; requests/s and statuses."""
    lock, state, statuses = threading.Lock(), {"next": 0}, {}
    deadline = time.monotonic() + max_seconds

    def client():
        while time.monotonic() < deadline:
            with lock:
                index = state["next"]
                state["next"] += 1
            if index >= len(requests):
                return
            status, _body = http_post(port, path, *requests[index])
            with lock:
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, daemon=True) for _n in range(concurrency)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max_seconds + 5)
    wall = time.perf_counter() - t0
    done = sum(statuses.values())
    return {"requests": done, "rps": done / wall, "statuses": statuses}


def wait_until_recorded(db, expected, max_seconds=30):
    """Seconds until ``expected`` provider events are recorded (nothing
    left waiting), and how many are."""
    t0 = time.perf_counter()
    while True:
        with bl.environment(db) as env:
            recorded = env["mail.tracking.event"].search_count([("provider_event_id", "!=", False)])
            waiting = env["mail.tracking.handoff"].search_count([]) if "mail.tracking.handoff" in env else 0
        if (recorded >= expected and not waiting) or time.perf_counter() - t0 > max_seconds:
            bl.log(f"webhook: {recorded} of {expected} events recorded, {waiting} requests waiting")
            return time.perf_counter() - t0, recorded
        time.sleep(0.5)


def in_process_batch(db, targets):
    """Queries and seconds of recording one 1,000-event batch as the route
    does, rolled back."""
    from odoo.addons.mail_activity_tracking.tools.provider_payloads import parse_sendgrid

    parsed = parse_sendgrid(events(targets, "delivered", "in-process"))
    with bl.environment(db) as env, bl.QueryCapture() as capture:
        t0 = time.perf_counter()
        env["mail.tracking.email"]._record_provider_events("sendgrid", parsed)
        env.cr.flush()
        capture.seconds = time.perf_counter() - t0
        env.cr.rollback()
    return capture


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    args = parser.parse_args()
    bl.init_odoo()
    with bl.SmtpSink() as sink, bl.Databases(METRIC, keep=args.keep, kinds=("addon",)) as dbs:
        targets, path = prepare(dbs.addon, sink.port)
        bl.release_db(dbs.addon)
        server = bl.OdooServer(dbs.addon, bl.REPO / ".run" / "bench" / "webhook-server.log")
        batch_seconds, batch_statuses, health, singles = [], [], [], []
        with server:
            bl.load(server.port, ["/web/health"] * 100, CONCURRENCY)
            for event in ("delivered", "open", "click"):
                body, headers = signed(events(targets, event, f"batch-{event}"))
                t0 = time.perf_counter()
                status, _answer = http_post(server.port, path, body, headers)
                batch_seconds.append(time.perf_counter() - t0)
                batch_statuses.append(status)
            per_block = SINGLES // BLOCKS
            for block in range(BLOCKS):
                requests = [
                    signed(events([targets[(block * per_block + n) % BATCH]], "deferred", f"single-{block}-{n}"))
                    for n in range(per_block)
                ]
                health.append(bl.load(server.port, ["/web/health"] * per_block, CONCURRENCY, max_seconds=120))
                singles.append(post_load(server.port, path, requests))
                bl.log(
                    f"webhook block: health {health[-1]['rps']:.0f} req/s, single events {singles[-1]['rps']:.0f} req/s"
                )
            answered = BATCH * batch_statuses.count(200) + sum(run["statuses"].get(200, 0) for run in singles)
            wait, recorded = wait_until_recorded(dbs.addon, answered)
            bl.release_db(dbs.addon)
        capture = in_process_batch(dbs.addon, targets)

    slowest = max(batch_seconds)
    bl.result(
        METRIC,
        f"signed batch of {BATCH} events, slowest of 3 requests (delivered, open, click)",
        "—",
        bl.fmt(slowest, " s", 2),
        f"statuses {sorted(set(batch_statuses))}",
        "≤ 2 s",
        bl.verdict(slowest <= 2 and set(batch_statuses) == {200}),
        "each: " + ", ".join(f"{seconds:.2f} s" for seconds in batch_seconds),
    )
    per_event = len(capture.queries) / BATCH
    bl.result(
        METRIC,
        f"queries per event, a batch of {BATCH} recorded in-process",
        "—",
        f"{per_event:.3f}",
        f"{len(capture.queries)} queries",
        "≤ 3 per event",
        bl.verdict(per_event <= 3),
        f"{capture.seconds * 1000:.0f} ms",
    )
    bl.result(
        METRIC,
        "events answered 200 and recorded, once the loads are over",
        "—",
        f"{recorded} of {answered}",
        f"after {wait:.1f} s",
        "all",
        bl.verdict(recorded == answered),
        "batches (3 x 1000) and single events",
    )
    base = sum(run["requests"] for run in health) / sum(run["requests"] / run["rps"] for run in health)
    rate = sum(run["requests"] for run in singles) / sum(run["requests"] / run["rps"] for run in singles)
    statuses = {}
    for run in singles:
        for status, count in run["statuses"].items():
            statuses[status] = statuses.get(status, 0) + count
    bl.result(
        METRIC,
        f"single-event requests/s, {SINGLES} requests, {CONCURRENCY} clients (plain column: /web/health)",
        bl.fmt(base, " req/s", 0),
        bl.fmt(rate, " req/s", 0),
        f"{rate / base:.2f}x",
        "≥ 0.8x /web/health",
        bl.verdict(rate / base >= 0.8 and set(statuses) == {200}),
        f"statuses {statuses}",
    )


if __name__ == "__main__":
    main()
