"""Synthetic demo assessments: submitted, scored by the engine, skewed low, marked synthetic, seeded once."""

import io
from collections import Counter

import pytest
from django.core.management import CommandError, call_command

import maturity
from accounts.models import User
from assessments.demo import SYNTHETIC, DemoAssessmentError, seed_demo_assessments
from assessments.models import Assessment, AssessmentResult, DomainScore
from enterprises.demo import seed_demo
from enterprises.models import Enterprise, EnterpriseEvent

pytestmark = pytest.mark.django_db

N = 60


@pytest.fixture
def province(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(province="36", enterprises=N, seed=3, password="Demo-pass-2026!")


def test_submitted_assessments_carry_the_engines_result(province):
    counts = seed_demo_assessments(seed=1)
    assessments = list(Assessment.objects.select_related("model_version"))
    assert counts["assessments"] == len(assessments) and counts["cmmm"] > 0 and counts["sme"] > 0
    assert {a.status for a in assessments} == {"submitted"} and all(a.submitted_at for a in assessments)
    results = {r.assessment_id: r for r in AssessmentResult.objects.filter(is_current=True)}
    assert set(results) == {a.pk for a in assessments}
    for a in assessments:
        expected = maturity.score(a.model_version.parsed(), a.answers, a.context)
        r = results[a.pk]
        assert (r.score, r.level, r.level_name) == (expected.score, expected.level, expected.level_name)
        assert r.snapshot == expected.to_dict() and a.answered_count == len(a.answers)
        assert r.computed_at == a.submitted_at == a.created_at
    assert DomainScore.objects.count() == sum(len(r.snapshot["nodes"]) for r in results.values())
    assert EnterpriseEvent.objects.filter(kind="assessed").count() == len(assessments)


def test_everything_written_is_marked_synthetic(province):
    real = Enterprise.objects.create(
        credit_code="91360102MA0000000X", name="真实企业有限公司", county_id="360102", industry_id="34"
    )
    seed_demo_assessments(seed=1)
    assert not Assessment.objects.filter(enterprise=real).exists()
    assert set(Assessment.objects.values_list("enterprise__is_synthetic", flat=True)) == {True}
    assert all(a.context["synthetic"] is True for a in Assessment.objects.all())
    assert set(AssessmentResult.objects.values_list("reason", flat=True)) == {SYNTHETIC}
    assert all(
        SYNTHETIC in s for s in EnterpriseEvent.objects.filter(kind="assessed").values_list("summary", flat=True)
    )


def test_levels_are_skewed_low_like_the_national_distribution():
    """On the engine alone (no database): 1,000 draws against the 2022 index report's shape (§1.4)."""
    import random

    from assessments.demo import CMMM_TARGETS, _target, cmmm_answers
    from maturity.library import load

    spec = load("cmmm-2020")
    context = {"production_type": "discrete", "industry": "34", "size": "small"}
    rng = random.Random(7)
    levels = Counter(
        maturity.score(spec, cmmm_answers(rng, spec, context, _target(rng, rng.random())), context).level
        for _ in range(1000)
    )
    share = {k: v / 1000 for k, v in levels.items()}
    assert share.get(0, 0) + share.get(1, 0) == pytest.approx(CMMM_TARGETS[0] + CMMM_TARGETS[1], abs=0.06)
    assert share.get(2, 0) == pytest.approx(0.21, abs=0.05)
    assert share.get(3, 0) == pytest.approx(0.12, abs=0.04)
    assert share.get(4, 0) + share.get(5, 0) < 0.08


def test_demo_personas_have_results_history_and_a_verification(province):
    seed_demo_assessments(seed=1)
    enterprise_user = User.objects.get(username="enterprise")
    home = enterprise_user.memberships.get().enterprise
    own = Assessment.objects.filter(enterprise=home)
    cmmm_self = own.filter(model_code="cmmm", kind="self").order_by("submitted_at")
    assert cmmm_self.count() == 2 and own.filter(model_code="sme-2024").exists()
    first, second = cmmm_self
    assert (second.submitted_at - first.submitted_at).days >= 180
    commissioner = User.objects.get(username="commissioner")
    check = Assessment.objects.get(enterprise=home, kind="verified")
    assert check.created_by == commissioner and check.verifies == second
    changed = {c for c in check.answers if check.answers[c] != second.answers.get(c)}
    assert changed and set(check.reasons) == changed and all(check.reasons.values())
    assert Assessment.objects.visible_to(enterprise_user).filter(kind="verified").exists()
    assert Assessment.objects.visible_to(commissioner).filter(pk=check.pk).exists()


def test_same_seed_gives_the_same_answers(province):
    seed_demo_assessments(seed=5)
    first = list(Assessment.objects.order_by("enterprise_id", "model_code", "submitted_at").values_list("answers"))
    seed_demo_assessments(seed=5, replace=True)
    again = list(Assessment.objects.order_by("enterprise_id", "model_code", "submitted_at").values_list("answers"))
    assert first == again


def test_the_command_seeds_once_with_if_empty(province):
    out = io.StringIO()
    call_command("seed_demo_assessments", "--if-empty", stdout=out)
    assert "已生成合成演示评估" in out.getvalue()
    before = list(Assessment.objects.order_by("pk").values_list("pk", flat=True))
    out = io.StringIO()
    call_command("seed_demo_assessments", "--if-empty", stdout=out)
    assert "未生成" in out.getvalue()
    assert list(Assessment.objects.order_by("pk").values_list("pk", flat=True)) == before
    with pytest.raises(CommandError, match="--replace"):
        call_command("seed_demo_assessments", stdout=io.StringIO())


def test_without_synthetic_enterprises_it_says_so(db):
    with pytest.raises(DemoAssessmentError, match="seed_demo"):
        seed_demo_assessments()


def test_replacing_the_demo_province_removes_its_assessments(province):
    seed_demo_assessments(seed=1)
    call_command("seed_demo_assessments", "--clear", stdout=io.StringIO())  # as `make demo` does first
    assert not Assessment.objects.exists() and Enterprise.objects.exists()
    seed_demo(province="36", enterprises=N, seed=3, password="Demo-pass-2026!", replace=True)
    assert not Assessment.objects.exists() and not DomainScore.objects.exists()
    seed_demo_assessments(seed=1)
    assert Assessment.objects.filter(kind="verified").exists()
