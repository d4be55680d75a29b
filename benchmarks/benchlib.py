"""Shared plumbing for the benchmarks: a throwaway SQLite database per benchmark, timing statistics and the
small JSON/Markdown result format that `run.py` collects.

Every benchmark process calls `setup_django(name)` before importing any app module: it points TIDU_VAR_DIR and
TIDU_DATABASE_URL at a fresh temporary directory, forces the immediate task backend and DEBUG off, then runs
`migrate` and `createcachetable`. Nothing is read from or written to the project's own var/ database."""

import argparse
import atexit
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # one BLAS thread, as tidu/__init__.py sets for the platform

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
OUT = HERE / "out"
STARTED = time.monotonic()


def log(message: str) -> None:
    print(f"[{time.monotonic() - STARTED:7.1f}s] {message}", flush=True)


def parser(description: str) -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(description=description)
    p.add_argument("--json", type=Path, help="also write the result as JSON here (used by run.py)")
    p.add_argument("--workdir", type=Path, help="use (and keep) this directory for the database instead of a temp dir")
    p.add_argument("--keep", action="store_true", help="keep the temporary directory afterwards")
    return p


def setup_django(name: str, workdir: Path | None = None, keep: bool = False, database_url: str | None = None) -> Path:
    """Environment first, then django.setup(), then the schema. Returns the directory holding the database (the
    var directory when `database_url` names a PostgreSQL database: see `postgres_database`)."""
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix=f"tidu-bench-{name}-"))
        if not keep:
            atexit.register(shutil.rmtree, workdir, ignore_errors=True)
    workdir.mkdir(parents=True, exist_ok=True)
    os.environ["TIDU_VAR_DIR"] = str(workdir)
    os.environ["TIDU_DATABASE_URL"] = database_url or f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["TIDU_TASKS_BACKEND"] = "immediate"
    os.environ["TIDU_DEBUG"] = "0"
    os.environ.pop("TIDU_REDIS_URL", None)  # the database cache, like a laptop install
    os.environ.pop("TIDU_MEDIA_ROOT", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tidu.settings"
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)

    import django
    from django.conf import settings
    from django.core.management import call_command

    django.setup()
    if database_url:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql"
    else:
        assert settings.DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3"
        assert Path(settings.DATABASES["default"]["NAME"]).parent == workdir
    assert not settings.DEBUG
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    log(f"{name}: schema ready in {workdir}")
    return workdir


def postgres_database(url: str, *, keep: bool) -> bool:
    """Create the PostgreSQL database named by `url` if it is missing; with `keep`, an existing one is reused (a
    seeded archive survives between runs, as a --workdir SQLite file does), without it the database is created afresh
    and dropped at exit. Returns True when an existing database was kept."""
    import psycopg

    server, database = url.rsplit("/", 1)
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [database]).fetchone() is not None
        if exists and not keep:
            conn.execute(f'DROP DATABASE "{database}"')
        if not (exists and keep):
            conn.execute(f'CREATE DATABASE "{database}"')
    if not keep:
        atexit.register(_drop_postgres_database, server, database)
    return exists and keep


def _drop_postgres_database(server: str, database: str) -> None:
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{server}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}"')


def postgres_reachable(url: str) -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{url.rsplit('/', 1)[0]}/postgres", connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means: not reachable
        return False


def median(values: list[float]) -> float:
    return statistics.median(values)


def p95(values: list[float]) -> float:
    """Nearest-rank 95th percentile: with 50 samples, the 48th smallest."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.95 * len(ordered)) - 1)]


def row(benchmark: str, measure: str, samples: list[float], unit: str, target: float | None = None,
        target_on: str = "median", show_p95: bool = True) -> dict:
    """One line of the summary table; `target` is an upper bound checked against the median or the p95."""
    result = {
        "benchmark": benchmark, "measure": measure, "unit": unit, "n": len(samples),
        "median": median(samples), "p95": p95(samples) if show_p95 and len(samples) > 1 else None,
        "target": target, "target_on": target_on,
    }
    if target is not None:
        value = result["p95"] if target_on == "p95" and result["p95"] is not None else result["median"]
        result["met"] = value <= target
    return result


def _fmt(value: float | None, unit: str) -> str:
    if value is None:
        return "–"
    if unit == "ms":
        return f"{value:.1f} ms"
    if unit == "s":
        return f"{value:.2f} s"
    return f"{value:g} {unit}".strip()


def table(rows: list[dict]) -> str:
    lines = ["| Benchmark | Measure | n | Median | p95 | Target | Met |", "|---|---|---:|---:|---:|---|---|"]
    for r in rows:
        target = f"≤ {_fmt(r['target'], r['unit'])} ({r['target_on']})" if r.get("target") is not None else ""
        met = "" if "met" not in r else ("yes" if r["met"] else "**NO**")
        lines.append(f"| {r['benchmark']} | {r['measure']} | {r['n']} | {_fmt(r['median'], r['unit'])} | "
                     f"{_fmt(r.get('p95'), r['unit'])} | {target} | {met} |")
    return "\n".join(lines)


def finish(result: dict, json_path: Path | None, name: str) -> None:
    """Print the benchmark's table and details; write JSON for run.py and Markdown next to results.md."""
    result["seconds"] = round(time.monotonic() - STARTED, 1)
    text = f"## {result['title']}\n\n{table(result['rows'])}\n\n{result.get('details', '')}".rstrip() + "\n"
    print()
    print(text, flush=True)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"{name}.md").write_text(text, encoding="utf-8")
    if json_path:
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(json.dumps(result, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
