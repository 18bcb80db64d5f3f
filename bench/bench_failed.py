#!/usr/bin/env python3
"""failed: the screens that look for failed emails, on a large database:
1,000,000 tracking rows (2 % failed) over 200,000 chatter messages.

Data, in bulk SQL, shaped like real data: 20,000 customer contacts, 5
internal users who wrote the messages (comments on the contacts, dates over
the last two years), 5 notified recipients per message (mail_message
partner_ids, one email mail_notification each, 'exception' / 'bounce' for
the failed ones), one tracking per recipient (states: mostly opened /
delivered / sent; 2 % error, bounced, soft-bounced, rejected or spam, whose
messages have ``mail_tracking_needs_action``). The same base data is built
once, in the plain database, which is then copied and gets the addon
installed; trackings are added last; ANALYZE after loading.

Measured as one of the authors (internal, not admin: group_user +
group_partner_manager), median of several runs after a warm-up, ORM cache
cleared before each run:
- Discuss Failed counter: ``mail.message._tracking_failed_count()`` (the
  ``is_failed_message`` search count where it does not exist yet); plain
  column: Odoo's own failures search (mail.notification, limit 100);
- "Failed sent messages" filter on Contacts: ``res.partner.search([
  ('message_has_failed_tracking', '=', True)], limit=80)``; plain column:
  the Contacts first page without the filter;
- Tracking emails list: ``web_search_read`` of the list view's fields,
  limit 80, with the count the list view asks for (``count_limit=10001``:
  Odoo counts up to 10,000 and shows "10000+"); the exact count, asked
  when the user clicks "10000+", is an INFO row.
The slowest query of each is EXPLAIN ANALYZEd for the findings.
Budgets: 20 ms, 150 ms, 300 ms.
"""

import subprocess
import sys
import time

import benchlib as bl

METRIC = "failed"
PARTNERS, MESSAGES, RECIPIENTS, AUTHORS = 20000, 200000, 5, 5
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
    bl.log(f"failed data: {label} in {time.perf_counter() - t0:.1f}s ({rows} rows, {len(indexes)} indexes rebuilt)")


def build_base(env):
    """Users (ORM), contacts, messages, recipients, notifications (SQL)."""
    authors = [bl.create_user(env, f"bench_author_{n}", f"Bench Author {n}") for n in range(AUTHORS)]
    env.flush_all()
    cr = env.cr
    comment = env.ref("mail.mt_comment").id
    author_partners = [user.partner_id.id for user in authors]
    cr.execute("SET maintenance_work_mem = '256MB'")
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
        (PARTNERS,),
    )
    cr.execute("UPDATE res_partner SET commercial_partner_id = id WHERE commercial_partner_id IS NULL")
    cr.execute("""CREATE TEMP TABLE bench_customers AS
                  SELECT id, name, email, row_number() OVER (ORDER BY id) AS n
                    FROM res_partner WHERE email LIKE 'customer%@customers.example.com'""")
    cr.execute("CREATE UNIQUE INDEX ON bench_customers (n)")
    timed_sql(
        cr,
        "messages",
        """
        INSERT INTO mail_message (model, res_id, record_company_id, message_type, subtype_id, author_id, email_from,
                                  body, subject, date, message_id, reply_to, is_internal, email_add_signature,
                                  create_uid, write_uid, create_date, write_date)
        SELECT 'res.partner', c.id, NULL, 'comment', %(comment)s, a.partner_id, a.email_from,
               '<p>Hello, here is the follow-up number ' || g || ' about your order.</p>',
               'Order follow-up ' || g, d.date, '<bench-' || g || '@bench.example.com>', NULL, false, true,
               a.user_id, a.user_id, d.date, d.date
          FROM generate_series(1, %(messages)s) g
          JOIN bench_customers c ON c.n = 1 + (g * 7919) %% %(partners)s
          JOIN LATERAL (SELECT now() - interval '730 days' * (1 - g::float / %(messages)s)
                               - interval '1 second' * floor(random() * 3600) AS date) d ON true
          JOIN (SELECT row_number() OVER (ORDER BY u.id) - 1 AS k, u.id AS user_id, p.id AS partner_id,
                       '"' || p.name || '" <' || p.email || '>' AS email_from
                  FROM res_users u JOIN res_partner p ON p.id = u.partner_id WHERE p.id = ANY(%(authors)s)) a
            ON a.k = g %% %(n_authors)s""",
        {
            "comment": comment,
            "messages": MESSAGES,
            "partners": PARTNERS,
            "authors": author_partners,
            "n_authors": AUTHORS,
        },
        table="mail_message",
    )
    cr.execute("""CREATE TEMP TABLE bench_messages AS
                  SELECT id, substring(message_id from '<bench-([0-9]+)@')::int AS g, author_id, date, subject,
                         email_from
                    FROM mail_message WHERE message_id LIKE '<bench-%'""")
    timed_sql(
        cr,
        "recipient rows",
        f"""
        CREATE TEMP TABLE bench_rcpt AS
        SELECT message_id, g, k, author_id, date, subject, email_from, partner_id, name, email,
               {STATE_CASE} AS state
          FROM (SELECT m.id AS message_id, m.g, k, m.author_id, m.date, m.subject, m.email_from,
                       c.id AS partner_id, c.name, c.email, random() AS r
                  FROM bench_messages m CROSS JOIN generate_series(0, %(rcpt)s - 1) k
                  JOIN bench_customers c ON c.n = 1 + (m.g * 31 + k * 4001) %% %(partners)s) rows""",
        {"rcpt": RECIPIENTS, "partners": PARTNERS},
    )
    timed_sql(
        cr,
        "message recipients",
        """
        INSERT INTO mail_message_res_partner_rel (mail_message_id, res_partner_id)
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
    cr.execute("CREATE TABLE bench_rcpt_keep AS SELECT * FROM bench_rcpt")  # for the addon copy
    return [user.id for user in authors]


def add_trackings(env):
    cr = env.cr
    cr.execute("SET maintenance_work_mem = '256MB'")
    timed_sql(
        cr,
        "trackings",
        """
        INSERT INTO mail_tracking_email (mail_message_id, partner_id, name, display_name, recipient, recipient_address,
                                         sender, state, time, timestamp, date, token, message_id, error_type,
                                         error_description, error_smtp_server, bounce_type, bounce_description,
                                         create_uid, write_uid, create_date, write_date)
        SELECT message_id, partner_id, subject, subject || ' - "' || name || '" <' || email || '>',
               '"' || name || '" <' || email || '>', email, email_from, state, t.time,
               extract(epoch FROM t.time), t.time::date, md5(message_id || '-' || k || random()::text),
               '<bench-' || g || '-' || k || '@bench.example.com>',
               CASE WHEN state = 'error' THEN 'connection' END,
               CASE WHEN state = 'error' THEN '421 4.4.2 Connection timed out' END,
               CASE WHEN state = 'error' THEN 'smtp.bench.example.com' END,
               CASE WHEN state IN ('bounced', 'soft-bounced', 'rejected', 'spam') THEN '5.1.1' END,
               CASE WHEN state IN ('bounced', 'soft-bounced', 'rejected', 'spam')
                    THEN '550 5.1.1 The email account that you tried to reach does not exist' END,
               1, 1, t.time, t.time
          FROM bench_rcpt_keep CROSS JOIN LATERAL (SELECT date + interval '1 second' * (5 + k) AS time) t""",
        table="mail_tracking_email",
    )
    timed_sql(
        cr,
        "needs action",
        """
        UPDATE mail_message SET mail_tracking_needs_action = true
         WHERE id IN (SELECT message_id FROM bench_rcpt_keep WHERE state IN %s)""",
        (FAILED_STATES,),
    )
    cr.execute("DROP TABLE bench_rcpt_keep")


def analyze(env):
    env.cr.commit()
    t0 = time.perf_counter()
    for table in (
        "res_partner",
        "mail_message",
        "mail_message_res_partner_rel",
        "mail_notification",
        "mail_tracking_email",
    ):
        env.cr.execute("SELECT to_regclass(%s)", (table,))
        if env.cr.fetchone()[0]:
            env.cr.execute(f"ANALYZE {table}")
    env.cr.commit()
    bl.log(f"failed data: ANALYZE in {time.perf_counter() - t0:.1f}s")


def install_addon(db):
    args = [
        sys.executable,
        "-m",
        "odoo",
        "server",
        *bl.base_args(),
        "-d",
        db,
        f"--db-filter=^{db}$",
        "-i",
        bl.ADDON,
        "--stop-after-init",
        "--max-cron-threads=0",
        f"--http-port={bl.free_port()}",
        "--log-level=warn",
    ]
    t0 = time.perf_counter()
    result = subprocess.run(args, capture_output=True, text=True, timeout=240)
    if result.returncode:
        raise RuntimeError(f"installing the addon on {db} failed:\n{result.stdout[-3000:]}{result.stderr[-3000:]}")
    bl.log(f"failed data: addon installed on {db} in {time.perf_counter() - t0:.1f}s")


def list_specification(env):
    """web_search_read specification of the Tracking emails list view's fields."""
    from lxml import etree

    Tracking = env["mail.tracking.email"]
    arch = Tracking.get_view(view_type="list")["arch"]
    spec = {}
    for node in etree.fromstring(arch).iterchildren("field"):
        name = node.get("name")
        field = Tracking._fields.get(name)
        if field is None:
            continue
        spec[name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    return spec


class Measure:
    """Median time and queries of ``func(env)``, as the user, cache cleared."""

    def __init__(self, db, uid, runs=10, warmup=2, setup=None):
        self.db, self.uid, self.runs, self.warmup, self.setup = db, uid, runs, warmup, setup

    def __call__(self, func):
        with bl.environment(self.db) as env:
            env = env(user=self.uid)
            if self.setup:
                env.cr.execute(self.setup)  # SET LOCAL ...: this transaction only
            durations, queries = [], []
            for index in range(self.warmup + self.runs):
                env.invalidate_all()
                q0 = env.cr.sql_log_count
                t0 = time.perf_counter()
                value = func(env)
                elapsed = time.perf_counter() - t0
                if index >= self.warmup:
                    durations.append(elapsed)
                    queries.append(env.cr.sql_log_count - q0)
            env.invalidate_all()
            with bl.QueryCapture(raw=True) as capture:
                func(env)
            env.cr.rollback()
        return {"ms": bl.median(durations) * 1000, "queries": bl.median(queries), "value": value, "capture": capture}


def explain(db, capture, label):
    """EXPLAIN ANALYZE of the slowest query of ``capture``: a finding."""
    slowest = capture.slowest()
    if not slowest:
        return
    sql, delay = slowest
    with bl.environment(db) as env:
        env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        plan = "\n".join(row[0] for row in env.cr.fetchall())
        env.cr.rollback()
    lines = plan.splitlines()
    if len(lines) > 45:
        lines = [*lines[:40], f"... ({len(lines) - 40} more plan lines)", *lines[-2:]]
    bl.note(
        METRIC,
        f"{label}: slowest query ({delay * 1000:.0f} ms of the run):\n\n```sql\n{sql}\n```\n\n"
        "```\n" + "\n".join(lines) + "\n```",
    )


#: The current user's messages needing action, as a union of index scans;
#: ``IS TRUE`` matches the predicate of the partial index on
#: mail_message (author_id) WHERE mail_tracking_needs_action IS TRUE.
FAILED_MESSAGES_UNION = """
    SELECT id FROM mail_message WHERE mail_tracking_needs_action IS TRUE AND author_id = %(partner)s
    UNION
    SELECT n.mail_message_id FROM mail_notification n
      JOIN mail_message m ON m.id = n.mail_message_id AND m.mail_tracking_needs_action IS TRUE
     WHERE n.res_partner_id = %(partner)s
    UNION
    SELECT r.mail_message_id FROM mail_message_res_partner_rel r
      JOIN mail_message m ON m.id = r.mail_message_id AND m.mail_tracking_needs_action IS TRUE
     WHERE r.res_partner_id = %(partner)s"""


def what_if(db, uid, runs, rows):
    """Suggested fixes tried on the bench database (never in the addon), as
    raw SQL or settings: INFO rows, each checked to give the same result."""
    with bl.environment(db) as env:
        user = env["res.users"].browse(uid)
        params = {"partner": user.partner_id.id, "company": user.company_id.id}
    measure = Measure(db, uid, runs=runs)
    label = "what-if (not in the addon)"
    union_bare = FAILED_MESSAGES_UNION.replace(" IS TRUE", "")

    def raw(sql, scalar=False):
        def run(env):
            env.cr.execute(sql, params)
            result = env.cr.fetchall()
            return result[0][0] if scalar else len(result)

        return run

    _name, counter_func, counter_value = rows["counter"]
    trials = [
        (
            f"Discuss Failed counter, {label}: ORM call with JIT off",
            Measure(db, uid, runs=runs, setup="SET LOCAL jit = off"),
            counter_func,
            counter_value,
        ),
        (
            f"Discuss Failed counter, {label}: SQL `id IN (union)` over mail_message, branches on bare "
            "`needs_action` (partial index unusable)",
            measure,
            raw(f"SELECT count(*) FROM mail_message WHERE id IN ({union_bare})", scalar=True),
            counter_value,
        ),
        (
            f"Discuss Failed counter, {label}: same with `needs_action IS TRUE` (partial index used)",
            measure,
            raw(f"SELECT count(*) FROM mail_message WHERE id IN ({FAILED_MESSAGES_UNION})", scalar=True),
            counter_value,
        ),
        (
            f"Discuss Failed counter, {label}: `SELECT count(*) FROM (union)` with `IS TRUE`",
            measure,
            raw(f"SELECT count(*) FROM ({FAILED_MESSAGES_UNION}) s", scalar=True),
            counter_value,
        ),
    ]
    if "contacts" in rows:
        _name, _contacts_func, contacts_value = rows["contacts"]
        contacts_sql = f"""
            SELECT p.id FROM res_partner p
             WHERE p.active IS TRUE
               AND p.id IN (SELECT m.res_id FROM mail_message m
                             WHERE m.model = 'res.partner' AND m.id IN ({FAILED_MESSAGES_UNION}))
               AND (p.company_id = %(company)s OR p.company_id IS NULL OR p.partner_share IS NOT TRUE)
          ORDER BY p.complete_name, p.id DESC LIMIT 80"""
        trials.append(
            (
                f"Contacts filter, {label}: SQL with the union's branches on `IS TRUE`",
                measure,
                raw(contacts_sql),
                contacts_value,
            )
        )
    if "count" in rows:
        _name, count_func, count_value = rows["count"]
        trials.append(
            (
                f"Tracking emails search_count([]), {label}: work_mem 64MB (no hash spill)",
                Measure(db, uid, runs=runs, setup="SET LOCAL work_mem = '64MB'"),
                count_func,
                count_value,
            )
        )
    for name, how, func, expected in trials:
        figure = how(func)
        same = figure["value"] == expected
        bl.result(
            METRIC,
            name,
            "—",
            bl.fmt(figure["ms"], " ms"),
            f"{figure['queries']:.0f} queries",
            "—",
            "INFO",
            "" if same else f"gives {figure['value']} instead of {expected}",
        )


def main():
    parser = bl.arg_parser(__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    args = parser.parse_args()
    bl.init_odoo()
    dbs = bl.Databases(METRIC, keep=args.keep, kinds=())
    dbs.plain, dbs.addon = f"bench_{METRIC}_plain", f"bench_{METRIC}_addon"
    t_data = time.perf_counter()
    try:
        bl.clone_db(bl.TEMPLATE_PLAIN, dbs.plain)
        with bl.environment(dbs.plain) as env:
            authors = build_base(env)
        bl.release_db(dbs.plain)
        # the copy keeps the recipient rows (bench_rcpt_keep) for its trackings
        bl.clone_db(dbs.plain, dbs.addon)
        with bl.environment(dbs.plain) as env:
            env.cr.execute("DROP TABLE bench_rcpt_keep")
        analyze_db(dbs.plain)
        bl.release_db(dbs.plain)
        install_addon(dbs.addon)
        with bl.environment(dbs.addon) as env:
            add_trackings(env)
        analyze_db(dbs.addon)
        data_seconds = time.perf_counter() - t_data
        with bl.environment(dbs.addon) as env:
            env.cr.execute(
                "SELECT count(*), count(*) FILTER (WHERE state IN %s) FROM mail_tracking_email", (FAILED_STATES,)
            )
            trackings, failed = env.cr.fetchone()
            env.cr.execute("SELECT count(*), count(*) FILTER (WHERE mail_tracking_needs_action) FROM mail_message")
            messages, needs_action = env.cr.fetchone()
        bl.log(
            f"failed data: {trackings} trackings ({failed} failed), {messages} messages "
            f"({needs_action} needing action) in {data_seconds:.0f}s"
        )
        user = authors[0]
        measure = {kind: Measure(db, user, runs=args.runs) for kind, db in (("plain", dbs.plain), ("addon", dbs.addon))}
        rows = []

        # Discuss Failed counter
        def odoo_failures(env):
            domain = [
                ("author_id", "=", env.user.partner_id.id),
                ("notification_status", "in", ("bounce", "exception")),
                ("mail_message_id.message_type", "!=", "user_notification"),
                ("mail_message_id.model", "!=", False),
                ("mail_message_id.res_id", "!=", 0),
            ]
            return len(env["mail.notification"].sudo().search(domain, limit=100))

        with bl.environment(dbs.addon) as env:
            has_counter = hasattr(env["mail.message"], "_tracking_failed_count")
        if has_counter:
            counter_label = "mail.message._tracking_failed_count()"

            def counter(env):
                return env["mail.message"]._tracking_failed_count()
        else:
            counter_label = "sudo().search_count([('is_failed_message', '=', True)]) (_tracking_failed_count missing)"

            def counter(env):
                return env["mail.message"].sudo().search_count([("is_failed_message", "=", True)])

        plain = measure["plain"](odoo_failures)
        addon = measure["addon"](counter)
        whatif_rows = {"counter": (counter_label, counter, addon["value"])}
        rows.append(
            (
                "Discuss Failed counter: " + counter_label,
                plain,
                addon,
                20,
                f"counter = {addon['value']}; plain column: Odoo's own failures search, limit 100",
            )
        )

        # "Failed sent messages" filter on Contacts
        with bl.environment(dbs.addon) as env:
            has_filter = "message_has_failed_tracking" in env["res.partner"]._fields
        plain = measure["plain"](lambda env: len(env["res.partner"].search([], limit=80)))
        if has_filter:

            def contacts(env):
                return len(env["res.partner"].search([("message_has_failed_tracking", "=", True)], limit=80))

            addon = measure["addon"](contacts)
            whatif_rows["contacts"] = ("contacts", contacts, addon["value"])
            rows.append(
                (
                    '"Failed sent messages" filter on Contacts (search, limit 80)',
                    plain,
                    addon,
                    150,
                    f"{addon['value']} contacts; plain column: Contacts first page without the filter",
                )
            )
        else:
            rows.append(('"Failed sent messages" filter on Contacts (search, limit 80)', plain, None, 150, ""))

        # Tracking emails list
        with bl.environment(dbs.addon) as env:
            spec = list_specification(env)

        def web_client_list(env):
            """What the list view asks when it opens: its first page and a
            count that stops at 10,000 (the pager then shows "10000+")."""
            page = env["mail.tracking.email"].web_search_read([], spec, limit=80, count_limit=10001)
            return len(page["records"]), page["length"]

        addon = measure["addon"](web_client_list)
        rows.append(
            (
                "Tracking emails list: first page (80) + count as the list view asks them (count_limit=10001), "
                "internal non-admin user",
                None,
                addon,
                300,
                f"{addon['value'][0]} records, count {addon['value'][1]}; fields {', '.join(spec)}",
            )
        )
        page_only = measure["addon"](
            lambda env: len(env["mail.tracking.email"].web_search_read([], spec, limit=80, count_limit=80)["records"])
        )

        def count_all(env):
            return env["mail.tracking.email"].search_count([])

        count_only = measure["addon"](count_all)
        bl.note(
            METRIC,
            f"Tracking emails list: the exact count of {count_only['value']} readable trackings takes "
            f"{count_only['ms']:.0f} ms, a scan of every tracking joined with its message under the access rule. "
            'The list view does not ask for it when it opens (it counts up to 10,000 and shows "10000+"), '
            "only when the user clicks that figure.",
        )
        whatif_rows["count"] = ("count", count_all, count_only["value"])

        for name, plain, addon, budget, note in rows:
            if addon is None:
                bl.result(
                    METRIC,
                    name,
                    bl.fmt(plain["ms"], " ms") if plain else "—",
                    bl.NOT_IMPLEMENTED,
                    "—",
                    f"≤ {budget} ms",
                    "N/A",
                )
                continue
            bl.result(
                METRIC,
                name,
                bl.fmt(plain["ms"], " ms") if plain else "—",
                bl.fmt(addon["ms"], " ms"),
                f"{addon['queries']:.0f} queries",
                f"≤ {budget} ms",
                bl.verdict(addon["ms"] <= budget),
                note,
            )
        bl.result(
            METRIC,
            "Tracking emails list: first page only",
            "—",
            bl.fmt(page_only["ms"], " ms"),
            f"{page_only['queries']:.0f} queries",
            "—",
            "INFO",
        )
        bl.result(
            METRIC,
            'Tracking emails list: exact count, search_count([]) (what a click on the pager\'s "10000+" asks)',
            "—",
            bl.fmt(count_only["ms"], " ms"),
            f"{count_only['queries']:.0f} queries",
            "—",
            "INFO",
        )
        bl.result(
            METRIC,
            f"data: {trackings} trackings ({failed} failed) over {messages} messages, {needs_action} needing action",
            "—",
            f"{data_seconds:.0f} s to load",
            "",
            "—",
            "INFO",
        )
        for name, _plain, addon, budget, _note in rows:
            if addon is not None and addon["ms"] > budget:
                explain(dbs.addon, addon["capture"], name)
        what_if(dbs.addon, user, args.runs, whatif_rows)
    finally:
        for name in (dbs.plain, dbs.addon):
            if args.keep:
                bl.release_db(name)
                bl.log(f"keeping database {name}")
            else:
                bl.drop_db(name)


def analyze_db(db):
    with bl.environment(db) as env:
        analyze(env)


if __name__ == "__main__":
    main()
