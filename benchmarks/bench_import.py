"""Benchmark: import 100,000 enterprises from one XLSX file, end to end, on SQLite.

The file is synthetic (generated here, not timed): the import template's headers, valid credit codes, real Jiangxi
county codes from the Region table, industries C13–C43, 2025 figures, some labels and a contact per row. The timed
part is what `manage.py import_enterprises --yes` does: a province officer, an ImportJob with the stored file, then
`import_check(job)` and `import_commit(job)`. Progress writes are observed with a database execute wrapper (an
observer only: no app code is patched).

    .venv/bin/python benchmarks/bench_import.py [--rows 100000] [--runs N] [--profile]
"""

import cProfile
import datetime as dt
import io
import pstats
import random
import re
import time
from pathlib import Path

import benchlib
from benchlib import log

NAME = "bench_import"
TARGET_TOTAL_S = 90.0
BUDGET_S = 600.0  # three runs only when they fit in ten minutes, otherwise one
SET_COLUMNS = re.compile(r'"(\w+)" = ')


# ------------------------------------------------------------------------------------------------ the file


def generate_xlsx(path: Path, rows: int, seed: int = 2026) -> dict:
    """Write a synthetic import file with openpyxl's write-only mode. Returns what it contains."""
    from openpyxl import Workbook

    from enterprises import creditcode
    from enterprises import demo_names as words
    from enterprises.import_rows import COLUMNS
    from enterprises.models import Label
    from regions.models import IndustryDivision, Region

    rng = random.Random(seed)
    counties = list(
        Region.objects.filter(code__startswith="36", is_leaf=True, level__gte=2, is_active=True)
        .order_by("code")
        .values_list("code", "name", "full_name")
    )
    assert counties, "no Jiangxi counties in the Region table"
    industries = [f"{n}" for n in range(13, 44)]
    assert set(industries) <= set(IndustryDivision.objects.values_list("code", flat=True))
    label_names = dict(Label.objects.values_list("code", "name"))
    label_choices = [
        (0.12, f"{label_names['high-tech']}:2022"),
        (0.05, f"{label_names['specialised-sme']}:2023；{label_names['high-tech']}:2022"),
        (0.03, f"{label_names['innovative-sme']}:2024"),
        (0.01, f"{label_names['specialised-sme']}:2021；{label_names['little-giant']}（2024年）"),
    ]
    headers = [col.header for col in COLUMNS]
    keys = [col.key for col in COLUMNS]
    used_codes: set[str] = set()
    labelled = 0
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("企业名单")
    sheet.append(headers)
    for _ in range(rows):
        county, county_name, full_name = rng.choice(counties)
        while True:
            code = creditcode.make("91" + county + creditcode.org_code("".join(rng.choices(creditcode.ALPHABET, k=8))))
            if code not in used_codes:
                used_codes.add(code)
                break
        industry = rng.choice(industries)
        place = county_name[:2]
        name = (place + rng.choice(words.BRAND_FIRST) + rng.choice(words.BRAND_SECOND)
                + rng.choice(words.INDUSTRY_WORDS.get(industry, ("制造",))) + "有限公司")
        employees = max(1, int(rng.lognormvariate(3.0, 1.1)))
        revenue = round(employees * rng.lognormvariate(3.5, 0.6), 2)
        assets = round(revenue * rng.lognormvariate(-0.1, 0.45), 2)
        labels = ""
        draw = rng.random()
        for share, text in label_choices:
            if draw < share:
                labels = text
                labelled += 1
                break
            draw -= share
        contact = rng.choice(words.SURNAMES) + "".join(rng.choice(words.GIVEN) for _ in range(rng.choice((1, 2))))
        values = {
            "credit_code": code,
            "name": name,
            "former_names": name.replace("有限公司", "厂") if rng.random() < 0.03 else None,
            "county": county,
            "address": f"{full_name.replace(' ', '')}{rng.choice(words.ROADS)}路{rng.randint(1, 999)}号",
            "industry": f"C{industry}" if rng.random() < 0.1 else industry,
            "industry_group": None,  # no industry groups are loaded by migrate, so the column stays empty
            "founded_on": dt.date(rng.randint(1990, 2024), rng.randint(1, 12), rng.randint(1, 28)),
            "year": 2025,
            "employees": employees,
            "revenue": revenue,
            "assets": assets,
            "labels": labels or None,
            "contact_name": contact,
            "contact_phone": f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
            "contact_email": f"contact{len(used_codes)}@example.cn" if rng.random() < 0.3 else None,
            "notes": "合成基准数据" if rng.random() < 0.02 else None,
        }
        sheet.append([values[key] for key in keys])
    workbook.save(path)
    return {"rows": rows, "labelled_rows": labelled, "bytes": path.stat().st_size, "counties": len(counties)}


# ------------------------------------------------------------------------------------------------ one import


class ProgressObserver:
    """Records every UPDATE of an import job that sets `progress`, with the value and when it happened."""

    def __init__(self):
        self.phase = "setup"
        self.started = time.perf_counter()
        self.updates: list[tuple[str, float, int | None]] = []

    def start(self, phase: str) -> None:
        self.phase, self.started = phase, time.perf_counter()

    def __call__(self, execute, sql, params, many, context):
        result = execute(sql, params, many, context)
        if not many and sql.startswith('UPDATE "enterprises_importjob" SET') and '"progress" = ' in sql:
            value = None
            try:
                columns = SET_COLUMNS.findall(sql.split(" SET ", 1)[1].rsplit(" WHERE ", 1)[0])
                value = int(params[columns.index("progress")])
            except (ValueError, IndexError, TypeError):
                pass
            self.updates.append((self.phase, time.perf_counter() - self.started, value))
        return result


def reset_archive() -> None:
    """Empty everything an import run writes, so that each run starts from an empty archive."""
    from django.db import connection

    from accounts.models import Membership, User
    from enterprises.models import (
        Contact,
        Enterprise,
        EnterpriseEvent,
        EnterpriseFigures,
        EnterpriseLabel,
        ImportJob,
    )

    with connection.cursor() as cursor:
        for model in (EnterpriseEvent, Contact, EnterpriseLabel, EnterpriseFigures, ImportJob, Enterprise):
            cursor.execute(f'DELETE FROM "{model._meta.db_table}"')  # noqa: S608 -- model table names
    Membership.objects.all().delete()
    User.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM")


def import_once(xlsx: Path, index: int, expected: int, profile: bool = False) -> dict:
    from django.db import connection

    from accounts.models import Membership, Role, User
    from enterprises.imports import import_check, import_commit, stored_path_for
    from enterprises.models import Contact, Enterprise, EnterpriseEvent, EnterpriseFigures, EnterpriseLabel, ImportJob

    observer = ProgressObserver()
    profiles = {}
    with connection.execute_wrapper(observer):
        t0, c0 = time.perf_counter(), time.process_time()
        user = User(username=f"bench-officer-{index}", display_name="基准测试 省工信厅")
        user.set_unusable_password()
        user.save()
        Membership.objects.create(user=user, role=Role.PROVINCE_OFFICER, region_id="360000")
        job = ImportJob(created_by=user, original_name=xlsx.name, size=xlsx.stat().st_size)
        target = stored_path_for(job.pk)
        target.write_bytes(xlsx.read_bytes())
        job.stored_path = str(target)
        job.save()
        t1, c1 = time.perf_counter(), time.process_time()
        observer.start("check")
        profiles["check"] = _run(import_check, job, profile)
        t2, c2 = time.perf_counter(), time.process_time()
        if job.status != ImportJob.Status.READY:
            raise SystemExit(f"check did not pass: {job.status} {job.message} {job.errors[:5]}")
        check_state = {"status": job.status, "progress": job.progress, "created": job.created_count}
        observer.start("commit")
        profiles["commit"] = _run(import_commit, job, profile)
        t3, c3 = time.perf_counter(), time.process_time()
    job.refresh_from_db()
    counts = {
        "enterprises": Enterprise.objects.count(),
        "figures": EnterpriseFigures.objects.count(),
        "labels": EnterpriseLabel.objects.count(),
        "contacts": Contact.objects.count(),
        "events": EnterpriseEvent.objects.count(),
    }
    ok = (job.status == ImportJob.Status.DONE and job.progress == 100 and counts["enterprises"] == expected
          and job.created_count == expected)
    if not ok:
        raise SystemExit(f"import did not finish as expected: {job.status} {job.progress} {job.message} {counts}")
    return {
        "setup": t1 - t0, "check": t2 - t1, "commit": t3 - t2, "total": t3 - t0,
        "cpu": {"check": c2 - c1, "commit": c3 - c2, "total": c3 - c0},
        "check_state": check_state,
        "final": {"status": job.status, "progress": job.progress, "message": job.message,
                  "created": job.created_count, "updated": job.updated_count, "unchanged": job.unchanged_count},
        "counts": counts,
        "progress_updates": {
            phase: [(round(t, 2), value) for p, t, value in observer.updates if p == phase]
            for phase in ("check", "commit")
        },
        "profiles": {k: v for k, v in profiles.items() if v},
    }


def _run(function, job, profile: bool) -> str:
    if not profile:
        function(job)
        return ""
    profiler = cProfile.Profile()
    profiler.runcall(function, job)
    benchlib.OUT.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(benchlib.OUT / f"{function.__name__}.prof")
    text = io.StringIO()
    stats = pstats.Stats(profiler, stream=text)
    stats.sort_stats("tottime").print_stats(25)
    stats.sort_stats("cumulative").print_stats(40)
    return text.getvalue()


# ------------------------------------------------------------------------------------------------ main


def main(argv: list[str] | None = None) -> None:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--runs", type=int, default=0, help="0 (default): three runs if they fit in ten minutes, else one")
    p.add_argument("--budget", type=float, default=BUDGET_S, help="seconds this benchmark may take for three runs")
    p.add_argument("--profile", action="store_true", help="one run under cProfile (times are inflated)")
    args = p.parse_args(argv)
    workdir = benchlib.setup_django("import", args.workdir, args.keep)

    xlsx = workdir / f"synthetic_enterprises_{args.rows}.xlsx"
    started = time.perf_counter()
    log(f"generating {args.rows:,} synthetic rows into {xlsx.name} (not timed)")
    info = generate_xlsx(xlsx, args.rows)
    info["generate_seconds"] = round(time.perf_counter() - started, 1)
    log(f"file ready: {info['bytes'] / 1e6:.1f} MB in {info['generate_seconds']} s")

    runs: list[dict] = []
    wanted = 1 if args.profile else args.runs or 3
    bench_started = time.monotonic()
    while len(runs) < wanted:
        if runs:
            reset_archive()
        round_started = time.monotonic()
        log(f"import run {len(runs) + 1}: check + commit of {args.rows:,} rows")
        result = import_once(xlsx, len(runs) + 1, args.rows, profile=args.profile)
        runs.append(result)
        log(f"run {len(runs)}: check {result['check']:.1f} s, commit {result['commit']:.1f} s, "
            f"total {result['total']:.1f} s; {result['counts']['enterprises']:,} enterprises in the database")
        if not args.runs and len(runs) == 1:
            per_run = time.monotonic() - round_started + 5  # plus the reset between runs
            spent = time.monotonic() - benchlib.STARTED
            if spent + 2 * per_run > args.budget:
                log(f"one run only: three would take about {spent + 2 * per_run:.0f} s (> {args.budget:.0f} s)")
                wanted = 1
    for phase in ("check", "commit"):
        for text in (r["profiles"].get(phase) for r in runs):
            if text:
                print(f"\n===== cProfile of import_{phase} =====\n{text}")

    label = f"Import {args.rows:,} from XLSX" + (" (profiled)" if args.profile else "")
    rows = [
        benchlib.row(label, "check (import_check)", [r["check"] for r in runs], "s"),
        benchlib.row(label, "commit (import_commit)", [r["commit"] for r in runs], "s"),
        benchlib.row(label, "total (job setup + check + commit)", [r["total"] for r in runs], "s",
                     target=TARGET_TOTAL_S if args.rows == 100_000 else None),
    ]
    for r in rows:
        r["p95"] = None  # three runs at most: the median is the figure
    details = _details(info, runs, time.monotonic() - bench_started)
    result = {"name": NAME, "title": f"Import: {args.rows:,} enterprises from XLSX (SQLite)", "rows": rows,
              "details": details, "runs": [{k: v for k, v in r.items() if k != "profiles"} for r in runs], "file": info}
    benchlib.finish(result, args.json, NAME)


def _details(info: dict, runs: list[dict], seconds: float) -> str:
    lines = [
        f"Synthetic file: {info['rows']:,} rows, {info['bytes'] / 1e6:.1f} MB, {info['counties']} real Jiangxi "
        f"counties, {info['labelled_rows']:,} rows with labels; generated with openpyxl in "
        f"{info['generate_seconds']} s (not timed). "
        f"Imported as a province officer (360000) into an empty archive; {len(runs)} run(s), {seconds:.0f} s in all.",
        "",
        "| Run | Setup | Check | Commit | Total | CPU (check / commit) | Progress writes (check / commit) "
        "| Final job | Enterprises |",
        "|---:|---:|---:|---:|---:|---|---|---|---:|",
    ]
    for i, r in enumerate(runs, start=1):
        updates = r["progress_updates"]
        final = r["final"]
        lines.append(
            f"| {i} | {r['setup']:.2f} s | {r['check']:.2f} s | {r['commit']:.2f} s | {r['total']:.2f} s | "
            f"{r['cpu']['check']:.1f} s / {r['cpu']['commit']:.1f} s | "
            f"{len(updates['check'])} / {len(updates['commit'])} | {final['status']}, progress {final['progress']}, "
            f"created {final['created']:,} | {r['counts']['enterprises']:,} |"
        )
    first = runs[0]
    lines += ["", "Rows written (run 1): " + ", ".join(f"{k} {v:,}" for k, v in first["counts"].items()) + ".",
              f"Job message: {first['final']['message']}", "",
              "Progress as written to the job row in run 1 (seconds since the phase started → percent):", ""]
    for phase in ("check", "commit"):
        points = ", ".join(f"{t:.1f}s→{v}" for t, v in first["progress_updates"][phase])
        lines.append(f"- {phase}: {points or 'none'}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
