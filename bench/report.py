#!/usr/bin/env python3
"""Turns the rows the bench scripts appended to a JSON lines file into the
results table (Markdown), printed and optionally written to a file (bench/RESULTS.md)."""

import argparse
import json
import os
import platform
import subprocess
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
HEADER = ("Metric", "Measure", "Plain Odoo", "With addon", "Ratio / Δ", "Budget", "Result")


def git(*args):
    try:
        return subprocess.run(
            ["git", "-C", str(REPO), *args], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def environment():
    cpu = "?"
    try:
        with open("/proc/cpuinfo", encoding="ascii", errors="replace") as file:
            cpu = next(line.split(":", 1)[1].strip() for line in file if line.startswith("model name"))
    except (OSError, StopIteration):
        pass
    try:
        import odoo.release

        odoo_version = odoo.release.version
    except ImportError:
        odoo_version = "?"
    dirty = git("status", "--porcelain", "--", ".", ":(exclude)bench", ":(exclude)bin/bench")
    commit = git("rev-parse", "--short", "HEAD")
    return [
        f"addon commit {commit}" + (" + uncommitted changes in the working tree" if dirty else ""),
        f"Odoo {odoo_version}, Python {platform.python_version()}, {os.cpu_count()} CPU ({cpu})",
    ]


def cell(text):
    return str(text).replace("|", "\\|").replace("\n", " ")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--results", required=True)
    parser.add_argument("--command", required=True)
    parser.add_argument("--seconds", type=int)
    parser.add_argument("--output")
    args = parser.parse_args()
    rows, diagnoses, crashes, loads = [], [], [], []
    for line in Path(args.results).read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        if "diagnosis" in item:
            diagnoses.append(item)
        elif "crash" in item:
            crashes.append(item)
        elif "load" in item:
            loads.append(item)
        else:
            rows.append(item)

    table = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    for row in rows:
        measure = row["name"] + (f" ({row['note']})" if row.get("note") else "")
        values = (row["metric"], measure, row["plain"], row["addon"], row["compare"], row["budget"], row["status"])
        table.append("| " + " | ".join(cell(value) for value in values) + " |")
    counts = {status: sum(row["status"] == status for row in rows) for status in ("PASS", "FAIL")}
    summary = f"{counts['PASS']} budgets met, {counts['FAIL']} missed"
    if crashes:
        summary += f", {len(crashes)} metric(s) did not complete"

    lines = [
        "# Benchmark results",
        "",
        "Produced by:",
        "",
        "```",
        args.command,
        "```",
        "",
        f"Run on {time.strftime('%Y-%m-%d %H:%M %Z')}"
        + (f" in {args.seconds // 60} min {args.seconds % 60} s" if args.seconds is not None else "")
        + "; "
        + "; ".join(environment())
        + ".",
        "",
        '"Plain Odoo" is the same flow on a database with only `mail` installed (`mail` and `mass_mailing` for the mailing metric), in the same run. '
        "INFO rows are context, without a budget.",
        "",
        *(
            [
                "Time and 1-minute load average of the machine (2 cores; other processes may run) per metric: "
                + ", ".join(f"{item['metric']} {item['seconds']} s (load {item['load']})" for item in loads)
                + ".",
                "",
            ]
            if loads
            else []
        ),
        f"**{summary}.**",
        "",
        *table,
        "",
    ]
    if crashes:
        lines += ["## Metrics that did not complete", ""]
        lines += [f"- **{item['metric']}**: {item['crash']}" for item in crashes]
        lines.append("")
    if diagnoses:
        lines += ["## Findings", ""]
        lines += [f"- **{item['metric']}**: {item['diagnosis']}" for item in diagnoses]
        lines.append("")
    text = "\n".join(lines)
    print(text)
    if args.output:
        Path(args.output).write_text(text, encoding="utf-8")


if __name__ == "__main__":
    main()
