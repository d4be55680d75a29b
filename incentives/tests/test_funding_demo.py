"""The funding demo (synthetic, labelled) over the synthetic demo province: the example programmes opened with a
budget split to two cities, and the demo enterprise's applications at three states, reached through the services;
loaded once, replaced, and cleared without leaving anything."""

import pytest
from django.core.management import call_command

from catalog import demo as catalog_demo
from enterprises.demo import seed_demo
from enterprises.models import EnterpriseEvent
from incentives import funding_demo as demo
from incentives import ledger
from incentives.models import Budget, FundingApplication, LedgerEntry, Programme

pytestmark = pytest.mark.django_db


def test_the_demo_loads_each_state_once_and_clears_without_a_trace(client):
    seed_demo(province="36", enterprises=300, seed=1, password="Demo-pass-2026!")
    catalog_demo.seed(province="36", seed=1)
    counts = demo.seed("36")
    assert counts["programmes"] == Programme.objects.filter(code__startswith="demo-").count() == 5
    assert all(p.name.endswith("（演示）") and p.status == "open" and p.is_synthetic
               for p in Programme.objects.filter(code__startswith="demo-"))  # fmt: skip
    assert Budget.objects.filter(parent__isnull=True).count() == 5 and Budget.objects.count() == 15
    statuses = sorted(FundingApplication.objects.values_list("status", flat=True))
    assert statuses == ["approved", "approved", "in_review"]
    assert FundingApplication.objects.exclude(voucher_code="").count() == 2
    assert LedgerEntry.objects.filter(kind="release").count() == 1
    budget = FundingApplication.objects.filter(status="approved").first().budget
    assert ledger.balance(budget).committed > 0

    assert demo.seed("36") is None  # not twice
    assert demo.seed("36", replace=True)["applications"] == 3

    call_command("seed_demo_funding", "--clear")
    assert not Programme.objects.filter(code__startswith="demo-").exists()
    assert not FundingApplication.objects.exists() and not Budget.objects.exists()
    assert not EnterpriseEvent.objects.filter(summary__contains="（演示）", kind="funding").exists()


def test_the_command_skips_quietly_without_the_demo_accounts(capsys):
    call_command("seed_demo_funding", "--province", "36")
    assert "缺少演示账号" in capsys.readouterr().out and not Programme.objects.exists()
