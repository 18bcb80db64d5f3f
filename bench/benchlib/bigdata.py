"""Large databases loaded in bulk SQL, shaped like real data.

20,000 customer contacts; 5 internal users (group_user +
group_partner_manager) who wrote the messages, comments on the contacts;
5 notified recipients per message (``mail_message_res_partner_rel``, one
email ``mail_notification`` each, 'exception' / 'bounce' for the failed
ones); with the addon, one tracking per recipient, kept on its document
(``model``, ``res_id``) as the addon keeps it, with the event of its state. States: mostly opened / delivered / sent; 2 %
error, bounced, soft-bounced, rejected or spam, whose messages have
``mail_tracking_needs_action``.

Message number ``g`` (1, 2, ...) is ``g`` minutes old: each ``grow`` adds
older messages, so the oldest trackings are those of the last load.
"""

import time

from .core import log
from .data import create_user

CUSTOMERS, RECIPIENTS, AUTHORS = 20000, 5, 5
FAILED_STATES = ("error", "rejected", "spam", "bounced", "soft-bounced")
#: cumulative thresholds of the tracking state of a recipient row (r = random())
STATE_CASE = """CASE
    WHEN r < 0.004 THEN 'error'
    WHEN r < 0.012 THEN 'bounced'
    WHEN r < 0.016 THEN 'soft-bounced'
    WHEN r < 0.018 THEN 'rejected'
    WHEN r < 0.020 THEN 'spam'
    WHEN r < 0.030 THEN 'deferred'
    WHEN r < 0.035 THEN 'unsub'
    WHEN r < 0.380 THEN 'opened'
    WHEN r < 0.760 THEN 'delivered'
    ELSE 'sent' END"""
#: the event that brought a tracking to its state ('sent' for the others): one
#: event per tracking (a real one has a 'sent' event before: left out, the
#: default run must load fast)
STATE_EVENT = """CASE e.state
    WHEN 'error' THEN NULL WHEN 'bounced' THEN 'hard_bounce' WHEN 'soft-bounced' THEN 'soft_bounce'
    WHEN 'rejected' THEN 'reject' WHEN 'spam' THEN 'spam' WHEN 'deferred' THEN 'deferral'
    WHEN 'unsub' THEN 'unsub' WHEN 'opened' THEN 'open' WHEN 'delivered' THEN 'delivered' END"""
USER_AGENT = "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0"
TABLES = (
    "res_partner",
    "mail_message",
    "mail_message_res_partner_rel",
    "mail_notification",
    "mail_tracking_email",
    "mail_tracking_event",
)


def timed_sql(cr, label, query, params=None, table=None):
    """Run a bulk load; with ``table``, its secondary indexes are dropped
    first and built again after (much faster than growing them row by row)."""
    t0 = time.perf_counter()
    indexes = []
    if table:
        cr.execute(
            """SELECT i.indexname, i.indexdef FROM pg_indexes i
                WHERE i.tablename = %s AND NOT EXISTS (
                      SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)""",
            (table,),
        )
        indexes = cr.fetchall()
        for name, _definition in indexes:
            cr.execute(f'DROP INDEX "{name}"')
    cr.execute(query, params)
    rows = cr.rowcount
    for _name, definition in indexes:
        cr.execute(definition)
    log(f"data: {label} in {time.perf_counter() - t0:.1f}s ({rows} rows, {len(indexes)} indexes rebuilt)")


def load_people(env):
    """The authors (ORM) and the customers (SQL); the authors' user ids."""
    authors = [create_user(env, f"bench_author_{n}", f"Bench Author {n}") for n in range(AUTHORS)]
    env.flush_all()
    cr = env.cr
    cr.execute("SELECT setseed(0.42)")
    timed_sql(
        cr,
        "contacts",
        """
        INSERT INTO res_partner (name, complete_name, email, email_normalized, active, type, is_company,
                                 partner_share, lang, create_uid, write_uid, create_date, write_date)
        SELECT 'Customer ' || g, 'Customer ' || g, 'customer' || g || '@customers.example.com',
               'customer' || g || '@customers.example.com', true, 'contact', false, true, 'en_US', 1, 1,
               now() - interval '800 days', now() - interval '800 days'
          FROM generate_series(1, %s) g""",
        (CUSTOMERS,),
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    cr.execute("""CREATE TABLE bench_customer AS
                  SELECT id, name, email, row_number() OVER (ORDER BY id) AS n
                    FROM res_partner WHERE email LIKE 'customer%@customers.example.com'""")
    cr.execute("CREATE UNIQUE INDEX ON bench_customer (n)")
    cr.execute(
        """CREATE TABLE bench_author AS
           SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id AS user_id, p.id AS partner_id,
                  '"' || p.name || '" <' || p.email || '>' AS email_from
             FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE u.id = ANY(%s)""",
        ([user.id for user in authors],),
    )
    return [user.id for user in authors]


def messages_loaded(cr):
    cr.execute("SELECT count(*) FROM mail_message WHERE message_id LIKE '<bench-%'")
    return cr.fetchone()[0]


def grow(env, trackings):
    """Add messages (older than those loaded) until there are ``trackings``
    of them (one per recipient)."""
    cr = env.cr
    cr.execute("SET maintenance_work_mem = '256MB'")
    first = messages_loaded(cr) + 1
    last = trackings // RECIPIENTS
    if last < first:
        return
    _load_messages(cr, env.ref("mail.mt_comment").id, first, last)
    _load_recipients(cr, first, last)
    if "mail.tracking.email" in env.registry:
        cr.execute("SELECT COALESCE(max(id), 0) FROM mail_tracking_email")
        after_id = cr.fetchone()[0]
        _load_trackings(cr)
        _load_events(cr, after_id)
    cr.execute("DROP TABLE bench_rcpt")
    cr.commit()
    vacuum_analyze(cr.dbname)


def _load_messages(cr, comment, first, last):
    timed_sql(
        cr,
        f"messages {first}..{last}",
        """
        INSERT INTO mail_message (model, res_id, record_company_id, message_type, subtype_id, author_id, email_from,
                                  body, subject, date, message_id, reply_to, is_internal, email_add_signature,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'res.partner', c.id, NULL, 'comment', %(comment)s, a.partner_id, a.email_from,
               '<p>Hello, here is the follow-up number ' || g || ' about your order.</p>',
               'Order follow-up ' || g, d.date, '<bench-' || g || '@bench.example.com>', NULL, false, true,
               a.user_id, a.user_id, d.date, d.date
          FROM generate_series(%(first)s, %(last)s) g
          JOIN bench_customer c ON c.n = 1 + (g::bigint * 7919) %% %(customers)s
          JOIN LATERAL (SELECT now() - interval '1 minute' * g - interval '1 second' * floor(random() * 50)
                               AS date) d ON true
          JOIN bench_author a ON a.k = g %% %(authors)s""",
        {"comment": comment, "first": first, "last": last, "customers": CUSTOMERS, "authors": AUTHORS},
        table="mail_message",
    )


def _load_recipients(cr, first, last):
    timed_sql(
        cr,
        "recipient rows",
        f"""
        CREATE TEMP TABLE bench_rcpt AS
        SELECT message_id, g, k, author_id, date, subject, email_from, partner_id, name, email,
               {STATE_CASE} AS state
          FROM (SELECT m.id AS message_id, m.g, k, m.author_id, m.date, m.subject, m.email_from,
                       c.id AS partner_id, c.name, c.email, random() AS r
                  FROM (SELECT id, substring(message_id from '<bench-([0-9]+)@')::int AS g, author_id, date,
                               subject, email_from
                          FROM mail_message WHERE message_id LIKE '<bench-%%') m
                 CROSS JOIN generate_series(0, %(rcpt)s - 1) k
                  JOIN bench_customer c ON c.n = 1 + (m.g * 31 + k * 4001) %% %(customers)s
                 WHERE m.g BETWEEN %(first)s AND %(last)s) rows""",
        {"rcpt": RECIPIENTS, "customers": CUSTOMERS, "first": first, "last": last},
    )
    timed_sql(
        cr,
        "message recipients",
        """INSERT INTO mail_message_res_partner_rel (mail_message_id, res_partner_id)
           SELECT message_id, partner_id FROM bench_rcpt""",
        table="mail_message_res_partner_rel",
    )
    timed_sql(
        cr,
        "notifications",
        """
        INSERT INTO mail_notification (mail_message_id, res_partner_id, author_id, notification_type,
                                       notification_status, failure_type, failure_reason, is_read, read_date)
        SELECT message_id, partner_id, author_id, 'email',
               CASE WHEN state = 'error' THEN 'exception'
                    WHEN state IN ('bounced', 'soft-bounced', 'rejected', 'spam') THEN 'bounce'
                    ELSE 'sent' END,
               CASE WHEN state = 'error' THEN 'mail_smtp'
                    WHEN state IN ('bounced', 'soft-bounced', 'rejected', 'spam') THEN 'mail_bounce' END,
               CASE WHEN state = 'error' THEN '421 4.4.2 Connection timed out' END,
               true, date
          FROM bench_rcpt""",
        table="mail_notification",
    )


def _load_trackings(cr):
    timed_sql(
        cr,
        "trackings",
        """
        INSERT INTO mail_tracking_email (mail_message_id, model, res_id, partner_id, name, display_name, recipient,
                                         recipient_address, sender, state, time, timestamp, date, token, message_id,
                                         error_type, error_description, error_smtp_server, bounce_type,
                                         bounce_description, create_uid, write_uid, create_date, write_date)
        SELECT r.message_id, 'res.partner', m.res_id, r.partner_id, r.subject,
               r.subject || ' - "' || r.name || '" <' || r.email || '>',
               '"' || r.name || '" <' || r.email || '>', r.email, r.email_from, r.state, t.time,
               extract(epoch FROM t.time), t.time::date, md5(r.message_id || '-' || r.k || random()::text),
               '<bench-' || r.g || '-' || r.k || '@bench.example.com>',
               CASE WHEN r.state = 'error' THEN 'connection' END,
               CASE WHEN r.state = 'error' THEN '421 4.4.2 Connection timed out' END,
               CASE WHEN r.state = 'error' THEN 'smtp.bench.example.com' END,
               CASE WHEN r.state IN ('bounced', 'soft-bounced', 'rejected', 'spam') THEN '5.1.1' END,
               CASE WHEN r.state IN ('bounced', 'soft-bounced', 'rejected', 'spam')
                    THEN '550 5.1.1 The email account that you tried to reach does not exist' END,
               1, 1, t.time, t.time
          FROM bench_rcpt r JOIN mail_message m ON m.id = r.message_id
         CROSS JOIN LATERAL (SELECT r.date + interval '1 second' * (5 + r.k) AS time) t""",
        table="mail_tracking_email",
    )
    timed_sql(
        cr,
        "needs action",
        """UPDATE mail_message SET mail_tracking_needs_action = true
            WHERE id IN (SELECT message_id FROM bench_rcpt WHERE state IN %s)""",
        (FAILED_STATES,),
    )


def _load_events(cr, after_id):
    timed_sql(
        cr,
        "events",
        f"""
        INSERT INTO mail_tracking_event (tracking_email_id, event_type, recipient, recipient_address, ip, user_agent,
                                         ua_family, os_family, time, timestamp, date, create_uid, write_uid,
                                         create_date, write_date)
        SELECT e.id, s.event_type, e.recipient, e.recipient_address,
               CASE WHEN s.event_type = 'open' THEN '198.51.100.' || (e.id %% 250) END,
               CASE WHEN s.event_type = 'open' THEN %s END, CASE WHEN s.event_type = 'open' THEN 'thunderbird' END,
               CASE WHEN s.event_type = 'open' THEN 'linux' END,
               t.time, extract(epoch FROM t.time), t.time::date, 1, 1, t.time, t.time
          FROM mail_tracking_email e
         CROSS JOIN LATERAL (SELECT COALESCE({STATE_EVENT}, 'sent') AS event_type) s
         CROSS JOIN LATERAL (SELECT e.time + interval '1 minute' AS time) t
         WHERE e.id > %s""",
        (USER_AGENT, after_id),
        table="mail_tracking_event",
    )


def vacuum_analyze(db):
    """VACUUM ANALYZE the loaded tables, as PostgreSQL's autovacuum keeps
    them in a live database (statistics, and the visibility map that
    index-only scans read)."""
    import psycopg2

    from odoo.tools import config

    t0 = time.perf_counter()
    conn = psycopg2.connect(host=config["db_host"], user=config["db_user"], dbname=db)
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            for table in TABLES:
                cr.execute("SELECT to_regclass(%s)", (table,))
                if cr.fetchone()[0]:
                    cr.execute(f"VACUUM ANALYZE {table}")
    finally:
        conn.close()
    log(f"data: VACUUM ANALYZE in {time.perf_counter() - t0:.1f}s")
