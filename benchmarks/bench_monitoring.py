"""Monitoring figures (issue 19) at 300,000 enterprises / 1,000,000 assessments: dashboard pages and recomputing
every target's progress.

Synthetic data only. A scratch database gets 300,000 invented enterprises in the real Jiangxi counties (a quarter
above scale), 1,000,000 submitted CMMM and SME-2024 assessments (self 85 %, diagnosis 10 %, verified 5 %, from
2023 to this year) each with its current result (levels 0–5, written with raw bulk inserts: COPY on PostgreSQL),
the node scores of each enterprise's latest result per model (CMMM: its 4 elements and 12 domains; SME-2024: its
top-level domains — earlier results' node scores are left out, they are read only for past years' domain means),
the latest result per enterprise and model with a snapshot of every item of the model as scoring stores it (state,
points, normalised score drawn like the node scores, ~3 % not applicable: ~9 KB for CMMM; earlier results "{}"),
tier labels on ~8 % of enterprises, 80 industrial clusters and 40 industry chains (of the province and its cities)
with ~15 % and ~10 % of the enterprises as members, and the example plan of the demo province split to every city
and county (1,120 targets). Timed, through Django's test client as the province officer (server time, no browser):

- the province's statistics page (every chart, `/monitoring/r/360000/figures/`, with the clusters-and-chains and
  the top-gaps figures), target ≤ 500 ms; a county's, target ≤ 300 ms;
- a drill-down: a city's targets page and its statistics page, target ≤ 300 ms;
- recolouring the map: the values of another metric (the boundaries are fetched once), target ≤ 200 ms;
- `targets_recompute()` over all targets, target ≤ 10 s;
- rebuilding the tallies the statistics pages read (`monitoring.cube.rebuild`, a background task), no target: the
  first one (every chosen result's items read from its snapshot into the narrow item-gap rows), then one with
  nothing new, and one after new self-assessments of 1 % of the enterprises (only their snapshots read);
- an index run (the example definition) for every county, with its uncertainty analysis, target ≤ 30 s; and one of
  the by-industry example (weighted by size class, with mean domain scores).

Baseline in the same run: `SELECT COUNT(*)` of the above-scale enterprises of the province (one index scan).
Wall and CPU time are both printed: on the shared 2-core machine wall time grows with the load (`uptime`).

    .venv/bin/python benchmarks/bench_monitoring.py [--engine sqlite|postgresql] [--enterprises 300000]
                                                   [--assessments 1000000] [--runs 5] [--workdir DIR] [--keep]
                                                   [--reuse-tallies]

PostgreSQL: the database of BENCH_MONITORING_PG_URL (default tidu_bench_monitoring), kept between runs with --keep.
--previous-rebuild also times the rebuild of commit 551f9ce (every snapshot read at every rebuild) as a baseline.
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
from benchlib import log  # noqa: E402

NAME = "bench_monitoring"
PG_URL = os.environ.get("BENCH_MONITORING_PG_URL", "postgresql://postgres@127.0.0.1:5432/tidu_bench_monitoring")
CHUNK = 20_000
MODELS = {"cmmm": 0.75, "sme-2024": 0.45}
KINDS = (("self", 0.85), ("diagnosis", 0.10), ("verified", 0.05))
TIERS = (("tier-basic", 0.05), ("tier-advanced", 0.02), ("tier-excellent", 0.008), ("tier-leading", 0.002))


def insert(model, columns: list[str], rows) -> int:
    from django.db import connection

    qn = connection.ops.quote_name
    table, names = qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    n = 0
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    n += 1
            return n
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        batch = []
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                n, batch = n + len(batch), []
        if batch:
            cursor.executemany(sql, batch)
            n += len(batch)
    return n


def build(enterprises: int, assessments: int, seed: int) -> dict:
    from django.db import connection, transaction
    from django.utils import timezone

    from assessments.models import Assessment, AssessmentResult, DomainScore, ModelVersion
    from assessments.specs import parsed_spec
    from enterprises.models import Chain, ChainMembership, Cluster, ClusterMembership, Enterprise, EnterpriseLabel
    from monitoring.demo import seed_example_plan
    from monitoring.gaps import node_names
    from regions.models import Region

    def walk_items(nodes):
        for node in nodes:
            yield from node.items
            yield from walk_items(node.children)

    if Enterprise.objects.count() == enterprises:
        log(f"reusing the archive of {enterprises:,} synthetic enterprises")
        return {"reused": True}
    rng = random.Random(seed)
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda v: v)
    now = timezone.now()
    counties = list(Region.objects.filter(code__startswith="36", is_leaf=True).values_list("code", flat=True))
    weights = [1 / (i + 1) ** 0.8 for i in range(len(counties))]
    rng.shuffle(weights)
    divisions = [f"{c}" for c in range(13, 44) if c not in (16, 42)]
    steps, t = {}, time.perf_counter()
    county = rng.choices(counties, weights=weights, k=enterprises)
    created = adapt(now - dt.timedelta(days=1500))
    with transaction.atomic():
        insert(
            Enterprise,
            ["id", "credit_code", "name", "name_initials", "former_names", "county_id", "address", "industry_id",
             "industry_detail_code", "size_class", "is_above_scale", "notes", "is_synthetic", "created_at",
             "updated_at"],
            ((i + 1, f"BENCH{i + 1:013d}", f"合成企业{i + 1}", "", "[]", county[i], "", rng.choice(divisions), "",
              rng.choice(["micro", "small", "medium", "large"]), rng.random() < 0.25, "", True, created, created)
             for i in range(enterprises)),
        )  # fmt: skip
        labels = []
        for e in range(1, enterprises + 1):
            roll, edge = rng.random(), 0.0
            for code, p in TIERS:
                edge += p
                if roll < edge:
                    labels.append((e, code, 2025))
                    break
        insert(EnterpriseLabel, ["enterprise_id", "label_id", "year"], labels)
    steps["enterprises"] = time.perf_counter() - t
    versions = {v.code: v for v in ModelVersion.objects.filter(is_current=True, code__in=MODELS)}
    pairs = [(e, code) for e in range(1, enterprises + 1) for code, share in MODELS.items() if rng.random() < share]
    rounds = [1] * len(pairs)
    for _ in range(max(0, assessments - len(pairs))):
        rounds[rng.randrange(len(pairs))] += 1
    t = time.perf_counter()
    results: list[tuple] = []
    latest: list[tuple] = []  # (result id, enterprise, model, level) of each pair's last assessment

    item_codes = {code: [item.code for item in walk_items(parsed_spec(v).nodes)] for code, v in versions.items()}

    def item_snapshot(code: str, level: int) -> str:
        """The items of a stored snapshot as `Result.to_dict` writes them (state, points, normalised), scores drawn
        like the node scores, ~3 % not applicable; the rest of a real snapshot (nodes, levels, trace) left out."""
        items = {}
        for item in item_codes[code]:
            if rng.random() < 0.03:
                items[item] = {"state": "not_applicable", "points": None, "normalised": None}
                continue
            value = round(min(1.0, max(0.0, rng.gauss(0.35 + level * 0.12, 0.2))) * 4) / 4
            items[item] = {"state": "answered", "points": value * 4, "normalised": value}
        return json.dumps({"items": items}, separators=(",", ":"))

    def assessment_rows():
        next_id = 1
        for (e, code), n in zip(pairs, rounds, strict=True):
            level = rng.randint(0, 3)
            for r in range(n):
                when = adapt(now - dt.timedelta(days=330 * (n - 1 - r) + rng.randrange(300)))
                kind = rng.choices([k for k, _ in KINDS], weights=[w for _, w in KINDS])[0]
                yield (next_id, e, versions[code].pk, code, kind, "submitted", "import", "{}", "{}", "{}", 0,
                       when, when, when)  # fmt: skip
                level = min(5, level + rng.choice([0, 0, 1]))
                snapshot = item_snapshot(code, level) if r == n - 1 else "{}"
                results.append((next_id, next_id, versions[code].pk, True, float(level), 5.0, level or None, "", False,
                                snapshot, "", when))  # fmt: skip
                if r == n - 1:
                    latest.append((next_id, e, code, level))
                next_id += 1

    with transaction.atomic():
        written = insert(
            Assessment,
            ["id", "enterprise_id", "model_version_id", "model_code", "kind", "status", "source", "context", "answers",
             "reasons", "answered_count", "created_at", "updated_at", "submitted_at"],
            assessment_rows(),
        )  # fmt: skip
        insert(
            AssessmentResult,
            ["id", "assessment_id", "model_version_id", "is_current", "score", "scale_max", "level", "level_name",
             "provisional", "snapshot", "reason", "computed_at"],
            results,
        )  # fmt: skip
    steps["assessments"] = time.perf_counter() - t
    t = time.perf_counter()
    nodes = {code: [(node, depth) for node, (_name, depth) in node_names(code).items() if depth <= (1 if code == "cmmm"
             else 0)] for code in MODELS}  # fmt: skip

    def score_rows():
        for result, e, code, level in latest:
            for node, depth in nodes[code]:
                yield (result, e, code, node, depth, round(min(1.0, max(0.0, rng.gauss(0.35 + level * 0.12, 0.15))), 3),
                       True)  # fmt: skip

    with transaction.atomic():
        scores = insert(DomainScore, ["result_id", "enterprise_id", "model_code", "node_code", "depth", "score",
                                      "is_current"], score_rows())  # fmt: skip
        cities = list(Region.objects.filter(code__startswith="36", level=2).values_list("code", flat=True))
        groupings = {}
        for model, count, member_share in ((Cluster, 80, 0.15), (Chain, 40, 0.10)):
            made = model.objects.bulk_create(
                model(name=f"合成{model._meta.verbose_name}{i + 1}", region_id=rng.choice(["360000", *cities]),
                      is_synthetic=True) for i in range(count)
            )  # fmt: skip
            groupings[model] = [g.pk for g in made]
            members = rng.sample(range(1, enterprises + 1), int(enterprises * member_share))
            if model is Cluster:
                insert(ClusterMembership, ["cluster_id", "enterprise_id"],
                       ((rng.choice(groupings[model]), e) for e in members))  # fmt: skip
            else:
                insert(ChainMembership, ["chain_id", "enterprise_id", "position"],
                       ((rng.choice(groupings[model]), e, rng.choice(["leader", "upstream", "downstream"]))
                        for e in members))  # fmt: skip
    steps["node_scores_and_groupings"] = time.perf_counter() - t
    log(f"{scores:,} node scores, {len(groupings[Cluster])} clusters, {len(groupings[Chain])} chains")
    log(f"{enterprises:,} enterprises, {written:,} assessments and results in {sum(steps.values()):.0f} s")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("enterprises_enterprise", "enterprises_enterpriselabel", "assessments_assessment",
                          "assessments_assessmentresult", "assessments_domainscore", "enterprises_clustermembership",
                          "enterprises_chainmembership"):  # fmt: skip
                cursor.execute(f"VACUUM ANALYZE {table}")
    t = time.perf_counter()
    targets = seed_example_plan("36", replace=True)
    steps["example_plan"] = time.perf_counter() - t
    log(f"example plan: {targets:,} targets in {steps['example_plan']:.0f} s")
    return {"enterprises": enterprises, "assessments": written, "targets": targets,
            "steps": {k: round(v, 1) for k, v in steps.items()}}  # fmt: skip


PREVIOUS = "551f9ce"  # the last commit that read every chosen result's snapshot at every rebuild


def previous_rebuild():
    """`monitoring.cube.rebuild` as commit PREVIOUS wrote it (read from git, loaded beside the current module): the
    same tallies, the item gaps read from every chosen result's snapshot in the rebuild's statements."""
    import importlib.util
    import subprocess

    source = subprocess.run(["git", "show", f"{PREVIOUS}:monitoring/cube.py"], cwd=HERE.parent, check=True,
                            capture_output=True, text=True).stdout  # fmt: skip
    path = Path(os.environ["TIDU_VAR_DIR"]) / "cube_previous.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location("monitoring.cube_previous", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.rebuild


def add_results(n: int, seed: int) -> int:
    """`n` new CMMM self-assessments submitted now, each with its current result and a snapshot of every item (as
    `build` writes the latest ones), for enterprises drawn at random: what a day of submissions adds between two
    rebuilds. Returns how many were written."""
    from django.db import connection, transaction
    from django.db.models import Max
    from django.utils import timezone

    from assessments.models import Assessment, AssessmentResult, ModelVersion
    from assessments.specs import parsed_spec
    from enterprises.models import Enterprise

    rng = random.Random(seed)
    version = ModelVersion.objects.get(is_current=True, code="cmmm")
    codes = [ref.item.code for ref in parsed_spec(version).iter_items()]
    adapt = connection.ops.adapt_datetimefield_value if connection.vendor == "sqlite" else (lambda v: v)
    now = adapt(timezone.now())
    first = max(Assessment.objects.aggregate(m=Max("id"))["m"], AssessmentResult.objects.aggregate(m=Max("id"))["m"])
    firms = rng.sample(range(1, Enterprise.objects.count() + 1), n)
    assessments, results = [], []
    for i, firm in enumerate(firms, start=first + 1):
        level = rng.randint(0, 4)
        items = {}
        for code in codes:
            value = round(min(1.0, max(0.0, rng.gauss(0.35 + level * 0.12, 0.2))) * 4) / 4
            items[code] = {"state": "answered", "points": value * 4, "normalised": value}
        assessments.append((i, firm, version.pk, "cmmm", "self", "submitted", "import", "{}", "{}", "{}", 0, now, now,
                            now))  # fmt: skip
        results.append((i, i, version.pk, True, float(level), 5.0, level or None, "", False,
                        json.dumps({"items": items}, separators=(",", ":")), "", now))  # fmt: skip
    with transaction.atomic():
        insert(Assessment, ["id", "enterprise_id", "model_version_id", "model_code", "kind", "status", "source",
                            "context", "answers", "reasons", "answered_count", "created_at", "updated_at",
                            "submitted_at"], assessments)  # fmt: skip
        insert(AssessmentResult, ["id", "assessment_id", "model_version_id", "is_current", "score", "scale_max",
                                  "level", "level_name", "provisional", "snapshot", "reason", "computed_at"],
               results)  # fmt: skip
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for table in ("assessments_assessment", "assessments_assessmentresult"):
                cursor.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")  # noqa: S608
    return len(results)


def timed(call, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU milliseconds of each call."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        call()
        walls.append((time.perf_counter() - wall) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    return walls, cpus


def run(engine: str, args) -> dict:
    url = PG_URL if engine == "postgresql" else None
    if url:
        benchlib.postgres_database(url, keep=args.keep)
    benchlib.setup_django(NAME, args.workdir, args.keep, database_url=url)
    from django.db import connection
    from django.test import Client

    from accounts.models import Membership, Role, User
    from monitoring.cube import rebuild
    from monitoring.indexruns import compute, run_start
    from monitoring.services import targets_recompute
    from regions.models import Region

    data = build(args.enterprises, args.assessments, seed=1)
    officer, _ = User.objects.get_or_create(username="bench-province")
    Membership.objects.get_or_create(user=officer, role=Role.PROVINCE_OFFICER, region_id="360000")
    client = Client()
    client.force_login(officer, backend="django.contrib.auth.backends.ModelBackend")

    def get(path):
        def call():
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)

        return call

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT COUNT(*) FROM enterprises_enterprise"
                " WHERE is_above_scale AND county_id >= '36' AND county_id < '36:'"
            )
            cursor.fetchone()

    from monitoring.models import ExpandedResult, ResultItemGap

    def counts() -> str:
        return f"{ExpandedResult.objects.count():,} results expanded, {ResultItemGap.objects.count():,} item-gap rows"

    # The tallies the statistics pages read (what the nightly refresh keeps). The first rebuild reads the items of
    # every chosen result's snapshot into the narrow item-gap rows (those a previous run kept are dropped first).
    from monitoring.models import Tally

    if args.reuse_tallies and data.get("reused") and Tally.objects.exists():
        first_walls, first_cpus = [float("nan")], [float("nan")]  # kept from the run that built them
        log(f"reusing the kept tallies and item-gap rows ({counts()}): the first rebuild is not timed")
    else:
        ExpandedResult.objects.all().delete()
        ResultItemGap.objects.all().delete()
        first_walls, first_cpus = timed(lambda: rebuild(), 1)
        log(f"first rebuild (every chosen result's items read): {first_walls[0] / 1000:.1f} s wall, "
            f"{first_cpus[0] / 1000:.1f} s CPU; {counts()}")  # fmt: skip
    old_rebuild = previous_rebuild() if args.previous_rebuild else None
    province = Region.objects.get(code="360000")

    def index_run(code: str = "example"):
        run = compute(run_start(actor=officer, code=code, region=province, year=dt.date.today().year))
        assert run.status == "done", run.error

    cases = [
        ("baseline: COUNT(*) of the province's above-scale enterprises", baseline, None),
        (
            "province statistics page, every chart (with clusters/chains and gaps)",
            get("/monitoring/r/360000/figures/"),
            500.0,
        ),
        ("a county's statistics page", get("/monitoring/r/360702/figures/"), 300.0),
        (
            "the clusters-and-chains table alone (JSON)",
            get("/monitoring/r/360000/figures/?export=groups&format=json"),
            None,
        ),
        ("the top-gaps table alone (JSON)", get("/monitoring/r/360000/figures/?export=gaps&format=json"), None),
        (
            "the top-gap items table alone (JSON)",
            get("/monitoring/r/360000/figures/?export=gap_items&format=json"),
            None,
        ),
        ("province targets page", get("/monitoring/r/360000/"), 500.0),
        ("drill-down: a city's targets page", get("/monitoring/r/360700/"), 300.0),
        ("drill-down: a city's statistics page", get("/monitoring/r/360700/figures/"), 300.0),
        ("map recoloured: another metric's values", get("/monitoring/r/360000/map/values.json?metric=assessed"), 200.0),
        ("map recoloured: by city", get("/monitoring/r/360000/map/values.json?metric=level&by=city"), 200.0),
        ("recompute every target's progress", lambda: targets_recompute(), 10_000.0),
        ("rebuild the statistics tallies (5 years × 3 bases), nothing new", lambda: rebuild(), None),
        ("index run: every county, with its uncertainty analysis", lambda: index_run(), 30_000.0),
        ("index run: by industry, weighted by size, domain means", lambda: index_run("example-industry"), 30_000.0),
    ]
    if old_rebuild:
        label = f"baseline: the rebuild of commit {PREVIOUS} (every snapshot's items read at every rebuild)"
        cases.insert(len(cases) - 2, (label, old_rebuild, None))
    rows, details = [], [f"**{engine}**: " + json.dumps(data, ensure_ascii=False), f"uptime: {os.getloadavg()}"]
    rows.append(benchlib.row(f"monitoring ({engine})", "first rebuild: every chosen result's items read", first_walls,
                             "ms", None))  # fmt: skip
    details.append(f"- first rebuild (every chosen result's items read): wall {first_walls[0]:.0f} ms, CPU "
                   f"{first_cpus[0]:.0f} ms; {counts()}")  # fmt: skip
    for label, call, target in cases:
        call()  # warm-up
        walls, cpus = timed(call, args.runs)
        rows.append(benchlib.row(f"monitoring ({engine})", label, walls, "ms", target))
        details.append(
            f"- {label}: wall median {benchlib.median(walls):.0f} ms, CPU median {benchlib.median(cpus):.0f} ms"
        )
        log(details[-1][2:])
    added = add_results(max(100, args.enterprises // 100), seed=2)
    walls, cpus = timed(lambda: rebuild(), 1)
    label = f"rebuild after {added:,} new self-assessments (their items read)"
    rows.append(benchlib.row(f"monitoring ({engine})", label, walls, "ms", None))
    details.append(f"- {label}: wall {walls[0]:.0f} ms, CPU {cpus[0]:.0f} ms; {counts()}")
    log(details[-1][2:])
    details.append(f"uptime after: {os.getloadavg()}")
    return {"rows": rows, "details": "\n".join(details)}


def main() -> int:
    p = benchlib.parser(__doc__.split("\n\n")[0])
    p.add_argument("--engine", choices=("sqlite", "postgresql"), default="sqlite")
    p.add_argument("--enterprises", type=int, default=300_000)
    p.add_argument("--assessments", type=int, default=1_000_000)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument(
        "--reuse-tallies",
        action="store_true",
        help="with a kept archive: keep its tallies and item-gap rows (the first rebuild is not timed)",
    )
    p.add_argument("--previous-rebuild", action="store_true", help=f"time commit {PREVIOUS}'s rebuild as a baseline")
    args = p.parse_args()
    result = run(args.engine, args)
    title = (
        f"Monitoring at {args.enterprises:,} enterprises / {args.assessments:,} assessments ({args.engine}, synthetic)"
    )
    benchlib.finish({"title": title, **result}, args.json, NAME)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
