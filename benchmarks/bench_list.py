"""Benchmark: the enterprise list page (/enterprises/) over 300,000 synthetic enterprises on SQLite.

The archive is built once with `seed_demo(province="36", enterprises=300000, seed=1, ...)` — synthetic demo data
only — then a label is topped up so that a county + industry + label filter has at least a full page of matches.
Each scenario is requested through Django's test Client (force_login, DEBUG off): a few warm-up requests, one
request with its queries captured (their EXPLAIN QUERY PLAN goes into the report), then 50 timed requests.

    .venv/bin/python benchmarks/bench_list.py [--enterprises 300000] [--requests 50] [--workdir DIR]
"""

import importlib
import re
import sys
import time
from urllib.parse import urlencode

import benchlib
from benchlib import log

NAME = "bench_list"
PASSWORD = "Bench-pass-2026!"
TARGET_P95_MS = 150.0
LABEL = "specialised-sme"  # 专精特新中小企业
MIN_MATCHES = 60  # more than one page (50 rows)
DEMO_WAIT_S = 15 * 60
FULL_SCAN = re.compile(r"^SCAN (\S+)$")  # a table read from end to end, no index at all
INDEX_SCAN = re.compile(r"^SCAN (\S+) USING (?:COVERING )?INDEX (\S+)")  # a whole index walked in order


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


def plan_lines(sql: str, params=()) -> list[str]:
    """EXPLAIN QUERY PLAN as an indented tree."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        return _tree(cursor.fetchall())


def explain_lines(text: str) -> list[str]:
    """`QuerySet.explain()` on SQLite gives "id parent notused detail" lines; indent them as a tree."""
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
        text = line.strip()
        if match := FULL_SCAN.match(text):
            found.append(f"FULL TABLE SCAN of {match.group(1)} (no index)")
        elif (match := INDEX_SCAN.match(text)) and match.group(1) == "enterprises_enterprise":
            found.append(f"full walk of index {match.group(2)} on enterprises_enterprise (no range on the index)")
    return found


def sorts_all(lines: list[str]) -> bool:
    """The rows come from an index range and are then sorted in a temporary b-tree: every match is read and sorted
    before LIMIT applies."""
    return any(line.strip().startswith("USE TEMP B-TREE FOR ORDER BY") for line in lines)


def sql_ms(sql: str, repeat: int = 5) -> float:
    from django.db import connection

    samples = []
    with connection.cursor() as cursor:
        for _ in range(repeat):
            started = time.perf_counter()
            cursor.execute(sql)
            cursor.fetchall()
            samples.append((time.perf_counter() - started) * 1000)
    return benchlib.median(samples)


def list_queryset(user, params: dict):
    """The list page's query, built exactly as enterprises.views.enterprise_list builds it."""
    from enterprises.forms import EnterpriseFilterForm
    from enterprises.models import Enterprise

    qs = Enterprise.objects.visible_to(user)
    if params:
        form = EnterpriseFilterForm(params, user=user)
        assert form.is_valid(), form.errors
        qs = form.apply(qs)
    else:
        qs = qs.order_by("name", "id")
    return qs


# ------------------------------------------------------------------------------------------------ requests


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
    samples = []
    for _ in range(requests):
        started = time.perf_counter()
        response = client.get(url)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
    qs = list_queryset(user, scenario["params"])
    total = qs.count()
    page_qs = qs.select_related("county", "industry")[:50]
    explain = page_qs.explain()
    explained = explain_lines(explain)
    plans = []
    for sql in queries:
        if 'FROM "enterprises_enterprise"' in sql and sql.lstrip().upper().startswith("SELECT"):
            lines = plan_lines(sql)
            kind = "count" if sql.lstrip().upper().startswith("SELECT COUNT(") else "page"
            plans.append({"kind": kind, "sql": sql, "plan": lines, "problems": problems(lines),
                          "sorts_all": sorts_all(lines), "ms": sql_ms(sql)})
    result = {
        "user": scenario["user"], "name": scenario["name"], "url": url, "matches": total, "queries": len(queries),
        "samples_ms": samples, "median_ms": benchlib.median(samples), "p95_ms": benchlib.p95(samples),
        "explain": explain, "explain_tree": explained, "explain_problems": problems(explained),
        "explain_sorts_all": sorts_all(explained), "plans": plans,
        "sql_ms": {p["kind"]: p["ms"] for p in plans},
    }
    sql = ", ".join(f"{k} {v:.1f} ms" for k, v in result["sql_ms"].items())
    log(f"{scenario['user']:>8} | {scenario['name']:<28} {total:>7,} matches, {len(queries)} queries/request: "
        f"median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms (SQL alone: {sql})")
    return result


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--enterprises", type=int, default=300_000)
    p.add_argument("--requests", type=int, default=50)
    p.add_argument("--reseed", action="store_true", help="with --workdir: seed again even if the archive is there")
    p.add_argument("--analyze", action="store_true", help="run ANALYZE first (the app never does; off by default)")
    args = p.parse_args(argv)
    benchlib.setup_django("list", args.workdir, args.keep)

    from django.db import connection

    from accounts.models import User

    load_before = _load()
    seeded = build_archive(args.enterprises, args.reseed)
    filters = choose_filters()
    if args.analyze:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    users = {u.username: u for u in User.objects.filter(username__in=["province", "county", "city"])}
    results = [measure(s, users, args.requests) for s in scenarios(filters)]

    label = f"List {args.enterprises // 1000}k"
    rows = []
    if seeded["seconds"] is not None:
        rows.append(benchlib.row(label, "seed_demo (setup, synthetic)", [seeded["seconds"]], "s", show_p95=False))
    for r in results:
        rows.append(benchlib.row(label, f"{r['user']}: {r['name']}", r["samples_ms"], "ms",
                                 target=TARGET_P95_MS, target_on="p95"))
    details = _details(args, seeded, filters, results, load_before)
    summary = {"name": NAME, "title": f"Enterprise list: {args.enterprises:,} synthetic enterprises (SQLite)",
               "rows": rows, "details": details,
               "scenarios": [{k: v for k, v in r.items() if k != "samples_ms"} for r in results],
               "filters": {k: getattr(v, "code", v) for k, v in filters.items()}, "seed": seeded,
               "full_scans": [f"{r['user']}: {r['name']}: {p}" for r in results for p in _all_problems(r)],
               "notes": [f"{r['user']}: {r['name']}: the page query reads and sorts all {r['matches']:,} matches "
                         f"({_share(r, args)} of the table) before LIMIT 50"
                         for r in results if r["explain_sorts_all"] and r["matches"] >= args.enterprises // 10]}
    benchlib.finish(summary, args.json, NAME)


def _load() -> str:
    try:
        import os

        return " / ".join(f"{x:.1f}" for x in os.getloadavg())
    except OSError:
        return "?"


def _all_problems(r: dict) -> list[str]:
    found = list(dict.fromkeys(r["explain_problems"] + [p for plan in r["plans"] for p in plan["problems"]]))
    return found


def _details(args, seeded: dict, f: dict, results: list[dict], load_before: str) -> str:
    seed_text = ("reused from --workdir" if seeded["reused"] else
                 f"built by seed_demo in {seeded['seconds']:.0f} s: " + ", ".join(
                     f"{k} {v:,}" for k, v in seeded["result"].items() if isinstance(v, int)))
    lines = [
        f"Synthetic archive ({args.enterprises:,} enterprises, province 36), {seed_text}.",
        f"Filter combination: county {f['county'].code} ({f['county'].name}, the demo county officer's county), "
        f"industry {f['industry']} (its commonest; {f['in_county_industry']} enterprises), label `{f['label']}`: "
        f"{f['matches_before']} matches in the demo data, {f['labels_added']} labels added → {f['matches']} matches.",
        f"City filter: {f['city'].code} ({f['city'].name}). {args.requests} timed requests per scenario after 3 "
        f"warm-ups; server time measured around `Client.get` with DEBUG off. Load average before: {load_before}, "
        f"after: {_load()} (2 CPUs shared with other work: figures are noisy).",
        "",
        "| User | Scenario | Matches | Queries/request | Median | p95 | SQL: count | SQL: page | Sorts all matches |",
        "|---|---|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in results:
        count, page = r["sql_ms"].get("count"), r["sql_ms"].get("page")
        lines.append(f"| {r['user']} | {r['name']} | {r['matches']:,} | {r['queries']} | {r['median_ms']:.1f} ms | "
                     f"{r['p95_ms']:.1f} ms | {_ms(count)} | {_ms(page)} | "
                     f"{'yes (temp b-tree)' if r['explain_sorts_all'] else 'no'} |")
    lines += ["", "SQL columns: median of 5 re-executions of the captured COUNT and page queries alone. "
              "\"Sorts all matches\": the plan reads every matching row and sorts it in a temporary b-tree "
              "before LIMIT 50 (no index delivers `ORDER BY name, id`)."]
    flagged = [(r, p) for r in results for p in _all_problems(r)]
    lines += ["", "### Query plans", ""]
    if flagged:
        lines.append("**Plans that read a whole table or a whole index of the enterprise table:**")
        lines += [f"- {r['user']}: {r['name']}: {p}" for r, p in flagged]
    else:
        lines.append("No plan reads enterprises_enterprise (or any other table) without an index.")
    sorting = [r for r in results if r["explain_sorts_all"]]
    if sorting:
        lines += ["", "Plans that read **every matching row** through an index range and sort them in a temporary "
                  "b-tree before `LIMIT 50` (cost grows with the number of matches, not with the page size):", ""]
        lines += [f"- {r['user']}: {r['name']}: all {r['matches']:,} matches ({_share(r, args)} of the table) "
                  f"sorted; page query {_ms(r['sql_ms'].get('page'))}, count {_ms(r['sql_ms'].get('count'))}"
                  for r in sorting]
    for r in results:
        lines += ["", f"#### {r['user']}: {r['name']} — `{r['url']}`", "",
                  "List query (`qs.select_related('county', 'industry')[:50].explain()`):", "", "```",
                  *r["explain_tree"], "```"]
        for plan in r["plans"]:
            lines += ["", f"Captured {plan['kind']} query ({plan['ms']:.1f} ms alone): `{_shorten(plan['sql'])}`",
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
