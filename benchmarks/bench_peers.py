"""Peer benchmark figure (issue 5): reports.peers.benchmark() at 300,000 enterprises / 1,000,000 assessments ≤ 300 ms.

Synthetic data only. A scratch database gets 300,000 invented enterprises in the real Jiangxi counties (skewed:
a few big counties and divisions, tobacco (C16) and 废弃资源综合利用 (C42) kept rare so that some enterprises have
fewer than ten peers even in their division province-wide), one timeline event each, and 1,000,000 submitted
assessments of CMMM, SME-2024 and DCMM over several rounds, written with raw bulk inserts (COPY on PostgreSQL).
The peer table then gets what `peer_scores_refresh` would hold for them: one row per (enterprise, model, node)
for the latest round, with invented scores. No answers, results or domain scores are stored: benchmark() reads
only the peer table (and the subject enterprise), and scoring a million answer sets is another benchmark's job.

Timed: benchmark(enterprise, "cmmm", its stored scores) end to end — the follow of the timeline, the ladder, the
counts, the quartiles — 50 calls (over up to 150 subjects) in each of five situations: a small city group (10–40
peers); the largest city groups (thousands); widened to the province's division × size; enterprises of unknown size
in the largest divisions (province × division, tens of thousands); and enterprises of a rare division, compared
with the whole province (~210,000 peers). Median and p95 per situation, on SQLite (a file under /tmp, no ANALYZE,
as the app runs) and, if reachable, PostgreSQL (database tidu_bench_peers: created afresh, dropped at the end
unless --keep; VACUUM ANALYZE after the load, as autovacuum would do). The queries of one province-wide call are
printed with their plans.

    .venv/bin/python benchmarks/bench_peers.py [--engine both|sqlite|postgresql] [--enterprises 300000]
                                              [--assessments 1000000] [--samples 50] [--seed 1]
"""

import atexit
import datetime as dt
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import benchlib  # noqa: E402
from benchlib import log  # noqa: E402

NAME = "bench_peers"
TARGET_MS = 300.0
PG_DATABASE = "tidu_bench_peers"
PG_SERVER = "postgresql://postgres@127.0.0.1:5432"
MODELS = {"cmmm": 0.70, "sme-2024": 0.55, "dcmm-2018": 0.10}  # share of enterprises assessed with each model
SIZES = (("micro", 0.55), ("small", 0.32), ("medium", 0.10), ("large", 0.02), ("", 0.01))  # "": no figures yet
RARE_DIVISIONS = {"16": 6, "42": 9}  # division → enterprises in the whole province
CHUNK = 20_000
SITUATIONS = {  # what each situation's subjects are compared with
    "small": "city × division × size, 10–40 peers",
    "large_city": "city × division × size, the largest groups",
    "province_size": "widened to province × division × size",
    "division": "province × division (size unknown), large divisions",
    "province": "widened to the whole province (rare division)",
}


# ------------------------------------------------------------------------------------------------ databases


def setup_postgresql(keep: bool) -> None:
    import psycopg

    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")
        conn.execute(f"CREATE DATABASE {PG_DATABASE}")
    workdir = Path(tempfile.mkdtemp(prefix=f"tidu-bench-{NAME}-pg-"))  # TIDU_VAR_DIR: media, nothing else
    if not keep:
        atexit.register(shutil.rmtree, workdir, ignore_errors=True)
        atexit.register(drop_postgresql)
    os.environ.update(
        TIDU_VAR_DIR=str(workdir),
        TIDU_DATABASE_URL=f"{PG_SERVER}/{PG_DATABASE}",
        TIDU_TASKS_BACKEND="immediate",
        TIDU_DEBUG="0",
        DJANGO_SETTINGS_MODULE="tidu.settings",
    )
    os.environ.pop("TIDU_REDIS_URL", None)
    sys.path.insert(0, str(benchlib.ROOT))
    os.chdir(benchlib.ROOT)
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("createcachetable", verbosity=0)
    log(f"{NAME}: schema ready in PostgreSQL database {PG_DATABASE}")


def drop_postgresql() -> None:
    """The scratch database goes at the end (about 1 GB at full scale), unless --keep."""
    import psycopg
    from django.db import connections

    connections.close_all()
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True, connect_timeout=3) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DATABASE}")


def postgresql_reachable() -> bool:
    try:
        import psycopg

        with psycopg.connect(f"{PG_SERVER}/postgres", connect_timeout=3) as conn:
            conn.execute("select 1")
        return True
    except Exception:  # noqa: BLE001 - any failure means: not reachable, SQLite only
        return False


def insert(model, columns: list[str], rows) -> int:
    """Raw bulk insert: COPY on PostgreSQL, executemany on SQLite (values already in the column's form)."""
    from django.db import connection

    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    names = ", ".join(qn(c) for c in columns)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
        else:
            sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
            batch = []
            for row in rows:
                batch.append(row)
                if len(batch) >= CHUNK:
                    cursor.executemany(sql, batch)
                    n += len(batch)
                    batch = []
            if batch:
                cursor.executemany(sql, batch)
                n += len(batch)
    return n


# ------------------------------------------------------------------------------------------------ data


def weighted(rng: random.Random, values: list, weights: list[float], k: int) -> list:
    return rng.choices(values, weights=weights, k=k)


def build(enterprises: int, assessments: int, seed: int) -> dict:
    """The synthetic province. Returns counts and seconds per step."""
    from django.db import connection, transaction
    from django.utils import timezone

    from assessments.models import Assessment, ModelVersion, PeerScore, PeerScoreSync
    from enterprises.models import Enterprise, EnterpriseEvent
    from regions.models import IndustryDivision, Region

    rng = random.Random(seed)
    started = time.perf_counter()
    steps = {}
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda v: v)
    now = timezone.now()
    counties = list(Region.objects.filter(code__startswith="36", is_leaf=True).values_list("code", flat=True))
    county_weights = [1 / (i + 1) ** 0.8 for i in range(len(counties))]  # a few big counties, a long tail
    rng.shuffle(county_weights)
    divisions = [c for c in IndustryDivision.objects.values_list("code", flat=True) if c not in RARE_DIVISIONS]
    division_weights = [1 / (i + 1) ** 0.9 for i in range(len(divisions))]
    rng.shuffle(division_weights)
    versions = {v.code: v for v in ModelVersion.objects.current().filter(code__in=MODELS)}
    nodes = {code: [n.code for n in v.parsed().nodes] for code, v in versions.items()}
    scale = {code: 5.0 if code == "cmmm" else 100.0 for code in MODELS}

    # Enterprises: the rare divisions first (fixed counts), then the skewed rest.
    industry = [d for d, n in RARE_DIVISIONS.items() for _ in range(n)]
    industry += weighted(rng, divisions, division_weights, enterprises - len(industry))
    county = weighted(rng, counties, county_weights, enterprises)
    size = weighted(rng, [s for s, _ in SIZES], [w for _, w in SIZES], enterprises)
    created = adapt(now - dt.timedelta(days=1200))
    columns = ["id", "credit_code", "name", "name_initials", "former_names", "county_id", "address", "industry_id",
               "size_class", "notes", "is_synthetic", "created_at", "updated_at"]  # fmt: skip
    t = time.perf_counter()
    with transaction.atomic():
        insert(
            Enterprise,
            columns,
            (
                (i + 1, f"BENCH{i + 1:013d}", f"合成企业{i + 1}", "", "[]", county[i], "", industry[i], size[i], "",
                 True, created, created)
                for i in range(enterprises)
            ),
        )  # fmt: skip
        insert(
            EnterpriseEvent,
            ["enterprise_id", "kind", "at", "summary", "data"],
            ((i + 1, "created", created, "新建企业档案（合成）", "{}") for i in range(enterprises)),
        )
    steps["enterprises"] = time.perf_counter() - t
    log(f"{enterprises:,} enterprises and their timeline events in {steps['enterprises']:.0f} s")

    # Assessments: each (enterprise, model) pair gets one round or more, until the total is reached.
    pairs = [(e, code) for e in range(1, enterprises + 1) for code, share in MODELS.items() if rng.random() < share]
    rounds = [1] * len(pairs)
    for _ in range(max(0, assessments - len(pairs))):
        rounds[rng.randrange(len(pairs))] += 1
    if assessments < len(pairs):
        pairs, rounds = pairs[:assessments], rounds[:assessments]
    t = time.perf_counter()
    latest: list[tuple[int, int, str]] = []  # (assessment id, enterprise id, model code) of each pair's last round

    def assessment_rows():
        next_id = 1
        for (e, code), n in zip(pairs, rounds, strict=True):
            for r in range(n):
                when = now - dt.timedelta(days=365 * (n - 1 - r) + rng.randrange(300), minutes=rng.randrange(600))
                yield (next_id, e, versions[code].pk, code, "self", "submitted", "import", "{}", "{}", "{}", 0,
                       adapt(when), adapt(when), adapt(when))  # fmt: skip
                if r == n - 1:
                    latest.append((next_id, e, code))
                next_id += 1

    with transaction.atomic():
        written = insert(
            Assessment,
            ["id", "enterprise_id", "model_version_id", "model_code", "kind", "status", "source", "context", "answers",
             "reasons", "answered_count", "created_at", "updated_at", "submitted_at"],
            assessment_rows(),
        )  # fmt: skip
    steps["assessments"] = time.perf_counter() - t
    log(f"{written:,} assessments ({len(pairs):,} enterprise × model pairs) in {steps['assessments']:.0f} s")

    # Peer rows of the latest rounds: indexes dropped for the load and built once afterwards.
    t = time.perf_counter()
    indexes = list(PeerScore._meta.indexes)
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.remove_index(PeerScore, index)

    def peer_rows():
        for assessment_id, e, code in latest:
            i = e - 1
            keys = (industry[i], size[i], county[i][:2], county[i][:4])
            level = min(1.0, max(0.0, rng.betavariate(2.0, 4.0)))
            tops = [round(min(1.0, max(0.0, level + rng.gauss(0, 0.12))), 3) for _ in nodes[code]]
            yield (e, code, "", round(scale[code] * sum(tops) / len(tops), 3), assessment_id, *keys)
            for node, value in zip(nodes[code], tops, strict=True):
                yield (e, code, node, value, assessment_id, *keys)

    with transaction.atomic():
        peers = insert(
            PeerScore,
            ["enterprise_id", "model_code", "node_code", "score", "assessment_id", "industry", "size_class",
             "province", "city"],
            peer_rows(),
        )  # fmt: skip
    steps["peer_rows"] = time.perf_counter() - t
    t = time.perf_counter()
    with connection.schema_editor() as editor:
        for index in indexes:
            editor.add_index(PeerScore, index)
    steps["peer_indexes"] = time.perf_counter() - t
    log(f"{peers:,} peer rows in {steps['peer_rows']:.0f} s, their indexes in {steps['peer_indexes']:.0f} s")
    if connection.vendor == "postgresql":
        t = time.perf_counter()
        with connection.cursor() as cursor:
            for model in (Enterprise, Assessment, EnterpriseEvent):
                cursor.execute(connection.ops.sequence_reset_sql(_no_style(), [model])[0])
            for table in ("enterprises_enterprise", "enterprises_enterpriseevent", "assessments_assessment",
                          "assessments_peerscore"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
        steps["vacuum_analyze"] = time.perf_counter() - t
        log(f"sequences reset, VACUUM ANALYZE in {steps['vacuum_analyze']:.0f} s")
    PeerScoreSync.objects.update_or_create(pk=1, defaults={"followed_until": timezone.now()})
    return {
        "enterprises": enterprises,
        "assessments": written,
        "pairs": len(pairs),
        "peer_rows": peers,
        "steps": {k: round(v, 1) for k, v in steps.items()},
        "seconds": round(time.perf_counter() - started, 1),
    }


def _no_style():
    from django.core.management.color import no_style

    return no_style()


# ------------------------------------------------------------------------------------------------ subjects


def subjects(samples: int, seed: int) -> dict[str, list[int]]:
    """Enterprises with a CMMM score in each situation, found by counting the peer table's groups."""
    from django.db.models import Count

    from assessments.models import PeerScore

    rng = random.Random(seed + 1)
    totals = PeerScore.objects.filter(model_code="cmmm", node_code="")
    city = {
        (row["industry"], row["size_class"], row["city"]): row["n"]
        for row in totals.values("industry", "size_class", "city").annotate(n=Count("id")).order_by()
    }
    province_size = {
        (row["industry"], row["size_class"]): row["n"]
        for row in totals.values("industry", "size_class").annotate(n=Count("id")).order_by()
    }
    division = {row["industry"]: row["n"] for row in totals.values("industry").annotate(n=Count("id")).order_by()}
    # Peers are the group less the enterprise itself: a group of n rows gives each member n - 1 peers.
    small = [k for k, n in city.items() if k[1] and 11 <= n <= 41]
    large = sorted((k for k in city if k[1]), key=city.get, reverse=True)[:5]
    by_size = [k for k, n in city.items() if k[1] and n <= 10 and province_size[k[:2]] > 10]
    unknown = [(d, "") for d in sorted(division, key=division.get, reverse=True)[:5]]
    rare = [d for d, n in division.items() if n <= 10]
    picks = {
        "small": _members(totals, small, ("industry", "size_class", "city"), samples, rng),
        "large_city": _members(totals, large, ("industry", "size_class", "city"), samples, rng),
        "province_size": _members(totals, by_size, ("industry", "size_class", "city"), samples, rng),
        "division": _members(totals, unknown, ("industry", "size_class"), samples, rng),
        "province": list(totals.filter(industry__in=rare).values_list("enterprise_id", flat=True)),
    }
    return {k: v for k, v in picks.items() if v}


def _members(totals, groups: list[tuple], fields: tuple[str, ...], samples: int, rng: random.Random) -> list[int]:
    from django.db.models import Q

    if not groups:
        return []
    chosen = rng.sample(groups, min(len(groups), samples))
    q = Q(pk__in=[])
    for key in chosen:
        q |= Q(**dict(zip(fields, key, strict=True)))
    ids = list(totals.filter(q).values_list("enterprise_id", flat=True))
    rng.shuffle(ids)
    return ids[: samples * 3]


# ------------------------------------------------------------------------------------------------ timing


def run(engine: str, args) -> dict:
    if engine == "sqlite":
        workdir = benchlib.setup_django(NAME, args.workdir, args.keep)
        log(f"SQLite file {workdir / 'bench.sqlite3'}")
    else:
        setup_postgresql(args.keep)
    import gc

    from django.db import connection

    from assessments.models import PeerScore
    from enterprises.models import Enterprise
    from reports.peers import benchmark

    data = build(args.enterprises, args.assessments, args.seed)
    picks = subjects(args.samples, args.seed)
    rows, details = [], [f"**{engine}**: " + json.dumps(data, ensure_ascii=False)]
    last_scores: dict[int, dict] = {}
    for situation, ids in picks.items():
        firms = list(Enterprise.objects.filter(pk__in=ids))
        scores = {}
        for e, node, score in PeerScore.objects.filter(enterprise__in=ids, model_code="cmmm").values_list(
            "enterprise_id", "node_code", "score"
        ):
            scores.setdefault(e, {})[node] = score
        last_scores.update(scores)
        for firm in firms[:3]:
            benchmark(firm, "cmmm", scores[firm.pk])  # warm-up
        samples, groups, sizes = [], set(), []
        for n in range(args.samples):
            firm = firms[n % len(firms)]
            gc.collect()
            t = time.perf_counter()
            result = benchmark(firm, "cmmm", scores[firm.pk])
            samples.append((time.perf_counter() - t) * 1000)
            groups.add(result.group.scope if result.group else "none")
            sizes.append(result.peer_count or 0)
        rows.append(benchlib.row(f"peers ({engine})", SITUATIONS[situation], samples, "ms", TARGET_MS, target_on="p95"))
        details.append(
            f"- {engine} / {situation}: {len(firms)} subjects, groups used {sorted(groups)}, peers "
            f"{min(sizes):,}–{max(sizes):,} (median {sorted(sizes)[len(sizes) // 2]:,})"
        )
        log(details[-1][2:] + f": median {benchlib.median(samples):.1f} ms, p95 {benchlib.p95(samples):.1f} ms")
    if "province" in picks:
        firm = Enterprise.objects.get(pk=picks["province"][0])
        details.append(explain(connection, firm, last_scores[firm.pk]))
    return {"rows": rows, "details": "\n".join(details)}


def explain(connection, firm, scores: dict) -> str:
    """The plan of every query one benchmark() call runs on the peer table (the province-wide case)."""
    from django.test.utils import CaptureQueriesContext

    from reports.peers import benchmark

    with CaptureQueriesContext(connection) as captured:
        benchmark(firm, "cmmm", scores)
    prefix = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) "
    lines = [f"\nQueries of one province-wide benchmark() on {connection.vendor}, with their plans:"]
    with connection.cursor() as cursor:
        for query in captured.captured_queries:
            sql = query["sql"]
            lines.append(f"- {float(query['time']) * 1000:.1f} ms `{sql[:160]}{'…' if len(sql) > 160 else ''}`")
            if "peerscore" in sql and sql.lstrip().upper().startswith("SELECT"):
                cursor.execute(prefix + sql)
                plan = "\n".join(" ".join(str(c) for c in row) for row in cursor.fetchall())
                lines.append("```\n" + plan + "\n```")
    return "\n".join(lines)


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--engine", choices=("both", "sqlite", "postgresql"), default="both")
    p.add_argument("--enterprises", type=int, default=300_000)
    p.add_argument("--assessments", type=int, default=1_000_000)
    p.add_argument("--samples", type=int, default=50)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    if args.engine != "both":
        result = run(args.engine, args)
        if args.json:
            args.json.write_text(json.dumps(result, ensure_ascii=False, default=str), encoding="utf-8")
        else:
            benchlib.finish({"title": f"Peer benchmark ({args.engine})", **result}, None, NAME)
        return 0
    engines = ["sqlite"] + (["postgresql"] if postgresql_reachable() else [])
    if len(engines) == 1:
        log("PostgreSQL at 127.0.0.1:5432 is not reachable: SQLite only")
    rows, details = [], []
    for engine in engines:
        with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
            out = Path(handle.name)
        command = [sys.executable, __file__, "--engine", engine, "--json", str(out)]
        command += ["--enterprises", str(args.enterprises), "--assessments", str(args.assessments)]
        command += ["--samples", str(args.samples), "--seed", str(args.seed)]
        if args.keep:
            command.append("--keep")
        subprocess.run(command, check=True)  # noqa: S603 - this script, with its own arguments
        part = json.loads(out.read_text(encoding="utf-8"))
        out.unlink()
        rows += part["rows"]
        details.append(part["details"])
    title = "Peer benchmark: reports.peers.benchmark() at 300,000 enterprises / 1,000,000 assessments (synthetic)"
    benchlib.finish({"title": title, "rows": rows, "details": "\n\n".join(details)}, args.json, NAME)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
