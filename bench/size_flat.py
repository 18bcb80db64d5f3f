"""size, the paths that must not grow with the tables: sending, a chatter of
50 messages, recording pixel opens and webhook events, measured in this
process on a database of a given size beside an empty one, in interleaved
rounds (the same moment of the machine for both).

A round, as the non-admin user ``bench_sender``: 20 messages to 5 partners
posted on a new contact and sent from the queue (100 emails, timed from
the send to the commit); an open of 50 of those emails kept and recorded
as the pixel route and the hand-off writer do; a SendGrid 'delivered'
event for each of the other 50, recorded as the webhook's writer does; the
chatter of a contact with 50 such messages read as the web client asks it
(``_message_fetch`` and the Store), ORM cache cleared.
"""

import time

import benchlib as bl

MESSAGES_PER_ROUND, CHATTER_MESSAGES, CHATTER_RUNS = 20, 50, 7
PATHS = ("send", "chatter", "pixel", "webhook")
#: what a round's figures of each path are per: emails, requests, events
EMAILS = MESSAGES_PER_ROUND * 5
UNITS = {"send": EMAILS, "chatter": 1, "pixel": EMAILS // 2, "webhook": EMAILS - EMAILS // 2}


def prepare(db, smtp_port):
    """The sender, its 5 recipients and the record of 50 messages sent."""
    with bl.environment(db) as env:
        bl.setup_mail(env, smtp_port)
        author, partners = bl.setup_chatter(env, author_login="bench_sender")
        record = bl.create_record(env, "Chatter Record 50")
        env.cr.commit()
        bl.post_and_send(env, record, author, partners, CHATTER_MESSAGES)
        return {"uid": author.id, "partners": partners.ids, "chatter": record.id, "rounds": 0}


def measure_round(db, info):
    """``{path: (ms per unit, queries per unit)}`` of one round on ``db``."""
    info["rounds"] += 1
    figures = {}
    with bl.environment(db) as env:
        author = env["res.users"].browse(info["uid"])
        partners = env["res.partner"].browse(info["partners"])
        record = bl.create_record(env, f"Size Record {info['rounds']}")
        for index in range(MESSAGES_PER_ROUND):
            bl.post(record, author, partners, index)
        env.cr.commit()
        with bl.Counter(env.cr) as send:
            bl.send_queue(env)
            env.cr.commit()
        trackings = env["mail.tracking.email"].search([("res_id", "=", record.id), ("model", "=", "res.partner")])
        emails = len(trackings)
        if emails != MESSAGES_PER_ROUND * len(partners):
            raise RuntimeError(f"{db}: {emails} emails tracked instead of {MESSAGES_PER_ROUND * len(partners)}")
        figures["send"] = (send.seconds * 1000 / emails, send.queries / emails)
        half = emails // 2
        figures["pixel"] = _record_opens(env, trackings[:half])
        figures["webhook"] = _record_webhook_events(env, trackings[half:])
    figures["chatter"] = _chatter(db, info)
    return figures


def _record_opens(env, trackings):
    bl.sent_an_hour_ago(trackings)
    hits = [(tracking.id, tracking.sudo().token) for tracking in trackings]
    Handoff = env["mail.tracking.handoff"]
    with bl.Counter(env.cr) as counter:
        for tracking_id, token in hits:
            Handoff._add_hit(tracking_id, token, {"ip": "127.0.0.1", "timestamp": time.time()})
        env.cr.commit()  # the request's part: kept, committed before the answer
        Handoff._record_waiting()
        env.cr.commit()
    return counter.seconds * 1000 / len(hits), counter.queries / len(hits)


def _record_webhook_events(env, trackings):
    from odoo.addons.mail_activity_tracking.tools.provider_payloads import parse_sendgrid

    now = int(time.time())
    items = [
        {
            "email": tracking.recipient_address,
            "timestamp": now,
            "event": "delivered",
            "sg_event_id": f"size-{tracking.id}",
            "odoo_tracking": f"{tracking.id}-{tracking.sudo().token}",
        }
        for tracking in trackings
    ]
    with bl.Counter(env.cr) as counter:
        env["mail.tracking.email"]._record_provider_events("sendgrid", parse_sendgrid(items))
        env.cr.commit()
    return counter.seconds * 1000 / len(items), counter.queries / len(items)


def _chatter(db, info):
    from odoo.addons.mail.tools.discuss import Store

    with bl.environment(db) as env:
        env = env(user=info["uid"])
        thread = env["res.partner"].browse(info["chatter"])

        def fetch():
            env.invalidate_all()
            res = env["mail.message"]._message_fetch(domain=None, thread=thread, limit=100)
            if len(res["messages"]) != CHATTER_MESSAGES:
                raise RuntimeError(f"{db}: {len(res['messages'])} messages in the chatter")
            Store().add(res["messages"]).get_result()

        fetch()  # warm-up
        with bl.Counter(env.cr) as counter:
            fetch()
        durations = bl.timed_runs(fetch, CHATTER_RUNS, warmup=0)
        env.cr.rollback()
    return min(durations) * 1000, counter.queries


def measure(dbs, infos, rounds):
    """``{db: {path: (ms, queries)}}``: the fastest of ``rounds`` interleaved
    rounds (the order alternates; other processes on the machine only add
    time), after one round each that is not counted (caches of the new
    size), and the fewest queries."""
    samples = {db: {path: [] for path in PATHS} for db in dbs}
    for number in range(-1, rounds):
        for db in dbs if number % 2 else reversed(dbs):
            figures = measure_round(db, infos[db])
            bl.log(
                f"round {number} on {db}: " + ", ".join(f"{p} {ms:.2f} ms {q:.2f} q" for p, (ms, q) in figures.items())
            )
            if number >= 0:
                for path, figure in figures.items():
                    samples[db][path].append(figure)
    return {
        db: {path: (min(ms for ms, _q in values), min(q for _ms, q in values)) for path, values in paths.items()}
        for db, paths in samples.items()
    }
