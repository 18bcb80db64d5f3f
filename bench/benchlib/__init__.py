"""Shared helpers of the benchmark scripts (bench/bench_*.py), one module per
concern: ``core`` (Odoo in this process, databases), ``measure``, ``servers``,
``data``; ``import benchlib as bl`` gives them all.

The scripts run as plain Python processes started by bin/bench, which passes
the Odoo options of bin/common.sh (addons path, private PostgreSQL socket,
data dir) in the environment variable BENCH_ODOO_ARGS (a JSON list, without
-d / --db-filter), and where to append result rows in BENCH_RESULTS (a JSON
lines file). Nothing here talks to anything but 127.0.0.1 and the private
PostgreSQL socket; every loop is bounded in count and in time.
"""

from .core import (
    REPO,
    ADDON,
    TEMPLATE_PLAIN,
    TEMPLATE_ADDON,
    PASSWORD,
    NOT_IMPLEMENTED,
    log,
    base_args,
    arg_parser,
    init_odoo,
    admin_cursor,
    release_db,
    drop_db,
    clone_db,
    Databases,
    environment,
    addon_installed,
)
from .measure import (
    Counter,
    QueryCapture,
    normalize_sql,
    query_origin,
    describe_extra,
    profile_addon,
    describe_profile,
    percentile,
    median,
    timed_runs,
    fmt,
    result,
    note,
    verdict,
)
from .servers import (
    SmtpSink,
    free_port,
    OdooServer,
    http_get,
    JsonRpcClient,
    USER_AGENTS,
    load,
)
from .data import (
    create_user,
    setup_mail,
    setup_chatter,
    create_record,
    post,
    send_queue,
    post_and_send,
    pixel_paths,
    sent_an_hour_ago,
    perf_summary,
)
