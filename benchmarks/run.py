"""Run every benchmark, each in its own process with its own throwaway SQLite database, then print a Markdown table
of the medians and write it, with each benchmark's details and query plans, to benchmarks/out/results.md.

    .venv/bin/python benchmarks/run.py            # what `make bench` runs (about 8–10 minutes)
    .venv/bin/python benchmarks/run.py --quick    # smaller scale, a smoke test of the harness (about 1 minute)
    .venv/bin/python benchmarks/run.py --only list

All data is synthetic. The list benchmark runs first because its cost is fixed (seeding 300,000 enterprises); the
import benchmark then repeats its run three times only when that fits in what is left of a 15-minute budget."""

import argparse
import datetime as dt
import json
import os
import platform
import sqlite3
import subprocess
import sys
import time
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402 -- after the path line, so that `python benchmarks/run.py` finds it

TOTAL_BUDGET_S = 15 * 60 - 60  # keep a minute in hand
IMPORT_BUDGET_S = 600
ORDER = {  # run order
    "list": "bench_list",
    "questionnaire": "bench_questionnaire",
    "import": "bench_import",
    "assessment-import": "bench_assessment_import",
    "monitoring": "bench_monitoring",
}
SHOWN = ["bench_import", "bench_assessment_import", "bench_questionnaire", "bench_list", "bench_monitoring"]
QUICK = {
    "bench_list": ["--enterprises", "30000", "--requests", "20"],
    "bench_import": ["--rows", "10000"],
    "bench_assessment_import": ["--rows", "5000", "--runs", "1"],
    "bench_questionnaire": ["--requests", "10"],
    "bench_monitoring": ["--enterprises", "20000", "--assessments", "60000", "--runs", "2"],
}


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=sorted(ORDER), action="append", help="run only this benchmark (repeatable)")
    p.add_argument("--quick", action="store_true", help="smaller scale, for checking the harness")
    args = p.parse_args()
    started = time.monotonic()
    benchlib.OUT.mkdir(parents=True, exist_ok=True)
    outcomes: dict[str, dict] = {}
    for key, name in ORDER.items():
        if args.only and key not in args.only:
            continue
        target = benchlib.OUT / f"{name}.json"
        target.unlink(missing_ok=True)
        command = [sys.executable, str(HERE / f"{name}.py"), "--json", str(target)]
        if args.quick:
            command += QUICK[name]
        if name == "bench_import":
            left = TOTAL_BUDGET_S - (time.monotonic() - started)
            command += ["--budget", str(int(max(0, min(IMPORT_BUDGET_S, left))))]
        print(f"\n=== {name}: {' '.join(command[1:])}", flush=True)
        begun = time.monotonic()
        code = subprocess.run(command, cwd=benchlib.ROOT, check=False).returncode  # noqa: S603
        seconds = time.monotonic() - begun
        if code == 0 and target.exists():
            outcomes[name] = json.loads(target.read_text(encoding="utf-8"))
        else:
            outcomes[name] = {"failed": True, "code": code}
        outcomes[name]["wall"] = seconds
        print(f"=== {name}: {'failed with exit code ' + str(code) if code else 'done'} in {seconds:.0f} s", flush=True)

    total = time.monotonic() - started
    text = report(outcomes, total, args.quick)
    (benchlib.OUT / "results.md").write_text(text, encoding="utf-8")
    rows = [r for name in SHOWN if name in outcomes for r in outcomes[name].get("rows", [])]
    print("\n" + benchlib.table(rows))
    for name in SHOWN:
        for scan in outcomes.get(name, {}).get("full_scans", []):
            print(f"PLAN WARNING: {scan}")
        for note in outcomes.get(name, {}).get("notes", []):
            print(f"PLAN NOTE: {note}")
    failed = [name for name, o in outcomes.items() if o.get("failed")]
    for name in failed:
        print(f"FAILED: {name} (exit code {outcomes[name]['code']}); see its output above")
    print(f"\nTotal runtime {total / 60:.1f} min. Written to {benchlib.OUT / 'results.md'}")
    return 1 if failed else 0


def report(outcomes: dict, total: float, quick: bool) -> str:
    rows = [r for name in SHOWN if name in outcomes for r in outcomes[name].get("rows", [])]
    try:
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        load = "?"
    lines = [
        "# Tidu benchmarks" + (" (quick, reduced scale)" if quick else ""),
        "",
        f"{dt.datetime.now().astimezone():%Y-%m-%d %H:%M %Z} · Python {platform.python_version()} · "
        f"Django {version('django')} · SQLite {sqlite3.sqlite_version} · {os.cpu_count()} CPUs · "
        f"load average at the end {load} · total runtime {total / 60:.1f} min.",
        "",
        "Synthetic data only: every enterprise, name, credit code and contact is generated; the regions and "
        "industries are the reference data loaded by `migrate`. Each benchmark ran in its own process on its own "
        "throwaway SQLite database.",
        "",
        benchlib.table(rows),
        "",
    ]
    for name in SHOWN:
        outcome = outcomes.get(name)
        if outcome is None:
            continue
        if outcome.get("failed"):
            failure = f"**Failed** with exit code {outcome['code']} after {outcome['wall']:.0f} s."
            lines += [f"## {name}", "", failure, ""]
            continue
        lines += [f"## {outcome['title']}", "", f"Wall time of the benchmark process: {outcome['wall']:.0f} s.", "",
                  outcome.get("details", ""), ""]
    return "\n".join(lines)


if __name__ == "__main__":
    sys.exit(main())
