"""The synthetic demo pools: loaded into the demo province, marked synthetic, graded, and usable by matching."""

import pytest
from django.core.management import call_command

from catalog import demo, recommend
from catalog.models import Case, Need, Provider, Solution
from enterprises.demo import seed_demo

pytestmark = pytest.mark.django_db


@pytest.fixture
def province(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    seed_demo(province="36", enterprises=120, seed=3, password="Demo-pass-2026!")


def test_demo_pools_are_synthetic_graded_and_recommendable(province):
    counts = demo.seed(province="36", seed=1)
    assert counts["providers"] == 25 and counts["solutions"] == 66 and counts["cases"] == 34
    assert not Solution.objects.filter(is_synthetic=False).exists()
    assert not Case.objects.filter(is_synthetic=False).exists()
    assert not Need.objects.filter(is_synthetic=False).exists()
    graded = Provider.objects.filter(is_synthetic=True, solutions__isnull=False).distinct()
    assert all(p.grade.endswith("级") for p in graded)
    # A case sits at a demo enterprise of its own industry, in the demo province.
    for case in Case.objects.exclude(enterprise=None).select_related("enterprise"):
        assert case.enterprise.industry_id == case.industry_id and case.region_id.startswith("36")
    need = Need.objects.first()
    assert recommend.for_need(need)  # the demo needs find something in the demo pools


def test_the_command_is_idempotent_with_if_empty(province):
    call_command("seed_demo_catalog", "--if-empty")
    call_command("seed_demo_catalog", "--if-empty")
    assert Solution.objects.count() == 66
    call_command("seed_demo_catalog", "--replace")
    assert Solution.objects.count() == 66
