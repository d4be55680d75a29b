"""In a real browser: an enterprise completes a CMMM self-assessment (leaving and resuming its draft), submits it and
reads the result; a commissioner then verifies it, changing two items with reasons. Screenshots in var/screenshots/."""

import re

import pytest
from playwright.sync_api import expect

from assessments.models import Assessment, ModelVersion
from tidu.tests.conftest import TABLET

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def answer_all_on_page(page, value: str) -> None:
    """Click option `value` of every unanswered item on the page (real click events: autosave fires as for a user)."""
    page.locator("fieldset.q-item").evaluate_all(
        """(boxes, value) => boxes.forEach(box => {
             if (box.querySelector('input[type=radio]:checked')) return;
             const choice = box.querySelector(`input[type=radio][value="${value}"]`);
             if (choice) choice.click();
           })""",
        value,
    )


def wait_saved(page) -> None:
    expect(page.get_by_test_id("saved")).to_be_visible()


def test_enterprise_self_assesses_resumes_submits_and_a_commissioner_verifies(world, open_session):
    world["commissioner"].memberships.get().assigned_enterprises.add(world["home"])
    ent = open_session()
    page = ent.page
    page.on("dialog", lambda d: d.accept())
    ent.login("enterprise")
    page.goto(f"/enterprises/{world['home'].pk}/")  # the workbench is the landing page; the record holds the panel
    expect(page.get_by_test_id("assessment-panel")).to_contain_text("还没有评估记录")
    page.get_by_test_id("start-assessment").click()
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    page.get_by_label("评估模型").select_option(value=str(cmmm.pk))
    page.get_by_role("button", name="开始填写").click()
    expect(page).to_have_url(re.compile(r"/assessments/\d+/fill/$"))
    expect(page.get_by_test_id("provisional-note")).to_be_visible()
    pk = int(re.search(r"/assessments/(\d+)/", page.url).group(1))

    # By hand: the mouse on one answer, the keyboard on the next; each change autosaves the draft.
    items = page.locator("fieldset.q-item")
    first_code = items.nth(0).get_attribute("data-testid").removeprefix("item-")
    second_code = items.nth(1).get_attribute("data-testid").removeprefix("item-")
    items.nth(0).get_by_text("大部分满足").click()
    wait_saved(page)
    group = page.locator("input[name=group]").input_value()
    expect(page.get_by_test_id(f"group-count-{group}")).to_have_text(re.compile(r"^1/"))
    items.nth(1).locator("input[type=radio]").first.focus()
    page.keyboard.press("Space")
    expect(items.nth(1).locator("input[type=radio]").first).to_be_checked()
    page.wait_for_function(
        "code => document.querySelector('[data-testid=save-status]').textContent.includes('已答 2')", arg=first_code
    )
    ent.shot("assessment-fill-desktop")

    # Leave, come back through the enterprise page, and find the draft as it was.
    page.goto(f"/enterprises/{world['home'].pk}/")
    page.get_by_test_id("assessment-panel").get_by_role("link", name=re.compile("智能制造")).click()
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/fill/$"))
    expect(page.get_by_test_id(f"item-{first_code}").locator("input[value=most]")).to_be_checked()
    expect(page.get_by_test_id(f"item-{second_code}").locator("input[type=radio]").first).to_be_checked()

    # Complete every group: everything fully satisfied except the two answered by hand.
    while True:
        answer_all_on_page(page, "full")
        wait_saved(page)
        next_button = page.get_by_test_id("next-group")
        if next_button.count() == 0:
            break
        next_button.click()
        expect(page.locator(".alert-success")).to_contain_text("已保存")
    page.get_by_test_id("to-review").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/review/$"))
    expect(page.get_by_text("全部条目均已作答")).to_be_visible()
    page.get_by_test_id("submit-assessment").click()
    expect(page).to_have_url(re.compile(rf"/assessments/{pk}/$"))
    expect(page.get_by_test_id("result-level")).to_contain_text("级")
    expect(page.get_by_test_id("ladder").locator("li.current")).to_have_count(1)
    expect(page.locator("#chart-radar svg")).to_be_visible()
    expect(page.locator("#chart-bars svg")).to_be_visible()
    expect(page.get_by_test_id("trace")).not_to_be_empty()
    ent.shot("assessment-result")
    ent.assert_clean()
    a = Assessment.objects.get(pk=pk)
    assert a.status == "submitted" and a.answers[first_code] == "most"

    # The commissioner verifies: changes two items, gives reasons, submits; the differences are shown.
    com = open_session()
    cpage = com.page
    cpage.on("dialog", lambda d: d.accept())
    com.login("commissioner")
    cpage.goto(f"/assessments/{pk}/")
    cpage.get_by_test_id("verify").click()
    expect(cpage).to_have_url(re.compile(r"/assessments/\d+/fill/$"))
    for code, label, reason in ((first_code, "部分满足", "制度未正式发布"), (second_code, "不满足", "现场未见记录")):
        box = cpage.get_by_test_id(f"item-{code}")
        box.get_by_text(label, exact=True).click()
        box.get_by_label("与原评估不一致的理由").fill(reason)
    cpage.get_by_test_id("save-draft").click()
    cpage.get_by_test_id("to-review").click()
    expect(cpage.get_by_text("制度未正式发布")).to_be_visible()
    cpage.get_by_test_id("submit-assessment").click()
    expect(cpage.get_by_test_id("diffs")).to_contain_text("现场未见记录")
    expect(cpage.get_by_test_id("diffs").locator("tbody tr")).to_have_count(2)
    com.shot("assessment-verified")
    com.assert_clean()

    # On a tablet the questionnaire still works: the draft of a new assessment, one answer by touch-sized click.
    tab = open_session(TABLET)
    tab.login("enterprise")
    tab.page.goto(f"/assessments/enterprise/{world['home'].pk}/start/")
    tab.page.get_by_role("button", name="开始填写").click()
    tab.page.locator("fieldset.q-item").first.get_by_text("全部满足").click()
    wait_saved(tab.page)
    tab.shot("assessment-fill-tablet")
    tab.assert_clean()


def test_an_exclusive_none_option_unticks_the_measures_and_is_saved(world, session):
    page = session.page
    session.login("enterprise")
    sme = ModelVersion.objects.get(code="sme-2024", is_current=True)
    page.goto(f"/assessments/enterprise/{world['home'].pk}/start/")
    page.get_by_label("评估模型").select_option(value=str(sme.pk))
    page.get_by_role("button", name="开始填写").click()
    box = page.get_by_test_id("item-B1.1")
    box.get_by_text("建有工业控制网络").click()
    box.get_by_text("建有 5G 工业网络").click()
    wait_saved(page)
    with page.expect_response(re.compile(r"/autosave/$")):
        box.get_by_text("无", exact=True).click()
        expect(box.locator("input:checked")).to_have_count(1)
    pk = int(re.search(r"/assessments/(\d+)/", page.url).group(1))
    page.reload()
    expect(page.get_by_test_id("item-B1.1").locator("input:checked")).to_have_count(1)
    assert Assessment.objects.get(pk=pk).answers["B1.1"] == ["none"]
    session.assert_clean()
