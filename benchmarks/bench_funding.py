"""Funding figures (issue 21): the eligibility check one applicant reads (target ≤ 50 ms), re-checking a
programme's eligibility for 300,000 enterprises (target ≤ 60 s), and 100 concurrent approvals against a budget
that covers 60 (exactly 60 approved, 40 refused with the budget's message, zero over-commitment).

Synthetic data only, in a scratch database: 300,000 invented enterprises in the real Jiangxi counties (size classes
with ~5 % not stated, a quarter above scale and ~10 % not stated, staff numbers with ~15 % not stated), tier labels on
~8 %, a blacklist label on ~1 %, and SME-2024 results for ~45 % (one or two submitted assessments each, levels 0–5),
written with raw bulk inserts (COPY on PostgreSQL). The programme is a province voucher with five rules (中小微,
规模以上, ≥ 20 staff, not blacklisted, SME-2024 level ≥ 2), loaded through `services.programme_load`.

- one enterprise: `services.eligibility` with the programme and the enterprise fetched as a page would (baseline:
  the two fetches alone);
- the re-check: `rechecks.run` over the province, as the background task runs it (baseline: reading the facts alone,
  `facts.facts_in`);
- the race: 100 applications from 100 enterprises wait at the province's decision; 100 threads are released at once
  by a barrier and each calls `services.decide(..., "pass")` with its own connection, at most 40 holding a database
  session at a time (a server's workers: PostgreSQL's max_connections is 100 on this machine and shared).

Wall and CPU time are both printed: on the shared 2-core machine wall time grows with the load (`uptime`).

    .venv/bin/python benchmarks/bench_funding.py [--engine sqlite|postgresql] [--enterprises 300000] [--runs 3]
                                                 [--checks 50] [--approvals 100] [--covered 60] [--workdir DIR] [--keep]
"""

import datetime as dt
import json
import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
from bench_monitoring import TIERS, insert  # noqa: E402
from benchlib import log  # noqa: E402

NAME = "bench_funding"
PG_URL = "postgresql://postgres@127.0.0.1:5432/tidu_bench_funding"
SESSIONS = 40

PROGRAMME = {
    "code": "bench-sme-voucher-2026", "name": "合成基准用中小企业服务券", "type": "voucher", "voucher_kind": "service",
    "year": 2026, "level": "province", "status": "provisional", "rate": 0.3,
    "rules": [
        {"fact": "size_class", "op": "in", "value": ["medium", "small", "micro"], "label": "中小微企业"},
        {"fact": "above_scale", "op": "==", "value": True, "label": "规模以上工业企业"},
        {"fact": "employees", "op": ">=", "value": 20, "label": "从业人员不少于 20 人"},
        {"fact": "label", "op": "not_has", "value": "blacklist", "label": "未列入失信名单"},
        {"fact": "level", "model": "sme-2024", "op": ">=", "value": 2, "label": "中小企业数字化水平二级及以上"},
    ],
    "chain": [{"code": "province_decision", "name": "省级审批", "action": "decision", "level": "province"}],
}  # fmt: skip


def build(enterprises: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from assessments.models import Assessment, AssessmentResult, ModelVersion
    from enterprises.models import Enterprise, EnterpriseLabel, Label
    from regions.models import Region

    Label.objects.get_or_create(code="blacklist", defaults={"name": "失信名单（合成）", "kind": "other"})
    if Enterprise.objects.count() >= enterprises:
        log(f"reusing the archive of {enterprises:,} synthetic enterprises")
        return {"reused": True}
    rng = random.Random(seed)
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda v: v)
    now = timezone.now()
    counties = list(Region.objects.filter(code__startswith="36", is_leaf=True).values_list("code", flat=True))
    weights = [1 / (i + 1) ** 0.8 for i in range(len(counties))]
    rng.shuffle(weights)
    county = rng.choices(counties, weights=weights, k=enterprises)
    divisions = [f"{c}" for c in range(13, 44) if c not in (16, 42)]
    created = adapt(now - dt.timedelta(days=1500))
    started = time.perf_counter()

    def staff():
        return None if rng.random() < 0.15 else max(1, int(rng.lognormvariate(3.5, 1.2)))

    def above():
        roll = rng.random()
        return None if roll < 0.10 else roll < 0.35

    with transaction.atomic():
        insert(
            Enterprise,
            ["id", "credit_code", "name", "name_initials", "former_names", "county_id", "address", "industry_id",
             "industry_detail_code", "size_class", "is_above_scale", "employees", "notes", "is_synthetic",
             "created_at", "updated_at"],
            ((i + 1, f"BENCH{i + 1:013d}", f"合成企业{i + 1}", "", "[]", county[i], "", rng.choice(divisions), "",
              "" if rng.random() < 0.05 else rng.choice(["micro", "small", "medium", "large"]), above(), staff(), "",
              True, created, created) for i in range(enterprises)),
        )  # fmt: skip
        labels = []
        for e in range(1, enterprises + 1):
            roll, edge = rng.random(), 0.0
            for code, p in TIERS:
                edge += p
                if roll < edge:
                    labels.append((e, code, 2025))
                    break
            if rng.random() < 0.01:
                labels.append((e, "blacklist", 2026))
        insert(EnterpriseLabel, ["enterprise_id", "label_id", "year"], labels)
        version = ModelVersion.objects.get(code="sme-2024", is_current=True)
        assessments, results, next_id = [], [], 1
        for e in range(1, enterprises + 1):
            if rng.random() >= 0.45:
                continue
            level = rng.randint(0, 3)
            rounds = 2 if rng.random() < 0.2 else 1
            for r in range(rounds):
                when = adapt(now - dt.timedelta(days=330 * (rounds - 1 - r) + rng.randrange(300)))
                kind = rng.choices(["self", "diagnosis", "verified"], weights=[85, 10, 5])[0]
                assessments.append((next_id, e, version.pk, "sme-2024", kind, "submitted", "import", "{}", "{}", "{}",
                                    0, when, when, when))  # fmt: skip
                results.append((next_id, next_id, version.pk, True, float(level), 5.0, level or None, "", False, "{}",
                                "", when))  # fmt: skip
                level = min(5, level + rng.choice([0, 1, 1]))
                next_id += 1
        insert(Assessment, ["id", "enterprise_id", "model_version_id", "model_code", "kind", "status", "source",
                            "context", "answers", "reasons", "answered_count", "created_at", "updated_at",
                            "submitted_at"], assessments)  # fmt: skip
        insert(AssessmentResult, ["id", "assessment_id", "model_version_id", "is_current", "score", "scale_max",
                                  "level", "level_name", "provisional", "snapshot", "reason", "computed_at"],
               results)  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("enterprises_enterprise", "enterprises_enterpriselabel", "assessments_assessment",
                          "assessments_assessmentresult"):  # fmt: skip
                # Rows were written with their ids: the sequences move past them, so later inserts do not collide.
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                               f"(SELECT COALESCE(MAX(id), 1) FROM {table}))")  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    seconds = time.perf_counter() - started
    log(f"{enterprises:,} enterprises, {len(labels):,} labels, {len(assessments):,} assessments in {seconds:.0f} s")
    return {"enterprises": enterprises, "labels": len(labels), "assessments": len(assessments),
            "build_seconds": round(seconds, 1)}  # fmt: skip


def timed(call, runs: int) -> tuple[list[float], list[float], object]:
    walls, cpus, out = [], [], None
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        out = call()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus, out


def run(engine: str, args) -> dict:
    url = PG_URL if engine == "postgresql" else None
    if url:
        benchlib.postgres_database(url, keep=args.keep)
    benchlib.setup_django(NAME, args.workdir, args.keep, database_url=url)
    from accounts.models import Membership, Role, User
    from enterprises.models import Enterprise
    from incentives import rechecks, services
    from incentives.facts import facts_in
    from incentives.models import EligibilityRun, Programme
    from incentives.tests.test_concurrency import assert_never_over_committed, build_race, race, tally
    from regions.models import Region

    load = [f"before: {os.getloadavg()}"]
    data = build(args.enterprises, seed=1)
    officer, _ = User.objects.get_or_create(username="bench-province")
    Membership.objects.get_or_create(user=officer, role=Role.PROVINCE_OFFICER, region_id="360000")
    province = Region.objects.get(code="360000")
    programme = services.programme_load(actor=officer, region=province, data=PROGRAMME)
    rows, details = [], [f"**{engine}**: " + json.dumps(data, ensure_ascii=False)]
    bench = f"funding ({engine})"

    # One enterprise: the page fetches the programme and the enterprise, then runs the check.
    picks = random.Random(3).sample(range(1, args.enterprises + 1), args.checks)

    def fetches(pk):
        return Programme.objects.get(pk=programme.pk), Enterprise.objects.get(pk=pk)

    def one_check(pk):
        fetched, enterprise = fetches(pk)
        return services.eligibility(fetched, enterprise)

    one_check(picks[0])  # warm-up
    for label, call, target in (("baseline: fetch the programme and the enterprise", fetches, None),
                                ("eligibility of one enterprise, rule by rule", one_check, 50.0)):  # fmt: skip
        walls, cpus = [], []
        for pk in picks:
            w, c, _out = timed(lambda pk=pk: call(pk), 1)  # noqa: B023
            walls.append(w[0] * 1000)
            cpus.append(c[0] * 1000)
        rows.append(benchlib.row(bench, label, walls, "ms", target, target_on="p95"))
        details.append(f"- {label}: wall median {benchlib.median(walls):.1f} ms, p95 {benchlib.p95(walls):.1f} ms, "
                       f"CPU median {benchlib.median(cpus):.1f} ms")  # fmt: skip
        log(details[-1][2:])

    # The re-check over the province.
    def read_facts():
        return sum(1 for _ in facts_in(province.path))

    def recheck():
        done = rechecks.run(EligibilityRun.objects.create(programme=programme, region=province, started_by=officer).pk)
        assert done.status == "done" and done.done == done.total, (done.status, done.error)
        return done

    cases = [("baseline: read the facts of every enterprise", read_facts, None),
             ("re-check every enterprise of the province, outcomes written", recheck, 60.0)]
    for label, call, target in cases:
        walls, cpus, out = timed(call, args.runs)
        rows.append(benchlib.row(bench, label, walls, "s", target))
        details.append(f"- {label}: wall median {benchlib.median(walls):.1f} s, CPU median "
                       f"{benchlib.median(cpus):.1f} s ({', '.join(f'{w:.1f}' for w in walls)})")  # fmt: skip
        log(details[-1][2:])
    details.append(f"- outcomes of {out.total:,} enterprises: {json.dumps(out.counts)}")
    load.append(f"after the re-checks: {os.getloadavg()}")

    # The race.
    built = build_race(args.approvals, args.covered)
    started = time.perf_counter()
    results = race(built["officer"], built["applications"], sessions=SESSIONS)
    seconds = time.perf_counter() - started
    found = tally(results, built["budget"])
    assert_never_over_committed(found, args.approvals, args.covered)
    rows.append(benchlib.row(bench, f"{args.approvals} concurrent approvals, budget for {args.covered}",
                             [seconds], "s", show_p95=False))  # fmt: skip
    details.append(
        f"- race: {args.approvals} approvals released at once ({SESSIONS} database sessions at a time): "
        f"{found['approved']} approved, {len(found['refused'])} refused ({sorted(set(found['refused']))}), "
        f"{len(found['other'])} other errors; committed {found['committed']} of a budget of {found['budget']}, "
        f"{found['commitments']} commitments in the ledger, {found['still_waiting']} left waiting at their step; "
        f"{seconds:.2f} s"
    )
    log(details[-1][2:])
    load.append(f"after: {os.getloadavg()}")
    details.append("uptime (load averages 1/5/15 min): " + "; ".join(load))
    return {"rows": rows, "details": "\n".join(details)}


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--enterprises", type=int, default=300_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--checks", type=int, default=50)
    p.add_argument("--approvals", type=int, default=100)
    p.add_argument("--covered", type=int, default=60)
    args = p.parse_args()
    result = run(args.engine, args)
    title = f"Funding at {args.enterprises:,} enterprises ({args.engine}, synthetic)"
    benchlib.finish({"title": title, **result}, args.json, NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
