"""Shared helpers of the benchmark scripts (bench/bench_*.py).

The scripts run as plain Python processes started by bin/bench, which passes
the Odoo options of bin/common.sh (addons path, private PostgreSQL socket,
data dir) in the environment variable BENCH_ODOO_ARGS (a JSON list, without
-d / --db-filter), and where to append result rows in BENCH_RESULTS (a JSON
lines file). Nothing here talks to anything but 127.0.0.1 and the private
PostgreSQL socket; every loop is bounded in count and in time.
"""

import argparse
import http.client
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
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


# ----------------------------------------------------------------------------
# Measuring
# ----------------------------------------------------------------------------


class Counter:
    """Wall time and SQL queries of a block run on ``cr``."""

    def __init__(self, cr):
        self.cr = cr
        self.queries = 0
        self.seconds = 0.0

    def __enter__(self):
        self._q0 = self.cr.sql_log_count
        self._t0 = time.perf_counter()
        return self

    def __exit__(self, *exc_info):
        self.seconds = time.perf_counter() - self._t0
        self.queries = self.cr.sql_log_count - self._q0


class QueryCapture:
    """Records the SQL queries run by this thread (Odoo's ``query_hooks``),
    normalized (literals replaced by ``?``), each with the innermost frame of
    the addon (or, failing that, of Odoo's addons) that issued it; with
    ``raw``, also each query with its parameters and its duration."""

    def __init__(self, raw=False):
        self.raw = raw
        self.queries = []
        self.timed = []  # [[sql with parameters, seconds]]

    def _hook(self, cr, query, params, start, depth):
        text = query.decode() if isinstance(query, bytes) else str(query)
        self.queries.append((normalize_sql(text), query_origin()))
        if not self.raw:
            return None
        try:
            full = cr.mogrify(query, params).decode()
        except Exception:
            full = text
        entry = [full, 0.0]
        self.timed.append(entry)

        def done(delay):
            entry[1] = delay

        return done

    def __enter__(self):
        thread = threading.current_thread()
        self._previous = getattr(thread, "query_hooks", ())
        thread.query_hooks = (*self._previous, self._hook)
        return self

    def __exit__(self, *exc_info):
        threading.current_thread().query_hooks = self._previous

    def slowest(self):
        """(sql, seconds) of the slowest query recorded with ``raw``."""
        return max(self.timed, key=lambda entry: entry[1]) if self.timed else None

    def extra_over(self, other):
        """``[(count, query, origin)]``: what this capture ran more than ``other``."""
        import collections

        mine = collections.Counter(query for query, _origin in self.queries)
        theirs = collections.Counter(query for query, _origin in other.queries)
        origins = {}
        for query, origin in self.queries:
            origins.setdefault(query, collections.Counter())[origin] += 1
        extra = mine - theirs
        return sorted(
            ((count, query, origins[query].most_common(1)[0][0]) for query, count in extra.items()),
            key=lambda item: -item[0],
        )


def normalize_sql(text):
    """A query's shape: literals as ``?``, column lists elided (the addon's
    extra columns on a model do not make a query another one)."""
    import re

    text = re.sub(r"\s+", " ", text).strip()
    text = re.sub(r"'(?:[^']|'')*'", "?", text)
    text = re.sub(r"\b\d+(\.\d+)?\b", "?", text)
    text = re.sub(r"(\?\s*,\s*)+\?", "?", text)
    text = re.sub(r"^SELECT (?!.*\bFROM\b.*\bFROM\b).*? FROM ", "SELECT … FROM ", text)
    text = re.sub(r'^INSERT INTO ("\w+") \(.*?\) VALUES.*?( RETURNING .*)?$', r"INSERT INTO \1 (…) VALUES …\2", text)
    text = re.sub(r'^UPDATE ("\w+") SET .*? (FROM|WHERE) ', r"UPDATE \1 SET … \2 ", text)
    text = re.sub(r'AS "__tmp"\(.*?\)', 'AS "__tmp"(…)', text)
    return text


def query_origin():
    """Where a query comes from: the innermost frame of the addon, else of an
    Odoo addon, else of the ORM."""
    import traceback

    frames = [frame for frame in traceback.extract_stack()[:-3] if "/bench/" not in frame.filename]
    for marker in (f"/{ADDON}/", "/addons/", "/odoo/"):
        for frame in reversed(frames):
            if (
                marker in frame.filename
                and "/tests/" not in frame.filename
                and not frame.filename.endswith("sql_db.py")
            ):
                path = frame.filename.rsplit(marker, 1)[1]
                return f"{path}:{frame.lineno} {frame.name}()"
    return "?"


def describe_extra(extra, limit=10, width=150):
    """One line per extra query kind: ``+N × query … (origin)``."""
    parts = []
    for count, query, origin in extra[:limit]:
        short = query if len(query) <= width else query[: width - 1] + "…"
        parts.append(f"+{count} × `{short}` ({origin})")
    if len(extra) > limit:
        parts.append(f"and {len(extra) - limit} more kinds")
    return "; ".join(parts) if parts else "none"


def profile_addon(func, top=6):
    """Run ``func()`` under cProfile: ``(seconds, [(cumulative seconds, "file:line name()")])``
    for the addon's functions that took the most time, outermost first."""
    import cProfile
    import pstats

    profile = cProfile.Profile()
    t0 = time.perf_counter()
    profile.enable()
    try:
        func()
    finally:
        profile.disable()
    seconds = time.perf_counter() - t0
    marker = f"/{ADDON}/"
    functions = [
        (cumulative, f"{filename.rsplit(marker, 1)[1]}:{line} {name}()")
        for (filename, line, name), (_cc, _nc, _tt, cumulative, _callers) in pstats.Stats(profile).stats.items()
        if marker in filename and "/bench/" not in filename
    ]
    functions.sort(reverse=True)
    return seconds, functions[:top]


def describe_profile(functions):
    return "; ".join(f"{name} {seconds * 1000:.0f} ms" for seconds, name in functions) or "none"


def percentile(values, pct):
    """Nearest-rank percentile of ``values`` (pct in 0..100)."""
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    rank = max(1, min(len(ordered), round(pct / 100 * len(ordered) + 0.5)))
    return ordered[rank - 1]


def median(values):
    return statistics.median(values) if values else float("nan")


def timed_runs(func, runs, warmup=2, before=None):
    """Run ``func`` ``warmup`` then ``runs`` times; the measured durations (s).
    ``before`` runs untimed before each call (e.g. to clear the ORM cache)."""
    durations = []
    for index in range(warmup + runs):
        if before:
            before()
        t0 = time.perf_counter()
        func()
        if index >= warmup:
            durations.append(time.perf_counter() - t0)
    return durations


# ----------------------------------------------------------------------------
# Results
# ----------------------------------------------------------------------------


def fmt(value, unit="", digits=1):
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and digits == 0):
        return f"{int(value)}{unit}"
    return f"{value:.{digits}f}{unit}"


def result(metric, name, plain, addon, compare, budget, status, note=""):
    """Append one row of the results table (and print it)."""
    row = {
        "metric": metric,
        "name": name,
        "plain": plain,
        "addon": addon,
        "compare": compare,
        "budget": budget,
        "status": status,
        "note": note,
    }
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps(row) + "\n")
    print(f"{metric:8} | {name:52} | {plain:>14} | {addon:>14} | {compare:>10} | {budget:26} | {status}", flush=True)


def note(metric, text):
    """Append a free-text finding (diagnosis) to the results."""
    path = os.environ.get("BENCH_RESULTS")
    if path:
        with open(path, "a", encoding="utf-8") as file:
            file.write(json.dumps({"metric": metric, "diagnosis": text}) + "\n")
    print(f"{metric}: {text}", flush=True)


def verdict(ok):
    return "PASS" if ok else "FAIL"


# ----------------------------------------------------------------------------
# SMTP sink (separate process)
# ----------------------------------------------------------------------------


class SmtpSink:
    """The project's SMTP server (tests/smtp_server.py --control) in a child
    process of its own on 127.0.0.1, so that it takes no CPU time (GIL) from
    the Odoo process being measured."""

    def __enter__(self):
        self.proc = subprocess.Popen(
            [sys.executable, str(REPO / "tests" / "smtp_server.py"), "--control"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        line = self._readline(10)
        if not line.startswith("port "):
            self.__exit__()
            raise RuntimeError(f"SMTP sink did not start: {line!r}")
        self.port = int(line.split()[1])
        return self

    def _readline(self, timeout):
        box = []
        reader = threading.Thread(target=lambda: box.append(self.proc.stdout.readline()), daemon=True)
        reader.start()
        reader.join(timeout)
        if not box:
            raise RuntimeError("SMTP sink does not answer")
        return box[0].strip()

    def command(self, text):
        self.proc.stdin.write(text + "\n")
        self.proc.stdin.flush()
        return self._readline(10)

    def count(self):
        """``{"messages": n, "rcpts": n, "domains": {domain: rcpts}}`` since the last reset."""
        return json.loads(self.command("count"))

    def reset(self):
        self.command("reset")

    def __exit__(self, *exc_info):
        try:
            self.proc.stdin.write("quit\n")
            self.proc.stdin.close()
        except (BrokenPipeError, ValueError):
            pass
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)


# ----------------------------------------------------------------------------
# Data set-up through the ORM
# ----------------------------------------------------------------------------


def create_user(env, login, name, groups=("base.group_user", "base.group_partner_manager")):
    Users = env["res.users"].with_context(no_reset_password=True, mail_create_nosubscribe=True)
    field = "group_ids" if "group_ids" in Users._fields else "groups_id"
    return Users.create(
        {
            "name": name,
            "login": login,
            "email": f"{login}@bench.example.com",
            "password": PASSWORD,
            "notification_type": "email",
            field: [(6, 0, [env.ref(xmlid).id for xmlid in groups])],
        }
    )


def setup_mail(env, smtp_port):
    """Outgoing mail through the sink: one active mail server on 127.0.0.1."""
    env["ir.mail_server"].search([]).active = False
    env["ir.mail_server"].create(
        {"name": "Bench sink", "smtp_host": "127.0.0.1", "smtp_port": smtp_port, "smtp_encryption": "none"}
    )
    env.company.email = "company@bench.example.com"
    env["ir.config_parameter"].set_param("web.base.url", "http://127.0.0.1:8069")


def setup_chatter(env, recipients=5, author_login="bench_author", domain="bench.example.com"):
    """(author user, recipient partners): the people of a chatter flow."""
    author = create_user(env, author_login, "Bench Author")
    partners = env["res.partner"].create(
        [{"name": f"Recipient {i}", "email": f"recipient{i}@{domain}"} for i in range(recipients)]
    )
    return author, partners


def create_record(env, name):
    """A record with a chatter and no follower (only the recipients we name
    get the emails)."""
    return (
        env["res.partner"]
        .with_context(mail_create_nosubscribe=True, mail_create_nolog=True)
        .create({"name": name, "email": f"{name.lower().replace(' ', '.')}@bench.example.com"})
    )


def post(record, author, partners, index):
    """A comment on ``record`` by ``author`` notifying ``partners`` by email,
    kept in the mail queue."""
    return (
        record.with_user(author)
        .with_context(mail_notify_force_send=False)
        .message_post(
            body=f"<p>Bench message {index}: hello, here is the quote you asked for.</p>",
            subject=f"Bench subject {index}",
            partner_ids=partners.ids,
            message_type="comment",
            subtype_xmlid="mail.mt_comment",
        )
    )


def send_queue(env):
    env["mail.mail"].sudo().search([("state", "=", "outgoing")]).send()


def post_and_send(env, record, author, partners, count):
    """Post ``count`` messages and send the queue; committed."""
    for index in range(count):
        post(record, author, partners, index)
    env.cr.commit()
    send_queue(env)
    env.cr.commit()


# ----------------------------------------------------------------------------
# Odoo HTTP server processes
# ----------------------------------------------------------------------------


def free_port():
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class OdooServer:
    """``python3 -m odoo server`` on database ``db``, threaded (--workers=0)
    unless ``args`` say otherwise, listening on 127.0.0.1; log in ``log_path``."""

    def __init__(self, db, log_path, start_timeout=90, args=()):
        self.db = db
        self.port = free_port()
        self.log_path = Path(log_path)
        self.start_timeout = start_timeout
        self.args = list(args)

    def __enter__(self):
        self.log_path.parent.mkdir(parents=True, exist_ok=True)
        self._log = open(self.log_path, "w", encoding="utf-8")
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "odoo",
                "server",
                *base_args(),
                "-d",
                self.db,
                f"--db-filter=^{self.db}$",
                f"--http-port={self.port}",
                *([] if any(arg.startswith("--workers") for arg in self.args) else ["--workers=0"]),
                "--max-cron-threads=0",
                "--log-level=info",
                *self.args,
            ],
            stdout=self._log,
            stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + self.start_timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"Odoo server on {self.db} exited, see {self.log_path}")
            try:
                if http_get(self.port, "/web/health", timeout=2)[0] == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        self.__exit__()
        raise RuntimeError(f"Odoo server on {self.db} did not answer in {self.start_timeout}s")

    def rss_mb(self):
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
        return float("nan")

    def requests_logged(self, path_prefix):
        """(query count, query time, other time) of each request logged by
        the werkzeug logger (Odoo's perf info) whose path starts with
        ``path_prefix``, in log order."""
        self._log.flush()
        rows = []
        with open(self.log_path, encoding="utf-8", errors="replace") as file:
            for line in file:
                if " werkzeug: " not in line or not any(
                    f'"{method} {path_prefix}' in line for method in ("GET", "POST")
                ):
                    continue
                parts = line.split()
                try:
                    rows.append((int(parts[-3]), float(parts[-2]), float(parts[-1])))
                except (ValueError, IndexError):
                    continue
        return rows

    def __exit__(self, *exc_info):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self._log.close()


def http_get(port, path, timeout=30, headers=None):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read()
    finally:
        conn.close()


class JsonRpcClient:
    """A web client session on one server: authenticate, then call routes."""

    def __init__(self, port, timeout=60):
        self.port = port
        self.timeout = timeout
        self.cookie = None

    def call(self, path, params):
        body = json.dumps({"jsonrpc": "2.0", "method": "call", "id": 1, "params": params})
        headers = {"Content-Type": "application/json"}
        if self.cookie:
            headers["Cookie"] = self.cookie
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
        try:
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            payload = response.read()
            for header, value in response.getheaders():
                if header.lower() == "set-cookie" and value.startswith("session_id="):
                    self.cookie = value.split(";", 1)[0]
        finally:
            conn.close()
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        data = json.loads(payload)
        if "error" in data:
            raise RuntimeError(f"{path}: {data['error'].get('data', {}).get('message') or data['error']}")
        return data["result"]

    def authenticate(self, db, login, password=PASSWORD):
        return self.call("/web/session/authenticate", {"db": db, "login": login, "password": password})


USER_AGENTS = (
    "Mozilla/5.0 (Windows NT 5.1; rv:11.0) Gecko Firefox/11.0 (via ggpht.com GoogleImageProxy)",
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Thunderbird/128.3.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36",
)


def load(port, paths, concurrency=8, timeout=30, max_seconds=300):
    """GET each of ``paths`` once, from ``concurrency`` client threads that
    each take the next path as soon as they are free (a fresh connection per
    request: Odoo's threaded server speaks HTTP/1.0). Bounded by the number of
    paths and by ``max_seconds``. Returns requests/s, latencies and statuses."""
    lock = threading.Lock()
    state = {"next": 0}
    latencies, statuses, errors = [], {}, []
    timings = [None] * len(paths)  # (start, end) of each request, time.monotonic()
    answers = [None] * len(paths)  # the status of each request, None without an answer
    deadline = time.monotonic() + max_seconds

    def client(number):
        while time.monotonic() < deadline:
            with lock:
                index = state["next"]
                state["next"] += 1
            if index >= len(paths):
                return
            headers = {"User-Agent": USER_AGENTS[(index + number) % len(USER_AGENTS)]}
            t0 = time.perf_counter()
            start = time.monotonic()
            try:
                status, _body = http_get(port, paths[index], timeout=timeout, headers=headers)
            except OSError as error:
                with lock:
                    errors.append(repr(error))
                continue
            elapsed = time.perf_counter() - t0
            timings[index] = (start, time.monotonic())
            answers[index] = status
            with lock:
                latencies.append(elapsed)
                statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(concurrency)]
    t0 = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(max(0.0, deadline - time.monotonic()) + timeout + 5)
    wall = time.perf_counter() - t0
    done = len(latencies)
    return {
        "requests": done,
        "errors": errors,
        "statuses": statuses,
        "wall": wall,
        "rps": done / wall if wall else float("nan"),
        "p50": percentile(latencies, 50),
        "p99": percentile(latencies, 99),
        "max": max(latencies) if latencies else float("nan"),
        "complete": done == len(paths) and not errors,
        "timings": timings,
        "answers": answers,
        "latencies": latencies,
    }


# ----------------------------------------------------------------------------
# Open pixel
# ----------------------------------------------------------------------------


def pixel_paths(env, trackings):
    """``{tracking id: URL path}``: the open pixel of each tracking as the
    addon writes it into emails (``_tracking_img``), else as its route reads it."""
    import html
    import re
    from urllib.parse import urlsplit

    paths = {}
    base_url = trackings.sudo()._tracking_img_base_url() or "http://localhost"
    for tracking in trackings.sudo():
        if hasattr(tracking, "_tracking_img"):
            match = re.search(r'src="([^"]+)"', str(tracking._tracking_img(base_url)))
            paths[tracking.id] = urlsplit(html.unescape(match.group(1))).path
        else:
            paths[tracking.id] = f"/mail/tracking/open/{env.cr.dbname}/{tracking.id}/{tracking.token}/blank.gif"
    return paths


def perf_summary(rows):
    """Medians of Odoo's perf info (queries, SQL ms, other ms) of logged requests."""
    if not rows:
        return None
    return {
        "queries": median([row[0] for row in rows]),
        "sql_ms": median([row[1] for row in rows]) * 1000,
        "other_ms": median([row[2] for row in rows]) * 1000,
        "count": len(rows),
    }
