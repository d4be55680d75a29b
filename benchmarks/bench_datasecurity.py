"""Data-security figures (issue 23): the overdue list — catalogue filings whose review, resubmission, re-filing or
attestation deadline has passed, and incidents whose report clock or summary deadline has run out — over 100,000
filings and 100,000 incidents, target ≤ 1 s, on SQLite and PostgreSQL.

The deadlines are stored as timestamps computed with the working-day module (datasecurity.workdays, the shipped
2025–2026 calendar) at each state change, so the list is an indexed comparison `due_at < now` on a partial index,
ordered by `due_at` and limited to a page, plus the two totals. Synthetic data only, in a scratch database:
100,000 invented enterprises in the real Jiangxi counties, each with one filing (60 % accepted with the yearly
attestation due, 20 % under review, 10 % returned, 5 % due for re-filing, 5 % draft) submitted or decided over
the last 400 days, and 100,000 incidents over the last 400 days (70 % closed, the rest recorded with both report
clocks, contained awaiting a summary, or reported), and 100,000 risk assessments completed over the last 400 days
(one per enterprise, 10 % AI safety-risk reports; 85 % filed — a third of those rectified — and 15 % awaiting
filing, of which those past their 10 working days are overdue: about 12 % of all), written with raw bulk inserts
(COPY on PostgreSQL).

Measured, each beside its baseline in the same run:
- the province officer's overdue list (`selectors.overdue`: the first 50 filings, incidents and late risk reports by
  deadline and the three totals, scoped to 36) — baseline: `COUNT(*)` of all filings and all incidents (and, beside
  it, with the risk assessments too);
- a city officer's overdue list (scope 3601) — same baseline;
- the escalation sweep's query (`Incident.objects.to_escalate(now).count()`).

    .venv/bin/python benchmarks/bench_datasecurity.py [--engine sqlite|postgresql] [--rows 100000] [--runs 7]
                                                      [--workdir DIR] [--keep]
"""

import datetime as dt
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
from bench_monitoring import insert  # noqa: E402
from benchlib import log  # noqa: E402

NAME = "bench_datasecurity"
PG_URL = "postgresql://postgres@127.0.0.1:5432/tidu_datasec_bench"


def build(rows: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from datasecurity import calendar, clocks
    from datasecurity.models import Filing, Incident, RiskAssessment
    from enterprises.models import Enterprise
    from regions.models import Region

    if Filing.objects.count() >= rows and RiskAssessment.objects.count() >= rows:
        log(f"reusing {rows:,} filings, incidents and risk assessments")
        return {"reused": True}
    rng = random.Random(seed)
    cal, rules = calendar.current(), clocks.shipped()
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda v: v)
    now = timezone.localtime()
    counties = list(Region.objects.filter(code__startswith="36", is_leaf=True).values_list("code", flat=True))
    county = [rng.choice(counties) for _ in range(rows)]
    created = adapt(now - dt.timedelta(days=1500))
    started = time.perf_counter()

    def ago(days: float) -> dt.datetime:
        return now - dt.timedelta(days=days)

    filings, statuses = [], {}
    for i in range(rows):
        roll = rng.random()
        acted = ago(rng.uniform(0, 400))
        if roll < 0.60:
            status, due, kind = "accepted", clocks.attestation_due(rules, acted), "attest"
        elif roll < 0.80:
            acted = ago(rng.uniform(0, 60))
            status, due, kind = "submitted", clocks.review_due(cal, rules, acted), "review"
        elif roll < 0.90:
            acted = ago(rng.uniform(0, 60))
            status, due, kind = "returned", clocks.resubmit_due(cal, rules, acted), "resubmit"
        elif roll < 0.95:
            status, due, kind = "change_due", clocks.refile_due(rules, acted), "refile"
        else:
            status, due, kind = "draft", None, ""
        statuses[status] = statuses.get(status, 0) + 1
        first = None if status == "draft" else adapt(acted)
        filings.append((i + 1, i + 1, county[i], status, 0 if status == "draft" else 1, adapt(due) if due else None,
                        kind, first, None, None, "", created))  # fmt: skip
    incidents, kinds = [], {}
    for i in range(rows):
        roll = rng.random()
        found = ago(rng.uniform(0, 400))
        due, kind, escalate, clock_json = None, "", None, "[]"
        if roll < 0.70:
            status, level = "closed", rng.choice(["minor", "major", "serious"])
        elif roll < 0.80:
            found = ago(rng.uniform(0, 2))
            status, level = "recorded", "major"
            due_clocks = clocks.incident_clocks(rules, found, cii=rng.random() < 0.1)
            due = escalate = min(c.due_at for c in due_clocks)
            kind = "report"
            clock_json = json.dumps([{"code": c.code, "name": c.name, "hours": c.hours, "due_at": c.due_at.isoformat(),
                                      "provisional": c.provisional, "escalated": False, "met": None}
                                     for c in due_clocks], ensure_ascii=False)  # fmt: skip
        elif roll < 0.90:
            found = ago(rng.uniform(0, 30))
            status, level = "contained", "serious"
            due = escalate = clocks.summary_due(cal, rules, found + dt.timedelta(days=1))
            kind = "summary"
        else:
            status, level = "reported", rng.choice(["minor", "major"])
        kinds[status] = kinds.get(status, 0) + 1
        e = rng.randrange(rows)
        incidents.append((i + 1, e + 1, county[e], f"合成事件{i + 1}", "leak", level, False, "", status, adapt(found),
                          adapt(found), None, clock_json, adapt(due) if due else None, kind,
                          adapt(escalate) if escalate else None, 0, None, "", None, None, level, None, ""))  # fmt: skip
    risks, risk_states = [], {}
    for i in range(rows):
        roll = rng.random()
        completed = ago(rng.uniform(0, 400))
        kind = "ai" if rng.random() < 0.10 else "data"
        due = filed = rectified = on_time = None
        if roll < 0.85:
            status = "rectified" if roll < 0.28 else "filed"
            deadline = clocks.risk_filing_due(cal, rules, completed)
            filed = completed + dt.timedelta(days=rng.uniform(1, 20))
            on_time = filed <= deadline
            rectified = adapt(filed + dt.timedelta(days=30)) if status == "rectified" else None
            filed = adapt(filed)
        else:
            status = "completed"
            if roll < 0.91:
                completed = ago(rng.uniform(0, 30))  # recent: some still within the 10 working days
            due = clocks.risk_filing_due(cal, rules, completed)
        key = status + (" overdue" if due and due < now else "")
        risk_states[key] = risk_states.get(key, 0) + 1
        start = (completed - dt.timedelta(days=365)).date()
        risks.append((i + 1, i + 1, county[i], kind, start, completed.date(), "合成评估机构",
                      "合成模型" if kind == "ai" else "", "[]", "合成发现", "", adapt(completed),
                      adapt(due) if due else None, filed, on_time, rectified, status, None))  # fmt: skip
    log(f"deadlines computed in {time.perf_counter() - started:.1f} s")
    with transaction.atomic():
        insert(Enterprise, ["id", "credit_code", "name", "name_initials", "former_names", "county_id", "address",
                            "industry_id", "industry_detail_code", "size_class", "employees", "notes", "is_synthetic",
                            "created_at", "updated_at"],
               ((i + 1, f"BENCH{i + 1:013d}", f"合成企业{i + 1}", "", "[]", county[i], "", "34", "", "", None, "",
                 True, created, created) for i in range(rows)))  # fmt: skip
        insert(
            Filing,
            [
                "id",
                "enterprise_id",
                "region_code",
                "status",
                "version",
                "due_at",
                "due_kind",
                "first_submitted_at",
                "accepted_at",
                "attested_at",
                "change_reason",
                "updated_at",
            ],
            filings,
        )
        insert(Incident, ["id", "enterprise_id", "region_code", "title", "kind", "level", "cii", "description",
                          "status", "discovered_at", "recorded_at", "reported_at", "clocks", "due_at", "due_kind",
                          "escalate_at", "escalations", "contained_at", "summary", "summarised_at", "closed_at",
                          "self_level", "regraded_at", "regrade_reason"],
               incidents)  # fmt: skip
        insert(RiskAssessment, ["id", "enterprise_id", "region_code", "kind", "period_start", "period_end",
                                "assessor", "system_name", "risk_types", "findings", "rectification", "completed_at",
                                "due_at", "filed_at", "filed_on_time", "rectified_at", "status", "created_by_id"],
               risks)  # fmt: skip
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            for table in ("enterprises_enterprise", "datasecurity_filing", "datasecurity_incident",
                          "datasecurity_riskassessment"):  # fmt: skip
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
        else:
            cursor.execute("ANALYZE")
    log(f"{rows:,} enterprises, filings, incidents and risk assessments in {time.perf_counter() - started:.0f} s")
    return {"filings": statuses, "incidents": kinds, "risk_assessments": risk_states}


def timed(call, runs: int) -> tuple[list[float], object]:
    walls, out = [], None
    for _ in range(runs):
        started = time.perf_counter()
        out = call()
        walls.append((time.perf_counter() - started) * 1000)
    return walls, out


def explain(queryset) -> str:
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
    with connection.cursor() as cursor:
        cursor.execute(prefix + sql, params)
        return " / ".join(str(r[-1]) for r in cursor.fetchall())


def run(engine: str, args) -> dict:
    url = PG_URL if engine == "postgresql" else None
    if url:
        benchlib.postgres_database(url, keep=args.keep)
    benchlib.setup_django(NAME, args.workdir, args.keep, database_url=url)
    from django.utils import timezone

    from accounts.models import Membership, Role, User
    from datasecurity import selectors
    from datasecurity.models import Filing, Incident, RiskAssessment

    load = [f"before: {os.getloadavg()}"]
    data = build(args.rows, seed=1)
    users = {}
    for name, role, region in (("bench-province", Role.PROVINCE_OFFICER, "360000"),
                               ("bench-city", Role.CITY_OFFICER, "360100")):  # fmt: skip
        users[name], _ = User.objects.get_or_create(username=name)
        Membership.objects.get_or_create(user=users[name], role=role, region_id=region)
    rows, details = [], [f"**{engine}**: " + json.dumps(data, ensure_ascii=False)]
    bench = f"datasecurity ({engine})"
    now = timezone.now()

    def baseline():
        return Filing.objects.count() + Incident.objects.count()

    def baseline_all():
        return Filing.objects.count() + Incident.objects.count() + RiskAssessment.objects.count()

    def overdue(user):
        def call():
            user._tidu_scope = None  # the scope is read per request, as a page would
            return selectors.overdue(user, now)

        return call

    cases = [("baseline: COUNT(*) of all filings and incidents", baseline),
             ("baseline: COUNT(*) of all filings, incidents and risk assessments", baseline_all),
             ("overdue list, province officer (first 50 of each + totals)", overdue(users["bench-province"])),
             ("overdue list, city officer 3601", overdue(users["bench-city"])),
             ("escalation sweep query (count of clocks to escalate)",
              lambda: Incident.objects.to_escalate(now).count())]  # fmt: skip
    for label, call in cases:
        call()  # warm the cache, as a running server would be
        walls, out = timed(call, args.runs)
        target = 1000.0 if label.startswith("overdue") else None
        rows.append(benchlib.row(bench, label, walls, "ms", target))
        shown = out if isinstance(out, int) else (f"{out.filings_count:,} filings, {out.incidents_count:,} incidents, "
                                                  f"{out.risks_count:,} late risk reports")  # fmt: skip
        details.append(f"- {label}: median {benchlib.median(walls):.1f} ms ({', '.join(f'{w:.1f}' for w in walls)})"
                       f" → {shown}")  # fmt: skip
        log(details[-1][2:])
    user = users["bench-province"]
    details.append(
        "- plan (province, filings page): "
        + explain(Filing.objects.visible_to(user).overdue(now).order_by("due_at")[:50])
    )
    details.append(
        "- plan (province, incidents total): "
        + explain(Incident.objects.visible_to(user).overdue(now).order_by().values("pk"))
    )
    details.append(
        "- plan (province, risk reports page): "
        + explain(RiskAssessment.objects.visible_to(user).overdue(now).order_by("due_at")[:50])
    )
    load.append(f"after: {os.getloadavg()}")
    uptime = subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()
    details.append("load averages 1/5/15 min: " + "; ".join(load) + f"; `uptime`: {uptime}")
    return {"rows": rows, "details": "\n".join(details)}


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=7)
    args = p.parse_args()
    print(subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip(), flush=True)
    result = run(args.engine, args)
    title = (f"Data security overdue list at {args.rows:,} filings, incidents and risk assessments each "
             f"({args.engine}, synthetic)")  # fmt: skip
    benchlib.finish({"title": title, **result}, args.json, NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
