"""Batch generation of diagnosis reports (issue 5): 1,000 PDFs in a batch ≤ 25 minutes on 2 cores, memory flat.

Synthetic demo province in a throwaway SQLite database: `seed_demo` with --n enterprises, every one given a submitted
CMMM self-assessment by `seed_demo_assessments --cmmm-share 1` (some also SME-2024, some a second round), the demo
pools and programmes. Then, the way production runs it:

- --workers `tidu worker` processes (what `tidu serve` and a deployment run) are started against the database
  (django-tasks-db backend) and left idle, as a deployment's workers are; each runs `db_worker --max-tasks N` and
  starts a fresh one after N tasks (chunks of ten reports), which keeps its memory bounded (core/supervise.py);
- the demo province officer creates a batch over the whole province through `reports.batch.batch_create` (the
  service the page calls), which stores n pending items and queues them in chunks;
- the workers take chunks until every item is settled and one of them writes the ZIP.

Timed: from creating the batch to the batch being done with its archive written (the first PDF in each worker
process includes loading the CJK fonts, once per process). Sampled every 100 settled items: elapsed time and each
worker's resident memory (VmRSS from /proc of the db_worker process running at that moment). Checked at the end:
n reports, n done items, a ZIP of n PDFs plus the
manifest.

    .venv/bin/python benchmarks/bench_report_batch.py [--n 1000] [--workers 2]
    .venv/bin/python benchmarks/bench_report_batch.py --n 100          # a quick run, ~3 minutes
    .venv/bin/python benchmarks/bench_report_batch.py --max-tasks 0    # plain db_worker, never recycled

A worker that is never recycled grows by ~0.25 MB per PDF (WeasyPrint/Pango memory that Python does not hold: the
Python heap grows by ~15 KB per PDF, in a bounded cache); --max-tasks 0 shows it.
"""

import os
import resource
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402

TARGET_MINUTES_PER_1000 = 25


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far, from /proc (fields 14 and 15 after the command name)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def use_database_tasks() -> None:
    """benchlib runs tasks inline for seeding; the batch itself must go through the queue, as in production."""
    from asgiref.local import Local
    from django.conf import settings
    from django.tasks import task_backends

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


def start_worker(slot: int, workdir: Path, max_tasks: int) -> subprocess.Popen:
    if max_tasks:  # the shipped supervisor: `tidu worker`
        command = [sys.executable, "-W", "ignore", "-m", "tidu.cli", "worker", "--interval", "0.2"]
        command += ["--max-tasks", str(max_tasks)]
    else:
        command = [sys.executable, "-W", "ignore", "manage.py", "db_worker", "--interval", "0.2", "--no-reload"]
        command += ["--worker-id", f"bench-{slot}-{time.monotonic_ns()}", "--verbosity", "0"]
    log = (workdir / f"worker-{slot}.log").open("a")
    env = {**os.environ, "TIDU_TASKS_BACKEND": "db"}
    return subprocess.Popen(command, cwd=benchlib.ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


def task_process(pid: int) -> int:
    """The process running tasks: a supervisor's current db_worker child, or the process itself when it has none."""
    try:
        children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    except OSError:
        return pid
    return int(children[0]) if children else pid


def process_tree_cpu_seconds(pid: int) -> float:
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    return cpu_seconds(pid) + sum(cpu_seconds(int(c)) for c in children)


def children_cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--n", type=int, default=1000, help="enterprises (and PDFs) in the batch")
    p.add_argument("--workers", type=int, default=2, help="db_worker processes (one per core)")
    p.add_argument(
        "--max-tasks",
        type=int,
        default=None,
        help="tasks per worker process before `tidu worker` starts a fresh one (default: the command's own, 20); "
        "0 runs plain db_worker processes that are never recycled",
    )
    args = p.parse_args()
    workdir = benchlib.setup_django("report_batch", args.workdir, args.keep)
    if args.max_tasks is None:
        from core.worker import DEFAULT_MAX_TASKS

        args.max_tasks = DEFAULT_MAX_TASKS

    from django.core.management import call_command

    for command, extra in [
        ("seed_demo", ["--province", "36", "--enterprises", str(args.n), "--seed", "1"]),
        ("seed_demo_assessments", ["--seed", "1", "--cmmm-share", "1", "--sme-share", "0.2"]),
        ("seed_demo_catalog", ["--seed", "1"]),
        ("seed_demo_programmes", []),
    ]:
        call_command(command, *extra, verbosity=0)

    from accounts.models import User
    from assessments.models import Assessment
    from enterprises.models import Enterprise
    from reports import batch as batches
    from reports.models import DiagnosisReport, ReportBatch

    officer = User.objects.get(username="province")
    assessed = Assessment.objects.filter(status="submitted").values("enterprise_id").distinct().count()
    enterprises = Enterprise.objects.visible_to(officer).count()
    benchlib.log(f"demo province seeded: {enterprises} synthetic enterprises, {assessed} with a submitted assessment")

    use_database_tasks()
    workers = [start_worker(slot, workdir, args.max_tasks) for slot in range(args.workers)]
    # A kill of the benchmark (SIGTERM) still runs the finally below, which stops the workers it started.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        time.sleep(3)  # the workers are up and idle before the batch arrives, as in a running deployment
        load_before = os.getloadavg()
        # Django and the app loaded, before any batch
        startup_cpu = sum(process_tree_cpu_seconds(w.pid) for w in workers)
        started = time.monotonic()
        batch = batches.batch_create(actor=officer, scope={}, description="benchmark (synthetic)")
        created_s = time.monotonic() - started
        benchlib.log(f"batch {batch.pk}: {batch.total} items queued in {created_s:.2f} s")
        samples: list[tuple[int, float, list[float]]] = []
        next_mark = 100
        while True:
            time.sleep(1)
            batch.refresh_from_db()
            settled = batch.done_count + batch.failed_count + batch.skipped_count
            while settled >= next_mark or (settled == batch.total and next_mark - 100 < settled):
                mark = min(next_mark, batch.total)
                samples.append((mark, time.monotonic() - started, [rss_mb(task_process(w.pid)) for w in workers]))
                benchlib.log(
                    f"{mark:5d} settled  {samples[-1][1] / 60:6.2f} min  RSS MB "
                    + " ".join(f"{r:6.1f}" for r in samples[-1][2])
                )
                next_mark += 100
            if batch.status in (ReportBatch.Status.DONE, ReportBatch.Status.FAILED, ReportBatch.Status.CANCELLED):
                break
            if any(w.poll() is not None for w in workers):
                raise SystemExit("a worker exited; see worker-*.log in " + str(workdir))
        total_s = time.monotonic() - started
        load_after = os.getloadavg()
        final_rss = [rss_mb(task_process(w.pid)) for w in workers]
    finally:
        for w in workers:
            w.terminate()  # a worker first finishes the chunk it is on (graceful shutdown), ~20 s at most
        for w in workers:
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:
                w.kill()
                w.wait()
    cpu_total = children_cpu_seconds() - startup_cpu  # every worker, recycled ones included, once reaped
    from django_tasks_db.models import DBTaskResult

    processes = len({w for r in DBTaskResult.objects.values_list("worker_ids", flat=True) for w in r})

    assert batch.status == ReportBatch.Status.DONE, (batch.status, batch.message)
    assert batch.done_count == args.n and batch.failed_count == 0, (batch.done_count, batch.failed_count)
    assert DiagnosisReport.objects.filter(batch=batch).count() == args.n
    with zipfile.ZipFile(batch.archive.path) as archive:
        names = archive.namelist()
    assert len(names) == args.n + 1 and batches.MANIFEST_NAME in names
    archive_mb = batch.archive.size / 1024 / 1024
    last_item_s = (batch.finished_at - batch.started_at).total_seconds()

    per_minute = args.n / (total_s / 60)
    intervals = [
        (b[0] - a[0]) / ((b[1] - a[1]) / 60) for a, b in zip(samples, samples[1:], strict=False) if b[1] > a[1]
    ]
    # Flat memory: compare each worker after its warm-up (fonts, catalogue, first reports: the 200 mark) with the end.
    warm = samples[1] if len(samples) > 2 else samples[0]
    growth = [end - start for start, end in zip(warm[2], samples[-1][2], strict=True)]
    target = TARGET_MINUTES_PER_1000 * args.n / 1000
    recycled = f"tidu worker --max-tasks {args.max_tasks}" if args.max_tasks else "db_worker, never recycled"
    setup = f"{args.workers} × {recycled}"
    cpu_per_pdf = cpu_total / args.n
    # What the same work takes when the workers have the cores to themselves: the machine is shared, and other
    # processes' load stretches the wall-clock figure without changing the work done.
    idle_minutes = cpu_total / min(args.workers, os.cpu_count() or 1) / 60
    rows = [
        benchlib.row("report_batch", f"{args.n} PDFs, {setup}: total", [total_s / 60], "min", target),
        benchlib.row("report_batch", "throughput", [per_minute], "PDFs/min"),
        benchlib.row("report_batch", "worker CPU per PDF (compose, render, store, archive)", [cpu_per_pdf], "s"),
        benchlib.row("report_batch", "CPU-bound projection on idle cores", [idle_minutes], "min", target),
        benchlib.row("report_batch", "throughput per 100 (median of intervals)", intervals or [per_minute], "PDFs/min"),
        benchlib.row("report_batch", f"RSS growth per worker, {warm[0]} → {samples[-1][0]} PDFs", growth, "MB"),
        benchlib.row("report_batch", "largest worker RSS sampled", [max(max(rss) for _, _, rss in samples)], "MB"),
    ]
    table = "\n".join(
        f"| {mark} | {elapsed / 60:.2f} | " + " | ".join(f"{r:.0f}" for r in rss) + " |"
        for mark, elapsed, rss in samples
    )
    head = "| settled | minutes | " + " | ".join(f"worker {i} RSS MB" for i in range(args.workers)) + " |"
    details = (
        f"{args.n} synthetic enterprises with a submitted CMMM assessment; batch created in {created_s:.2f} s; "
        f"first start to archive written {last_item_s / 60:.2f} min; {processes} worker processes ran tasks; "
        f"ZIP {archive_mb:.0f} MB "
        f"({archive_mb * 1024 / args.n:.0f} KB per PDF, stored). Load average (1/5/15 min) before "
        f"{'/'.join(f'{x:.1f}' for x in load_before)}, after {'/'.join(f'{x:.1f}' for x in load_after)} — other "
        f"processes on the machine slow the figures. Worker CPU {cpu_total:.0f} s, i.e. "
        f"{cpu_total / total_s:.2f} cores busy on average. Final worker RSS "
        f"{', '.join(f'{r:.0f}' for r in final_rss)} MB.\n\n"
        f"{head}\n|---:|---:|" + "---:|" * args.workers + f"\n{table}\n"
    )
    benchlib.finish({"title": "Report batch (issue 5)", "rows": rows, "details": details}, args.json, "report_batch")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
