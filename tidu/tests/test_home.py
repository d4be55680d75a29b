"""Each person's own home: the workbench shows that person's work, assembled from the apps that own it."""

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from .workday import INTERNAL_NOTE, SHARED_NOTE, populate

pytestmark = pytest.mark.django_db

DOMAIN_APPS = {
    "regions", "accounts", "notifications", "catalog", "enterprises", "assessments", "incentives", "reports",
    "monitoring", "recognition", "airegistry", "assistant", "datasecurity",
    "scheduling",
}  # fmt: skip


def home_of(login, user) -> str:
    response = login(user).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def test_core_imports_no_domain_app():
    core = Path(settings.BASE_DIR) / "core"
    found = []
    for path in core.rglob("*.py"):
        if "tests" in path.relative_to(core).parts:
            continue  # a test may set up domain data to exercise a helper; nothing imports core's tests
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            found += [f"{path.relative_to(core.parent)}: {name}" for name in names if name.split(".")[0] in DOMAIN_APPS]
    assert not found, found


def test_every_installed_domain_app_is_known_to_the_import_rule():
    """A new app must be added to DOMAIN_APPS, or the rule above would silently let core import it."""
    ours = {app for app in settings.INSTALLED_APPS if "." not in app and (Path(settings.BASE_DIR) / app).is_dir()}
    assert ours - {"core"} <= DOMAIN_APPS


def test_an_enterprise_user_gets_a_home_with_its_assessments_needs_and_responses(world, login):
    data = populate(world)
    page = home_of(login, world["enterprise"])
    assert 'data-testid="enterprise-workbench"' in page
    assert world["home"].name in page
    assert reverse("assessments:detail", args=[data["assessment"].pk]) in page
    assert "排产系统" in page and "设备联网" in page
    assert 'data-testid="responses-waiting"' in page  # the provider's answer waits for the enterprise's decision
    assert 'data-testid="queues"' not in page and "批量导入企业" not in page


def test_the_enterprise_home_never_shows_an_internal_note_but_officers_see_it(world, login):
    populate(world)
    page = home_of(login, world["enterprise"])
    assert SHARED_NOTE in page and INTERNAL_NOTE not in page
    assert INTERNAL_NOTE in home_of(login, world["county"])


def test_the_enterprise_home_lists_the_report_issued_to_it(world, login):
    from reports.services import issue_report

    populate(world)
    report = issue_report(actor=world["county"], enterprise=world["home"])
    page = home_of(login, world["enterprise"])
    assert reverse("reports:detail", args=[report.pk]) in page and 'data-testid="own-reports"' in page


def test_the_provider_home_is_its_inbox_and_its_responses(world, login):
    data = populate(world)
    page = home_of(login, world["provider"])
    assert 'data-testid="provider-workbench"' in page
    inbox = page.split('data-testid="inbox-count">', 1)[1]
    assert inbox.startswith("1<")  # the unanswered need only: the answered one moved to "我的响应"
    assert reverse("catalog:need_detail", args=[data["unanswered"].pk]) in page
    assert reverse("catalog:need_detail", args=[data["answered"].pk]) in page and "已响应" in page
    assert 'data-testid="enterprise-workbench"' not in page


def test_the_commissioner_home_lists_assigned_enterprises_and_pending_verifications(world, login):
    data = populate(world)
    page = home_of(login, world["commissioner"])
    assert 'data-testid="commissioner-workbench"' in page
    assert world["home"].name in page and world["neighbour"].name in page
    assert 'data-testid="pending-verifications">1<' in page
    assert reverse("assessments:detail", args=[data["assessment"].pk]) in page


def test_a_verified_self_assessment_leaves_the_queue(world, login):
    from reports.tests.test_reports import submit_cmmm

    data = populate(world)
    submit_cmmm(world, world["home"], lambda item: "full" if item.level == 1 else "none",
                actor=world["commissioner"], kind="verified", verifies=data["assessment"])
    assert 'data-testid="pending-verifications">0<' in home_of(login, world["commissioner"])


def test_officers_see_their_queues_with_counts_and_other_regions_see_none_of_them(world, login):
    populate(world)
    page = home_of(login, world["county"])
    assert 'data-testid="pending-verifications">1<' in page
    assert 'data-testid="unanswered-count">1<' in page  # 设备联网 has no response yet
    assert 'data-testid="total">' in page
    assert 'data-testid="review-count">1<' in home_of(login, world["city"])  # registered in the city: its review
    other = home_of(login, world["other_city"])
    assert 'data-testid="pending-verifications">0<' in other and 'data-testid="unanswered-count">0<' in other
    assert 'data-testid="review-count">0<' in other and world["home"].name not in other


def test_the_expert_home_says_honestly_that_there_are_no_review_tasks_yet(world, login):
    page = home_of(login, world["expert"])
    assert 'data-testid="expert-workbench"' in page and "暂无评审任务" in page


def test_a_user_without_a_role_is_told_how_to_get_one(world, login):
    page = home_of(login, world["nobody"])
    assert 'data-testid="no-role"' in page
