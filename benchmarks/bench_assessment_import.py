"""Benchmark: import 50,000 CMMM assessments (one row per enterprise, ~170 item columns) from XLSX, check + commit.

    .venv/bin/python benchmarks/bench_assessment_import.py                 # 50,000 rows, up to 3 runs
    .venv/bin/python benchmarks/bench_assessment_import.py --rows 5000     # smaller
    .venv/bin/python benchmarks/bench_assessment_import.py --profile       # one run under cProfile

Not timed: 50,000 synthetic enterprises bulk-created in a throwaway SQLite database, and the XLSX file written with
openpyxl from the import template's header row. Timed: what the upload page queues for a province officer — the
job with its stored file, `import_check` (read, validate, score every row) and `import_commit` (re-check, then
assessments, result snapshots, node scores and timeline events in one transaction). Between runs the written
assessments, results, node scores and events are deleted."""

import cProfile
import io
import pstats
import random
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402 -- after the path line, so that `python benchmarks/...` finds it

NAME = "bench_assessment_import"
TARGET_S = 120.0


def seed_enterprises(n: int, seed: int = 2026) -> list[tuple[str, str, str]]:
    """n synthetic enterprises across Jiangxi's counties and the manufacturing divisions: (code, name, industry)."""
    from enterprises.creditcode import make
    from enterprises.models import Enterprise
    from regions.models import IndustryDivision, Region

    rng = random.Random(seed)
    counties = list(
        Region.objects.filter(is_leaf=True, level__gte=2, code__startswith="36").values_list("code", flat=True)
    )
    industries = list(IndustryDivision.objects.values_list("code", flat=True))
    made, batch = [], []
    for i in range(n):
        county, industry = rng.choice(counties), rng.choice(industries)
        code = make(f"91{county}{i:09d}")
        name = f"基准评估企业{i:06d}有限公司"
        made.append((code, name, industry))
        batch.append(Enterprise(credit_code=code, name=name, county_id=county, industry_id=industry, is_synthetic=True))
        if len(batch) == 5000:
            Enterprise.objects.bulk_create(batch)
            batch = []
    Enterprise.objects.bulk_create(batch)
    return made


def generate_xlsx(path: Path, version, enterprises: list[tuple[str, str, str]], seed: int = 2026) -> None:
    from openpyxl import Workbook

    from assessments.import_rows import CREDIT_CODE, KIND, NAME, PRODUCTION_TYPE, importable_items, item_header
    from assessments.services import PROCESS_DIVISIONS
    from maturity.answers import applies

    rng = random.Random(seed)
    spec = version.parsed()
    items = importable_items(spec)
    refs = {r.item.code: r for r in spec.iter_items()}
    applicable = {
        pt: [applies(refs[item.code], {"production_type": pt}) for item in items] for pt in ("discrete", "process")
    }
    book = Workbook(write_only=True)
    sheet = book.create_sheet("评估数据")
    sheet.append([CREDIT_CODE, NAME, KIND, PRODUCTION_TYPE, *(item_header(item) for item in items)])
    choices = [[o.code for o in item.options] + [o.label for o in item.options[:1]] for item in items]
    for i, (code, name, industry) in enumerate(enterprises):
        pt = "process" if industry in PROCESS_DIVISIONS else "discrete"
        level = rng.random()  # enterprises answer better or worse overall, so levels spread
        row = [code, name, "诊断评估" if i % 5 == 0 else "自评估", ""]
        for k, ok in enumerate(applicable[pt]):
            if not ok:
                row.append(None)
            elif rng.random() < 0.02:
                row.append(None)  # unanswered: counts 0
            else:
                options = choices[k]
                row.append(options[0] if rng.random() < level else rng.choice(options))
        sheet.append(row)
    book.save(path)


def reset() -> None:
    from django.db import connection

    from assessments.models import Assessment, AssessmentImportJob, AssessmentResult, DomainScore, PeerScore
    from enterprises.models import EnterpriseEvent

    with connection.cursor() as cursor:
        for model in (PeerScore, DomainScore, AssessmentResult, Assessment, EnterpriseEvent, AssessmentImportJob):
            cursor.execute(f'DELETE FROM "{model._meta.db_table}"')  # noqa: S608 -- model table names
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM")


def import_once(xlsx: Path, user, version, expected: int, profile: bool) -> dict:
    from assessments.imports import import_check, import_commit, stored_path_for
    from assessments.models import Assessment, AssessmentImportJob, AssessmentResult, DomainScore
    from enterprises.models import EnterpriseEvent

    t0 = time.perf_counter()
    c0 = time.process_time()
    job = AssessmentImportJob(created_by=user, model_version=version, original_name=xlsx.name, size=xlsx.stat().st_size)
    target = stored_path_for(job.pk)
    target.write_bytes(xlsx.read_bytes())
    job.stored_path = str(target)
    job.save()
    t1 = time.perf_counter()
    profiles = {"check": _run(import_check, job, profile)}
    t2, c2 = time.perf_counter(), time.process_time()
    if job.status != AssessmentImportJob.Status.READY:
        raise SystemExit(f"check did not pass: {job.status} {job.message} {job.errors[:5]}")
    profiles["commit"] = _run(import_commit, job, profile)
    t3, c3 = time.perf_counter(), time.process_time()
    job.refresh_from_db()
    counts = {
        "assessments": Assessment.objects.count(),
        "results": AssessmentResult.objects.count(),
        "domain_scores": DomainScore.objects.count(),
        "events": EnterpriseEvent.objects.filter(kind="assessed").count(),
    }
    if job.status != "done" or counts["assessments"] != expected or counts["results"] != expected:
        raise SystemExit(f"import did not finish as expected: {job.status} {job.message} {counts}")
    return {
        "check": t2 - t1,
        "commit": t3 - t2,
        "total": t3 - t0,
        "cpu": {"check": c2 - c0, "commit": c3 - c2},
        "counts": counts,
        "profiles": {k: v for k, v in profiles.items() if v},
    }


def _run(function, job, profile: bool) -> str:
    if not profile:
        function(job)
        return ""
    profiler = cProfile.Profile()
    profiler.runcall(function, job)
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(35)
    return text.getvalue()


def main() -> None:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=50_000)
    p.add_argument("--runs", type=int, default=3)
    p.add_argument("--budget", type=int, default=900, help="seconds for the timed runs; fewer runs if exceeded")
    p.add_argument("--profile", action="store_true")
    args = p.parse_args()
    workdir = benchlib.setup_django(NAME, args.workdir, args.keep)

    from django.db import connection

    from accounts.models import Membership, Role, User
    from assessments.models import ModelVersion

    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    xlsx = workdir / f"assessments-{args.rows}.xlsx"
    user = User.objects.filter(username="bench-officer").first()
    if user is None or not xlsx.exists():  # with --workdir, a later run reuses the seeded archive and the file
        benchlib.log(f"seeding {args.rows} enterprises")
        enterprises = seed_enterprises(args.rows)
        benchlib.log(f"writing {xlsx.name}")
        generate_xlsx(xlsx, version, enterprises)
        user = User(username="bench-officer", display_name="基准测试 省工信厅")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=Role.PROVINCE_OFFICER, region_id="360000")
    benchlib.log(f"file ready: {xlsx.stat().st_size / 1e6:.1f} MB")

    runs: list[dict] = []
    started = time.monotonic()
    for index in range(1 if args.profile else args.runs):
        if runs and time.monotonic() - started + runs[-1]["total"] * 1.3 > args.budget:
            benchlib.log("stopping: another run would exceed the budget")
            break
        reset()
        run = import_once(xlsx, User.objects.get(pk=user.pk), version, args.rows, args.profile)
        runs.append(run)
        benchlib.log(
            f"run {index + 1}: check {run['check']:.1f} s, commit {run['commit']:.1f} s, total {run['total']:.1f} s"
        )
        for phase, text in run["profiles"].items():
            print(f"--- profile of {phase}\n{text}")
    title = f"Assessment import: {args.rows:,} CMMM rows ({connection.vendor})"
    rows = [
        benchlib.row(NAME, "check (read, validate, score)", [r["check"] for r in runs], "s", show_p95=False),
        benchlib.row(NAME, "commit (re-check, write)", [r["commit"] for r in runs], "s", show_p95=False),
        benchlib.row(
            NAME,
            f"total, {args.rows:,} rows",
            [r["total"] for r in runs],
            "s",
            target=TARGET_S if args.rows >= 50_000 else None,
            show_p95=False,
        ),
    ]
    details = (
        f"Median of {len(runs)} run(s) (3 when they fit in the budget). File: {xlsx.stat().st_size / 1e6:.1f} MB, "
        f"{args.rows:,} rows × {4 + version.item_count} columns. Rows written per run: {runs[-1]['counts']}. "
        f"CPU seconds of the last run: {runs[-1]['cpu']}."
    )
    benchlib.finish({"title": title, "rows": rows, "details": details}, args.json, NAME)


if __name__ == "__main__":
    main()
