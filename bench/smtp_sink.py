#!/usr/bin/env python3
"""SMTP sink for the benchmarks, in a process of its own so that it takes no
CPU time (GIL) from the Odoo process being measured.

It runs the addon's small threaded SMTP server (tests/smtp_server.py, loaded
by path) on 127.0.0.1, prints ``port <P>`` on stdout, then answers commands
read on stdin, one per line: ``count`` (JSON: messages accepted since the last
``reset``, their RCPT count, RCPT count per recipient domain), ``reset``, ``quit``. It also quits when
stdin closes, so it never outlives the benchmark that started it.
"""

import importlib.util
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def load_smtp_server():
    path = REPO / "tests" / "smtp_server.py"
    spec = importlib.util.spec_from_file_location("bench_smtp_server", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.SMTPServer


def main():
    SMTPServer = load_smtp_server()
    with SMTPServer() as server:
        print(f"port {server.port}", flush=True)
        for line in sys.stdin:
            command = line.strip()
            if command == "count":
                envelopes = list(server.envelopes)
                domains = {}
                for envelope in envelopes:
                    for rcpt in envelope.rcpt_tos:
                        domain = rcpt.rpartition("@")[2].lower()
                        domains[domain] = domains.get(domain, 0) + 1
                counts = {"messages": len(envelopes), "rcpts": sum(domains.values()), "domains": domains}
                print(json.dumps(counts), flush=True)
            elif command == "reset":
                server.envelopes.clear()
                print("ok", flush=True)
            elif command == "quit":
                break
            else:
                print(f"error unknown command {command!r}", flush=True)


if __name__ == "__main__":
    main()
