"""Benchmark: rescoring N stored CMMM assessments after a model correction, end to end, on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/bench_rescore.py                               # 20,000 assessments, both engines
    .venv/bin/python benchmarks/bench_rescore.py --rows 100000 --engine sqlite
    .venv/bin/python benchmarks/bench_rescore.py --baseline-rows 1000          # the per-row loop on fewer rows

Synthetic: N enterprises across Jiangxi's counties and the manufacturing divisions, each with one submitted
assessment of the shipped CMMM (every applicable item answered with a random grade, 2 % left unanswered), its
current result and domain scores, and the peer rows — all bulk-inserted, not timed. Then a corrected version is
published (pass threshold 0.8 → 0.85, so most levels change) and timed: `assessments.rescoring.rescore` (read the
stale results a chunk at a time, `score_many`, flip the old results, insert the new ones, rewrite the domain scores
and peer rows that changed — for a threshold correction no domain score changes — with progress). Beside it, in
the same run and database, the per-row loop it replaced (`score()` per assessment and ORM writes, the code as it
was) on the first `--baseline-rows` of another corrected version. The rate of each is extrapolated linearly to
1,000,000; the N actually run is printed with it.
Each engine runs in its own process (Django is set up once per process). PostgreSQL uses its own scratch database
(`tidu_scoring_rescore`), dropped at the end."""

import argparse
import contextlib
import cProfile
import os
import pstats
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))

PG_SERVER = os.environ.get("TIDU_BENCH_PG_SERVER", "postgresql://postgres@127.0.0.1:5432")
PG_DATABASE = "tidu_scoring_rescore"
KEPT = "seeded-rows.txt"  # in --workdir: how many assessments the kept database holds, written after seeding
TARGET_S = 300.0  # for 1,000,000


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())} UTC] {message}", flush=True)


def setup(engine: str, workdir: Path | None = None) -> None:
    """Django on a scratch database: a new one, or with `workdir` the one kept there (SQLite) or under the
    scratch name (PostgreSQL) by an earlier `--workdir` run."""
    if workdir is None:
        workdir = Path(tempfile.mkdtemp(prefix=f"tidu-bench-rescore-{engine}-"))
    else:
        workdir.mkdir(parents=True, exist_ok=True)
    keep = (workdir / KEPT).exists()
    os.environ.update(
        TIDU_VAR_DIR=str(workdir),
        TIDU_TASKS_BACKEND="immediate",
        TIDU_DEBUG="0",
        DJANGO_SETTINGS_MODULE="tidu.settings",
    )
    os.environ.pop("TIDU_REDIS_URL", None)
    os.environ.pop("TIDU_MEDIA_ROOT", None)
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            if not keep:
                conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
                conn.execute(f"CREATE DATABASE {PG_DATABASE}")
        os.environ["TIDU_DATABASE_URL"] = f"{PG_SERVER}/{PG_DATABASE}"
    else:
        os.environ["TIDU_DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    sys.path.insert(0, str(ROOT))
    os.chdir(ROOT)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)


def teardown(engine: str, keep: bool = False) -> None:
    from django.db import connections

    connections.close_all()
    if keep:
        return
    shutil.rmtree(os.environ["TIDU_VAR_DIR"], ignore_errors=True)
    if engine == "postgresql":
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


def seed(n: int, seed: int = 2026):
    """n enterprises, each with a submitted CMMM assessment, its current result, domain scores and peer rows."""
    from django.db import transaction
    from django.utils import timezone

    from assessments.models import Assessment, ModelVersion
    from assessments.rescoring import _Writer
    from assessments.services import default_context
    from enterprises.creditcode import make
    from enterprises.models import Enterprise
    from maturity.answers import applies
    from maturity.batch import score_many
    from regions.models import IndustryDivision, Region

    rng = random.Random(seed)
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    spec = version.parsed()
    refs = list(spec.iter_items())
    counties = list(
        Region.objects.filter(is_leaf=True, level__gte=2, code__startswith="36").values_list("code", flat=True)
    )
    industries = list(IndustryDivision.objects.values_list("code", flat=True))
    now = timezone.now()
    for start in range(0, n, 10_000):
        with transaction.atomic():
            firms = [
                Enterprise(
                    credit_code=make(f"91{county}{i:09d}"),
                    name=f"基准重算企业{i:07d}有限公司",
                    county_id=county,
                    industry_id=rng.choice(industries),
                    is_synthetic=True,
                )
                for i in range(start, min(n, start + 10_000))
                for county in [rng.choice(counties)]
            ]
            Enterprise.objects.bulk_create(firms)
            firms = list(Enterprise.objects.filter(name__in=[f.name for f in firms]).order_by("pk"))
            assessments = []
            for firm in firms:
                context = default_context(firm)
                level = rng.random()
                answers = {}
                for r in refs:
                    if applies(r, context) and rng.random() >= 0.02:
                        codes = [o.code for o in r.item.options]
                        answers[r.item.code] = codes[0] if rng.random() < level else rng.choice(codes)
                assessments.append(
                    Assessment(
                        enterprise_id=firm.pk,
                        model_version=version,
                        model_code=version.code,
                        kind="self",
                        status=Assessment.Status.SUBMITTED,
                        source=Assessment.Source.IMPORT,
                        context=context,
                        answers=answers,
                        answered_count=len(answers),
                        submitted_at=now,
                    )
                )
            Assessment.objects.bulk_create(assessments, batch_size=2000)
            batch = score_many(spec, [a.answers for a in assessments], [a.context for a in assessments])
            # The first results through the same writer (no old result to retire: None matches no row).
            rows = [(a.pk, None, a.enterprise_id, a.answers, a.context, None) for a in assessments]
            _Writer(spec, version, "提交").write(rows, batch)
        log(f"seeded {min(n, start + 10_000):,} of {n:,}")
    return version


def per_row_rescore(*, version, limit: int, chunk: int = 500) -> int:
    """The rescoring this benchmark replaced, as it was (assessments.services.rescore before issue 18): score()
    per assessment, ORM writes per chunk of 500. Stops after `limit` assessments."""
    from django.db import transaction
    from django.utils.translation import gettext as _

    import maturity
    from assessments.models import Assessment, AssessmentResult, DomainScore
    from assessments.services import domain_rows, peer_scores_refresh, result_fields, stale_results

    spec = version.parsed()
    ids = list(stale_results(version).values_list("assessment_id", flat=True).order_by("assessment_id"))[:limit]
    reason = _("模型修订重算（%(v)s）") % {"v": version.version}
    done_total = 0
    for start_at in range(0, len(ids), chunk):
        batch = list(
            Assessment.objects.filter(pk__in=ids[start_at : start_at + chunk]).only(
                "pk", "enterprise_id", "model_code", "answers", "context"
            )
        )
        scored = []
        for a in batch:
            with contextlib.suppress(maturity.ScoringError):
                scored.append((a, maturity.score(spec, a.answers, a.context)))
        with transaction.atomic():
            done = [a.pk for a, _r in scored]
            AssessmentResult.objects.filter(assessment_id__in=done, is_current=True).update(is_current=False)
            DomainScore.objects.filter(result__assessment_id__in=done, is_current=True).update(is_current=False)
            results = AssessmentResult.objects.bulk_create(
                [AssessmentResult(**result_fields(a, version, r, reason)) for a, r in scored]
            )
            DomainScore.objects.bulk_create(
                [row for stored, (a, r) in zip(results, scored, strict=True) for row in domain_rows(stored, a, r)],
                batch_size=2000,
            )
            peer_scores_refresh(enterprise_ids={a.enterprise_id for a, _r in scored}, model_code=version.code)
        done_total += len(scored)
    return done_total


def corrected(version, label: str, threshold: float, reweight: bool = False):
    """A corrected version: another pass threshold (node scores unchanged), and with `reweight` the first item of
    every sub-domain weighted 2 (node scores change too, so most domain-score rows are rewritten)."""
    import copy

    import maturity
    from assessments.services import publish_version

    data = copy.deepcopy(version.spec)
    data["version"] = label
    data["rule"] = {**data["rule"], "pass_threshold": threshold}
    if reweight:

        def walk(node):
            for child in node.get("children") or []:
                walk(child)
            if node.get("items"):
                node["items"][0]["weight"] = 2.0

        for node in data["nodes"]:
            walk(node)
    return publish_version(maturity.parse_spec(data), change_note="基准：阈值修订（合成）")


def server_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (the server runs on this machine, so /proc
    has it); 0 on SQLite, whose work is this process's own CPU."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime


def child(
    engine: str,
    rows: int,
    baseline_rows: int,
    profile: bool,
    reweight: bool = False,
    workdir: Path | None = None,
    seed_only: bool = False,
) -> None:
    setup(engine, workdir)
    kept = workdir / KEPT if workdir else None
    try:
        from django.db import connection

        from assessments.models import DomainScore, ModelVersion
        from assessments.rescoring import rescore

        if kept and kept.exists():
            held = int(kept.read_text())
            if held != rows:
                raise SystemExit(f"{workdir} holds {held:,} seeded assessments, not {rows:,}: use another --workdir")
            version = ModelVersion.objects.get(code="cmmm", is_current=True)
            log(f"{engine}: reusing the {rows:,} assessments kept in {workdir} (current version {version.version})")
        else:
            t0 = time.perf_counter()
            version = seed(rows)
            log(f"{engine}: seeded {rows:,} assessments in {time.perf_counter() - t0:.0f} s")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            if kept:
                kept.write_text(str(rows))
        if seed_only:
            return
        nodes = DomainScore.objects.filter(is_current=True).count() / rows
        stamp = time.strftime("%Y%m%d%H%M%S")  # a kept database may already hold the earlier runs' corrections
        new = corrected(version, f"bench-fix-{stamp}", 0.85, reweight)
        ticks = []
        wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        profiler = cProfile.Profile() if profile else None
        if profiler:
            profiler.enable()
        report = rescore(version=new, progress=lambda done, total: ticks.append((done, time.perf_counter())))
        if profiler:
            profiler.disable()
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)
        bulk_s, bulk_cpu, bulk_server = time.perf_counter() - wall, time.process_time() - cpu, server_cpu() - server
        assert report.rescored == rows and not report.failed, (report.rescored, len(report.failed or {}))
        chunk_s = [b - a for (_, a), (_, b) in zip([(0, wall), *ticks], ticks, strict=False)]
        # The baseline: the per-row loop on the first baseline_rows of the next correction, same database.
        newer = corrected(new, f"bench-fix-{stamp}-2", 0.9)
        wall, cpu, server = time.perf_counter(), time.process_time(), server_cpu()
        base_n = per_row_rescore(version=newer, limit=baseline_rows)
        base_s, base_cpu, base_server = time.perf_counter() - wall, time.process_time() - cpu, server_cpu() - server
        load = " / ".join(f"{x:.1f}" for x in os.getloadavg())
        uptime = subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()
        per_m = bulk_s / rows * 1_000_000
        base_per_m = base_s / base_n * 1_000_000
        lines = [
            f"### {engine}: rescoring {rows:,} stored CMMM assessments ({nodes:.0f} domain scores each) after "
            + ("a threshold and weight correction" if reweight else "a threshold correction"),
            "",
            "| Path | Assessments run | Wall | CPU (this process) | CPU (PostgreSQL backend) | Rate | "
            "Extrapolated to 1,000,000 (wall) | … (CPU, both processes) | Target |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---|",
            f"| bulk (`assessments.rescoring.rescore`) | {rows:,} | {bulk_s:.1f} s | {bulk_cpu:.1f} s | "
            f"{bulk_server:.1f} s | {rows / bulk_s:,.0f}/s | {per_m / 60:.1f} min | "
            f"{(bulk_cpu + bulk_server) / rows * 1e6 / 60:.1f} min | ≤ {TARGET_S / 60:.0f} min |",
            f"| per-row loop (`score()` each, as before) | {base_n:,} | {base_s:.1f} s | {base_cpu:.1f} s | "
            f"{base_server:.1f} s | {base_n / base_s:,.0f}/s | {base_per_m / 60:.1f} min | "
            f"{(base_cpu + base_server) / base_n * 1e6 / 60:.1f} min | – |",
            "",
            f"Chunks of the bulk run ({len(chunk_s)}): median {statistics.median(chunk_s):.2f} s, "
            f"max {max(chunk_s):.2f} s. Load average at the end: {load} on {os.cpu_count()} CPUs. `uptime`: {uptime}",
        ]
        print("\n".join(lines), flush=True)
        (HERE / "out").mkdir(exist_ok=True)
        (HERE / "out" / f"bench_rescore_{engine}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    finally:
        teardown(engine, keep=workdir is not None)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=20_000)
    parser.add_argument("--baseline-rows", type=int, default=1_000)
    parser.add_argument("--engine", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--profile", action="store_true", help="the bulk run under cProfile (slower)")
    parser.add_argument(
        "--reweight",
        action="store_true",
        help="the timed correction also reweights items, so node scores (and most domain-score rows) change",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="keep the seeded database (SQLite: a file here; PostgreSQL: the scratch database) and reuse it on a "
        "later run with the same --rows, so a million can be seeded once and timed when the machine is quiet",
    )
    parser.add_argument("--seed-only", action="store_true", help="with --workdir: seed, keep, time nothing")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.seed_only and not args.workdir:
        parser.error("--seed-only keeps the database for a later run: give --workdir")
    if args.child:
        child(args.engine, args.rows, args.baseline_rows, args.profile, args.reweight, args.workdir, args.seed_only)
        return
    engines = ["sqlite", "postgresql"] if args.engine == "both" else [args.engine]
    for engine in engines:
        command = [sys.executable, __file__, "--child", "--engine", engine, "--rows", str(args.rows)]
        command += ["--baseline-rows", str(args.baseline_rows)] + (["--profile"] if args.profile else [])
        command += ["--reweight"] if args.reweight else []
        if args.workdir:
            command += ["--workdir", str(args.workdir.resolve() / engine)] + (["--seed-only"] if args.seed_only else [])
        subprocess.run(command, check=True)


if __name__ == "__main__":
    main()
