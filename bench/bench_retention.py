#!/usr/bin/env python3
"""retention: the autovacuum that blanks the IP address and the user agent
of events older than the retention (``personal_data_days``), on 1,000,000
events of 100,000 trackings loaded by bulk SQL, their times spread evenly
over the last two years (open and click events with an IP and a user
agent, sent and delivered events without). With a retention of 365 days,
about half of the events are old; of those, the ones with an IP or a user
agent are blanked. Measured: the whole autovacuum job (every call until
nothing is left, each in its own transaction, as Odoo's autovacuum runs
it), then a second run with nothing left to do; checked: the events,
states and counts are all still there. Budget: 60 s for the first run.
"""

import time

import benchlib as bl

METRIC = "retention"
TRACKINGS, EVENTS_PER_TRACKING, DAYS = 100000, 10, 365
BUDGET_SECONDS = 60
USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36"
)


def load(env):
    cr = env.cr
    cr.execute("SELECT setseed(0.42)")
    t0 = time.perf_counter()
    cr.execute(
        """INSERT INTO mail_tracking_email (name, display_name, recipient, recipient_address, sender, state,
                                            time, timestamp, date, token, create_uid, write_uid, create_date,
                                            write_date)
           SELECT 'Bench ' || g, 'Bench ' || g || ' - r' || g || '@bench.example.com',
                  'r' || g || '@bench.example.com', 'r' || g || '@bench.example.com', 'bench@example.com',
                  'opened', t.time, extract(epoch FROM t.time), t.time::date, md5(g::text), 1, 1, t.time, t.time
             FROM generate_series(1, %s) g
             CROSS JOIN LATERAL (SELECT now() - interval '730 days' * (1 - g::float / %s) AS time) t""",
        (TRACKINGS, TRACKINGS),
    )
    cr.execute(
        """INSERT INTO mail_tracking_event (tracking_email_id, event_type, recipient, recipient_address, ip,
                                            user_agent, ua_family, os_family, time, timestamp, date,
                                            create_uid, write_uid, create_date, write_date)
           SELECT e.id, CASE WHEN k = 0 THEN 'sent' WHEN k = 1 THEN 'delivered' WHEN k < 8 THEN 'open'
                             ELSE 'click' END,
                  e.recipient, e.recipient_address,
                  CASE WHEN k > 1 THEN '198.51.' || (e.id %% 250) || '.' || k END,
                  CASE WHEN k > 1 THEN %s END, CASE WHEN k > 1 THEN 'chrome' END,
                  CASE WHEN k > 1 THEN 'windows' END,
                  t.time, extract(epoch FROM t.time), t.time::date, 1, 1, t.time, t.time
             FROM mail_tracking_email e CROSS JOIN generate_series(0, %s - 1) k
             CROSS JOIN LATERAL (SELECT e.time + interval '1 minute' * k AS time) t
            WHERE e.name LIKE 'Bench %%'""",
        (USER_AGENT, EVENTS_PER_TRACKING),
    )
    events = cr.rowcount
    cr.execute("ANALYZE mail_tracking_event")
    cr.execute("ANALYZE mail_tracking_email")
    bl.log(f"retention data: {events} events loaded in {time.perf_counter() - t0:.1f}s")
    return events


def counts(env):
    env.cr.execute(
        """SELECT count(*), count(ip), count(user_agent), count(ua_family),
                  count(*) FILTER (WHERE time < now() - interval '%s days' AND (ip IS NOT NULL OR user_agent IS NOT NULL))
             FROM mail_tracking_event""",
        (DAYS,),
    )
    return env.cr.fetchone()


def run_autovacuum(db):
    """Every call of the retention autovacuum until it says nothing is left,
    each committed, as ``ir.autovacuum`` does; ``(seconds, blanked, calls)``."""
    blanked = calls = 0
    t0 = time.perf_counter()
    while True:
        with bl.environment(db) as env:
            done, more = env["mail.tracking.event"]._gc_personal_data()
        blanked += done
        calls += 1
        if not more:
            return time.perf_counter() - t0, blanked, calls


def main():
    args = bl.arg_parser(__doc__.splitlines()[0]).parse_args()
    bl.init_odoo()
    with bl.Databases(METRIC, keep=args.keep, kinds=("addon",)) as dbs:
        with bl.environment(dbs.addon) as env:
            events = load(env)
            env["ir.config_parameter"].set_param("mail_activity_tracking.personal_data_days", str(DAYS))
            before = counts(env)
        bl.log(f"before: {before[0]} events, {before[1]} with an IP, {before[4]} old with client data")
        seconds, blanked, calls = run_autovacuum(dbs.addon)
        again, blanked_again, _calls = run_autovacuum(dbs.addon)
        with bl.environment(dbs.addon) as env:
            after = counts(env)
            env.cr.execute("SELECT count(*) FROM mail_tracking_email WHERE state = 'opened'")
            opened = env.cr.fetchone()[0]
        kept = after[0] == before[0] and after[3] == before[3] and opened == TRACKINGS and after[4] == 0
        bl.result(
            METRIC,
            f"blank IP/user agent of {blanked} old events (of {events})",
            "—",
            bl.fmt(seconds, " s"),
            f"{calls} calls",
            f"≤ {BUDGET_SECONDS} s",
            bl.verdict(seconds <= BUDGET_SECONDS and blanked == before[4] and kept),
            "" if kept else f"after: {after}, opened trackings {opened}",
        )
        bl.result(
            METRIC,
            "second run, nothing left to blank",
            "—",
            bl.fmt(again, " s"),
            f"{blanked_again} blanked",
            "—",
            "INFO",
        )


if __name__ == "__main__":
    main()
