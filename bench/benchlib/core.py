"""Where the benchmarks run: Odoo in this process, the databases."""

import argparse
import json
import os
import shutil
import signal
import sys
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ADDON = "mail_activity_tracking"
TEMPLATE_PLAIN = "bench_tpl_plain"
TEMPLATE_ADDON = "bench_tpl_addon"
PASSWORD = "bench-password-1"
NOT_IMPLEMENTED = "n/a (not implemented yet)"

_odoo_ready = False


def log(*parts):
    print(f"[{time.strftime('%H:%M:%S')}]", *parts, file=sys.stderr, flush=True)


def base_args():
    raw = os.environ.get("BENCH_ODOO_ARGS")
    if not raw:
        sys.exit("BENCH_ODOO_ARGS is not set: run the benchmarks through bin/bench")
    return json.loads(raw)


def arg_parser(description):
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--keep", action="store_true", help="keep the databases this script creates")
    return parser


def _terminate(signum, frame):
    # a time limit (bin/bench runs each script under `timeout`): unwind, so
    # that servers stop and databases are dropped by their context managers
    raise SystemExit(128 + signum)


def init_odoo():
    """Configure Odoo in this process (no server, no cron), quiet logs."""
    global _odoo_ready
    if _odoo_ready:
        return
    signal.signal(signal.SIGTERM, _terminate)
    from odoo.tools import config

    config.parse_config([*base_args(), "--max-cron-threads=0", "--log-level=warn"], setup_logging=True)
    _odoo_ready = True


# ----------------------------------------------------------------------------
# Databases
# ----------------------------------------------------------------------------


@contextmanager
def admin_cursor():
    """An autocommit psycopg2 cursor on the ``postgres`` database."""
    import psycopg2

    from odoo.tools import config

    conn = psycopg2.connect(host=config["db_host"], user=config["db_user"], dbname="postgres")
    conn.autocommit = True
    try:
        with conn.cursor() as cr:
            yield cr
    finally:
        conn.close()


def release_db(name):
    """Forget this process's registry and connections of database ``name``."""
    from odoo.modules.registry import Registry
    from odoo.sql_db import close_db

    Registry.delete(name)
    close_db(name)


def drop_db(name):
    from odoo.tools import config

    release_db(name)
    with admin_cursor() as cr:
        cr.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    shutil.rmtree(config.filestore(name), ignore_errors=True)


def clone_db(template, name):
    """Database ``name``: a copy of ``template`` (with its filestore)."""
    from odoo.tools import config

    drop_db(name)
    log(f"creating database {name} from {template}")
    with admin_cursor() as cr:
        cr.execute(f'CREATE DATABASE "{name}" ENCODING \'unicode\' TEMPLATE "{template}"')
    source = Path(config.filestore(template))
    if source.is_dir():
        shutil.copytree(source, config.filestore(name), dirs_exist_ok=True)


class Databases:
    """Creates ``bench_<metric>_plain`` and ``bench_<metric>_addon`` (or the
    ``kinds`` asked for) from the templates; drops them on exit unless ``keep``."""

    def __init__(self, metric, keep=False, kinds=("plain", "addon")):
        self.plain = f"bench_{metric}_plain" if "plain" in kinds else None
        self.addon = f"bench_{metric}_addon" if "addon" in kinds else None
        self.keep = keep

    def names(self):
        return [name for name in (self.plain, self.addon) if name]

    def __enter__(self):
        if self.plain:
            clone_db(TEMPLATE_PLAIN, self.plain)
        if self.addon:
            clone_db(TEMPLATE_ADDON, self.addon)
        return self

    def __exit__(self, *exc_info):
        for name in self.names():
            if self.keep:
                release_db(name)
                log(f"keeping database {name}")
            else:
                drop_db(name)


@contextmanager
def environment(db, context=None):
    """A superuser environment on ``db``, committed on exit."""
    from odoo import SUPERUSER_ID, api
    from odoo.modules.registry import Registry

    registry = Registry(db)
    with registry.cursor() as cr:
        yield api.Environment(cr, SUPERUSER_ID, dict(context or {}))


def addon_installed(env):
    return "mail.tracking.email" in env.registry
