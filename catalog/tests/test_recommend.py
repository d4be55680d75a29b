"""Recommendations from the pools: an assessment's gaps and an enterprise's need, ranked by the matching engine."""

import pytest

from assessments import services as assessment_services
from assessments.models import ModelVersion
from assessments.tests.conftest import all_answers
from catalog import recommend, services
from catalog.models import Need, Provider, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


def scenario_code(name):
    return Scenario.objects.get(name=name).code


def pool(world):
    """Three providers: scheduling (published), energy (published), and a suspended one that also does scheduling."""
    made = {}
    for key, name, status, title, text, scen in [
        ("aps", "排程软件公司", "published", "离散制造智能排产APS", "多品种小批量插单排程，交期预测", "车间智能排产"),
        ("energy", "能源管理公司", "published", "工厂能耗在线监测平台", "电、水、气能耗采集与节能分析", "能源智能管控"),
        ("bad", "被暂停的公司", "suspended", "排产排程一体化", "排产排程插单", "车间智能排产"),
    ]:
        p = services.provider_create(
            actor=None,
            provider=Provider(name=name, credit_code=make_code("360100"), region_id="360100", status=status),
        )
        made[key] = services.solution_save(
            actor=None,
            solution=Solution(provider=p, title=title, description=text, status="published"),
            scenario_codes=[scenario_code(scen)],
        )
    draft = Solution(provider=made["aps"].provider, title="排产草稿方案", description="排产", status="draft")
    made["draft"] = services.solution_save(actor=None, solution=draft, scenario_codes=[scenario_code("车间智能排产")])
    return made


def test_the_shipped_taxonomy_is_in_the_database():
    assert Scenario.objects.count() == 40
    assert Scenario.objects.get(name="车间智能排产").closes["cmmm"]


def test_a_scheduling_gap_finds_the_scheduling_solution_and_never_a_suspended_or_draft_one(world):
    made = pool(world)
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    # Everything fully satisfied except 计划与调度 (M2.2), which is not satisfied at all.
    answers = all_answers(cmmm, a.context, lambda item: "none" if item.code.startswith("M2.2") else "full")
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=answers)
    stored = assessment_services.submit(actor=world["enterprise"], assessment=a)
    found = recommend.for_assessment(a, stored.snapshot)
    assert found.scenarios[0][1] == 1.0
    assert scenario_code("车间智能排产") in [code for code, _ in found.scenarios]
    ids = [r.solution_id for r in found.recommendations]
    assert ids[0] == str(made["aps"].pk)
    assert str(made["bad"].pk) not in ids and str(made["draft"].pk) not in ids
    assert "车间智能排产" in found.recommendations[0].explanation


def test_a_need_in_the_enterprises_words_finds_the_matching_solution(world):
    made = pool(world)
    need = services.need_create(
        actor=world["enterprise"],
        need=Need(enterprise=world["home"], text="我们电费太高，想把水电气的能耗都监测起来，找找节能空间"),
    )
    ranked = recommend.for_need(need)
    assert ranked and ranked[0].solution_id == str(made["energy"].pk)


def test_the_engine_catalog_is_rebuilt_when_the_pool_changes(world):
    made = pool(world)
    before = recommend.engine_catalog()
    assert recommend.engine_catalog() is before
    provider = made["energy"].provider
    provider.status = "suspended"
    provider.save()
    after = recommend.engine_catalog()
    assert after is not before and str(made["energy"].pk) not in {s.id for s in after.solutions}


def test_the_result_page_links_to_solutions_for_its_gaps_within_the_users_scope(world, login):
    from django.urls import reverse

    made = pool(world)
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=world["enterprise"], enterprise=world["home"], version=cmmm, kind="self")
    answers = all_answers(cmmm, a.context, lambda item: "none" if item.code.startswith("M2.2") else "full")
    assessment_services.save_answers(actor=world["enterprise"], assessment=a, updates=answers)
    assessment_services.submit(actor=world["enterprise"], assessment=a)
    client = login(world["enterprise"])
    url = reverse("catalog:recommend_assessment", args=[a.pk])
    assert url in client.get(reverse("assessments:detail", args=[a.pk])).content.decode()
    page = client.get(url).content.decode()
    assert made["aps"].title in page and "车间智能排产" in page and "为什么推荐" in page
    assert made["bad"].title not in page
    assert login(world["other_city"]).get(url).status_code == 404


def twin_schedulers():
    """Two scheduling solutions that read alike, from two equally ungraded providers (SYNTHETIC)."""
    made = []
    for name in ("甲排产科技", "乙排产科技"):
        p = services.provider_create(
            actor=None,
            provider=Provider(name=name, credit_code=make_code("360100"), region_id="360100", status="published"),
        )
        made.append(
            services.solution_save(
                actor=None,
                solution=Solution(provider=p, title="车间智能排产系统", description="插单排程", status="published"),
                scenario_codes=[scenario_code("车间智能排产")],
            )
        )
    return made


def contract_and_rate(world, solution, *, times, stars):
    """Earlier needs of the scheduling scenario, each contracted with ``solution`` and rated."""
    from catalog import workflow

    for i in range(times):
        need = services.need_create(
            actor=world["enterprise"],
            need=Need(enterprise=world["home"], title=f"排产需求{i}", text="订单多，想上排产系统"),
            scenario_codes=[scenario_code("车间智能排产")],
        )
        response = workflow.response_create(
            actor=None, need=need, provider=solution.provider, message="可以实施", solution=solution
        )
        workflow.response_decide(actor=world["enterprise"], response=response, status="contracted", rating=stars)


def new_scheduling_need(world):
    return services.need_create(
        actor=world["enterprise"],
        need=Need(enterprise=world["home"], title="新的排产需求", text="想把车间计划排起来"),
        scenario_codes=[scenario_code("车间智能排产")],
    )


def test_a_solution_contracted_and_well_rated_for_a_scenario_rises_for_a_new_need_with_it(world):
    first, second = twin_schedulers()
    need = new_scheduling_need(world)
    before = [r.solution_id for r in recommend.for_need(need)]
    # Equal signals: the tie goes by id, so the solution to be learned from starts below its twin.
    learner = next(s for s in (first, second) if str(s.pk) == before[1])
    contract_and_rate(world, learner, times=4, stars=5)
    log = recommend.outcome_log()
    assert {(o.solution_id, o.event) for o in log} == {(str(learner.pk), "contracted"), (str(learner.pk), "rated")}
    assert all(o.scenarios == (scenario_code("车间智能排产"),) for o in log)
    after = recommend.for_need(new_scheduling_need(world))
    assert after[0].solution_id == str(learner.pk)
    # The sentence states the recorded facts (4 needs contracted with it), which the enterprise can check.
    assert after[0].signals["outcome"] > 0.5 and "该方案在平台上有 4 次对接记录，其中 4 次签约" in after[0].explanation
    assert not any("签约" in r.explanation for r in after[1:])  # its twin has no record, so no such sentence


def test_learned_rankings_are_reproducible_and_follow_new_outcomes(world):
    first, _second = twin_schedulers()
    contract_and_rate(world, first, times=2, stars=4)
    need = new_scheduling_need(world)
    model = recommend.engine_outcomes()
    assert recommend.engine_outcomes() is model  # cached while nothing changes
    once, again = recommend.for_need(need), recommend.for_need(need)
    assert [(r.solution_id, r.score, r.explanation) for r in once] == [
        (r.solution_id, r.score, r.explanation) for r in again
    ]
    catalog = recommend.engine_catalog()
    contract_and_rate(world, first, times=1, stars=1)
    assert recommend.engine_outcomes() is not model  # a new rating is a new log …
    assert recommend.engine_catalog() is catalog  # … without rebuilding the text index
    assert recommend.engine_outcomes().per_solution[str(first.pk)][1] == model.per_solution[str(first.pk)][1] + 1


def test_meeting_outcomes_count_as_contacts_and_contracts_under_the_meetings_scenarios(world):
    from catalog.models import MatchMeeting, MeetingOutcome

    first, second = twin_schedulers()
    meeting = MatchMeeting.objects.create(title="排产对接会", region_id="360100", held_on="2026-11-20")
    meeting.scenarios.set([scenario_code("车间智能排产")])
    for solution, result in ((first, "contracted"), (second, "talked")):
        MeetingOutcome.objects.create(
            meeting=meeting, enterprise=world["home"], provider=solution.provider, solution=solution, result=result
        )
    nothing = services.provider_create(
        actor=None,
        provider=Provider(name="无果公司", credit_code=make_code("360100"), region_id="360100", status="published"),
    )
    MeetingOutcome.objects.create(meeting=meeting, enterprise=world["home"], provider=nothing, result="none")
    log = recommend.outcome_log()
    assert sorted((o.solution_id, o.event) for o in log) == sorted(
        [(str(first.pk), "contracted"), (str(second.pk), "contacted")]
    )
    assert {o.scenarios for o in log} == {(scenario_code("车间智能排产"),)}
    assert len({o.need_id for o in log}) == 1  # one meeting × enterprise


def test_withdrawn_or_suspended_solutions_never_appear_however_well_they_did(world):
    first, second = twin_schedulers()
    contract_and_rate(world, first, times=3, stars=5)
    contract_and_rate(world, second, times=3, stars=5)
    first.status = "withdrawn"
    first.save()
    provider = second.provider
    provider.status = "suspended"
    provider.save()
    ids = [r.solution_id for r in recommend.for_need(new_scheduling_need(world))]
    assert str(first.pk) not in ids and str(second.pk) not in ids
