"""In a real browser (synthetic data): the city's officer finds the assignment page from the expert pool and assigns
experts, sees who was excluded and why; the chair fills in the scoring sheet with the on-site record; the officer
reads the score. Screenshots in var/screenshots/expert-*.png."""

import pytest
from playwright.sync_api import expect

from recognition import experts, prerequisites, services
from recognition.models import ReviewTask
from tidu.tests.conftest import chromium, open_session, reference_data  # noqa: F401 - the browser fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CHOICES = {"P1": "有成文规划，部分落实", "P2": "有牵头部门或专职人员，机制不完整", "S1": "3–5 个",
           "S2": "单个场景稳定运行并发挥作用", "S3": "部分关键工序实现数字化", "D1": "部分设备联网，部分数据自动采集",
           "D2": "部分系统集成，开展了数据分析", "E1": "有数据证明有所改善", "E2": "经验可供同类企业借鉴"}  # fmt: skip


def test_officer_assigns_the_chair_scores_the_sheet_and_the_officer_reads_it(
    world,
    load_programme,
    attach,
    expert_pool,
    open_session,  # noqa: F811 - the imported fixture
):
    programme = load_programme(prerequisites={})
    application = services.application_start(actor=world["enterprise"], programme=programme, enterprise=world["home"])
    attach(application)
    services.application_submit(actor=world["enterprise"], application=application,
                                check=prerequisites.check(programme.rules, world["home"], {}))  # fmt: skip
    services.application_decide(actor=world["county"], application=application, decision="pass", reason="属实")
    expert_pool("own", organisation="东湖精密机械", organisation_code=world["home"].credit_code)
    expert_pool("local", region="360102")
    for name in ("e1", "e2", "e3"):
        expert_pool(name, region="360100", fields=["34"])

    officer = open_session()
    officer.login("city")
    page = officer.page
    page.goto("/recognition/experts/")
    officer.shot("expert-pool")
    page.get_by_test_id(f"assign-link-{programme.code}").click()
    with page.expect_navigation():
        page.get_by_test_id("assign-all").click()
    expect(page.locator(".alert-success")).to_contain_text("已为 1 份申请分配 3 位专家")
    excluded = page.get_by_test_id(f"excluded-{application.pk}")
    expect(excluded).to_contain_text("专家所在单位即申请单位（东湖精密机械有限公司）")
    expect(excluded).to_contain_text("专家与申请单位在同一区县")
    officer.shot("expert-assign")
    officer.assert_clean()

    chair = ReviewTask.objects.get(application=application, is_chair=True)
    expert = open_session()
    expert.login(chair.expert.user.username)
    page = expert.page
    page.goto("/recognition/my-reviews/")
    expect(page.get_by_test_id(f"my-task-{chair.pk}")).to_contain_text("待评审")
    expert.shot("expert-workbench")
    page.get_by_test_id(f"my-task-{chair.pk}").get_by_role("link").click()
    for code, label in CHOICES.items():
        page.get_by_test_id(f"item-{code}").get_by_label(label, exact=False).check()
    for label in ("工业网络分区隔离", "重要数据备份与恢复"):
        page.get_by_test_id("item-A1").get_by_label(label, exact=False).check()
    page.get_by_label("评审意见").fill("规划清晰，场景已稳定运行，数据贯通有待加强。")
    page.get_by_label("现场核查记录").fill("现场查看总装线、MES 与设备联网情况。")
    expert.shot("expert-review-form")
    with page.expect_navigation():
        page.get_by_test_id("review-submit").click()
    expect(page.get_by_test_id("review-done")).to_contain_text("评分 60.0")
    expert.shot("expert-review-done")
    expert.assert_clean()

    others = ReviewTask.objects.filter(application=application, is_chair=False)
    for task, score in zip(others, (70, 90), strict=True):
        experts.review_submit(actor=task.expert.user, task=task, answers={**{c: "none" for c in CHOICES},
                              "A1": ["none"], "S1": "many"} if score == 70 else None, score=score, comment="同意",
                              visit_report="已核查")  # fmt: skip
    page = officer.page
    page.goto(f"/recognition/applications/{application.pk}/reviews/")
    expect(page.get_by_test_id("consolidated")).to_contain_text("去掉最高、最低各 1 个分数后的平均分")
    expect(page.get_by_test_id("consolidated")).to_contain_text("汇总得分 60.0")  # 15, 60, 90: the middle one
    officer.shot("expert-scores")
    officer.assert_clean()
