"""Processes the benchmarks talk to: the SMTP server, Odoo HTTP servers, and HTTP load."""

import http.client
import json
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from .core import PASSWORD, REPO, base_args
from .measure import percentile

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
