"""Setting, splitting and recomputing targets, and who may see and change them (synthetic enterprises)."""

import datetime as dt
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from monitoring import metrics, services
from monitoring.models import Plan, Target, TargetEvent
from monitoring.selectors import progress_of
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def plan(world):
    return services.plan_create(
        actor=world["province"], name="2026—2027 年目标（测试）", region=Region.objects.get(code="360000"),
        start_year=2026, end_year=2027,
    )  # fmt: skip


def level_target(actor, plan, code="360000", value=D(50), unit="share", year=2027, **fields):
    return services.target_set(
        actor=actor, plan=plan, region=Region.objects.get(code=code), name="规上企业达到 CMMM 二级及以上",
        metric=metrics.LEVEL, unit=unit, model_code="cmmm", level=2, year=year, value=value, above_scale=True,
        today=dt.date(2026, 1, 1), **fields,
    )  # fmt: skip


def test_a_target_starts_from_where_the_figure_stands(world, plan, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    give_result(firms[0], 2)
    target = level_target(world["province"], plan)
    assert (target.met, target.population, target.actual, target.baseline) == (1, 4, D("25.00"), D("25.00"))
    assert TargetEvent.objects.filter(target=target, kind="set").count() == 1


def test_target_fields_must_agree(world, plan):
    with pytest.raises(ValidationError) as error:
        level_target(world["province"], plan, value=D(120))
    assert "占比目标不能超过 100%" in str(error.value)
    with pytest.raises(ValidationError) as error:
        level_target(world["province"], plan, unit="count", value=D("10.5"))
    assert "数量目标须为整数" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.target_set(
            actor=world["province"], plan=plan, region=Region.objects.get(code="360000"), name="服务商",
            metric=metrics.PROVIDERS, unit="share", year=2026, value=D(10),
        )  # fmt: skip
    assert "只能按数量设定目标" in str(error.value)
    with pytest.raises(ValidationError) as error:
        level_target(world["province"], plan, year=2030)
    assert "目标年度须在计划的起止年度之内" in str(error.value)


def test_only_the_officer_governing_the_region_sets_its_targets(world, plan):
    for who, code in [("other_city", "360100"), ("county", "360000"), ("enterprise", "360102"), ("city", "360400")]:
        with pytest.raises(PermissionDenied):
            level_target(world[who], plan, code=code)
    assert not Target.objects.exists()
    assert level_target(world["county"], plan, code="360102").region_id == "360102"


def test_a_count_splits_pro_rata_to_the_population_and_adds_up(world, plan, make_enterprise):
    for _ in range(5):
        make_enterprise("360102", is_above_scale=True)  # 南昌 5, 九江 2 above-scale enterprises
    for _ in range(2):
        make_enterprise("360402", is_above_scale=True)
    target = level_target(world["province"], plan, unit="count", value=D(10))
    parts = services.target_split(actor=world["province"], target=target, method="pro_rata")
    by_city = {p.region_id: p.value for p in parts if p.value}
    # quotas over the province's cities: 南昌 10·5/7 = 7.14, 九江 10·2/7 = 2.86 → 7 + 2, the unit left to 九江 (.86)
    assert by_city == {"360100": D(7), "360400": D(3)}
    assert sum(p.value for p in parts) == D(10)
    assert {p.region_id for p in parts} == set(Region.objects.filter(parent_id="360000").values_list("code", flat=True))


def test_a_share_splits_as_the_same_share_and_a_hand_split_is_checked(world, plan, make_enterprise):
    for _ in range(6):
        make_enterprise("360102", is_above_scale=True)
    for _ in range(4):
        make_enterprise("360402", is_above_scale=True)
    target = level_target(world["province"], plan, value=D(50))  # 50 % of 10 = 5 enterprises
    parts = services.target_split(actor=world["province"], target=target, method="pro_rata")
    assert {p.value for p in parts} == {D(50)}
    cities = {c: D(0) for c in Region.objects.filter(parent_id="360000").values_list("code", flat=True)}
    short = {**cities, "360100": D(50), "360400": D(40)}  # 3 + 1.6 = 4.6 < 5
    with pytest.raises(ValidationError) as error:
        services.target_split(actor=world["province"], target=target, method="by_hand", by_hand=short)
    assert "各地区目标折合 4.60 家企业，少于上级目标折合的 5.00 家" in str(error.value)
    assert {p.value for p in Target.objects.filter(parent=target)} == {D(50)}  # nothing changed
    enough = {**cities, "360100": D(60), "360400": D(40)}  # 3.6 + 1.6 = 5.2
    services.target_split(actor=world["province"], target=target, method="by_hand", by_hand=enough)
    assert Target.objects.get(parent=target, region_id="360100").value == D(60)
    assert Target.objects.filter(parent=target).count() == len(cities)  # rewritten, not added


def test_a_hand_split_of_a_count_must_add_up(world, plan):
    target = level_target(world["province"], plan, unit="count", value=D(10))
    cities = {c: D(0) for c in Region.objects.filter(parent_id="360000").values_list("code", flat=True)}
    with pytest.raises(ValidationError) as error:
        services.target_split(
            actor=world["province"], target=target, method="by_hand", by_hand={**cities, "360100": D(9)}
        )
    assert "各地区目标之和为 9，与上级目标 10 不一致" in str(error.value)
    with pytest.raises(ValidationError) as error:
        services.target_split(actor=world["province"], target=target, method="by_hand", by_hand={"360100": D(10)})
    assert "请为每个下级地区填写目标值" in str(error.value)


def test_a_county_cannot_be_split_and_a_city_officer_splits_their_city(world, plan):
    county = level_target(world["county"], plan, code="360102")
    with pytest.raises(ValidationError):
        services.target_split(actor=world["county"], target=county, method="pro_rata")
    city = level_target(world["city"], plan, code="360100", unit="count", value=D(4))
    with pytest.raises(PermissionDenied):
        services.target_split(actor=world["county"], target=city, method="pro_rata")
    parts = services.target_split(actor=world["city"], target=city, method="pro_rata")
    assert all(p.region.parent_id == "360100" for p in parts) and sum(p.value for p in parts) == 4


def test_recomputing_follows_the_records(world, plan, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    target = level_target(world["province"], plan)
    parts = services.target_split(actor=world["province"], target=target, method="pro_rata")
    assert target.actual == D(0)
    give_result(firms[0], 3)
    give_result(firms[1], 2, kind="verified")
    assert services.targets_recompute() == 1 + len(parts)
    target.refresh_from_db()
    assert (target.met, target.population, target.actual) == (2, 4, D("50.00"))
    nanchang = Target.objects.get(parent=target, region_id="360100")
    assert (nanchang.met, nanchang.population) == (2, 4)
    jiujiang = Target.objects.get(parent=target, region_id="360400")
    assert (jiujiang.met, jiujiang.population, jiujiang.actual) == (0, 0, None)  # no population: no share


def test_a_small_group_shows_counts_not_a_share(world, plan, make_enterprise, settings):
    settings.TIDU_MIN_GROUP_SIZE = 5
    for _ in range(4):
        make_enterprise("360402", is_above_scale=True)
    target = level_target(world["province"], plan)
    assert not progress_of(target).share_shown
    make_enterprise("360402", is_above_scale=True)
    services.targets_recompute()
    target.refresh_from_db()
    assert progress_of(target).share_shown and progress_of(target).needed == 3  # 50 % of 5, rounded up


def test_status_follows_the_trajectory(world, plan, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(10)]
    target = level_target(world["province"], plan)  # baseline 0 % on 2026-01-01, goal 50 % by 2027-12-31
    for firm in firms[:2]:
        give_result(firm, 2)
    services.targets_recompute()
    target.refresh_from_db()  # 20 %; a year in (364 of 729 days) the line is at 24.97 %, 10 % of the rise is 5
    state = progress_of(target, today=dt.date(2026, 12, 31)).standing
    assert (state.status, state.expected) == ("at_risk", D("24.97"))
    assert progress_of(target, today=dt.date(2027, 6, 30)).standing.status == "behind"
    assert progress_of(target, today=dt.date(2026, 6, 1)).standing.status == "on_track"
    assert progress_of(target, today=dt.date(2028, 1, 1)).standing.status == "missed"


def test_plans_keep_their_years_in_order(world):
    with pytest.raises(ValidationError):
        services.plan_create(
            actor=world["province"], name="倒序", region=Region.objects.get(code="360000"), start_year=2027,
            end_year=2026,
        )  # fmt: skip
    assert not Plan.objects.exists()


def test_a_figure_of_one_year_starts_from_zero_on_the_first_of_january(world, plan, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(10)]
    give_result(firms[0], 2, when=dt.datetime(2026, 2, 1, tzinfo=dt.UTC))
    target = services.target_set(
        actor=world["province"], plan=plan, region=Region.objects.get(code="360000"), name="年度自评估覆盖率",
        metric=metrics.ASSESSED, unit="share", year=2026, value=D(20), above_scale=True, today=dt.date(2026, 6, 1),
    )  # fmt: skip
    assert (target.baseline, target.baseline_on, target.actual) == (D(0), dt.date(2026, 1, 1), D("10.00"))
    part = services.target_split(actor=world["province"], target=target, method="pro_rata")[0]
    assert (part.baseline, part.baseline_on) == (D(0), dt.date(2026, 1, 1))
    # 10 % on 2 July: the line from 0 % (1 Jan) to 20 % (31 Dec) is at 10 % (day 182 of 364)
    assert progress_of(target, today=dt.date(2026, 7, 2)).standing.status == "on_track"
    # on 1 September the line is at 13.35 %: 3.35 points short, more than the 2 points (10 % of the rise) of slack
    assert progress_of(target, today=dt.date(2026, 9, 1)).standing.status == "behind"
