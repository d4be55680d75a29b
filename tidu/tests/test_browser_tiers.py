"""In a real browser: an enterprise declares its tier-check facts with evidence, an officer rejects one and confirms
the rest, the enterprise declares that one again, and once it is confirmed the page says 满足. Screenshots in
var/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from assessments import services
from assessments.models import ModelVersion, TierFact
from assessments.tests.conftest import all_answers

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
# key → the value to choose (radio label for yes/no facts, a number for counts)
DECLARE = {
    "abnormal_list": "否",
    "serious_accident_3y": "否",
    "secure_controllable": "是",
    "organisation_talent": "是",
    "scene_count": "10",
    "ai_scene_count": "3",
}


def cmmm_level_four(world):
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = services.start(actor=world["enterprise"], enterprise=world["home"], version=version, kind="self")
    services.save_answers(
        actor=world["enterprise"], assessment=a, updates=all_answers(version, a.context, lambda i: "most")
    )
    services.submit(actor=world["enterprise"], assessment=a)


def declare(page, key: str, value: str, file_name: str = "证明材料.pdf") -> None:
    row = page.get_by_test_id(f"fact-{key}")
    row.locator("summary").first.click()
    form = row.get_by_test_id(f"declare-{key}")
    if value.isdigit():
        form.locator(f"input[name={key}-value]").fill(value)
    else:
        form.get_by_label(value, exact=True).check()
    form.locator(f"input[name={key}-evidence]").set_input_files(
        {"name": file_name, "mimeType": "application/pdf", "buffer": PDF}
    )
    with page.expect_navigation():
        form.get_by_role("button", name="提交申报").click()
    expect(page.locator(".alert-success")).to_contain_text("已申报")
    expect(page.get_by_test_id(f"fact-status-{key}")).to_have_text("待确认")


def test_enterprise_declares_officer_confirms_and_the_page_says_met(world, open_session):
    cmmm_level_four(world)
    world["home"].is_above_scale = True
    world["home"].save(update_fields=["is_above_scale"])
    url = f"/assessments/enterprise/{world['home'].pk}/tiers/"

    ent = open_session()
    page = ent.page
    ent.login("enterprise")
    page.goto(f"/enterprises/{world['home'].pk}/")
    page.get_by_test_id("tier-check").click()
    expect(page).to_have_url(re.compile(r"/tiers/$"))
    expect(page.get_by_test_id("verdict-basic")).to_have_text("待申报")
    ent.shot("tiers-before-declaring")
    for key, value in DECLARE.items():
        declare(page, key, value)
    expect(page.get_by_test_id("verdict-basic")).to_have_text("待确认")
    expect(page.get_by_test_id("tier-basic")).to_contain_text("待主管部门/数字专员确认")
    expect(page.get_by_test_id("cap-advanced")).to_have_count(0)  # 先进级 waits on its own chain condition
    ent.shot("tiers-declared")
    ent.assert_clean()

    # The county officer sends the scene count back and confirms everything else.
    off = open_session()
    opage = off.page
    off.login("county")
    opage.goto(url)
    review = opage.get_by_test_id("review-scene_count")
    review.get_by_label("退回原因").fill("请附场景清单")
    with opage.expect_navigation():
        review.get_by_role("button", name="退回").click()
    expect(opage.get_by_test_id("fact-status-scene_count")).to_have_text("已退回")
    for key in DECLARE:
        if key == "scene_count":
            continue
        with opage.expect_navigation():
            opage.get_by_test_id(f"review-{key}").get_by_role("button", name="确认").click()
        expect(opage.get_by_test_id(f"fact-status-{key}")).to_have_text("已确认")
    # 基础级 and 先进级 need no scene count: they are met; 卓越级 waits for the new declaration.
    expect(opage.get_by_test_id("verdict-basic")).to_have_text("满足")
    expect(opage.get_by_test_id("verdict-advanced")).to_have_text("满足")
    expect(opage.get_by_test_id("verdict-excellent")).to_have_text("待申报")
    off.shot("tiers-officer-reviewed")
    off.assert_clean()

    # The enterprise reads the reason, declares again with the list; the officer confirms; 卓越级 is met.
    page.goto(url)
    expect(page.get_by_test_id("fact-reason-scene_count")).to_contain_text("请附场景清单")
    declare(page, "scene_count", "10", "场景清单.pdf")
    expect(page.get_by_test_id("fact-scene_count")).to_contain_text("此前的申报（1 次）")
    opage.goto(url)
    with opage.expect_navigation():
        opage.get_by_test_id("review-scene_count").get_by_role("button", name="确认").click()
    expect(opage.get_by_test_id("verdict-excellent")).to_have_text("满足")
    expect(opage.get_by_test_id("verdict-leading")).to_have_text("不满足")
    page.goto(url)
    expect(page.get_by_test_id("verdict-excellent")).to_have_text("满足")
    ent.shot("tiers-met")
    ent.assert_clean()
    off.assert_clean()
    assert TierFact.objects.filter(enterprise=world["home"], is_current=True, status="confirmed").count() == 6
    assert TierFact.objects.filter(enterprise=world["home"], is_current=False, status="rejected").count() == 1
