"""Browser fixtures shared by the Playwright tests: Debian's Chromium (never a downloaded browser), one context per
session, and a Session helper that records console errors and failed responses."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from playwright.sync_api import expect, sync_playwright

from conftest import PASSWORD

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--no-first-run"]
DESKTOP = {"width": 1366, "height": 900}
TABLET = {"width": 820, "height": 1180}
SHOTS = Path(settings.BASE_DIR) / "var" / "screenshots"


def _reload_reference_data():
    """A guard: transactional tests now end with the migrated state restored (conftest.py,
    `_restore_migrated_state`), so this only loads what a test emptied by hand; it is a few cheap queries."""
    from enterprises.labels import labels_load
    from enterprises.models import Label
    from regions.models import IndustryDivision, Region
    from regions.services import industries_load, regions_load

    if not Region.objects.exists():
        regions_load()
    if not IndustryDivision.objects.exists():
        industries_load()
    if not Label.objects.exists():
        labels_load(Label)


@pytest.fixture(scope="module")
def chromium(django_db_blocker):
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
    # Leave the database as later (non-transactional) tests expect it.
    with django_db_blocker.unblock():
        _reload_reference_data()


@pytest.fixture(autouse=True)
def reference_data(transactional_db):
    """Autouse, so it runs before `world` builds enterprises that point at regions and industries."""
    _reload_reference_data()


class Session:
    """One browser context: its page, and what went wrong while it was open."""

    def __init__(self, context, base_url: str):
        self.context = context
        self.base_url = base_url
        self.page = context.new_page()
        self.console_errors: list[str] = []
        self.bad_responses: list[str] = []
        self.page.on("console", self._on_console)
        # The stack names the script and line, so a rare failure in a loaded CI browser can be traced afterwards.
        self.page.on("pageerror", lambda exc: self.console_errors.append(f"uncaught: {exc} {exc.stack or ''}"))
        self.page.on("response", self._on_response)

    def _on_console(self, msg) -> None:
        if msg.type == "error":
            self.console_errors.append(f"{msg.text} ({msg.location.get('url')})")

    def _on_response(self, response) -> None:
        if response.status >= 400:
            self.bad_responses.append(f"{response.status} {response.url}")

    def login(self, username: str) -> None:
        page = self.page
        page.goto("/accounts/login/")
        page.fill("input[name=username]", username)
        page.fill("input[name=password]", PASSWORD)
        with page.expect_navigation():
            page.click("button[type=submit]")
        expect(page).not_to_have_url(re.compile(r"/accounts/login/"))

    def shot(self, name: str) -> Path:
        SHOTS.mkdir(parents=True, exist_ok=True)
        path = SHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def assert_clean(self) -> None:
        assert not self.console_errors, self.console_errors
        assert not self.bad_responses, self.bad_responses


@pytest.fixture
def open_session(chromium, live_server):
    contexts = []

    def open_(viewport=DESKTOP) -> Session:
        context = chromium.new_context(viewport=viewport, base_url=live_server.url, locale="zh-CN",
                                       accept_downloads=True)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return Session(context, live_server.url)

    yield open_
    for context in contexts:
        context.close()


@pytest.fixture
def session(open_session) -> Session:
    return open_session()


