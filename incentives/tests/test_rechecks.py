"""Re-checking a funding programme's eligibility for every enterprise of a region (synthetic enterprises and
programmes): outcomes counted by hand, the same as the check each applicant reads, who may start one, and runs
that never touch each other's results."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from enterprises.models import EnterpriseLabel, Label
from incentives import rechecks, rules, services
from incentives.models import EligibilityResult, EligibilityRun, Programme
from monitoring.tests.conftest import give_result  # noqa: F401  (a fixture used here)
from regions.models import Region

pytestmark = pytest.mark.django_db

RULES = [
    {"fact": "size_class", "op": "in", "value": ["medium", "small", "micro"], "label": "中小微企业"},
    {"fact": "above_scale", "op": "==", "value": True, "label": "规模以上工业企业"},
    {"fact": "employees", "op": ">=", "value": 20, "label": "从业人员不少于 20 人"},
    {"fact": "label", "op": "not_has", "value": "blacklist", "label": "未列入失信名单"},
    {"fact": "level", "model": "cmmm", "op": ">=", "value": 2, "label": "智能制造能力成熟度二级及以上"},
]


def programme_data(code="recheck-subsidy-2026", level="province", **changes) -> dict:
    data = {
        "code": code, "name": "合成核查用奖补（示例）", "type": "subsidy", "year": 2026, "level": level,
        "rules": RULES, "rate": 0.3,
        "chain": [{"code": "decision", "name": "审批", "action": "decision", "level": level}],
    }  # fmt: skip
    return data | changes


def region(code: str) -> Region:
    return Region.objects.get(code=code)


@pytest.fixture
def archive(world, make_enterprise, give_result):  # noqa: F811
    """南昌 (3601) enterprises with hand-chosen facts; world's own two 南昌 enterprises say nothing (unknown); one in
    九江 and one removed from the archive are outside the count."""
    blacklist, _ = Label.objects.get_or_create(code="blacklist", defaults={"name": "失信名单（合成）"})

    def make(name, county="360102", size="small", above=True, employees=50, cmmm=None, labels=()):
        enterprise = make_enterprise(county, name=f"核查{name}有限公司", size_class=size, is_above_scale=above,
                                     employees=employees)  # fmt: skip
        if cmmm is not None:
            give_result(enterprise, cmmm)
        for label in labels:
            EnterpriseLabel.objects.create(enterprise=enterprise, label=label)
        return enterprise

    made = {
        "met_a": make("甲", cmmm=3),
        "met_b": make("乙", county="360111", size="medium", employees=20, cmmm=2),
        "large": make("丙", size="large", employees=500, cmmm=3),
        "above_unknown": make("丁", above=None, cmmm=2),
        "employees_and_level_unknown": make("戊", size="micro", employees=None),
        "few_staff": make("己", employees=10, cmmm=3),
        "blacklisted": make("庚", size="medium", employees=80, cmmm=3, labels=[blacklist]),
        "few_staff_above_unknown": make("辛", above=None, employees=5),
        "size_unknown": make("壬", size="", employees=30, cmmm=2),
        "level_one": make("癸", cmmm=1),
        "jiujiang": make("九江", county="360402", cmmm=3),
        "removed": make("已注销", cmmm=3),
    }
    made["removed"].removed_at = timezone.now()
    made["removed"].save(update_fields=["removed_at"])
    province = services.programme_load(actor=world["province"], region=region("360000"), data=programme_data())
    return {**world, **made, "programme": province}


def outcomes(eligibility_run) -> dict[int, tuple[str, str]]:
    return {r.enterprise_id: (r.outcome, r.blockers) for r in EligibilityResult.objects.filter(run=eligibility_run)}


def test_a_city_run_counts_every_enterprise_of_the_city_once_with_its_blockers(archive):
    started = rechecks.start(actor=archive["city"], programme=archive["programme"], region=region("360100"))
    assert started.status == EligibilityRun.Status.QUEUED
    done = rechecks.run(started.pk)
    assert done.status == EligibilityRun.Status.DONE and done.error == ""
    # 12 enterprises of 南昌 (10 made here + world's home and neighbour), none of 九江, not the removed one.
    assert (done.total, done.done) == (12, 12)
    # met: 甲 乙; not met: 丙 (large) 己 (10 staff) 庚 (blacklisted) 辛 (5 staff; above scale, CMMM unknown)
    # 癸 (CMMM 1);
    # unknown: 丁 (above scale?) 戊 (staff? CMMM?) 壬 (size?) and world's two, whose archive says nothing.
    assert done.counts == {"met": 2, "not_met": 5, "unknown": 5}
    assert done.seconds is not None and done.finished_at is not None
    got = outcomes(done)
    assert archive["jiujiang"].pk not in got and archive["removed"].pk not in got
    assert got[archive["met_a"].pk] == ("met", "")
    assert got[archive["met_b"].pk] == ("met", "")
    assert got[archive["large"].pk] == ("not_met", "中小微企业")
    assert got[archive["blacklisted"].pk] == ("not_met", "未列入失信名单")
    assert got[archive["level_one"].pk] == ("not_met", "智能制造能力成熟度二级及以上")
    # Not met wins over unknown; the blockers name both kinds, in the programme's order.
    assert got[archive["few_staff_above_unknown"].pk] == (
        "not_met", "规模以上工业企业、从业人员不少于 20 人、智能制造能力成熟度二级及以上")
    assert got[archive["employees_and_level_unknown"].pk] == (
        "unknown", "从业人员不少于 20 人、智能制造能力成熟度二级及以上")
    assert got[archive["size_unknown"].pk] == ("unknown", "中小微企业")
    assert got[archive["home"].pk][0] == "unknown"


def test_the_bulk_outcome_of_each_enterprise_is_the_check_its_applicant_reads(archive):
    done = rechecks.run(rechecks.start(actor=archive["province"], programme=archive["programme"],
                                       region=region("360000")).pk)  # fmt: skip
    assert done.total == 14  # 南昌's 12 and 九江's two (one made here, world's other)
    for enterprise_id, (outcome, blockers) in outcomes(done).items():
        from enterprises.models import Enterprise

        check = services.eligibility(archive["programme"], Enterprise.objects.get(pk=enterprise_id))
        assert outcome == check.outcome, enterprise_id
        assert blockers == "、".join(i.label for i in check.items if i.outcome != "met"), enterprise_id


def test_the_memo_key_keeps_only_what_the_rules_read_and_equal_keys_mean_equal_outcomes():
    spec = rules.parse(programme_data())
    key = rechecks.relevant(spec)
    one = rules.Facts(county_id="360102", industry="34", size_class="small", above_scale=True, tier_rank=2,
                      levels=(("cmmm", 3), ("sme-2024", 1)), labels=frozenset({"blacklist", "zjtx"}), employees=50)
    # County, industry, tier, another model's level, another label, staff on the same side of 20: no rule tells them
    # apart.
    other = rules.Facts(county_id="360402", industry="26", size_class="small", above_scale=True, tier_rank=0,
                        levels=(("cmmm", 3),), labels=frozenset({"blacklist"}), employees=5000)  # fmt: skip
    assert key(one) == key(other)
    variants = [{"employees": 20}, {"employees": 19}, {"employees": None}, {"labels": frozenset()},
                {"levels": (("cmmm", 1),)}, {"levels": ()}, {"above_scale": None}, {"size_class": "large"}]  # fmt: skip
    keys = {key(rules.Facts(**{**vars(other), **change})) for change in variants}
    assert len(keys) == len(variants) and key(one) not in keys  # each of these changes what a rule reads
    assert key(rules.Facts(**{**vars(other), "employees": 21})) == key(other)  # 21 and 5,000 are both above 20

    def verdict(facts):
        check = rules.eligibility(spec, facts)
        return check.outcome, [i.outcome for i in check.items]

    assert verdict(one) == verdict(other)
    assert verdict(rules.Facts(**{**vars(other), "employees": 19})) != verdict(other)


def test_a_rerun_replaces_only_its_own_results_and_earlier_runs_keep_theirs(archive):
    city = region("360100")
    first = rechecks.run(rechecks.start(actor=archive["city"], programme=archive["programme"], region=city).pk)
    before = outcomes(first)
    # The archive changes: 丙 becomes medium-sized and is then met.
    archive["large"].size_class = "medium"
    archive["large"].save(update_fields=["size_class"])
    second = rechecks.run(rechecks.start(actor=archive["city"], programme=archive["programme"], region=city).pk)
    assert second.counts == {"met": 3, "not_met": 4, "unknown": 5}
    assert outcomes(first) == before  # the earlier run still says what it found then
    assert outcomes(second)[archive["large"].pk] == ("met", "")
    # A county run of another programme leaves both alone.
    county_programme = services.programme_load(actor=archive["county"], region=region("360102"),
                                               data=programme_data(code="county-2026", level="county"))  # fmt: skip
    third = rechecks.run(rechecks.start(actor=archive["county"], programme=county_programme,
                                        region=region("360102")).pk)  # fmt: skip
    assert third.total == 10  # 360111's 乙 and neighbour are outside 东湖区
    # Running the first run again starts it over from the archive as it is now; it writes no duplicate.
    again = rechecks.run(first.pk)
    assert again.counts == second.counts and EligibilityResult.objects.filter(run=first).count() == 12
    assert outcomes(second)[archive["large"].pk] == ("met", "")
    assert EligibilityResult.objects.filter(run=third).count() == 10
    assert EligibilityResult.objects.count() == 12 + 12 + 10


def test_start_queues_the_task_which_runs_after_the_commit(archive, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        started = rechecks.start(actor=archive["city"], programme=archive["programme"], region=region("360100"))
    assert len(callbacks) == 1  # the tests' immediate backend runs it when the transaction commits
    started.refresh_from_db()
    assert started.status == EligibilityRun.Status.DONE and started.done == 12
    assert started.started_by == archive["city"]


@pytest.mark.parametrize(
    ("who", "where"),
    [
        ("county", "360100"),  # a county officer cannot re-check its city
        ("other_city", "360100"),  # 九江's officer cannot re-check 南昌
        ("city", "360000"),  # a city officer cannot re-check the province
        ("enterprise", "360102"),
        ("provider", "360102"),
        ("expert", "360102"),
        ("nobody", "360102"),
    ],
)
def test_only_an_officer_governing_the_region_may_start_a_run(archive, who, where):
    with pytest.raises(PermissionDenied, match="只能核查本部门主管地区的企业"):
        rechecks.start(actor=archive[who], programme=archive["programme"], region=region(where))
    assert not EligibilityRun.objects.exists()


def test_the_region_must_lie_within_the_programme_region(archive):
    city_programme = services.programme_load(actor=archive["city"], region=region("360100"),
                                             data=programme_data(code="nanchang-2026", level="city"))  # fmt: skip
    with pytest.raises(ValidationError, match="九江市.*不在该项目的发布地区"):
        rechecks.start(actor=archive["province"], programme=city_programme, region=region("360400"))
    with pytest.raises(ValidationError, match="不在该项目的发布地区"):  # the province is wider than 南昌's programme
        rechecks.start(actor=archive["province"], programme=city_programme, region=region("360000"))
    assert rechecks.start(actor=archive["province"], programme=city_programme, region=region("360102"))


def test_a_catalogue_programme_without_rules_cannot_be_rechecked(archive):
    listed = Programme.objects.create(name="只在目录中的项目", kind="voucher", region_id="360000")
    with pytest.raises(ValidationError, match="该项目没有申报条件"):
        rechecks.start(actor=archive["province"], programme=listed, region=region("360100"))


def test_a_failing_run_is_marked_failed_with_the_message(archive):
    started = rechecks.start(actor=archive["city"], programme=archive["programme"], region=region("360100"))
    Programme.objects.filter(pk=archive["programme"].pk).update(spec={"type": "lottery"})  # broken after queuing
    with pytest.raises(rules.SpecError):
        rechecks.run(started.pk)
    started.refresh_from_db()
    assert started.status == EligibilityRun.Status.FAILED
    assert "lottery" in started.error and started.finished_at is not None
    assert not EligibilityResult.objects.filter(run=started).exists()
