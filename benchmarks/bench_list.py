"""Benchmark: the enterprise list page (/enterprises/) over 300,000 synthetic enterprises, on SQLite and PostgreSQL.

The archive is built once with `seed_demo(province="36", enterprises=300000, seed=1, ...)` — synthetic demo data
only — then a label is topped up so that a county + industry + label filter has at least a full page of matches.
Each scenario is requested through Django's test Client (force_login, DEBUG off): a few warm-up requests, one
request with its queries captured, then 50 timed requests (wall and CPU time). The captured queries are then run
directly through a cursor 50 times — the page's bare SQL — and both are printed side by side.

    .venv/bin/python benchmarks/bench_list.py [--engine sqlite|postgresql|both] [--enterprises 300000]
                                              [--requests 50] [--workdir DIR]

PostgreSQL: the database tidu_bench_list at 127.0.0.1:5432 (TIDU_BENCH_PG_URL overrides), created by the bench,
ANALYZEd after loading; kept for reuse with --workdir or --keep, dropped otherwise.
"""

import importlib
import inspect
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

import benchlib
from benchlib import log

NAME = "bench_list"
PASSWORD = "Bench-pass-2026!"
TARGET_P95_MS = 40.0
TARGET_RATIO = 3.0  # the page's p95 over the p95 of its own queries run bare
PG_URL = os.environ.get("TIDU_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/tidu_bench_list")
LABEL = "specialised-sme"  # 专精特新中小企业
MIN_MATCHES = 60  # more than one page (50 rows)
DEMO_WAIT_S = 15 * 60
FULL_SCAN = re.compile(r"^SCAN (\S+)$")  # a table read from end to end, no index at all
INDEX_SCAN = re.compile(r"^SCAN (\S+) USING (?:COVERING )?INDEX (\S+)")  # a whole index walked in order
PG_SEQ_SCAN = re.compile(r"^Seq Scan on (\S+)")
DECLARE = re.compile(r"^DECLARE\s+\S+\s+.*?CURSOR\s+(?:WITH(?:OUT)?\s+HOLD\s+)?FOR\s+(.*)$", re.DOTALL)


def import_demo():
    """enterprises.demo is being finished by a colleague: wait for it (one minute at a time, 15 minutes at most)."""
    deadline = time.monotonic() + DEMO_WAIT_S
    while True:
        try:
            module = importlib.import_module("enterprises.demo")
            if callable(getattr(module, "seed_demo", None)):
                return module
            problem = "enterprises.demo has no seed_demo yet"
        except Exception as exc:  # a half-written module may fail in any way
            problem = f"{type(exc).__name__}: {exc}"
            sys.modules.pop("enterprises.demo", None)
        if time.monotonic() > deadline:
            raise SystemExit(f"enterprises.demo is still not importable after 15 minutes: {problem}")
        log(f"waiting for enterprises.demo ({problem}); retrying in 60 s")
        time.sleep(60)


# ------------------------------------------------------------------------------------------------ data


def build_archive(enterprises: int, reseed: bool) -> dict:
    from accounts.models import User
    from enterprises.models import Enterprise

    have = Enterprise.objects.filter(is_synthetic=True).count()
    if not reseed and have == enterprises and User.objects.filter(username__in=["province", "county"]).count() == 2:
        log(f"reusing the existing archive of {have:,} synthetic enterprises")
        return {"reused": True, "seconds": None}
    demo = import_demo()
    step = max(enterprises // 10, 1)
    shown = [0]

    def progress(done: int, total: int) -> None:
        if done - shown[0] >= step or done == total:
            shown[0] = done
            log(f"seed_demo: {done:,}/{total:,} enterprises")

    log(f"seed_demo(province='36', enterprises={enterprises:,}, seed=1, replace=True) — synthetic data")
    started = time.perf_counter()
    result = demo.seed_demo(province="36", enterprises=enterprises, seed=1, password=PASSWORD, replace=True,
                            progress=progress)
    seconds = time.perf_counter() - started
    log(f"seed_demo done in {seconds:.0f} s: " + ", ".join(f"{k} {v}" for k, v in result.items() if k != "seconds"))
    return {"reused": False, "seconds": seconds, "result": result}


def choose_filters() -> dict:
    """The demo county officer's county, its commonest industry, and a label topped up to a full page of matches."""
    from django.db.models import Count

    from accounts.models import Membership, Role
    from enterprises.models import Enterprise, EnterpriseLabel

    county = Membership.objects.get(user__username="county", role=Role.COUNTY_OFFICER).region
    city = Membership.objects.get(user__username="city", role=Role.CITY_OFFICER).region
    assert county.code.startswith(city.path), "the demo county officer's county should lie in the city officer's city"
    in_county = Enterprise.objects.active().filter(county_id=county.code)
    industry = (in_county.values("industry_id").annotate(n=Count("id")).order_by("-n", "industry_id")[0])["industry_id"]
    candidates = in_county.filter(industry_id=industry)
    labelled = candidates.filter(label_links__label_id=LABEL)
    before = labelled.count()
    missing = max(0, MIN_MATCHES - before)
    if missing:
        ids = candidates.exclude(label_links__label_id=LABEL).order_by("id").values_list("id", flat=True)[:missing]
        EnterpriseLabel.objects.bulk_create(
            [EnterpriseLabel(enterprise_id=pk, label_id=LABEL, year=2024) for pk in ids], ignore_conflicts=True
        )
    after = labelled.count()
    log(f"filter: county {county.code} {county.name}, industry {industry}, label {LABEL}: "
        f"{before} matches from the demo data, {after - before} labels added, {after} matches now")
    return {"county": county, "city": city, "industry": industry, "label": LABEL,
            "in_county_industry": candidates.count(), "matches_before": before, "labels_added": after - before,
            "matches": after}


def scenarios(f: dict) -> list[dict]:
    combo = {"region": f["county"].code, "industry": f["industry"], "label": f["label"]}
    city = {"region": f["city"].code}
    return [
        {"user": "province", "name": "unfiltered, first page", "params": {}},
        {"user": "province", "name": f"city {f['city'].code}", "params": city},
        {"user": "province", "name": "county + industry + label", "params": combo},
        {"user": "county", "name": "unfiltered, first page", "params": {}},
        {"user": "county", "name": "county + industry + label", "params": combo},
        # A city is outside a county officer's region choices (the form would refuse it and show nothing), so the
        # city-level filter is also measured for the demo city officer.
        {"user": "city", "name": f"city {f['city'].code}", "params": city},
    ]


# ------------------------------------------------------------------------------------------------ plans


def vendor() -> str:
    from django.db import connection

    return connection.vendor


def plan_lines(sql: str) -> list[str]:
    """The plan of one captured query: EXPLAIN QUERY PLAN as an indented tree (SQLite), EXPLAIN's text (PostgreSQL)."""
    from django.db import connection

    with connection.cursor() as cursor:
        if vendor() == "postgresql":
            cursor.execute("EXPLAIN " + sql)
            return [row[0] for row in cursor.fetchall()]
        cursor.execute("EXPLAIN QUERY PLAN " + sql)
        return _tree(cursor.fetchall())


def explain_lines(text: str) -> list[str]:
    """`QuerySet.explain()`: on SQLite "id parent notused detail" lines, indented here as a tree."""
    if vendor() == "postgresql":
        return text.splitlines()
    rows = []
    for line in text.splitlines():
        if match := re.match(r"^(\d+) (\d+) (\d+) (.*)$", line):
            rows.append((int(match.group(1)), int(match.group(2)), int(match.group(3)), match.group(4)))
    return _tree(rows)


def _tree(rows) -> list[str]:
    depth = {0: -1}
    lines = []
    for node, parent, _unused, detail in rows:
        depth[node] = depth.get(parent, -1) + 1
        lines.append("  " * depth[node] + detail)
    return lines


def problems(lines: list[str]) -> list[str]:
    """Full scans of any table, a whole walk of an index on the enterprise table."""
    found = []
    for line in lines:
        text = line.strip().lstrip("->").strip()
        if match := FULL_SCAN.match(text):
            found.append(f"FULL TABLE SCAN of {match.group(1)} (no index)")
        elif (match := INDEX_SCAN.match(text)) and match.group(1) == "enterprises_enterprise":
            found.append(f"full walk of index {match.group(2)} on enterprises_enterprise (no range on the index)")
        elif match := PG_SEQ_SCAN.match(text):
            found.append(f"Seq Scan on {match.group(1)}")
    return found


def sorts_all(lines: list[str]) -> bool:
    """Every match is read and sorted before LIMIT applies: a temporary b-tree (SQLite), a full Sort node
    (PostgreSQL; an Incremental Sort that only orders ties of an index is not one)."""
    for line in lines:
        text = line.strip().lstrip("->").strip()
        if text.startswith("USE TEMP B-TREE FOR ORDER BY") or text.startswith("Sort "):
            return True
    return False


def bare_sql(queries: list[str], repeat: int) -> dict:
    """The page's own queries, run directly through a cursor one after another, `repeat` times: what the page would
    cost if Python did nothing but fetch its rows. Also each query's median alone."""
    from django.db import connection

    # A server-side cursor's DECLARE … FOR <query> (QuerySet.iterator() on PostgreSQL) is replayed as its query.
    queries = [m.group(1) if (m := DECLARE.match(sql)) else sql for sql in queries]
    totals, each = [], [[] for _ in queries]
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            for n, sql in enumerate(queries):
                t = time.perf_counter()
                cursor.execute(sql)
                if cursor.description is not None:
                    cursor.fetchall()
                each[n].append((time.perf_counter() - t) * 1000)
            totals.append((time.perf_counter() - started) * 1000)
    return {"samples_ms": totals, "median_ms": benchlib.median(totals), "p95_ms": benchlib.p95(totals),
            "each_ms": [benchlib.median(x) for x in each]}


def list_queryset(user, params: dict):
    """The list page's query, built as enterprises.listing.list_page builds it."""
    from enterprises.forms import DEFAULT_SORT, SORTS, EnterpriseFilterForm
    from enterprises.models import Enterprise
    from regions.models import code_prefix

    qs = Enterprise.objects.visible_to(user)
    if params:
        form = EnterpriseFilterForm(params, user=user)
        assert form.is_valid(), form.errors
        region = code_prefix(form.cleaned_data.get("region") or "")
        if region and "within" in inspect.signature(Enterprise.objects.visible_to).parameters:
            qs = Enterprise.objects.visible_to(user, within=region)
        qs = form.apply(qs)
    else:
        qs = qs.order_by(*SORTS[DEFAULT_SORT])
    return qs


# ------------------------------------------------------------------------------------------------ requests


def kind_of(sql: str) -> str:
    text = sql.lstrip().upper()
    if 'FROM "ENTERPRISES_ENTERPRISE"' in text and text.startswith("SELECT COUNT("):
        return "count"
    if 'FROM "ENTERPRISES_ENTERPRISECOUNT"' in text:
        return "count (per-county table)"
    if 'FROM "ENTERPRISES_ENTERPRISE"' in text and text.startswith("SELECT"):
        return "page"
    return "other"


def measure(scenario: dict, users: dict, requests: int) -> dict:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    user = users[scenario["user"]]
    client = Client()
    client.force_login(user)
    url = "/enterprises/" + (f"?{urlencode(scenario['params'])}" if scenario["params"] else "")
    for _ in range(3):
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as captured:
        client.get(url)
    queries = [q["sql"] for q in captured.captured_queries]
    samples, cpu = [], []
    for _ in range(requests):
        started, started_cpu = time.perf_counter(), time.process_time()
        response = client.get(url)
        cpu.append((time.process_time() - started_cpu) * 1000)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    bare = bare_sql(queries, requests)
    qs = list_queryset(user, scenario["params"])
    total = qs.count()
    shown = re.search(r'data-testid="result-count">[^<]*?([\d,]+)', response.content.decode())
    assert shown and int(shown.group(1).replace(",", "")) == total, ("count shown", shown and shown.group(1), total)
    explained = explain_lines(qs.select_related("county", "industry")[:50].explain())
    plans = []
    for n, sql in enumerate(queries):
        kind = kind_of(sql)
        if kind != "other":
            lines = plan_lines(sql)
            plans.append({"kind": kind, "sql": sql, "plan": lines, "problems": problems(lines),
                          "sorts_all": sorts_all(lines), "ms": bare["each_ms"][n]})
    result = {
        "user": scenario["user"], "name": scenario["name"], "url": url, "matches": total, "queries": len(queries),
        "samples_ms": samples, "median_ms": benchlib.median(samples), "p95_ms": benchlib.p95(samples),
        "cpu_median_ms": benchlib.median(cpu), "bare_median_ms": bare["median_ms"], "bare_p95_ms": bare["p95_ms"],
        "ratio_p95": benchlib.p95(samples) / bare["p95_ms"],
        "ratio_median": benchlib.median(samples) / bare["median_ms"],
        "explain_tree": explained, "explain_problems": problems(explained), "explain_sorts_all": sorts_all(explained),
        "plans": plans, "sql_ms": {p["kind"]: p["ms"] for p in plans},
        "queries_ms": [(round(ms, 3), _shorten(sql, 120)) for ms, sql in zip(bare["each_ms"], queries, strict=True)],
    }
    log(f"{vendor():>10} {scenario['user']:>8} | {scenario['name']:<26} {total:>7,} matches, {len(queries)} queries: "
        f"median {result['median_ms']:.1f} ms (CPU {result['cpu_median_ms']:.1f}), p95 {result['p95_ms']:.1f} ms | "
        f"bare SQL median {bare['median_ms']:.2f} ms, p95 {bare['p95_ms']:.2f} ms | "
        f"p95 ratio {result['ratio_p95']:.1f}x")
    return result


# ------------------------------------------------------------------------------------------------ main


def run_engine(engine: str, args) -> dict:
    """One engine in this process (Django is set up once per process)."""
    if engine == "postgresql":
        kept = benchlib.postgres_database(PG_URL, keep=bool(args.workdir or args.keep))
        workdir = (args.workdir / "pg") if args.workdir else None
        benchlib.setup_django("list", workdir, args.keep, database_url=PG_URL)
        log(f"PostgreSQL database {PG_URL.rsplit('/', 1)[1]} ({'reused' if kept else 'created'})")
    else:
        benchlib.setup_django("list", args.workdir, args.keep)

    from django.db import connection

    from accounts.models import User

    load_before = _load()
    seeded = build_archive(args.enterprises, args.reseed)
    filters = choose_filters()
    if engine == "postgresql" or args.analyze:
        started = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        log(f"ANALYZE in {time.perf_counter() - started:.1f} s")
    users = {u.username: u for u in User.objects.filter(username__in=["province", "county", "city"])}
    results = [measure(s, users, args.requests) for s in scenarios(filters)]
    label = f"List {args.enterprises // 1000}k ({engine})"
    rows = []
    if seeded["seconds"] is not None:
        rows.append(benchlib.row(label, "seed_demo (setup, synthetic)", [seeded["seconds"]], "s", show_p95=False))
    for r in results:
        rows.append(benchlib.row(label, f"{r['user']}: {r['name']}", r["samples_ms"], "ms",
                                 target=TARGET_P95_MS, target_on="p95"))
    return {"engine": engine, "rows": rows, "details": _details(engine, args, seeded, filters, results, load_before),
            "scenarios": [{k: v for k, v in r.items() if k != "samples_ms"} for r in results],
            "filters": {k: getattr(v, "code", v) for k, v in filters.items()}, "seed": seeded}


def main(argv: list[str] | None = None) -> None:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="sqlite")
    p.add_argument("--enterprises", type=int, default=300_000)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--reseed", action="store_true", help="with --workdir: seed again even if the archive is there")
    p.add_argument("--analyze", action="store_true", help="SQLite: run ANALYZE first (the app never does)")
    args = p.parse_args(argv)
    if args.engine != "both":
        parts = [run_engine(args.engine, args)]
    else:
        parts = []
        for engine in ("sqlite", "postgresql"):
            if engine == "postgresql" and not benchlib.postgres_reachable(PG_URL):
                log(f"PostgreSQL at {PG_URL} is not reachable: SQLite only")
                continue
            with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
                out = Path(handle.name)
            command = [sys.executable, __file__, "--engine", engine, "--json", str(out),
                       "--enterprises", str(args.enterprises), "--requests", str(args.requests)]
            command += ["--workdir", str(args.workdir)] if args.workdir else []
            command += [flag for flag, on in (("--keep", args.keep), ("--reseed", args.reseed),
                                              ("--analyze", args.analyze)) if on]
            subprocess.run(command, check=True)  # noqa: S603 - this script, with its own arguments
            parts.append(json.loads(out.read_text(encoding="utf-8")))
            out.unlink()
    engines = " and ".join("PostgreSQL" if p["engine"] == "postgresql" else "SQLite" for p in parts)
    title = f"Enterprise list: {args.enterprises:,} synthetic enterprises ({engines})"
    if len(parts) == 1:
        summary = {**parts[0], "name": NAME, "title": title}
    else:
        summary = {"name": NAME, "title": title, "rows": [r for part in parts for r in part["rows"]],
                   "details": "\n\n".join(part["details"] for part in parts), "engines": parts}
    benchlib.finish(summary, args.json, NAME)


def _load() -> str:
    try:
        return " / ".join(f"{x:.2f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _all_problems(r: dict) -> list[str]:
    return list(dict.fromkeys(r["explain_problems"] + [p for plan in r["plans"] for p in plan["problems"]]))


def _details(engine: str, args, seeded: dict, f: dict, results: list[dict], load_before: str) -> str:
    seed_text = ("reused" if seeded["reused"] else
                 f"built by seed_demo in {seeded['seconds']:.0f} s: " + ", ".join(
                     f"{k} {v:,}" for k, v in seeded["result"].items() if isinstance(v, int)))
    lines = [
        f"### {engine}",
        "",
        f"Synthetic archive ({args.enterprises:,} enterprises, province 36), {seed_text}.",
        f"Filter combination: county {f['county'].code} ({f['county'].name}, the demo county officer's county), "
        f"industry {f['industry']} (its commonest; {f['in_county_industry']} enterprises), label `{f['label']}`: "
        f"{f['matches_before']} matches in the demo data, {f['labels_added']} labels added → {f['matches']} matches.",
        f"City filter: {f['city'].code} ({f['city'].name}). {args.requests} timed requests per scenario after 3 "
        f"warm-ups; time measured around `Client.get` with DEBUG off, CPU = this process's CPU time (the PostgreSQL "
        f"server's is not in it). Bare SQL: the request's own captured queries run through a cursor one after "
        f"another, {args.requests} times. Load average (1/5/15 min) before: {load_before}, after: {_load()} "
        f"(2 CPUs shared with other work).",
        "",
        "| User | Scenario | Matches | Queries | Median | p95 | CPU median | Bare SQL median | Bare SQL p95 "
        "| p95 ÷ bare p95 | Count from |",
        "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        count_from = "per-county table" if "count (per-county table)" in r["sql_ms"] else "COUNT(*)"
        lines.append(f"| {r['user']} | {r['name']} | {r['matches']:,} | {r['queries']} | {r['median_ms']:.1f} ms | "
                     f"{r['p95_ms']:.1f} ms | {r['cpu_median_ms']:.1f} ms | {r['bare_median_ms']:.2f} ms | "
                     f"{r['bare_p95_ms']:.2f} ms | {r['ratio_p95']:.1f}× | {count_from} |")
    flagged = [(r, p) for r in results for p in _all_problems(r)]
    lines += ["", f"Targets: p95 ≤ {TARGET_P95_MS:.0f} ms and ≤ {TARGET_RATIO:.0f}× the bare SQL's p95.", ""]
    if flagged:
        lines.append("**Plans that read a whole table or a whole index of the enterprise table:**")
        lines += [f"- {r['user']}: {r['name']}: {p}" for r, p in flagged]
    else:
        lines.append("No plan reads enterprises_enterprise (or any other table) without an index.")
    sorting = [r for r in results if r["explain_sorts_all"]]
    if sorting:
        lines += ["", "Plans that read **every match** and sort it before `LIMIT 50`:", ""]
        lines += [f"- {r['user']}: {r['name']}: all {r['matches']:,} matches ({_share(r, args)} of the table)"
                  for r in sorting]
    for r in results:
        lines += ["", f"#### {engine} — {r['user']}: {r['name']} — `{r['url']}`", "",
                  "Queries of one request (median ms alone, bare):", "",
                  *[f"- {ms:.3f} ms `{sql}`" for ms, sql in r["queries_ms"]], "",
                  "List query (`qs.select_related('county', 'industry')[:50].explain()`):", "", "```",
                  *r["explain_tree"], "```"]
        for plan in r["plans"]:
            lines += ["", f"Captured {plan['kind']} query ({plan['ms']:.2f} ms alone): `{_shorten(plan['sql'])}`",
                      "", "```", *plan["plan"], "```"]
    return "\n".join(lines)


def _share(r: dict, args) -> str:
    share = 100 * r["matches"] / args.enterprises
    return f"{share:.0f} %" if share >= 1 else f"{share:.2f} %"


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f} ms"


def _shorten(sql: str, limit: int = 400) -> str:
    sql = " ".join(sql.split())
    return sql if len(sql) <= limit else sql[: limit - 1] + "…"


if __name__ == "__main__":
    main()
