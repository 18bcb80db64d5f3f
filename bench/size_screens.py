"""size, the screens that look for failed emails and list the trackings, as
one of the authors of the messages (internal, not admin: group_user +
group_partner_manager), median of several runs after a warm-up, ORM cache
cleared before each run:

- Discuss Failed counter: ``mail.message._tracking_failed_count()``;
- "Failed sent messages" filter on Contacts: ``res.partner.search([
  ('message_has_failed_tracking', '=', True)], limit=80)``;
- Tracking emails list: ``web_search_read`` of the list view's fields,
  limit 80, with the count the list view asks for (``count_limit=10001``:
  Odoo counts up to 10,000 and shows "10000+");
- its exact count, ``search_count([])``, what a click on "10000+" asks.
"""

import time

import benchlib as bl

#: key: (label, budget in ms, the size the budget is for)
SCREENS = {
    "counter": ("Discuss Failed counter: mail.message._tracking_failed_count()", 20, 5_000_000),
    "contacts": ('"Failed sent messages" filter on Contacts (search, limit 80)', 150, 5_000_000),
    "list": (
        "Tracking emails list: first page (80) + count as the list view asks them (count_limit=10001)",
        300,
        5_000_000,
    ),
    "count": ('Tracking emails list: exact count, search_count([]) (a click on "10000+")', 300, 1_000_000),
}


def list_specification(env):
    """web_search_read specification of the Tracking emails list view's fields."""
    from lxml import etree

    Tracking = env["mail.tracking.email"]
    arch = Tracking.get_view(view_type="list")["arch"]
    spec = {}
    for node in etree.fromstring(arch).iterchildren("field"):
        field = Tracking._fields.get(node.get("name"))
        if field is not None:
            spec[field.name] = {"fields": {"display_name": {}}} if field.type == "many2one" else {}
    return spec


def measure(db, uid, func, runs):
    """Median ms and queries of ``func(env)`` as ``uid``, cache cleared; the
    value, and the slowest query of one more run (SQL with its parameters)."""
    with bl.environment(db) as env:
        env = env(user=uid)
        durations, queries = [], []
        for index in range(2 + runs):
            env.invalidate_all()
            q0 = env.cr.sql_log_count
            t0 = time.perf_counter()
            value = func(env)
            if index >= 2:
                durations.append(time.perf_counter() - t0)
                queries.append(env.cr.sql_log_count - q0)
        env.invalidate_all()
        with bl.QueryCapture(raw=True) as capture:
            func(env)
        env.cr.rollback()
    return {
        "ms": bl.median(durations) * 1000,
        "queries": bl.median(queries),
        "value": value,
        "slowest": capture.slowest(),
    }


def measure_all(db, uid, runs):
    """``{key: figure}`` of every screen of ``SCREENS``."""
    with bl.environment(db) as env:
        spec = list_specification(env)

    def counter(env):
        return env["mail.message"]._tracking_failed_count()

    def contacts(env):
        return len(env["res.partner"].search([("message_has_failed_tracking", "=", True)], limit=80))

    def first_page(env):
        page = env["mail.tracking.email"].web_search_read([], spec, limit=80, count_limit=10001)
        return page["length"]

    def count(env):
        return env["mail.tracking.email"].search_count([])

    funcs = {"counter": counter, "contacts": contacts, "list": first_page, "count": count}
    return {key: measure(db, uid, func, runs) for key, func in funcs.items()}


def explain(db, slowest):
    """EXPLAIN (ANALYZE, BUFFERS) of ``slowest`` (sql, seconds), trimmed."""
    sql, _seconds = slowest
    with bl.environment(db) as env:
        env.cr.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
        lines = [row[0] for row in env.cr.fetchall()]
        env.cr.rollback()
    if len(lines) > 45:
        lines = [*lines[:40], f"... ({len(lines) - 40} more plan lines)", *lines[-2:]]
    return f"```sql\n{sql}\n```\n\n```\n" + "\n".join(lines) + "\n```"
