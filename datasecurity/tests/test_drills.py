"""Emergency drills by role and scope: the enterprise (or a regulator, for its region) plans with injects, starts,
logs each decision (met only when the evaluator says so and within the inject's deadline), finishes with findings
and a score, records after-action items with owners and due dates, and retests; others may see (the regulator of
the region) or not (another region: 404). The per-city yearly count on the overview and in the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from datasecurity import drills, selectors
from datasecurity.models import Drill, Event

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/data-security"
INJECTS = [
    {"text": "门户数据库出现批量导出", "expected": "30 分钟内隔离数据库账号并启动预案", "deadline_minutes": 30},
    {"text": "境外地址索要赎金", "expected": "60 分钟内上报主管部门", "deadline_minutes": 60},
]
START = at(2026, 11, 10, 9, 0)


def plan(ds, actor="enterprise", enterprise="home", **kw):
    args = {"title": "数据泄露演练", "scenario": "leak", "planned_on": dt.date(2026, 11, 10), "injects": INJECTS,
            "participants": "信息部 张三 指挥", "now": at(2026, 11, 1, 9, 0)} | kw  # fmt: skip
    return drills.drill_plan(actor=ds[actor], enterprise=ds[enterprise] if enterprise else None, **args)


def run(ds, drill, decisions=((True, 20), (True, 90)), findings="备份恢复流程缺少演练"):
    drills.drill_start(actor=ds["enterprise"], drill=drill, now=START)
    for inject, (met, minutes) in zip(drill.injects.all(), decisions, strict=False):
        drills.drill_decide(actor=ds["enterprise"], drill=drill, inject_id=inject.pk, decision="已处置", met=met,
                            now=START + dt.timedelta(minutes=minutes))  # fmt: skip
    return drills.drill_finish(actor=ds["enterprise"], drill=drill, findings=findings,
                               now=START + dt.timedelta(hours=2))  # fmt: skip


def test_plan_run_and_score_the_share_of_expectations_met_in_time(ds):
    drill = plan(ds)
    assert drill.status == "planned" and [i.order for i in drill.injects.all()] == [1, 2]
    drill = run(ds, drill)  # the second decision came at 90 minutes, past its 60: not met though ticked
    assert drill.status == "done" and drill.score == 0.5
    second = drill.injects.get(order=2)
    assert second.met is False and second.decision == "已处置"
    actions = list(Event.objects.filter(drill=drill).values_list("action", flat=True))
    assert actions == ["drill_plan", "drill_start", "drill_decide", "drill_decide", "drill_finish"]


def test_an_inject_without_a_decision_counts_as_not_met(ds):
    assert run(ds, plan(ds), decisions=((True, 10),)).score == 0.5


def test_after_action_items_with_owner_and_due_date_then_done(ds):
    drill = run(ds, plan(ds))
    action = drills.drill_action_add(actor=ds["enterprise"], drill=drill, text="补充离线备份恢复演练",
                                     owner="信息部 李四", due_on=dt.date(2026, 12, 31),
                                     now=at(2026, 11, 11, 9, 0))  # fmt: skip
    with pytest.raises(ValidationError, match="责任人"):
        drills.drill_action_add(actor=ds["enterprise"], drill=drill, text="x", owner=" ", due_on=dt.date(2026, 12, 1))
    with pytest.raises(ValidationError, match="早于今天"):
        drills.drill_action_add(actor=ds["enterprise"], drill=drill, text="x", owner="y", due_on=dt.date(2026, 1, 1),
                                now=at(2026, 11, 11, 9, 0))  # fmt: skip
    drills.drill_action_done(actor=ds["enterprise"], drill=drill, action_id=action.pk, now=at(2026, 12, 1, 9, 0))
    action.refresh_from_db()
    assert action.done_at == at(2026, 12, 1, 9, 0)
    with pytest.raises(ValidationError, match="已完成"):
        drills.drill_action_done(actor=ds["enterprise"], drill=drill, action_id=action.pk)


def test_refusals_by_state(ds):
    drill = plan(ds)
    with pytest.raises(ValidationError, match="进行中"):
        drills.drill_decide(actor=ds["enterprise"], drill=drill, inject_id=drill.injects.first().pk, decision="x",
                            met=True)  # fmt: skip
    with pytest.raises(ValidationError, match="进行中"):
        drills.drill_finish(actor=ds["enterprise"], drill=drill, findings="x")
    with pytest.raises(ValidationError, match="演练结束后"):
        drills.drill_action_add(actor=ds["enterprise"], drill=drill, text="x", owner="y", due_on=dt.date(2030, 1, 1))
    drills.drill_start(actor=ds["enterprise"], drill=drill, now=START)
    with pytest.raises(ValidationError, match="计划中"):
        drills.drill_start(actor=ds["enterprise"], drill=drill)
    with pytest.raises(ValidationError, match="发现的问题"):
        drills.drill_finish(actor=ds["enterprise"], drill=drill, findings=" ")
    with pytest.raises(ValidationError, match="处置决策"):
        drills.drill_decide(actor=ds["enterprise"], drill=drill, inject_id=drill.injects.first().pk, decision="",
                            met=True)  # fmt: skip
    with pytest.raises(ValidationError, match="复测已完成"):
        plan(ds, retest_of=drill)


@pytest.mark.parametrize("injects, message", [
    ([], "至少填写一条"),
    ([{"text": "x", "expected": "", "deadline_minutes": 5}], "同时填写"),
    ([{"text": "x", "expected": "y", "deadline_minutes": 0}], "正整数"),
    ([{"text": "x", "expected": "y", "deadline_minutes": None}], "正整数"),
])  # fmt: skip
def test_planning_refuses_incomplete_injects(ds, injects, message):
    with pytest.raises(ValidationError, match=message):
        plan(ds, injects=injects)
    assert not Drill.objects.exists()


@pytest.mark.parametrize("role", ["province", "city", "county", "other_city", "provider", "commissioner", "expert",
                                  "nobody", "other_enterprise"])  # fmt: skip
def test_only_the_enterprise_runs_its_drill(ds, role):
    with pytest.raises(PermissionDenied):
        plan(ds, actor=role)
    drill = plan(ds)
    with pytest.raises(PermissionDenied):
        drills.drill_start(actor=ds[role], drill=drill)
    assert Drill.objects.get().status == "planned"


def test_a_city_regulator_holds_its_own_drill_and_others_may_not_act(ds):
    drill = plan(ds, actor="city", enterprise=None, title="全市勒索攻击攻防演练", scenario="ransomware")
    assert drill.enterprise_id is None and drill.region_code == "360100"
    with pytest.raises(PermissionDenied):
        drills.drill_start(actor=ds["enterprise"], drill=drill)
    with pytest.raises(PermissionDenied):
        drills.drill_start(actor=ds["other_city"], drill=drill)
    drills.drill_start(actor=ds["province"], drill=drill, now=START)  # the province covers the city
    with pytest.raises(PermissionDenied):
        plan(ds, actor="nobody", enterprise=None)


def test_a_retest_repeats_a_done_drill_of_the_same_holder(ds):
    first = run(ds, plan(ds))
    retest = plan(ds, retest_of=first, title="数据泄露演练（复测）")
    assert retest.retest_of == first and list(first.retests.all()) == [retest]
    city_drill = plan(ds, actor="city", enterprise=None)
    with pytest.raises(ValidationError, match="本单位"):
        plan(ds, actor="city", enterprise=None, retest_of=first)
    assert city_drill.retest_of is None


def test_per_city_yearly_count_and_mean_score(ds, make_user):

    run(ds, plan(ds))  # 南昌, 2026, score 0.5
    run(ds, plan(ds), decisions=((True, 5), (True, 5)))  # 南昌, 2026, score 1
    plan(ds)  # planned only: not counted
    other = drills.drill_plan(actor=ds["other_enterprise"], enterprise=ds["other"], title="九江演练",
                              scenario="failure", planned_on=dt.date(2025, 6, 1), injects=INJECTS,
                              now=at(2025, 6, 1, 9, 0))  # fmt: skip
    drills.drill_start(actor=ds["other_enterprise"], drill=other, now=at(2025, 6, 1, 9, 0))
    drills.drill_finish(actor=ds["other_enterprise"], drill=other, findings="无", now=at(2025, 6, 1, 11, 0))
    assert selectors.drills_by_city(ds["province"], 2026) == {"3601": {"drills": 2, "score": 0.75}}
    assert selectors.drills_by_city(ds["province"], 2025) == {"3604": {"drills": 1, "score": 0.0}}
    assert selectors.drills_by_city(ds["other_city"], 2026) == {}


def test_pages_plan_run_and_record(ds, login):
    client = login(ds["enterprise"])
    assert "制定演练计划" in client.get("/data-security/drills/").content.decode()
    response = client.post("/data-security/drills/new/", {
        "title": "勒索攻击演练", "scenario": "ransomware", "planned_on": "2026-12-10", "participants": "信息部",
        "inject-TOTAL_FORMS": "2", "inject-INITIAL_FORMS": "0",
        "inject-0-text": "MES 数据库被加密", "inject-0-expected": "切断网络并启用备份",
        "inject-0-deadline_minutes": "30",
        "inject-1-text": "", "inject-1-expected": "", "inject-1-deadline_minutes": ""})  # fmt: skip
    drill = Drill.objects.get()
    assert response.url == f"/data-security/drills/{drill.pk}/" and drill.injects.count() == 1
    client.post(f"/data-security/drills/{drill.pk}/start/")
    inject = drill.injects.get()
    client.post(f"/data-security/drills/{drill.pk}/decide/", {"inject": inject.pk, f"i{inject.pk}-decision": "已断网",
                                                              f"i{inject.pk}-met": "on"})  # fmt: skip
    client.post(f"/data-security/drills/{drill.pk}/finish/", {"findings": "备份恢复用时过长"})
    client.post(f"/data-security/drills/{drill.pk}/action/", {"text": "缩短恢复时间", "owner": "信息部 王五",
                                                              "due_on": "2099-01-31"})  # fmt: skip
    drill.refresh_from_db()
    assert drill.status == "done" and drill.score == 1.0 and drill.actions.get().owner == "信息部 王五"
    page = login(ds["province"]).get(f"/data-security/drills/{drill.pk}/").content.decode()
    assert "备份恢复用时过长" in page and "缩短恢复时间" in page and 'data-testid="drill-start"' not in page
    assert login(ds["province"]).post(f"/data-security/drills/{drill.pk}/action_done/",
                                      {"action": drill.actions.get().pk}).status_code == 403  # fmt: skip
    assert client.get("/data-security/drills/new/?retest=abc").status_code == 404
    assert client.post(f"/data-security/drills/{drill.pk}/decide/", {"inject": "x"}).status_code == 404
    retest = client.get(f"/data-security/drills/new/?retest={drill.pk}").content.decode()
    assert "勒索攻击演练（复测）" in retest and "MES 数据库被加密" in retest  # the injects carried over
    for role in ("other_city", "other_enterprise", "provider", "nobody"):
        assert login(ds[role]).get(f"/data-security/drills/{drill.pk}/").status_code == 404
        assert login(ds[role]).post(f"/data-security/drills/{drill.pk}/finish/").status_code == 404


def test_the_overview_and_the_api_count_drills_per_city(ds, login):
    drill = run(ds, plan(ds))
    Drill.objects.filter(pk=drill.pk).update(finished_at=dt.datetime.now(dt.UTC))  # done this year
    page = login(ds["province"]).get("/data-security/overview/").content.decode()
    assert 'data-testid="drills-3601"' in page
    body = login(ds["province"]).get(f"{API}/drills/by-city").json()
    assert body == [{"city": "3601", "drills": 1, "score": 0.5}]
    assert login(ds["other_city"]).get(f"{API}/drills/by-city").json() == []
    detail = login(ds["city"]).get(f"{API}/drills/{drill.pk}").json()
    assert detail["score"] == 0.5 and [i["met"] for i in detail["injects"]] == [True, False]
    assert login(ds["other_city"]).get(f"{API}/drills/{drill.pk}").status_code == 404
    assert [d["id"] for d in login(ds["enterprise"]).get(f"{API}/drills").json()["items"]] == [drill.pk]
