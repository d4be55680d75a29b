"""Re-checking a recognition programme's prerequisites for every enterprise of a province (issue 20): target
≤ 60 s for 300,000 enterprises, as the background task runs it (`recognition.rechecks.run`: facts read in bulk,
outcomes written with progress).

Synthetic data only: the archive of bench_monitoring (300,000 invented enterprises in the real Jiangxi counties,
1,000,000 CMMM/SME assessments with results, tier labels), plus tier-condition declarations for a fifth of the
enterprises (confirmed, awaiting confirmation or sent back). The programme is the shipped 基础级 example loaded
for the province. Baseline in the same run: reading the facts alone (`rechecks.facts_in`, no evaluation, nothing
written). Wall and CPU time are both printed: on the shared 2-core machine wall time grows with the load.

    .venv/bin/python benchmarks/bench_prerequisites.py [--engine sqlite|postgresql] [--enterprises 300000]
                                                      [--assessments 1000000] [--runs 3] [--workdir DIR] [--keep]
"""

import os
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import bench_monitoring  # noqa: E402
import benchlib  # noqa: E402
from benchlib import log  # noqa: E402

NAME = "bench_prerequisites"
PG_URL = "postgresql://postgres@127.0.0.1:5432/tidu_bench_prerequisites"
KEYS = ("abnormal_list", "serious_accident_3y", "secure_controllable", "organisation_talent")


def declare(enterprises: int, seed: int) -> int:
    from django.db import transaction
    from django.utils import timezone

    from assessments.facts import TierFact

    if TierFact.objects.exists():
        return TierFact.objects.count()
    rng = random.Random(seed)
    now = timezone.now()
    from django.db import connection

    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda v: v)
    when = adapt(now)
    rows = []
    for e in range(1, enterprises + 1):
        if rng.random() >= 0.2:
            continue
        status = rng.choices(["confirmed", "declared", "rejected"], weights=[6, 3, 1])[0]
        for key in KEYS:
            good = key in ("secure_controllable", "organisation_talent")
            value = good if rng.random() < 0.95 else not good
            rows.append((e, key, "true" if value else "false", "", status, True, when,
                         "不符" if status == "rejected" else ""))  # fmt: skip
    with transaction.atomic():
        return bench_monitoring.insert(
            TierFact, ["enterprise_id", "key", "value", "note", "status", "is_current", "declared_at", "reason"], rows
        )


def run(engine: str, args) -> dict:
    url = PG_URL if engine == "postgresql" else None
    if url:
        benchlib.postgres_database(url, keep=args.keep)
    benchlib.setup_django(NAME, args.workdir, args.keep, database_url=url)
    from accounts.models import Membership, Role, User
    from recognition import library, rechecks, services
    from recognition.models import PrerequisiteRun
    from regions.models import Region

    data = bench_monitoring.build(args.enterprises, args.assessments, seed=1)
    data["declared_facts"] = declare(args.enterprises, seed=2)
    officer, _ = User.objects.get_or_create(username="bench-province")
    Membership.objects.get_or_create(user=officer, role=Role.PROVINCE_OFFICER, region_id="360000")
    province = Region.objects.get(code="360000")
    programme = services.programme_load(actor=officer, region=province, data=library.shipped()["sf-basic-2026"])

    def read_facts():
        return sum(1 for _ in rechecks.facts_in(province.path))

    def recheck():
        done = rechecks.run(PrerequisiteRun.objects.create(programme=programme, region=province, started_by=officer))
        assert done.status == "done" and done.done == done.total, done
        return done

    walls, cpus, counts = {"facts": [], "run": []}, {"facts": [], "run": []}, None
    for _ in range(args.runs):
        for key, call in (("facts", read_facts), ("run", recheck)):
            wall, cpu = time.perf_counter(), time.process_time()
            out = call()
            walls[key].append(time.perf_counter() - wall)
            cpus[key].append(time.process_time() - cpu)
            if key == "run":
                counts = {"enterprises": out.total, "outcomes": out.counts}
        log(f"facts {walls['facts'][-1]:.1f} s, re-check {walls['run'][-1]:.1f} s (cpu {cpus['run'][-1]:.1f} s)")
    rows = [
        benchlib.row(f"prerequisites ({engine})", "read the facts (baseline)", walls["facts"], "s"),
        benchlib.row(f"prerequisites ({engine})", "re-check all enterprises, written", walls["run"], "s", 60),
        benchlib.row(f"prerequisites ({engine})", "re-check CPU", cpus["run"], "s"),
    ]
    details = [f"**{engine}**: {data}", f"outcomes: {counts}", f"uptime: {os.getloadavg()}"]
    return {"rows": rows, "details": "\n\n".join(details)}


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--enterprises", type=int, default=300_000)
    p.add_argument("--assessments", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=3)
    args = p.parse_args()
    result = run(args.engine, args)
    title = f"Prerequisite re-check at {args.enterprises:,} enterprises ({args.engine}, synthetic)"
    benchlib.finish({"title": title, **result}, args.json, NAME)
    return 0


if __name__ == "__main__":
    sys.exit(main())
