"""Prerequisites before applying, for one enterprise and re-checked in bulk for a region (synthetic enterprises):
the same verdicts either way, by hand-worked cases of the 基础级 conditions."""

import pytest

from assessments.facts import TierFact
from monitoring.tests.conftest import at
from recognition import chain, library, prerequisites, rechecks, services
from recognition.models import PrerequisiteResult, PrerequisiteRun
from regions.models import Region

pytestmark = pytest.mark.django_db

CONFIRMED = {"abnormal_list": False, "serious_accident_3y": False, "secure_controllable": True,
             "organisation_talent": True}  # fmt: skip


def declare(enterprise, status="confirmed", **values):
    for key, value in (values or CONFIRMED).items():
        TierFact.objects.create(enterprise=enterprise, key=key, value=value, status=status,
                                reason="不符" if status == "rejected" else "")  # fmt: skip


@pytest.fixture
def firms(make_enterprise, give_result):
    """met: all confirmed; pending: declared only; small: below scale; bare: nothing known; low: CMMM below 一级."""
    made = {name: make_enterprise(county, is_above_scale=name != "small")
            for name, county in [("met", "360102"), ("pending", "360102"), ("small", "360111"), ("bare", "360111"),
                                 ("low", "360102")]}  # fmt: skip
    for name in ("met", "pending", "small", "low"):
        give_result(made[name], 0 if name == "low" else 2, when=at(2026, 3, 1))
    declare(made["met"])
    declare(made["pending"], status="declared")
    declare(made["small"])
    declare(made["low"])
    return made


def basic():
    return chain.parse(library.shipped()["sf-basic-2026"])


def test_each_enterprise_sees_its_verdict_and_what_holds_it_back(firms):
    rules = basic()
    outcome = {name: prerequisites.check(rules, firm).outcome for name, firm in firms.items()}
    assert outcome == {"met": "met", "pending": "pending", "small": "not_met", "bare": "unknown", "low": "not_met"}
    small = prerequisites.check(rules, firms["small"])
    assert [i.name for i in small.items if i.outcome == "not_met"] == ["规模以上工业企业"]
    low = prerequisites.check(rules, firms["low"])
    assert [i.name for i in low.items if i.outcome == "not_met"] == ["智能制造能力成熟度等级"]
    assert prerequisites.check(rules, firms["met"]).ok and prerequisites.check(rules, firms["met"]).provisional


def test_the_advanced_tier_asks_for_a_recognised_basic_tier_first(firms):
    from enterprises.models import EnterpriseLabel

    rules = chain.parse(library.shipped()["sf-advanced-2026"])
    first = prerequisites.check(rules, firms["met"])
    assert [i.name for i in first.items if i.outcome == "not_met"][0] == "已获认定的梯度"
    EnterpriseLabel.objects.create(enterprise=firms["met"], label_id="tier-basic", year=2025)
    firms["met"].refresh_from_db()
    again = prerequisites.check(rules, firms["met"])
    assert next(i for i in again.items if i.name == "已获认定的梯度").outcome == "met"


def test_declared_criteria_of_a_programme_without_a_tier_model():
    rules = chain.parse(library.shipped()["sd-industry-model-2025"])
    facts = prerequisites.Facts("370102", True)
    good = {"parameters_billion": "1.5", "own_ip": "true", "general_scene_models": 2, "specific_scene_models": "3",
            "third_party_evaluation": True, "in_service": "on"}  # fmt: skip
    assert prerequisites.items_for(rules, facts, good).outcome == "pending"  # declared: the first step verifies
    few = {**good, "specific_scene_models": 2, "parameters_billion": "0.7"}
    assert [i.name for i in prerequisites.items_for(rules, facts, few).items if i.outcome == "not_met"] == [
        "模型参数量", "特定场景模型数"]  # fmt: skip
    assert prerequisites.items_for(rules, facts, {}).outcome == "undeclared"
    assert prerequisites.items_for(rules, facts, {**good, "general_scene_models": "两个"}).outcome == "undeclared"


def test_the_bulk_recheck_gives_each_enterprise_the_same_verdict_as_its_own_check(world, firms, load_programme):
    programme = load_programme(region="360100")
    run = PrerequisiteRun.objects.create(programme=programme, region=Region.objects.get(code="360100"),
                                         started_by=world["city"])  # fmt: skip
    done = rechecks.run(run)
    got = dict(PrerequisiteResult.objects.filter(run=run).values_list("enterprise_id", "outcome"))
    rules = programme.rules
    for firm in firms.values():
        assert got[firm.pk] == prerequisites.check(rules, firm).outcome
    assert done.status == "done" and done.done == done.total == len(got)
    assert done.counts["met"] == 1 and done.counts["pending"] == 1 and done.counts["not_met"] >= 2
    blocked = PrerequisiteResult.objects.get(run=run, enterprise=firms["small"])
    assert "规模以上工业企业" in blocked.blockers
    assert not PrerequisiteResult.objects.filter(run=run, enterprise=world["other"]).exists()  # 九江: outside


def test_a_recheck_is_started_only_for_a_region_the_officer_governs(world, load_programme,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    from django.core.exceptions import PermissionDenied

    programme = load_programme(region="360100")
    with pytest.raises(PermissionDenied):
        services.recheck_start(actor=world["county"], programme=programme, region=Region.objects.get(code="360100"))
    with pytest.raises(PermissionDenied):  # governs it, but outside the programme's region
        services.recheck_start(actor=world["province"], programme=programme, region=Region.objects.get(code="360400"))
    with django_capture_on_commit_callbacks(execute=True):
        run = services.recheck_start(actor=world["county"], programme=programme,
                                     region=Region.objects.get(code="360102"))  # fmt: skip
    run.refresh_from_db()
    assert run.status == "done" and run.total >= 1
