"""The pool lifecycle: self-registration, edits that wait on listed records, histories, evaluations, appeals, cases.

All data here is synthetic (generated credit codes, invented names)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from accounts.models import Membership
from catalog import evaluation, services, workflow
from catalog.models import Case, Need, PoolEvent, Provider, ProviderAppeal, Scenario, Solution
from conftest import make_code

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def cache_table(db):
    """The registration throttle counts in Django's cache (a database table by default); start each test empty."""
    from django.core.cache import cache

    call_command("createcachetable", verbosity=0)
    cache.clear()


@pytest.fixture
def scenario(db):
    return Scenario.objects.create(code="T-01", name="测试场景", link_code="T", link_name="测试环节")


@pytest.fixture
def org(world):
    return world["provider"].memberships.get().provider


def apply_data(**fields):
    data = {
        "name": "赣江智能制造服务有限公司",
        "credit_code": make_code("360102"),
        "region": "360100",
        "types": ["consulting"],
        "description": "合成演示：数字化诊断",
        "username": "ganjiang",
        "email": "ganjiang@example.com",
        "password": "Gan-jiang-2026!",
    }
    data.update(fields)
    return data


# Registration ------------------------------------------------------------------------------------------------------


def test_an_organisation_applies_and_its_officers_see_it_pending(world, client, login):
    response = client.post(reverse("catalog:register"), apply_data())
    assert response.status_code == 302
    provider = Provider.objects.get(name="赣江智能制造服务有限公司")
    assert provider.status == "pending"
    membership = Membership.objects.get(user__username="ganjiang")
    assert membership.role == "provider" and membership.provider == provider
    assert PoolEvent.objects.filter(kind="provider_registered", provider=provider).exists()
    assert membership.user.check_password("Gan-jiang-2026!") and membership.user.email == "ganjiang@example.com"
    page = login(membership.user).get(reverse("catalog:provider_detail", args=[provider.pk])).content.decode()
    assert "待审核" in page
    assert "赣江智能制造" in login(world["city"]).get(reverse("catalog:review")).content.decode()
    assert "赣江智能制造" not in login(world["other_city"]).get(reverse("catalog:review")).content.decode()


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"credit_code": "91360100MA35X0000X"}, "统一社会信用代码"),
        ({"username": "provider"}, "已被使用"),
        ({"password": "short"}, "密码"),
    ],
)
def test_a_bad_application_writes_nothing(world, client, fields, message):
    before = (Provider.objects.count(), Membership.objects.count())
    response = client.post(reverse("catalog:register"), apply_data(**fields))
    assert response.status_code == 200 and message in response.content.decode()
    assert (Provider.objects.count(), Membership.objects.count()) == before
    assert not Provider.objects.filter(name="赣江智能制造服务有限公司").exists()


def test_a_duplicate_credit_code_is_refused_in_chinese(world, client, org):
    response = client.post(reverse("catalog:register"), apply_data(credit_code=org.credit_code))
    assert "该统一社会信用代码已登记为服务商" in response.content.decode()
    assert not Membership.objects.filter(user__username="ganjiang").exists()


def test_registration_is_throttled_per_address(world, client):
    for i in range(5):
        data = apply_data(username=f"flood{i}", email=f"f{i}@example.com", name=f"合成服务商{i}")
        assert client.post(reverse("catalog:register"), data).status_code == 302
    response = client.post(reverse("catalog:register"), apply_data(username="flood9", email="f9@example.com"))
    assert response.status_code == 429 and "申请过于频繁" in response.content.decode()
    assert Provider.objects.filter(name__startswith="合成服务商").count() == 5


def test_registration_needs_csrf(world):
    from django.test import Client

    response = Client(enforce_csrf_checks=True).post(reverse("catalog:register"), apply_data())
    assert response.status_code == 403 and not Provider.objects.filter(name="赣江智能制造服务有限公司").exists()


# Edits to listed records -------------------------------------------------------------------------------------------


def test_a_published_provider_edit_waits_and_the_officer_approves_it(world, login, org):
    org.status, org.description = "published", "旧简介"
    org.save()
    client = login(world["provider"])
    client.post(
        reverse("catalog:provider_edit", args=[org.pk]),
        {"name": org.name, "types": ["ai"], "description": "新简介"},
    )
    org.refresh_from_db()
    assert org.description == "旧简介" and org.pending_changes["description"] == "新简介"
    assert (
        "旧简介" in login(world["enterprise"]).get(reverse("catalog:provider_detail", args=[org.pk])).content.decode()
    )
    queue = login(world["city"]).get(reverse("catalog:review")).content.decode()
    assert 'data-testid="changed-provider"' in queue and "旧简介" in queue and "新简介" in queue
    url = reverse("catalog:provider_changes_review", args=[org.pk])
    assert login(world["other_city"]).post(url, {"approve": "1", "reason": "越权"}).status_code == 403
    assert login(world["provider"]).post(url, {"approve": "1", "reason": "自批"}).status_code == 403
    org.refresh_from_db()
    assert org.description == "旧简介" and org.pending_changes
    login(world["city"]).post(url, {"approve": "1", "reason": "核对无误"})
    org.refresh_from_db()
    assert org.description == "新简介" and org.types == ["ai"] and org.pending_changes == {}
    event = PoolEvent.objects.filter(kind="provider_reviewed", provider=org).first()
    assert event.reason == "核对无误" and event.data["changes"]["description"] == ["旧简介", "新简介"]


def test_a_rejected_edit_keeps_the_published_record_and_the_reason(world, login, org):
    org.status, org.description = "warned", "旧简介"
    org.save()
    workflow.provider_submit(actor=world["provider"], provider=org, data={"description": "新简介"})
    client = login(world["city"])
    url = reverse("catalog:provider_changes_review", args=[org.pk])
    client.post(url, {"approve": "0", "reason": ""})
    org.refresh_from_db()
    assert org.pending_changes  # no reason, nothing changed
    client.post(url, {"approve": "0", "reason": "表述夸大"})
    org.refresh_from_db()
    assert org.description == "旧简介" and org.pending_changes == {} and org.status == "warned"
    page = login(world["provider"]).get(reverse("catalog:provider_detail", args=[org.pk])).content.decode()
    assert "表述夸大" in page and "修改未通过" in page


def test_a_published_solution_edit_waits_with_its_scenarios(world, login, org, scenario):
    Scenario.objects.create(code="T-02", name="测试场景二", link_code="T", link_name="测试环节")
    org.status = "published"
    org.save()
    s = services.solution_save(
        actor=None,
        solution=Solution(provider=org, title="旧方案", description="旧介绍", status="published"),
        scenario_codes=["T-01"],
    )
    client = login(world["provider"])
    client.post(
        reverse("catalog:solution_edit", args=[s.pk]),
        {"title": "旧方案", "description": "新介绍", "scenario_codes": ["T-01", "T-02"]},
    )
    s.refresh_from_db()
    assert s.description == "旧介绍" and s.status == "published"
    assert s.pending_changes == {"description": "新介绍", "scenarios": ["T-01", "T-02"]}
    url = reverse("catalog:solution_changes_review", args=[s.pk])
    assert login(world["other_city"]).post(url, {"approve": "1", "reason": "越权"}).status_code == 403
    login(world["city"]).post(url, {"approve": "1", "reason": "同意"})
    s.refresh_from_db()
    assert s.description == "新介绍" and sorted(s.scenarios.values_list("code", flat=True)) == ["T-01", "T-02"]


def test_solution_review_keeps_its_reason_and_history(world, login, org, scenario):
    s = services.solution_save(
        actor=None,
        solution=Solution(provider=org, title="方案", description="介绍", status="pending"),
        scenario_codes=["T-01"],
    )
    login(world["city"]).post(
        reverse("catalog:solution_review", args=[s.pk]), {"action": "publish", "reason": "材料齐全"}
    )
    s.refresh_from_db()
    assert s.status == "published" and "材料齐全" in s.status_reason
    page = login(world["provider"]).get(reverse("catalog:solution_detail", args=[s.pk])).content.decode()
    assert 'data-testid="history-row"' in page and "材料齐全" in page


# Events ------------------------------------------------------------------------------------------------------------


def test_the_need_loop_writes_events_and_the_need_page_shows_them(world, login, org):
    need = services.need_create(
        actor=world["enterprise"], need=Need(enterprise=world["home"], text="需要排产系统", visibility="public")
    )
    response = workflow.response_create(actor=world["provider"], need=need, provider=org, message="可以提供")
    workflow.response_decide(actor=world["enterprise"], response=response, status="shortlisted")
    workflow.need_close(actor=world["enterprise"], need=need)
    kinds = list(PoolEvent.objects.filter(need=need).order_by("id").values_list("kind", flat=True))
    assert kinds == ["need_posted", "need_responded", "response_decided", "need_closed"]
    page = login(world["enterprise"]).get(reverse("catalog:need_detail", args=[need.pk])).content.decode()
    assert "关闭需求" in page and 'data-testid="history"' in page


# Evaluation and appeals --------------------------------------------------------------------------------------------


def test_the_provider_reads_its_scorecard_and_outsiders_cannot(world, login, org):
    org.status = "published"
    org.save()
    ev = evaluation.evaluate(actor=world["city"], provider=org, reviews={"capability_review": "most"})
    page = login(world["provider"]).get(reverse("catalog:evaluation_detail", args=[ev.pk])).content.decode()
    assert 'data-testid="provisional-banner"' in page and page.count('data-testid="scorecard-part"') == 4
    assert "大部分满足" in page and "12.0 / 15" in page
    assert login(world["enterprise"]).get(reverse("catalog:evaluation_detail", args=[ev.pk])).status_code == 403
    assert login(world["other_city"]).get(reverse("catalog:evaluation_list", args=[org.pk])).status_code == 403
    assert login(world["city"]).get(reverse("catalog:evaluation_list", args=[org.pk])).status_code == 200


def test_officers_enter_reviews_and_recompute_their_region_only(world, login, org):
    org.status = "published"
    org.save()
    url = reverse("catalog:provider_evaluate", args=[org.pk])
    assert login(world["provider"]).post(url, {"capability_review": "full"}).status_code == 403
    assert login(world["other_city"]).post(url, {"capability_review": "full"}).status_code == 403
    assert not org.evaluations.exists()
    login(world["city"]).post(url, {"capability_review": "full", "qualification_review": "most", "period": "2026Q3"})
    ev = org.evaluations.get()
    assert ev.answers["capability_review"] == "full" and ev.period == "2026Q3"
    assert PoolEvent.objects.filter(kind="evaluated", provider=org).count() == 1
    other = services.provider_create(
        actor=None,
        provider=Provider(
            name="九江合成服务商", credit_code=make_code("360402"), region_id="360400", status="published"
        ),
    )
    login(world["city"]).post(reverse("catalog:recompute_region"), {"period": "2026Q4"})
    assert org.evaluations.count() == 2 and not other.evaluations.exists()
    assert org.evaluations.first().answers["capability_review"] == "full"  # carried over
    assert login(world["provider"]).post(reverse("catalog:recompute_region")).status_code == 403


def test_the_command_recomputes_all_listed_providers(world, org):
    org.status = "published"
    org.save()
    call_command("recompute_provider_grades", "--period", "2026Q4")
    assert org.evaluations.get().period == "2026Q4"


def test_an_appeal_against_a_status_is_accepted_and_the_status_restored(world, login, org):
    org.status = "published"
    org.save()
    workflow.provider_review(actor=world["city"], provider=org, action="suspend", reason="投诉较多")
    client = login(world["provider"])
    client.post(reverse("catalog:appeal_create", args=[org.pk]), {"text": "投诉已处理完毕，请恢复"})
    appeal = ProviderAppeal.objects.get()
    assert appeal.evaluation is None
    queue = login(world["city"]).get(reverse("catalog:review")).content.decode()
    assert 'data-testid="open-appeal"' in queue
    url = reverse("catalog:appeal_decide", args=[appeal.pk])
    # A suspended provider is outside the directory: another city does not see it at all.
    assert login(world["other_city"]).post(url, {"accept": "1", "decision": "越权"}).status_code == 404
    assert login(world["provider"]).post(url, {"accept": "1", "decision": "自批"}).status_code == 403
    appeal.refresh_from_db()
    assert appeal.status == "open"
    login(world["city"]).post(url, {"accept": "1", "follow_up": "restore", "decision": "核实投诉已解决"})
    appeal.refresh_from_db()
    org.refresh_from_db()
    assert appeal.status == "accepted" and org.status == "published"
    page = login(world["provider"]).get(reverse("catalog:evaluation_list", args=[org.pk])).content.decode()
    assert "核实投诉已解决" in page


def test_an_appeal_is_rejected_only_with_a_reason(world, login, org):
    ev = evaluation.evaluate(actor=None, provider=org)
    appeal = evaluation.appeal(actor=world["provider"], provider=org, text="案例统计遗漏，请复核", evaluation=ev)
    client = login(world["city"])
    client.post(reverse("catalog:appeal_decide", args=[appeal.pk]), {"accept": "0", "decision": ""})
    appeal.refresh_from_db()
    assert appeal.status == "open"
    client.post(reverse("catalog:appeal_decide", args=[appeal.pk]), {"accept": "0", "decision": "统计无误"})
    appeal.refresh_from_db()
    assert appeal.status == "rejected" and appeal.decision == "统计无误"


def test_an_accepted_evaluation_appeal_can_trigger_a_re_evaluation(world, org):
    ev = evaluation.evaluate(actor=None, provider=org)
    appeal = evaluation.appeal(actor=world["provider"], provider=org, text="从业人员数有误，请复核", evaluation=ev)
    evaluation.decide_appeal(actor=world["city"], appeal=appeal, accept=True, decision="已更正", follow_up="reevaluate")
    assert org.evaluations.count() == 2


# Cases -------------------------------------------------------------------------------------------------------------


def case_post(**fields):
    data = {
        "title": "合成案例：排产上线",
        "summary": "合成演示案例",
        "scenario_codes": ["T-01"],
        "industry": "34",
        "region": "360100",
        "metrics_text": "准时交付率，80%，95%，%",
    }
    data.update(fields)
    return data


def test_a_provider_adds_a_case_and_an_officer_of_its_region_verifies_it(world, login, org, scenario):
    client = login(world["provider"])
    assert client.post(reverse("catalog:case_create"), case_post()).status_code == 302
    case = Case.objects.get()
    assert case.provider == org and case.metrics[0] == {
        "metric": "准时交付率",
        "before": "80%",
        "after": "95%",
        "unit": "%",
    }
    url = reverse("catalog:case_verify", args=[case.pk])
    assert client.post(url, {"verified": "1", "reason": "自证"}).status_code == 403
    assert login(world["enterprise"]).post(url, {"verified": "1", "reason": "x"}).status_code == 404
    case.refresh_from_db()
    assert not case.verified
    login(world["city"]).post(url, {"verified": "1", "reason": "现场核实"})
    case.refresh_from_db()
    assert case.verified and case.verified_by == world["city"]
    login(world["provider"]).post(reverse("catalog:case_edit", args=[case.pk]), case_post(title="合成案例：改"))
    case.refresh_from_db()
    assert case.title == "合成案例：改" and not case.verified  # edited figures need verifying again


def test_a_case_needs_scenarios_and_whole_metrics_and_others_cannot_edit(world, login, org, scenario):
    client = login(world["provider"])
    response = client.post(reverse("catalog:case_create"), case_post(scenario_codes=[]))
    assert "请至少选择一个场景" in response.content.decode()
    response = client.post(reverse("catalog:case_create"), case_post(metrics_text="准时交付率"))
    assert "实施前和实施后" in response.content.decode()
    assert not Case.objects.exists()
    assert login(world["enterprise"]).get(reverse("catalog:case_create")).status_code == 403
    case = services.case_save(
        actor=None, case=Case(provider=org, title="案例", industry_id="34", region_id="360100"), scenario_codes=["T-01"]
    )
    org.status = "published"
    org.save()
    assert login(world["city"]).post(reverse("catalog:case_edit", args=[case.pk]), case_post()).status_code == 403
    case.refresh_from_db()
    assert case.title == "案例"


# Inert HTML --------------------------------------------------------------------------------------------------------

SCRIPT = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_html_in_every_description_renders_inert(world, login, org, scenario):
    org.status, org.description = "published", SCRIPT
    org.save()
    s = services.solution_save(
        actor=None,
        solution=Solution(provider=org, title="方案", description=SCRIPT, status="published"),
        scenario_codes=["T-01"],
    )
    case = services.case_save(
        actor=None,
        case=Case(provider=org, title="案例", summary=SCRIPT, industry_id="34", region_id="360100"),
        scenario_codes=["T-01"],
    )
    need = services.need_create(
        actor=world["enterprise"], need=Need(enterprise=world["home"], text=SCRIPT, visibility="public")
    )
    pages = [
        (world["enterprise"], reverse("catalog:provider_detail", args=[org.pk])),
        (world["enterprise"], reverse("catalog:solution_detail", args=[s.pk])),
        (world["enterprise"], reverse("catalog:case_detail", args=[case.pk])),
        (world["enterprise"], reverse("catalog:need_detail", args=[need.pk])),
    ]
    for user, url in pages:
        text = login(user).get(url).content.decode()
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text, url


@pytest.mark.parametrize("persona", ["enterprise", "commissioner", "expert", "nobody", "other_city"])
def test_personas_without_a_part_are_refused_every_lifecycle_write_and_nothing_changes(world, login, org, persona):
    org.status, org.pending_changes = "published", {"description": "待审"}
    org.save()
    ev = evaluation.evaluate(actor=None, provider=org)
    appeal = evaluation.appeal(actor=world["provider"], provider=org, text="请复核评价结果", evaluation=ev)
    Scenario.objects.create(code="T-01", name="测试场景", link_code="T", link_name="测试环节")
    case = services.case_save(
        actor=None, case=Case(provider=org, title="案例", industry_id="34", region_id="360100"), scenario_codes=["T-01"]
    )
    events_before = PoolEvent.objects.count()
    client = login(world[persona])
    posts = [
        (reverse("catalog:provider_changes_review", args=[org.pk]), {"approve": "1", "reason": "越权操作"}),
        (reverse("catalog:provider_evaluate", args=[org.pk]), {"capability_review": "full"}),
        (reverse("catalog:appeal_create", args=[org.pk]), {"text": "冒名提出申诉"}),
        (reverse("catalog:appeal_decide", args=[appeal.pk]), {"accept": "1", "decision": "越权操作"}),
        (reverse("catalog:recompute_region"), {}),
        (reverse("catalog:case_verify", args=[case.pk]), {"verified": "1", "reason": "越权操作"}),
        (reverse("catalog:case_edit", args=[case.pk]), case_post()),
    ]
    for url, data in posts:
        expected = {302} if persona == "other_city" and "recompute" in url else {403, 404}  # its own region: none
        assert client.post(url, data).status_code in expected, url
    assert client.get(reverse("catalog:evaluation_list", args=[org.pk])).status_code in {403, 404}
    org.refresh_from_db()
    appeal.refresh_from_db()
    case.refresh_from_db()
    assert org.pending_changes == {"description": "待审"} and org.evaluations.count() == 1
    assert appeal.status == "open" and ProviderAppeal.objects.count() == 1
    assert not case.verified and case.title == "案例"
    assert PoolEvent.objects.count() == events_before


def test_anonymous_visitors_open_registration_only(world, client, org):
    assert client.get(reverse("catalog:register")).status_code == 200
    for url in [reverse("catalog:evaluation_list", args=[org.pk]), reverse("catalog:case_create")]:
        response = client.get(url)
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
