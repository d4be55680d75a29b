"""Enterprise import of a 100,000-row list through the background worker: check + commit ≤ 60 s, memory ≤ 500 MB.

The list is SYNTHETIC (built here, nothing checked in) in the shape county and city offices keep: a title row and
the issuing office above the header, 序号, the columns under their synonyms (企业（单位）名称, 社会信用代码, 所属区县
as a name or a code, 年末从业人数, 主营业务收入（万元）…), a units row, the figures with a 数据年度 column, labels
(称号) on some rows, a contact on every row, a total and signatures below. A second list holds the same
enterprises with next year's figures, as an office re-imports its list yearly.

Each run is its own Python process on a fresh database (SQLite file under a temporary TIDU_VAR_DIR, and a
PostgreSQL database of its own when the server answers): migrate loads the real regions (Jiangxi, 36) and industry
divisions, a province officer uploads the file through `enterprises.imports.import_start` (the task backend is the
database queue, as deployed), and Django's `db_worker --batch` runs `check_import`; `import_confirm` then queues
`commit_import` and the worker runs it. Timed per phase: reading the file alone (the baseline: what every check
costs before validating), check, commit, and the re-import of next year's list (check + commit over the populated
archive: every row "updated"). Memory: the process's peak resident set per phase (VmHWM, reset between phases
through /proc/self/clear_refs), interpreter and Django included. Medians of the runs, printed beside `uptime`.

    .venv/bin/python benchmarks/bench_import_100k.py [--rows 100000] [--runs 3] [--engine sqlite|postgresql|both]
"""

import argparse
import datetime as dt
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
TARGET_SECONDS, TARGET_MB = 60, 500
PG_URL = os.environ.get("TIDU_BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432/tidu_speed_bench")
PHASES = ("read", "check", "commit", "recheck", "recommit")
FIRST_YEAR = 2024  # the list's figures; the re-import holds the next year's

# The header of a county office's list: 序号, every column under a synonym the offices use, units in brackets.
HEADER = [
    "序号",
    "企业（单位）名称",
    "社会信用代码",
    "所属区县",
    "详细地址",
    "所属行业代码",
    "成立时间",
    "数据年度",
    "年末从业人数",
    "主营业务收入（万元）",
    "资产总计（万元）",
    "培育称号",
    "联系人",
    "联系电话",
    "电子邮箱",
]
UNITS = ["", "", "", "", "", "", "", "年", "人", "万元", "万元", "", "", "", ""]


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


# ------------------------------------------------------------------------------------------------ child: setup


def setup_django(engine: str, workdir: Path, template: Path | None = None) -> None:
    """Environment first (own TIDU_VAR_DIR and database, the database task queue), then Django. The schema is
    migrated once per engine into a template (a process of its own: migrating leaves ~100 MB in the process that
    a worker never has); each run starts from a copy of it."""
    os.environ["TIDU_VAR_DIR"] = str(workdir)
    os.environ["TIDU_DATABASE_URL"] = PG_URL if engine == "postgresql" else f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["TIDU_TASKS_BACKEND"] = "db"
    os.environ["TIDU_DEBUG"] = "0"
    os.environ.pop("TIDU_REDIS_URL", None)
    os.environ.pop("TIDU_MEDIA_ROOT", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tidu.settings"
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    workdir.mkdir(parents=True, exist_ok=True)
    if template is None:  # the template itself
        if engine == "postgresql":
            fresh_postgres_database(PG_URL)
    elif engine == "postgresql":
        fresh_postgres_database(PG_URL, template=PG_URL.rsplit("/", 1)[1] + "_template")
    else:
        shutil.copyfile(template / "bench.sqlite3", workdir / "bench.sqlite3")

    import django
    from django.core.management import call_command

    django.setup()
    if template is None:
        call_command("migrate", interactive=False, verbosity=0)
        call_command("createcachetable", verbosity=0)
        from django.db import connections

        connections.close_all()
        if engine == "postgresql":  # becomes the template the runs copy
            fresh_postgres_database(PG_URL + "_template", template=PG_URL.rsplit("/", 1)[1])


def fresh_postgres_database(url: str, template: str | None = None) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def postgres_reachable() -> bool:
    try:
        import psycopg

        base = PG_URL.rsplit("/", 1)[0]
        with psycopg.connect(f"{base}/postgres", connect_timeout=3):
            return True
    except Exception:
        return False


# ------------------------------------------------------------------------------------------------ child: the lists


def generate(rows: int, folder: Path, seed: int = 2026) -> dict:
    """Two synthetic lists of the same enterprises: FIRST_YEAR's figures, then the next year's (all changed)."""
    from openpyxl import Workbook

    from enterprises import creditcode
    from enterprises import demo_names as words
    from enterprises.import_values import NUMBER_FORM
    from enterprises.models import Label
    from regions.models import Region

    rng = random.Random(seed)
    counties = list(
        Region.objects.filter(code__startswith="36", is_leaf=True, level__gte=2, is_active=True)
        .order_by("code")
        .values_list("code", "name", "full_name")
    )
    assert counties, "no Jiangxi counties in the Region table (migrate loads them)"
    # Names only where they are unique in the province; otherwise the code, as offices write either.
    name_count: dict[str, int] = {}
    for _code, name, _full in counties:
        name_count[name] = name_count.get(name, 0) + 1
    labels = dict(Label.objects.values_list("code", "name"))
    label_texts = [
        (0.12, f"{labels['high-tech']}:2022"),
        (0.05, f"{labels['specialised-sme']}:2023；{labels['high-tech']}:2022"),
        (0.03, f"{labels['innovative-sme']}（2024年）"),
    ]
    records = []
    codes: set[str] = set()
    for n in range(rows):
        county, county_name, full_name = rng.choice(counties)
        while True:
            code = creditcode.make("91" + county + creditcode.org_code("".join(rng.choices(creditcode.ALPHABET, k=8))))
            # A code that reads like a number in scientific form (9136…E075) is refused as "stored as a number"
            # (enterprises.import_values.NUMBER_FORM): left out so that every row of the list is valid.
            if code not in codes and not NUMBER_FORM.match(code):
                codes.add(code)
                break
        industry = str(rng.randrange(13, 44))
        name = (
            county_name[:2]
            + rng.choice(words.BRAND_FIRST)
            + rng.choice(words.BRAND_SECOND)
            + rng.choice(words.INDUSTRY_WORDS.get(industry, ("制造",)))
            + "有限公司"
        )
        employees = max(1, int(rng.lognormvariate(3.0, 1.1)))
        revenue = round(employees * rng.lognormvariate(3.5, 0.6), 2)
        draw, label = rng.random(), None
        for share, text in label_texts:
            if draw < share:
                label = text
                break
            draw -= share
        records.append(
            [
                name,
                code,
                county_name if name_count[county_name] == 1 and rng.random() < 0.5 else county,
                f"{full_name.replace(' ', '')}{rng.choice(words.ROADS)}路{rng.randint(1, 999)}号",
                f"C{industry}" if rng.random() < 0.1 else industry,
                dt.date(rng.randint(1990, 2023), rng.randint(1, 12), rng.randint(1, 28)),
                employees,
                revenue,
                round(revenue * rng.lognormvariate(-0.1, 0.45), 2),
                label,
                rng.choice(words.SURNAMES) + "".join(rng.choice(words.GIVEN) for _ in range(rng.choice((1, 2)))),
                f"1{rng.choice('3589')}{rng.randrange(10**9):09d}",
                f"contact{n}@example.cn" if rng.random() < 0.3 else None,
            ]
        )
    files = {}
    for year, grow in ((FIRST_YEAR, None), (FIRST_YEAR + 1, random.Random(seed + 1))):
        path = folder / f"合成企业名单_{year}.xlsx"
        book = Workbook(write_only=True)
        sheet = book.create_sheet("规上工业企业")
        width = len(HEADER)
        sheet.append([f"{year}年全省规上工业企业名单（合成基准数据）"] + [None] * (width - 1))
        sheet.append(["填报单位：某省工业和信息化厅（合成）"] + [None] * (width - 3) + ["填报日期：2026年1月", None])
        sheet.append(HEADER)
        sheet.append([cell or None for cell in UNITS])
        total = 0
        for number, record in enumerate(records, start=1):
            name, code, county, address, industry, founded, employees, revenue, assets, *rest = record
            if grow is not None:  # next year: every figure moves
                employees = max(1, employees + grow.choice((-2, -1, 1, 2, 3)))
                revenue = round(revenue * grow.uniform(0.9, 1.25), 2)
                assets = round(assets * grow.uniform(0.95, 1.15), 2)
            total += employees
            sheet.append([number, name, code, county, address, industry, founded, year, employees, revenue, assets,
                          *rest])  # fmt: skip
        sheet.append(["合计", None, None, None, None, None, None, None, total, None, None, None, None, None, None])
        sheet.append(["填表人：（合成）", None, None, "审核人：（合成）"] + [None] * (width - 4))
        book.save(path)
        files[str(year)] = str(path)
    return {"rows": rows, "files": files, "bytes": Path(files[str(FIRST_YEAR)]).stat().st_size}


# ------------------------------------------------------------------------------------------------ child: one run


def reset_peak() -> None:
    """Start a new peak: writing 5 to clear_refs resets VmHWM (Linux ≥ 4.0)."""
    with open("/proc/self/clear_refs", "w") as handle:
        handle.write("5")


def peak_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


def run_worker() -> None:
    """What `tidu worker` runs, until the queue is empty."""
    from django.core.management import call_command

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--worker-id", "bench", verbosity=0)


def upload_and_check(actor, path: Path):
    from django.core.files.uploadedfile import UploadedFile

    from enterprises.imports import import_start

    with path.open("rb") as handle:
        job = import_start(actor=actor, upload=UploadedFile(handle, name=path.name, size=path.stat().st_size))
    run_worker()
    job.refresh_from_db()
    return job


def confirm_and_commit(actor, job):
    from enterprises.imports import import_confirm

    import_confirm(actor=actor, job=job)
    run_worker()
    job.refresh_from_db()
    return job


def child_run(engine: str, files: dict, rows: int, profile: str | None, reimport: bool) -> dict:
    import gc

    from accounts.models import Membership, Role, User
    from enterprises.import_sheet import locate
    from enterprises.models import Enterprise, EnterpriseEvent, EnterpriseFigures, ImportJob

    user = User(username="bench-province-officer", display_name="基准测试 省工信厅（合成）")
    user.set_unusable_password()
    user.save()
    Membership.objects.create(user=user, role=Role.PROVINCE_OFFICER, region_id="360000")
    first, second = Path(files[str(FIRST_YEAR)]), Path(files[str(FIRST_YEAR + 1)])
    seconds: dict[str, float] = {}
    cpu: dict[str, float] = {}  # the process's CPU time: on a shared, loaded machine wall time is several times it
    peaks: dict[str, float] = {}
    profiler = None
    if profile:
        import cProfile

        profiler = cProfile.Profile()

    def dump() -> str:
        if profiler is None:
            return ""
        OUT.mkdir(exist_ok=True)
        path = OUT / f"bench_import_100k_{engine}.prof"
        profiler.dump_stats(path)
        return str(path)

    def timed(phase: str, function, *args):
        gc.collect()
        reset_peak()
        started, cpu_started = time.perf_counter(), time.process_time()
        if profiler is not None and phase in profile.split(","):
            result = profiler.runcall(function, *args)
        else:
            result = function(*args)
        seconds[phase] = time.perf_counter() - started
        cpu[phase] = time.process_time() - cpu_started
        print(
            f"{phase}: {seconds[phase]:.1f} s, CPU {cpu[phase]:.1f} s, {peak_mb():.0f} MB", file=sys.stderr, flush=True
        )
        peaks[phase] = peak_mb()
        return result

    table = timed("read", locate, first, first.name)
    assert len(table.rows) == rows, (len(table.rows), rows)
    del table
    job = timed("check", upload_and_check, user, first)
    if job.status != ImportJob.Status.READY or job.created_count != rows:
        raise SystemExit(f"check: {job.status} {job.message} {job.errors[:3]}")
    job = timed("commit", confirm_and_commit, user, job)
    if job.status != ImportJob.Status.DONE or job.created_count != rows:
        raise SystemExit(f"commit: {job.status} {job.message}")
    counts = {"enterprises": Enterprise.objects.count(), "figures": EnterpriseFigures.objects.count()}
    if not reimport:
        return {
            "seconds": seconds,
            "cpu": cpu,
            "peak_mb": peaks,
            "counts": counts,
            "message": job.message,
            "profile": dump(),
        }
    job = timed("recheck", upload_and_check, user, second)
    if job.status != ImportJob.Status.READY or job.updated_count != rows:
        raise SystemExit(f"re-check: {job.status} {job.message} {job.errors[:3]} updated {job.updated_count}")
    job = timed("recommit", confirm_and_commit, user, job)
    if job.status != ImportJob.Status.DONE or job.updated_count != rows:
        raise SystemExit(f"re-commit: {job.status} {job.message}")
    counts["figures_after"] = EnterpriseFigures.objects.count()
    counts["events"] = EnterpriseEvent.objects.count()
    assert counts["figures_after"] == 2 * rows and counts["events"] == 2 * rows, counts
    return {
        "seconds": seconds,
        "cpu": cpu,
        "peak_mb": peaks,
        "counts": counts,
        "message": job.message,
        "profile": dump(),
    }


def child(args) -> None:
    workdir = Path(args.workdir)
    setup_django(args.engine, workdir, Path(args.template) if args.template else None)
    if args.child == "prepare":
        result = {}
    elif args.child == "generate":
        result = generate(args.rows, workdir)
    else:
        result = child_run(args.engine, json.loads(args.files), args.rows, args.profile, not args.no_reimport)
    print("RESULT " + json.dumps(result, ensure_ascii=False), flush=True)


# ------------------------------------------------------------------------------------------------ parent


def spawn(mode: str, engine: str, workdir: Path, rows: int, files: dict | None = None, extra: tuple = ()) -> dict:
    command = [sys.executable, __file__, "--child", mode, "--engine", engine, "--workdir", str(workdir),
               "--rows", str(rows), "--files", json.dumps(files or {}), *extra]  # fmt: skip
    done = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, text=True)  # its progress goes to stderr
    lines = [line for line in done.stdout.splitlines() if line.startswith("RESULT ")]
    if done.returncode != 0 or not lines:
        raise SystemExit(f"{mode} ({engine}) failed ({done.returncode}):\n{done.stdout[-2000:]}")
    return json.loads(lines[-1].removeprefix("RESULT "))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument(
        "--profile", default="", help="phases to run under cProfile in the first run, e.g. check,commit"
    )
    parser.add_argument("--no-reimport", action="store_true", help="leave out the re-import of next year's list")
    parser.add_argument("--keep-files", type=Path, help="write the lists here and reuse them when present")
    parser.add_argument("--child", choices=("prepare", "generate", "run"), help=argparse.SUPPRESS)
    parser.add_argument("--template", help=argparse.SUPPRESS)
    parser.add_argument("--workdir", help=argparse.SUPPRESS)
    parser.add_argument("--files", default="{}", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    if "postgresql" in engines and not postgres_reachable():
        print(f"PostgreSQL not reachable at {PG_URL}: SQLite only", flush=True)
        engines.remove("postgresql")
    load_before = uptime()
    print(f"uptime before: {load_before}", flush=True)
    top = Path(tempfile.mkdtemp(prefix="tidu-bench-import100k-"))
    results: dict[str, list[dict]] = {}
    try:
        began = time.perf_counter()
        saved = args.keep_files / f"lists_{args.rows}.json" if args.keep_files else None
        if saved and saved.exists():
            info = json.loads(saved.read_text())
        else:
            info = spawn("generate", "sqlite", args.keep_files or top / "gen", args.rows)
            if saved:
                saved.write_text(json.dumps(info))
        print(f"two synthetic lists of {args.rows:,} rows written in {time.perf_counter() - began:.0f} s "
              f"({info['bytes'] / 1e6:.1f} MB each, not timed)", flush=True)  # fmt: skip
        for engine in engines:
            results[engine] = []
            template = top / f"{engine}-template"
            spawn("prepare", engine, template, args.rows)
            for n in range(args.runs):
                workdir = top / f"{engine}-{n}"
                extra = ("--profile", args.profile if n == 0 else "", "--template", str(template),
                         *(("--no-reimport",) if args.no_reimport else ()))  # fmt: skip
                result = spawn("run", engine, workdir, args.rows, info["files"], extra)
                shutil.rmtree(workdir, ignore_errors=True)
                results[engine].append(result)
                s, m = result["seconds"], result["peak_mb"]
                figures = ", ".join(f"{p} {s[p]:.1f} s / {m[p]:.0f} MB" for p in PHASES if p in s)
                print(f"{engine} run {n + 1}: {figures}; check + commit {s['check'] + s['commit']:.1f} s", flush=True)
    finally:
        shutil.rmtree(top, ignore_errors=True)
    load_after = uptime()
    text = report(args, results, load_before, load_after)
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_import_100k.md").write_text(text + "\n", encoding="utf-8")
    over = [
        engine
        for engine, runs in results.items()
        if statistics.median(r["seconds"]["check"] + r["seconds"]["commit"] for r in runs) > TARGET_SECONDS
        or max(max(r["peak_mb"].values()) for r in runs) > TARGET_MB
    ]
    if over and args.rows == 100_000:
        print(f"over the figure on: {', '.join(over)}")
        sys.exit(1)


def report(args, results: dict, load_before: str, load_after: str) -> str:
    names = {
        "read": "baseline: reading the file alone (locate)",
        "check": "check (upload + check_import in the worker)",
        "commit": "commit (confirm + commit_import in the worker)",
        "check+commit": "**check + commit**",
        "recheck": "re-import next year's list: check",
        "recommit": "re-import next year's list: commit (every row updated)",
    }
    lines = [
        f"Import of a {args.rows:,}-row synthetic list through the database queue and `db_worker`, "
        f"median of {args.runs} run(s), each in a fresh process on a fresh database "
        f"(figure: check + commit ≤ {TARGET_SECONDS} s, ≤ {TARGET_MB} MB).",
        f"uptime before: {load_before}",
        f"uptime after:  {load_after}",
        "",
        "| phase | " + " | ".join(f"{e} s | {e} CPU s | {e} peak MB" for e in results) + " |",
        "|---|" + "---:|---:|---:|" * len(results),
    ]
    for phase in ("read", "check", "commit", "check+commit", "recheck", "recommit"):
        cells = []
        if phase in ("recheck", "recommit") and args.no_reimport:
            continue
        for runs in results.values():
            if phase == "check+commit":
                seconds = [r["seconds"]["check"] + r["seconds"]["commit"] for r in runs]
                cpu = [r["cpu"]["check"] + r["cpu"]["commit"] for r in runs]
                peaks = [max(r["peak_mb"]["check"], r["peak_mb"]["commit"]) for r in runs]
            else:
                seconds = [r["seconds"][phase] for r in runs]
                cpu = [r["cpu"][phase] for r in runs]
                peaks = [r["peak_mb"][phase] for r in runs]
            spread = f" ({min(seconds):.1f}–{max(seconds):.1f})" if len(seconds) > 1 else ""
            median = statistics.median
            cells += [f"{median(seconds):.1f}{spread}", f"{median(cpu):.1f}", f"{median(peaks):.0f}"]
        lines.append(f"| {names[phase]} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
