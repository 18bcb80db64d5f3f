"""size, the autovacuum of expired trackings (and, with them, their
events): every call of ``_gc_expired_trackings`` until it says nothing is
left, each committed, as Odoo's autovacuum runs it. Meanwhile a second
connection keeps writing to live rows (a recent tracking updated and an
event added to it, one transaction every 0.1 s, ``lock_timeout`` 10 s): its
slowest write is what a user or the pixel would wait behind the
autovacuum's locks."""

import threading
import time

import benchlib as bl

#: A write slower than this is a long lock on the live tables.
LIVE_WRITE_BUDGET_MS = 1000


def expire_oldest(db, count):
    """Set the retention so that about the ``count`` oldest trackings are
    expired (to the day); return the retention in days and how many are."""
    with bl.environment(db) as env:
        env.cr.execute("SELECT count(*) FROM mail_tracking_email")
        total = env.cr.fetchone()[0]
        env.cr.execute(
            "SELECT time FROM mail_tracking_email ORDER BY time DESC OFFSET %s LIMIT 1", (max(total - count, 0),)
        )
        oldest_kept = env.cr.fetchone()[0]
        env.cr.execute("SELECT ceil(extract(epoch FROM now() AT TIME ZONE 'UTC' - %s) / 86400)::int", (oldest_kept,))
        days = max(env.cr.fetchone()[0], 1)
        env["ir.config_parameter"].set_param("mail_activity_tracking.max_age_days", str(days))
    return days, expired_count(db, days)


def expired_count(db, days, at=None):
    """How many trackings are older than ``days`` days now, or at the epoch
    time ``at``: a tracking that expires after the autovacuum's last call
    is no tracking it left."""
    with bl.environment(db) as env:
        env.cr.execute(
            """SELECT count(*) FROM mail_tracking_email
                WHERE time < COALESCE(to_timestamp(%s) AT TIME ZONE 'UTC', now() AT TIME ZONE 'UTC')
                             - %s * interval '1 day'""",
            (at, days),
        )
        return env.cr.fetchone()[0]


def table_counts(db):
    with bl.environment(db) as env:
        env.cr.execute("SELECT (SELECT count(*) FROM mail_tracking_email), (SELECT count(*) FROM mail_tracking_event)")
        return env.cr.fetchone()


class LiveWriter(threading.Thread):
    """Writes to one recent tracking and its events while the GC runs."""

    def __init__(self, db, tracking_id):
        super().__init__(daemon=True)
        self.db, self.tracking_id = db, tracking_id
        self.stop = threading.Event()
        self.latencies, self.errors = [], []

    def run(self):
        import psycopg2

        from odoo.tools import config

        conn = psycopg2.connect(host=config["db_host"], user=config["db_user"], dbname=self.db)
        try:
            with conn.cursor() as cr:
                cr.execute("SET lock_timeout = '10s'")
                conn.commit()
                while not self.stop.wait(0.1):
                    t0 = time.perf_counter()
                    try:
                        self._write(cr)
                        conn.commit()
                    except psycopg2.Error as error:
                        conn.rollback()
                        self.errors.append(str(error).strip())
                    self.latencies.append(time.perf_counter() - t0)
        finally:
            conn.close()

    def _write(self, cr):
        cr.execute("UPDATE mail_tracking_email SET write_date = now() WHERE id = %s", (self.tracking_id,))
        cr.execute(
            """INSERT INTO mail_tracking_event (tracking_email_id, event_type, time, timestamp, date, create_uid,
                                                write_uid, create_date, write_date)
               VALUES (%s, 'delivered', now(), extract(epoch FROM now()), now()::date, 1, 1, now(), now())""",
            (self.tracking_id,),
        )


def run(db, live_tracking_id, max_seconds):
    """Run the GC to the end (or ``max_seconds``) beside a live writer."""
    calls, slowest_call, last_call_started = 0, 0.0, None
    writer = LiveWriter(db, live_tracking_id)
    writer.start()
    t0 = time.perf_counter()
    try:
        while time.perf_counter() - t0 < max_seconds:
            t_call, last_call_started = time.perf_counter(), time.time()
            with bl.environment(db) as env:
                result = env["mail.tracking.email"]._gc_expired_trackings()
            calls += 1
            slowest_call = max(slowest_call, time.perf_counter() - t_call)
            if not (isinstance(result, tuple) and result[1]):
                break
    finally:
        seconds = time.perf_counter() - t0
        writer.stop.set()
        writer.join(30)
    return {
        "seconds": seconds,
        "calls": calls,
        "slowest_call": slowest_call,
        "last_call_started": last_call_started,
        "live_writes": len(writer.latencies),
        "live_max_ms": max(writer.latencies, default=0) * 1000,
        "live_errors": writer.errors,
    }
