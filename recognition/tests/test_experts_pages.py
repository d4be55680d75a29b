"""Experts' pages (synthetic data): the pool an officer keeps, the assignment page with every exclusion stated, the
expert's workbench scoped to their own tasks, the review form (scoring sheet, plain score, visit record, deadline),
and the officer's view of each expert's score and the consolidated one."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.models import Role
from recognition import experts, prerequisites, services
from recognition.models import ApplicationEvent, Expert, ReviewTask

pytestmark = pytest.mark.django_db

FULL = {"P1": "done", "P2": "full", "S1": "many", "S2": "integrated", "S3": "high", "D1": "auto", "D2": "decide",
        "A1": ["zoning", "backup", "access", "rules"], "E1": "marked", "E2": "high"}  # fmt: skip
MIXED = {"P1": "written", "P2": "partial", "S1": "several", "S2": "stable", "S3": "medium", "D1": "partial",
         "D2": "some", "A1": ["zoning", "backup"], "E1": "clear", "E2": "some"}  # 60 points  # fmt: skip


def at_review(world, programme, attach):
    """The home enterprise's application, checked by its county and waiting at the city's expert review."""
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application)
    check = prerequisites.check(programme.rules, world["home"], {})
    services.application_submit(actor=world["enterprise"], application=application, check=check)
    services.application_decide(actor=world["county"], application=application, decision="pass", reason="材料属实")
    application.refresh_from_db()
    return application


@pytest.fixture
def application(world, load_programme, attach):
    return at_review(world, load_programme(prerequisites={}), attach)


@pytest.fixture
def pool(world, expert_pool):
    from catalog.models import MatchMeeting, MeetingOutcome, Provider

    provider = Provider.objects.get(name="测试服务商有限公司")  # world["provider"] is the provider's user
    meeting = MatchMeeting.objects.create(title="对接会", region_id="360100", held_on=dt.date(2026, 5, 1))
    MeetingOutcome.objects.create(meeting=meeting, enterprise=world["home"], provider=provider, result="contracted")
    return {
        "own": expert_pool("own", organisation="东湖精密机械", organisation_code=world["home"].credit_code),
        "served": expert_pool("served", organisation=provider.name, organisation_code=provider.credit_code),
        "local": expert_pool("local", region="360102"),
        "e1": expert_pool("e1", region="360100"),
        "e2": expert_pool("e2"),
        "e3": expert_pool("e3", region="360000"),
    }


def test_the_assignment_page_assigns_and_states_who_was_excluded_and_why(world, login, application, pool):
    client = login(world["city"])
    url = reverse("recognition:expert_assign", args=[application.programme_id])
    page = client.get(url).content.decode()
    assert "东湖精密机械有限公司" in page and "还缺 3 位专家" in page
    response = client.post(url, {"application": [application.pk]})
    assert response.status_code == 302
    tasks = ReviewTask.objects.filter(application=application)
    assert {t.expert_id for t in tasks} == {pool["e1"].pk, pool["e2"].pk, pool["e3"].pk}
    page = client.get(url).content.decode()
    chair = tasks.get(is_chair=True)
    assert f'data-testid="task-{chair.pk}">{chair.expert.user}' in page and "组长" in page
    assert "own：专家所在单位即申请单位（东湖精密机械有限公司）" in page
    assert "served：专家所在单位（测试服务商有限公司）曾为申请单位提供服务" in page
    assert "local：专家与申请单位在同一区县" in page
    assert "还缺" not in page
    event = ApplicationEvent.objects.get(application=application, action="assign")
    assert event.actor == world["city"] and event.data["short"] == 0


def test_an_application_short_of_experts_says_how_many_are_missing(world, login, application, expert_pool):
    expert_pool("only", region="360100")
    client = login(world["city"])
    url = reverse("recognition:expert_assign", args=[application.programme_id])
    response = client.post(url, {"all": "1"}, follow=True)
    page = response.content.decode()
    assert "1 份申请可分配的专家不足" in page and "还缺 2 位专家" in page


def test_withdrawing_a_task_needs_a_reason_moves_the_chair_and_reassignment_picks_someone_else(
    world, login, application, pool, expert_pool
):
    experts.assign_experts(actor=world["city"], applications=[application])
    chair = ReviewTask.objects.get(application=application, is_chair=True)
    client = login(world["city"])
    url = reverse("recognition:expert_task_withdraw", args=[chair.pk])
    client.post(url, {"reason": ""})
    chair.refresh_from_db()
    assert chair.status == ReviewTask.Status.ASSIGNED
    client.post(url, {"reason": "发现该专家近期为企业做过咨询"})
    chair.refresh_from_db()
    assert chair.status == ReviewTask.Status.WITHDRAWN and not chair.is_chair
    active = ReviewTask.objects.filter(application=application, status=ReviewTask.Status.ASSIGNED)
    assert active.count() == 2 and active.filter(is_chair=True).count() == 1
    event = ApplicationEvent.objects.get(application=application, action="withdraw_expert")
    assert event.reason == "发现该专家近期为企业做过咨询" and event.data["expert"] == chair.expert_id
    spare = expert_pool("spare", region="360100")
    client.post(reverse("recognition:expert_assign", args=[application.programme_id]), {"all": "1"})
    active = ReviewTask.objects.filter(application=application, status=ReviewTask.Status.ASSIGNED)
    assert spare.pk in {t.expert_id for t in active} and chair.expert_id not in {t.expert_id for t in active}
    assert active.count() == 3 and active.filter(is_chair=True).count() == 1
    history = client.get(reverse("recognition:application", args=[application.pk])).content.decode()
    assert "撤回专家评审任务" in history and "发现该专家近期为企业做过咨询" in history
    applicant = login(world["enterprise"]).get(reverse("recognition:application", args=[application.pk]))
    assert "发现该专家近期为企业做过咨询" not in applicant.content.decode()  # the applicant never learns who or why


def test_the_workbench_lists_only_the_experts_own_tasks_with_overdue_flagged(world, login, application, pool):
    experts.assign_experts(actor=world["city"], applications=[application])
    mine, theirs = ReviewTask.objects.filter(application=application)[:2]
    ReviewTask.objects.filter(pk=mine.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client = login(mine.expert.user)
    page = client.get(reverse("recognition:expert_tasks")).content.decode()
    assert f'data-testid="my-task-{mine.pk}"' in page and f'data-testid="overdue-{mine.pk}"' in page
    assert f'data-testid="my-task-{theirs.pk}"' not in page
    assert client.get(reverse("recognition:expert_task", args=[theirs.pk])).status_code == 404
    evidence = application.evidence.first()
    assert client.get(reverse("recognition:expert_evidence", args=[mine.pk, evidence.pk])).status_code == 200
    assert client.get(reverse("recognition:expert_evidence", args=[theirs.pk, evidence.pk])).status_code == 404
    outsider = login(pool["own"].user)  # an expert of the pool not assigned to it
    assert outsider.get(reverse("recognition:expert_task", args=[mine.pk])).status_code == 404


def test_a_withdrawn_task_no_longer_opens_the_application(world, login, application, pool):
    experts.assign_experts(actor=world["city"], applications=[application])
    task = ReviewTask.objects.filter(application=application).first()
    experts.review_withdraw(actor=world["city"], task=task, reason="专家无法到场")
    client = login(task.expert.user)
    assert client.get(reverse("recognition:expert_task", args=[task.pk])).status_code == 404
    evidence = application.evidence.first()
    assert client.get(reverse("recognition:expert_evidence", args=[task.pk, evidence.pk])).status_code == 404


def sheet_post(answers, comment="整体建设较好，数据贯通有待加强", visit="现场查看了总装线和 MES 系统"):
    data = {f"q_{code}": value for code, value in answers.items()}
    data["comment"] = comment
    if visit is not None:
        data["visit_report"] = visit
    return data


def test_the_review_form_scores_the_sheet_needs_the_visit_record_and_is_read_only_after(
    world, login, application, pool
):
    experts.assign_experts(actor=world["city"], applications=[application])
    task = ReviewTask.objects.filter(application=application).first()
    client = login(task.expert.user)
    url = reverse("recognition:expert_task", args=[task.pk])
    page = client.get(url).content.decode()
    assert "智能工厂（基础级）现场评审表（示例）" in page and "建设规划与组织" in page and "网络与数据安全措施" in page
    assert 'data-testid="sheet-provisional"' in page
    response = client.post(url, sheet_post(MIXED, visit=""))
    assert response.status_code == 400 and "现场核查记录" in response.content.decode()
    response = client.post(url, sheet_post({k: v for k, v in MIXED.items() if k != "E2"}))
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.ASSIGNED and task.score is None
    assert client.post(url, sheet_post(MIXED)).status_code == 302
    task.refresh_from_db()
    assert (task.status, task.score, task.answers["A1"]) == (ReviewTask.Status.SUBMITTED, 60.0, ["zoning", "backup"])
    page = client.get(url).content.decode()
    assert 'data-testid="review-done"' in page and 'data-testid="review-form"' not in page and "评分 60.0" in page
    client.post(url, sheet_post(FULL))
    task.refresh_from_db()
    assert task.score == 60.0


def test_a_review_past_its_deadline_is_refused_and_nothing_is_saved(world, login, application, pool):
    experts.assign_experts(actor=world["city"], applications=[application])
    task = ReviewTask.objects.filter(application=application).first()
    ReviewTask.objects.filter(pk=task.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1))
    client = login(task.expert.user)
    url = reverse("recognition:expert_task", args=[task.pk])
    assert 'data-testid="overdue"' in client.get(url).content.decode()
    response = client.post(url, sheet_post(FULL))
    assert response.status_code == 400 and "已超过评审期限" in response.content.decode()
    task.refresh_from_db()
    assert task.status == ReviewTask.Status.ASSIGNED and task.score is None


def test_a_programme_without_a_sheet_takes_a_plain_score(world, login, load_programme, attach, pool):
    rules = {"scoring_model": "", "consolidation": "mean", "exclusions": ["own_organisation"]}
    application = at_review(world, load_programme(prerequisites={}, review=rules), attach)
    experts.assign_experts(actor=world["city"], applications=[application])
    task = ReviewTask.objects.filter(application=application).first()
    client = login(task.expert.user)
    url = reverse("recognition:expert_task", args=[task.pk])
    assert 'name="score"' in client.get(url).content.decode()
    assert client.post(url, {"score": "120", "comment": "同意", "visit_report": "已核查"}).status_code == 400
    client.post(url, {"score": "72.5", "comment": "同意通过", "visit_report": "已核查产线"})
    task.refresh_from_db()
    assert task.score == 72.5 and task.answers == {}


def test_the_officer_sees_each_score_and_the_consolidated_score_with_its_method(world, login, application, pool):
    experts.assign_experts(actor=world["city"], applications=[application])
    tasks = list(ReviewTask.objects.filter(application=application).order_by("pk"))
    client = login(world["city"])
    url = reverse("recognition:expert_scores", args=[application.pk])
    page = client.get(url).content.decode()
    assert "去掉最高、最低各 1 个分数后的平均分" in page and "还有 3 位专家未提交评审意见" in page
    for task, answers in zip(tasks, (FULL, MIXED, {**MIXED, "E1": "marked"}), strict=True):  # 100, 60, 64
        experts.review_submit(actor=task.expert.user, task=task, answers=answers, comment="意见如附",
                              visit_report="现场核查")  # fmt: skip
    page = client.get(url).content.decode()
    assert "汇总得分 64.0" in page  # trimmed mean of 60, 64, 100
    assert "评审表" in page and "生产效率、质量与成本：有数据证明显著改善（12/12）" in page
    assert login(world["other_city"]).get(url).status_code == 404
    assert login(world["enterprise"]).get(url).status_code == 404  # the applicant never sees the experts


def test_the_pool_is_scoped_to_the_officers_regions_and_validates_the_credit_code(world, login, expert_pool):
    mine = expert_pool("nanchang", region="360102", organisation="=HYPERLINK(1)")
    theirs = expert_pool("jiujiang", region="360402")
    client = login(world["city"])
    page = client.get(reverse("recognition:expert_pool")).content.decode()
    assert f'data-testid="expert-{mine.pk}"' in page and f'data-testid="expert-{theirs.pk}"' not in page
    assert client.get(reverse("recognition:expert_edit", args=[theirs.pk])).status_code == 404
    other = expert_pool("hongdu", region="360100", organisation="洪都数控研究所", fields=["S01"])
    found = client.get(reverse("recognition:expert_pool"), {"q": "洪都"}).content.decode()
    assert f'data-testid="expert-{other.pk}"' in found and f'data-testid="expert-{mine.pk}"' not in found
    found = client.get(reverse("recognition:expert_pool"), {"q": "S01"}).content.decode()
    assert f'data-testid="expert-{other.pk}"' in found and f'data-testid="expert-{mine.pk}"' not in found
    new = {"username": "zhang", "display_name": "张专家", "organisation": "某大学", "organisation_code": "91360100ABC",
           "region": "360100", "fields": ["34"]}  # fmt: skip
    response = client.post(reverse("recognition:expert_new"), new)
    assert response.status_code == 200 and "统一社会信用代码应为 18 位" in response.content.decode()
    response = client.post(reverse("recognition:expert_new"), {**new, "region": "360400"})
    assert response.status_code == 200 and not Expert.objects.filter(user__username="zhang").exists()
    from catalog.models import Provider

    code = Provider.objects.get().credit_code
    client.post(reverse("recognition:expert_new"), {**new, "organisation_code": code.lower()})
    created = Expert.objects.get(user__username="zhang")
    assert (created.organisation_code, created.region_id, created.fields) == (code, "360100", ["34"])
    assert created.user.memberships.get().role == Role.EXPERT and not created.user.has_usable_password()
    client.post(reverse("recognition:expert_active", args=[mine.pk]), {"active": "0"})
    mine.refresh_from_db()
    assert not mine.is_active


def test_the_pool_exports_xlsx_with_formulas_neutralised(world, login, expert_pool):
    from io import BytesIO

    from openpyxl import load_workbook

    expert_pool("nanchang", region="360102", organisation="=HYPERLINK(1)", fields=["34"])
    response = login(world["city"]).get(reverse("recognition:expert_pool") + "?format=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("姓名", "登录用户名", "工作单位")
    assert rows[1][2] == "'=HYPERLINK(1)" and rows[1][4] == "江西省 南昌市 东湖区" and rows[1][5].startswith("C34")
