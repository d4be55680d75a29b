"""Benchmark: assigning experts with conflict-of-interest exclusions to 1,000 applications (target ≤ 10 s), and one
enterprise's prerequisite check for a tier programme (target ≤ 50 ms).

SYNTHETIC data only: 1,000 invented enterprises in 南昌's counties, each with an application to the shipped 基础级
programme waiting at the city's expert review (3 experts each, exclusions: own organisation, served-by provider,
same county), and a pool of 300 experts: 100 registered in those counties (same-county conflicts), 100 at the city,
50 at the province, 50 national; 30 work for an applicant (own-organisation conflict) and 40 for one of 40 providers
that served applicants through a matching event's contract or intention or a published case (served-by conflicts).

    .venv/bin/python benchmarks/bench_recognition.py [--applications 1000] [--experts 300] [--runs 5]
    .venv/bin/python benchmarks/bench_recognition.py --postgres postgresql://postgres@127.0.0.1:5432/tidu_bench_rec

Timed: `recognition.experts.assign_experts` for all applications in one call (median of --runs, each rolled back so
every run assigns afresh), wall and CPU time; beside it, the pure `recognition.review.assign` on the same cards (the
baseline: what the decision alone costs). Query counts at 100 and at all applications show the queries do not grow
with the number of applications. `uptime` is printed at the start and the end: the machine is shared."""

import random
import subprocess
import time

import benchlib
from benchlib import log

NAME = "bench_recognition"
TARGET_ASSIGN_S = 10.0  # issue 20: 1,000 applications
TARGET_CHECK_MS = 50.0


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True, check=False).stdout.strip()


def build(n_applications: int, n_experts: int, seed: int = 1) -> dict:
    import copy

    from accounts.models import Membership, Role, User
    from catalog.models import Case, MatchMeeting, MeetingOutcome, Provider
    from enterprises.creditcode import make, org_code
    from enterprises.models import Enterprise
    from recognition import chain, library, services
    from recognition.models import Application, Expert, Programme
    from regions.models import Region

    rng = random.Random(seed)
    counties = list(Region.objects.filter(code__startswith="3601", level=3).values_list("code", flat=True))
    officer = User.objects.create_user("city", password="Bench-pass-2026!")  # noqa: S106 - synthetic
    Membership.objects.create(user=officer, role=Role.CITY_OFFICER, region_id="360100")
    data = copy.deepcopy(library.shipped()["sf-basic-2026"])
    data["prerequisites"] = {}
    programme = services.programme_load(actor=None, region=Region.objects.get(code="360100"), data=data)
    Programme.objects.filter(pk=programme.pk).update(status=Programme.Status.OPEN)
    firms = Enterprise.objects.bulk_create(
        Enterprise(
            credit_code=make(f"91{county}" + org_code(f"{i:08d}")),
            name=f"合成申报企业{i:04d}有限公司",
            county_id=county,
            industry_id=rng.choice(["34", "35", "39", "26", "13"]),
        )  # fmt: skip
        for i, county in enumerate(rng.choice(counties) for _ in range(n_applications))
    )
    firms = list(Enterprise.objects.filter(name__startswith="合成申报企业").order_by("pk"))
    review_step = programme.rules.index_of("city_review")
    Application.objects.bulk_create(
        Application(programme=programme, enterprise=f, status=chain.IN_REVIEW, step=review_step) for f in firms
    )
    providers = Provider.objects.bulk_create(
        Provider(
            name=f"合成服务商{i:03d}有限公司",
            credit_code=make("91360100" + org_code(f"7{i:07d}")),
            region_id="360100",
            status="published",
            is_synthetic=True,
        )  # fmt: skip
        for i in range(40)
    )
    meeting = MatchMeeting.objects.create(title="合成对接会", region_id="360100", held_on="2026-05-01")
    served = rng.sample(firms, min(len(firms), 600))
    outcomes, cases = [], []
    for i, firm in enumerate(served):
        provider = providers[i % len(providers)]
        if i % 2:
            outcomes.append(MeetingOutcome(meeting=meeting, enterprise=firm, provider=provider,
                                           result=rng.choice(["contracted", "intention"])))  # fmt: skip
        else:
            cases.append(Case(provider=provider, enterprise=firm, title=f"合成案例{i}", industry_id=firm.industry_id,
                              region_id="360100", is_synthetic=True))  # fmt: skip
    MeetingOutcome.objects.bulk_create(outcomes)
    Case.objects.bulk_create(cases)
    users = User.objects.bulk_create(User(username=f"expert{i:03d}", display_name=f"合成专家{i:03d}")
                                     for i in range(n_experts))  # fmt: skip
    users = list(User.objects.filter(username__startswith="expert").order_by("pk"))
    Membership.objects.bulk_create(Membership(user=u, role=Role.EXPERT) for u in users)
    experts = []
    for i, user in enumerate(users):
        region = rng.choice(counties) if i % 6 < 2 else "360100" if i % 6 < 4 else "360000" if i % 6 == 4 else None
        organisation, code = f"合成单位{i:03d}", ""
        if i < 30:
            firm = rng.choice(firms)
            organisation, code = firm.name, firm.credit_code
        elif i < 70:
            provider = providers[i - 30]
            organisation, code = provider.name, provider.credit_code
        experts.append(Expert(user=user, organisation=organisation, organisation_code=code, region_id=region,
                              fields=rng.sample(["34", "35", "39", "26", "13", "S01", "S02"], 2)))  # fmt: skip
    Expert.objects.bulk_create(experts)
    return {"officer": officer, "programme": programme, "firms": firms}


def main() -> None:
    p = benchlib.parser(__doc__.splitlines()[0])
    p.add_argument("--applications", type=int, default=1000)
    p.add_argument("--experts", type=int, default=300)
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--postgres", metavar="URL", help="a PostgreSQL database to create (and drop) for the run")
    args = p.parse_args()
    if args.postgres:
        benchlib.postgres_database(args.postgres, keep=False)
    benchlib.setup_django(NAME, args.workdir, args.keep, database_url=args.postgres)

    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from recognition import experts, library, prerequisites, review
    from recognition.chain import parse
    from recognition.models import Application, ApplicationEvent, ReviewTask

    started_uptime = uptime()
    log(f"uptime: {started_uptime}")
    t = time.perf_counter()
    world = build(args.applications, args.experts)
    log(f"built {args.applications} applications and {args.experts} experts in {time.perf_counter() - t:.1f} s")
    officer = world["officer"]
    applications = list(Application.objects.order_by("pk"))

    class Rollback(Exception):
        pass

    def assign(subset) -> tuple[float, float, object, int]:
        """One assignment, rolled back afterwards: (wall s, CPU s, result, queries)."""
        out = {}
        try:
            with transaction.atomic(), CaptureQueriesContext(connection) as queries:
                wall, cpu = time.perf_counter(), time.process_time()
                out["result"] = experts.assign_experts(actor=officer, applications=subset)
                out["wall"], out["cpu"] = time.perf_counter() - wall, time.process_time() - cpu
                out["tasks"] = ReviewTask.objects.count()
                out["events"] = ApplicationEvent.objects.filter(action="assign").count()
                out["queries"] = len(queries) - 2  # not the two counts just above
                raise Rollback
        except Rollback:
            pass
        return out

    assign(applications[:50])  # warm-up: imports, the holiday calendar, the programme's parse
    small = assign(applications[:100])
    runs = [assign(applications) for _ in range(args.runs)]
    last = runs[-1]
    result = last["result"]
    assert last["tasks"] == sum(len(v) for v in result.chosen.values()) and last["events"] == len(applications)
    assert ReviewTask.objects.count() == 0  # every run was rolled back
    excluded = sum(len(v) for v in result.excluded.values())
    reasons: dict[str, int] = {}
    for case in result.excluded.values():
        for _pk, why in case:
            for reason in why:
                key = (
                    "own organisation" if "即申请单位" in reason else "served by" if "提供服务" in reason else "county"
                )
                reasons[key] = reasons.get(key, 0) + 1

    # The baseline: the pure decision on the same cards (built once, outside the timing).
    rules = parse(library.shipped()["sf-basic-2026"])
    served = experts.served_by([a.enterprise_id for a in applications])
    pool = list(experts.pool_for("3601"))
    cards = [experts._card(x, 0) for x in pool]
    cases = [review.CaseCard(id=a.pk, enterprise_code=a.enterprise.credit_code, enterprise_name=a.enterprise.name,
                             county_id=a.enterprise.county_id, served_by=served.get(a.enterprise_id, frozenset()),
                             fields=frozenset([a.enterprise.industry_id]))
             for a in Application.objects.select_related("enterprise").order_by("pk")]  # fmt: skip
    pure_wall, pure_cpu = [], []
    for _ in range(args.runs):
        wall, cpu = time.perf_counter(), time.process_time()
        review.assign(cases, cards, 3, rules.exclusions)
        pure_wall.append(time.perf_counter() - wall)
        pure_cpu.append(time.process_time() - cpu)

    # One enterprise's prerequisite check for a tier programme (the 基础级 tier conditions of the maturity library).
    tier_rules = parse(library.shipped()["sf-basic-2026"])
    firm = world["firms"][0]
    from enterprises.models import Enterprise

    def check():
        enterprise = Enterprise.objects.get(pk=firm.pk)  # as a page gets it: fresh, nothing cached on it
        return prerequisites.check(tier_rules, enterprise)

    check()
    check_ms, check_cpu_ms = [], []
    for _ in range(20):
        wall, cpu = time.perf_counter(), time.process_time()
        outcome = check()
        check_ms.append((time.perf_counter() - wall) * 1000)
        check_cpu_ms.append((time.process_time() - cpu) * 1000)

    n = len(applications)
    rows = [
        benchlib.row(
            NAME,
            f"assign_experts, {n} applications × {len(pool)} eligible-pool experts",
            [r["wall"] for r in runs],
            "s",
            TARGET_ASSIGN_S,
            show_p95=False,
        ),  # fmt: skip
        benchlib.row(NAME, "  CPU time of the same (process)", [r["cpu"] for r in runs], "s", show_p95=False),
        benchlib.row(NAME, "baseline: pure review.assign on the same cards", pure_wall, "s", show_p95=False),
        benchlib.row(NAME, "  CPU time of the same", pure_cpu, "s", show_p95=False),
        benchlib.row(NAME, "prerequisites.check, one enterprise, tier programme", check_ms, "ms", TARGET_CHECK_MS),
        benchlib.row(NAME, "  CPU time of the same", check_cpu_ms, "ms"),
    ]
    details = [
        f"- {n} applications at 市级专家评审 (3 experts each), pool of {args.experts} ({len(pool)} may serve 南昌)",
        f"- queries: {small['queries']} for 100 applications, {last['queries']} for {n} (bulk writes in batches)",
        f"- tasks written {last['tasks']}, events {last['events']}, applications short of experts "
        f"{len(result.short)}; exclusions stated {excluded}: {reasons}",
        f"- prerequisite check: {len(outcome.items)} conditions for 基础级",
        f"- engine: {connection.vendor}",
        f"- uptime at the start: {started_uptime}; at the end: {uptime()}",
    ]
    benchlib.finish({"title": f"Recognition: expert assignment for {n} applications ({connection.vendor})",
                     "rows": rows, "details": "\n".join(details)},
                    args.json, f"{NAME}_postgres" if args.postgres else NAME)  # fmt: skip


if __name__ == "__main__":
    main()
