"""In a real browser (Debian's Chromium), one scenario: the enterprise registers an industrial model — its identity,
two general and three specific scene models, a live deployment with its measured benefit and a third-party
evaluation with the report uploaded — sees the Shandong gate met, and submits it; the county officer accepts and
publishes it; an anonymous visitor finds it in the public directory by its value-chain link, on a desktop and on a
tablet. Screenshots in var/screenshots/airegistry-*.png."""

import pytest
from playwright.sync_api import expect

from airegistry.models import Entry
from tidu.tests.conftest import DESKTOP, TABLET, chromium, open_session, reference_data  # noqa: F401 - fixtures

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _signed_in(open_session, user, viewport=DESKTOP):  # noqa: F811
    """A session already signed in (sign-in is not what this test is about)."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = open_session(viewport)
    session.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": session.base_url,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])  # fmt: skip
    return session


def _post(page, form, button):
    with page.expect_navigation():
        form.get_by_test_id(button).click()
    expect(page.locator(".alert-success")).to_have_count(1)


def test_a_model_registered_evaluated_published_and_found_in_the_directory(world, open_session):  # noqa: F811
    import datetime as dt

    ent = open_session(DESKTOP)
    page = ent.page
    ent.login("enterprise")
    page.goto("/ai/models/")
    with page.expect_navigation():
        page.get_by_test_id("new-model").click()
    form = page.get_by_test_id("entry-form")
    form.get_by_label("名称 *", exact=True).fill("赣工质检大模型")
    form.get_by_label("版本 *", exact=True).fill("v1.0")
    form.get_by_label("基座模型", exact=True).fill("Qwen2.5-7B")
    form.get_by_label("基座来源").select_option("third_party")
    form.get_by_label("基座模型许可证").fill("Apache-2.0")
    form.get_by_label("模态").select_option("vision")
    form.get_by_label("参数量（亿）").fill("70")
    form.get_by_label("适用行业").select_option("34")
    form.get_by_label("质量检测").check()
    form.get_by_label("生产制造").check()
    form.get_by_label("本地私有化").check()
    form.get_by_label("训练数据说明").fill("合成：缺陷图像 12 万张，覆盖 9 类缺陷")
    with page.expect_navigation():
        form.get_by_test_id("save").click()
    expect(page.get_by_test_id("entry-title")).to_contain_text("赣工质检大模型")
    expect(page.get_by_test_id("gate-shandong-industry-model").get_by_test_id("gate-outcome")).to_have_text("尚不满足")

    scenes = [("general", "缺陷检测通用模型"), ("general", "表面分割通用模型"), ("specific", "轴类件划痕检测"),
              ("specific", "齿轮崩齿检测"), ("specific", "壳体砂眼检测")]  # fmt: skip
    for kind, name in scenes:
        form = page.get_by_test_id("scene-form")
        form.get_by_label("场景类型").select_option(kind)
        form.get_by_label("场景模型名称").fill(name)
        _post(page, form, "scene-add")
    expect(page.get_by_test_id("scene-row")).to_have_count(5)

    form = page.get_by_test_id("deployment-form")
    form.get_by_label("应用企业名称").fill("青山湖电子科技有限公司")
    form.get_by_label("上线日期").fill((dt.date.today() - dt.timedelta(days=120)).isoformat())
    form.get_by_label("量化效益").fill("漏检率 3.1% → 0.8%")
    _post(page, form, "deployment-add")

    form = page.get_by_test_id("evaluation-form")
    form.get_by_label("评测机构").fill("某人工智能评测中心（合成）")
    form.get_by_label("评测标准").fill("GB/T 45288.2")
    form.get_by_label("标准版本").fill("2025")
    form.get_by_label("评测日期").fill((dt.date.today() - dt.timedelta(days=30)).isoformat())
    form.get_by_label("性能", exact=True).fill("88")
    form.get_by_label("安全", exact=True).fill("82")
    form.locator("input[type=file]").set_input_files({"name": "评测报告.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF})  # fmt: skip
    _post(page, form, "evaluation-add")
    expect(page.get_by_test_id("evaluation-row")).to_contain_text("GB/T 45288.2-2025")
    expect(page.get_by_test_id("gate-shandong-industry-model").get_by_test_id("gate-outcome")).to_have_text("全部满足")
    ent.shot("airegistry-developer-1366")
    with page.expect_navigation():
        page.get_by_test_id("submit").click()
    expect(page.locator(".alert-success")).to_contain_text("已提交审核")
    entry = Entry.objects.get()
    assert entry.status == "submitted"

    officer = _signed_in(open_session, world["county"])
    page = officer.page
    page.goto("/ai/models/")
    with page.expect_navigation():
        page.get_by_test_id("waiting").get_by_role("link", name="赣工质检大模型 v1.0").click()
    review = page.get_by_test_id("review-form")
    review.get_by_label("审核通过").check()
    _post(page, review, "review-submit")
    with page.expect_navigation():
        page.get_by_test_id("publish").click()
    expect(page.locator(".alert-success")).to_contain_text("已发布到公开名录")
    officer.shot("airegistry-officer-1366")
    entry.refresh_from_db()
    assert entry.status == "published"

    for viewport, name in ((DESKTOP, "1366"), (TABLET, "tablet")):
        visitor = open_session(viewport)
        page = visitor.page
        page.goto("/ai/models/directory/?link=quality")
        card = page.get_by_test_id("directory-card")
        expect(card).to_have_count(1)
        expect(card).to_contain_text("东湖精密机械有限公司")
        visitor.shot(f"airegistry-directory-{name}")
        with page.expect_navigation():
            card.get_by_role("link").click()
        expect(page.get_by_test_id("gates")).to_contain_text("全部满足")
        expect(page.get_by_test_id("evaluation-row")).to_contain_text("某人工智能评测中心（合成）")
        visitor.shot(f"airegistry-public-{name}")
        page.goto("/ai/models/directory/?link=marketing")
        expect(page.get_by_test_id("directory-card")).to_have_count(0)
        visitor.assert_clean()
    ent.assert_clean()
    officer.assert_clean()
