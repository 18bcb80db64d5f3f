"""Compare the test logs of bin/fidelity: plain Odoo against Odoo with the addon.

Usage: python3 bin/fidelity_report.py LOG_DIR MODULE[,MODULE...] README_DIR
LOG_DIR holds <plain|addon>-<post-install|at-install>.log. Prints, for each module
and run, the tests and failures on each side, then the tests failing only
with the addon; those that README_DIR's fragments name (as
``module.Class.test_method``) are marked as expected. Exit status 1 when some
other test fails only with the addon, or a log is missing.
"""

import re
import sys
from pathlib import Path

SIDES = ("plain", "addon")
RUNS = (("post-install", " post-install"), ("at-install", " at-install"))
#: Odoo's test runner logs each failure as "FAIL: Class.method" or
#: "ERROR: Class.method" (subtests: "Subtest Class.method (params)") with the
#: test module as logger.
FAILURE = re.compile(
    r"^\S+ \S+ \d+ (?:ERROR|CRITICAL) \S+ odoo\.addons\.(?P<module>\w+)\.tests[\w.]*: "
    r"(?:FAIL|ERROR): (?:Subtest )?(?P<test>\S+)"
)
#: Odoo's test runner logs "Starting Class.method ..." once per test run.
STARTED = re.compile(r"^\S+ \S+ \d+ INFO \S+ odoo\.addons\.(?P<module>\w+)\.tests[\w.]*: Starting \S+ \.\.\.")
#: A test the README lists as failing with the addon, for the open pixel, or
#: for the tracking's own queries, with at most ``excess`` over Odoo's count.
EXPECTED = re.compile(r"``(?P<module>\w+)\.(?P<test>\w+\.test_\w+)``(?: \(\+(?P<excess>\d+) quer(?:y|ies)\))?")
#: Odoo's assertQueryCount names the test method and both counts.
QUERY_COUNT = re.compile(
    r"Query count more than expected for user \S+: (?P<got>\d+) > (?P<expected>\d+) in (?P<method>\w+)"
)


#: ``{(log name, method): most queries over Odoo's count}``, filled by ``read_log``.
QUERY_EXCESS = {}


def read_log(path):
    """``({module: tests run}, {module: [failed test, ...]})`` of a log, or
    ``None`` when it is missing."""
    if not path.exists():
        return None
    counts, failures = {}, {}
    for line in path.read_text(errors="replace").splitlines():
        if match := QUERY_COUNT.search(line):
            method, excess = match["method"], int(match["got"]) - int(match["expected"])
            QUERY_EXCESS[path.name, method] = max(QUERY_EXCESS.get((path.name, method), 0), excess)
        elif match := FAILURE.match(line):
            failures.setdefault(match["module"], []).append(match["test"])
        elif match := STARTED.match(line):
            counts[match["module"]] = counts.get(match["module"], 0) + 1
    return counts, failures


def expected_failures(readme_dir):
    """``{(module, Class.method): excess}`` the README lists as failing with
    the addon: ``None`` for the open pixel, else the most queries over
    Odoo's count it may take (an excess never grows)."""
    return {
        (match["module"], match["test"]): int(match["excess"]) if match["excess"] else None
        for fragment in sorted(Path(readme_dir).glob("*.rst"))
        for match in EXPECTED.finditer(fragment.read_text())
    }


def listed(expected, module, run, test):
    """Whether ``test`` fails only as the README says: listed, and by no
    more queries than it lists."""
    if (module, test) not in expected:
        return False
    allowed = expected[module, test]
    excess = QUERY_EXCESS.get((f"addon-{run}.log", test.split(".")[-1]))
    return allowed is None or (excess is not None and excess <= allowed)


def main(log_dir, modules, readme_dir):
    logs = {(side, run): read_log(Path(log_dir) / f"{side}-{run}.log") for side in SIDES for (run, _label) in RUNS}
    missing = [f"{side}-{run}.log" for (side, run), log in logs.items() if log is None]
    expected = expected_failures(readme_dir)
    rows, only_addon = [], []
    for module in modules:
        for run, label in RUNS:
            cells = [f"{module}{label}"]
            failed = {}
            for side in SIDES:
                log = logs[side, run]
                if log is None:
                    cells += ["-", "-"]
                    continue
                counts, failures = log
                failed[side] = failures.get(module, [])
                cells += [str(counts.get(module, 0)), str(len(failed[side]))]
            rows.append(cells)
            if len(failed) == 2:
                plain = set(failed["plain"])
                only_addon += [
                    (module, run, test) for test in sorted(set(failed["addon"])) if test.split(" ")[0] not in plain
                ]
    header = ["suite", "plain tests", "plain failed", "addon tests", "addon failed"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]
    for row in [header, *rows]:
        print(
            "  ".join(
                cell.ljust(width) if i == 0 else cell.rjust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            )
        )
    unexpected = [item for item in only_addon if not listed(expected, *item)]
    print(
        f"\nFailing only with the addon: {len(only_addon)} ({len(only_addon) - len(unexpected)} listed in the README)"
    )
    for module, run, test in only_addon:
        excess = QUERY_EXCESS.get((f"addon-{run}.log", test.split(".")[-1]))
        note = f"  (query count +{excess})" if excess else ""
        if listed(expected, module, run, test):
            note += "  (listed in the README)"
        elif (module, test) in expected:
            note += f"  (the README allows +{expected[module, test]})"
        print(f"  {module} [{run}] {test}{note}")
    for name in missing:
        print(f"missing log: {name}")
    return 1 if unexpected or missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2].split(","), sys.argv[3]))
