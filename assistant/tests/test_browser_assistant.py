"""In a real browser (Debian's Chromium): the province officer sees the indexed corpus; the enterprise asks a question,
gets passages with their document, section and page, opens a citation and lands on the passage highlighted in its
document; another enterprise's report never shows; on a tablet, with an OpenAI-compatible endpoint configured (a
fake one served by the test), the generated answer's [n] leads to its source. Screenshots in
var/screenshots/assistant-*.png."""

import re

import pytest
from playwright.sync_api import expect

from tidu.tests.conftest import DESKTOP, TABLET, chromium, open_session, reference_data  # noqa: F401 - fixtures

from .test_generation import FakeChat

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _signed_in(open_session, user, viewport):  # noqa: F811
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = open_session(viewport)
    session.context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "url": session.base_url,
                                  "value": client.cookies[settings.SESSION_COOKIE_NAME].value}])  # fmt: skip
    return session


def _ask(page, question: str) -> None:
    page.goto("/ai/assistant/")
    page.get_by_label("问题").fill(question)
    with page.expect_navigation():
        page.get_by_test_id("ask").click()


def test_a_question_answered_with_citations_that_open_the_cited_passage(world, corpus, open_session, monkeypatch):  # noqa: F811
    officer = _signed_in(open_session, world["province"], DESKTOP)
    officer.page.goto("/ai/assistant/corpus/")
    expect(officer.page.get_by_test_id("documents")).to_contain_text("示例市技术改造奖补办法（测试）")
    expect(officer.page.get_by_test_id("index")).to_contain_text("已完成")
    officer.shot("assistant-corpus")

    ent = _signed_in(open_session, world["enterprise"], DESKTOP)
    page = ent.page
    _ask(page, "技改项目奖补最高给多少钱？")
    first = page.get_by_test_id("source").first
    expect(first).to_contain_text("第二章 奖补标准")
    expect(first).to_contain_text("单个项目最高五百万元")
    expect(page.get_by_test_id("answer")).to_contain_text("原文摘录")
    ent.shot("assistant-answer-desktop")
    with page.expect_navigation():
        first.get_by_test_id("citation").click()
    expect(page).to_have_url(re.compile(r"/ai/assistant/passages/\d+/"))
    cited = page.get_by_test_id("cited")
    expect(cited).to_contain_text("按项目设备投资额的百分之十给予奖补")
    expect(cited.locator("mark")).to_be_visible()
    ent.shot("assistant-passage-desktop")

    # The other enterprise's report, asked in its own words: nothing of it is listed.
    _ask(page, "濂溪化工的危化品仓储有什么问题")
    expect(page.get_by_test_id("sources")).not_to_contain_text("九江濂溪化工")
    expect(page.get_by_test_id("sources")).not_to_contain_text("危化品")
    ent.assert_clean()

    fake = FakeChat()
    try:
        monkeypatch.setenv("TIDU_LLM_BASE_URL", fake.url)
        monkeypatch.setenv("TIDU_LLM_MODEL", "qwen-test")
        tablet = _signed_in(open_session, world["enterprise"], TABLET)
        _ask(tablet.page, "技改项目奖补最高给多少钱？")
        generated = tablet.page.get_by_test_id("generated")
        expect(generated).to_contain_text("单个项目最高五百万元。")
        expect(generated).not_to_contain_text("各地另有配套政策")  # uncited: dropped
        expect(tablet.page.get_by_test_id("answer")).to_contain_text("另有 2 句没有注明出处，已略去")
        generated.get_by_test_id("cite").first.click()
        expect(tablet.page).to_have_url(re.compile(r"#source-1$"))
        tablet.shot("assistant-generated-tablet")
        with tablet.page.expect_navigation():
            tablet.page.locator("#source-1").get_by_test_id("citation").click()
        expect(tablet.page.get_by_test_id("cited")).to_contain_text("单个项目最高五百万元")
        tablet.shot("assistant-passage-tablet")
        tablet.assert_clean()
    finally:
        fake.close()
