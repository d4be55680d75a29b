"""An enterprise learns when a commissioner's verification of its self-assessment is submitted, and whether it changed
the result; the reviewer's item-by-item reasons stay on the assessment page."""

import pytest
from django.core import mail
from django.urls import reverse

from notifications.models import Notification
from reports.tests.test_reports import level_one_only, submit_cmmm

pytestmark = pytest.mark.django_db


@pytest.fixture
def addressed(world):
    world["enterprise"].email = "owner@example.cn"
    world["enterprise"].save(update_fields=["email"])
    return world


def test_a_verification_that_changes_the_result_says_so(addressed, django_capture_on_commit_callbacks):
    addressed["commissioner"].memberships.get().assigned_enterprises.add(addressed["home"])
    original = submit_cmmm(addressed, addressed["home"], lambda item: "full" if item.level <= 2 else "none")
    with django_capture_on_commit_callbacks(execute=True):
        check = submit_cmmm(
            addressed, addressed["home"], level_one_only, actor=addressed["commissioner"], kind="verified",
            verifies=original,
        )
    (note,) = Notification.objects.filter(kind="assessment_verified")
    assert note.recipient == addressed["enterprise"] and note.title.startswith("核验调整了您的评估结果")
    assert "自评估：" in note.body and "核验后：" in note.body
    assert note.link == reverse("assessments:detail", args=[check.pk])
    assert "现场核实" not in note.body  # the reviewer's reasons stay on the assessment page
    assert [m.to for m in mail.outbox] == [["owner@example.cn"]]


def test_a_verification_that_confirms_the_result_says_it_passed(world):
    world["commissioner"].memberships.get().assigned_enterprises.add(world["home"])
    original = submit_cmmm(world, world["home"], level_one_only)
    submit_cmmm(world, world["home"], level_one_only, actor=world["commissioner"], kind="verified", verifies=original)
    (note,) = Notification.objects.filter(kind="assessment_verified")
    assert note.title.startswith("您的自评估已通过核验")
