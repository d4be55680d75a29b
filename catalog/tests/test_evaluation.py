"""Tiered provider evaluation: counted inputs, officer reviews, grades, recomputation and appeals."""

import pytest

from catalog import evaluation, services
from catalog.models import Case, Need, NeedResponse, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


def make_provider(**fields):
    return services.provider_create(
        actor=None,
        provider=Provider(
            name="评价测试服务商", credit_code=make_code("360100"), region_id="360100", status="published", **fields
        ),
    )


def test_the_default_scorecard_is_a_provisional_100_point_model():
    spec = evaluation.scorecard()
    assert spec.status == "provisional" and spec.rule.scale_max == 100
    assert sum(node.weight for node in spec.nodes) == 100
    for node in spec.nodes:  # each dimension's items add up to the dimension's points
        assert sum(item.weight for item in node.items) == node.weight, node.code


def test_a_new_provider_is_graded_d_and_grows_with_what_it_delivers(world):
    provider = make_provider(staff=60)
    first = evaluation.evaluate(actor=world["province"], provider=provider)
    # Counted: nothing served, no solution, no rating (N/A: the results dimension rests on cases alone), staff 60
    # → 8 of 8; reviews default to "none". Score 8.0 → D 级.
    assert first.score == pytest.approx(8.0) and first.grade == "D 级"
    assert first.answers["average_rating"] == "n/a"
    Scenario.objects.create(code="T-01", name="测试场景", link_code="T", link_name="测试")
    services.solution_save(
        actor=None,
        solution=Solution(provider=provider, title="方案", description="说明", status="published"),
        scenario_codes=["T-01"],
    )
    need = services.need_create(actor=None, need=Need(enterprise=world["home"], text="需要排产系统"))
    NeedResponse.objects.create(need=need, provider=provider, message="可以", status="contracted", rating=5)
    Case.objects.create(
        provider=provider,
        title="案例",
        industry_id="34",
        region_id="360102",
        verified=True,
        enterprise=world["neighbour"],
    )
    second = evaluation.evaluate(
        actor=world["province"],
        provider=provider,
        reviews={"capability_review": "full", "qualification_review": "most"},
    )
    # served: 2 enterprises (the need's and the case's) → 8; industries {34} → 5; solutions 1 → 6; capability full → 15;
    # rating 5.0 → 15; verified cases 1 → 6; staff → 8; qualification most → 0.8 × 12 = 9.6. Total 72.6 → B 级.
    assert second.score == pytest.approx(72.6) and second.grade == "B 级"
    provider.refresh_from_db()
    assert (provider.grade, provider.score) == ("B 级", pytest.approx(72.6))
    # Recomputing later carries the people's review grades over.
    assert evaluation.recompute_all(period="2026Q4") >= 1
    assert provider.evaluations.first().answers["capability_review"] == "full"


def test_a_bad_review_grade_is_refused_and_nothing_is_written(world):
    provider = make_provider()
    with pytest.raises(ValueError):
        evaluation.evaluate(actor=None, provider=provider, reviews={"capability_review": "excellent"})
    assert not provider.evaluations.exists()


def test_appeals_need_a_reason_and_are_decided_once(world):
    provider = make_provider()
    ev = evaluation.evaluate(actor=None, provider=provider)
    with pytest.raises(ValueError):
        evaluation.appeal(actor=world["provider"], provider=provider, text="不服")
    appeal = evaluation.appeal(
        actor=world["provider"], provider=provider, text="案例数量统计有遗漏，请复核", evaluation=ev
    )
    with pytest.raises(ValueError):
        evaluation.decide_appeal(actor=world["province"], appeal=appeal, accept=True, decision="")
    evaluation.decide_appeal(actor=world["province"], appeal=appeal, accept=True, decision="已补录案例并重新评价")
    with pytest.raises(ValueError):
        evaluation.decide_appeal(actor=world["province"], appeal=appeal, accept=False, decision="再次处理")
    appeal.refresh_from_db()
    assert appeal.status == "accepted" and appeal.decided_by == world["province"]
