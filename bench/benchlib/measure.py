"""Measuring (queries, profiles, times) and the rows of results."""

import json
import os
import statistics
import threading
import time

from .core import ADDON

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
