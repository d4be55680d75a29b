"""The data-security demo (synthetic, labelled) over the synthetic demo province: assets, filings at every state,
four incidents (one re-graded by the regulator), drills, the key list and risk assessments, reached through the
services; loaded once, replaced and cleared without leaving anything."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from datasecurity import demo, keylist
from datasecurity.models import (
    DataAsset,
    Drill,
    Filing,
    Incident,
    KeyEnterprise,
    KeyListPublication,
    RiskAssessment,
)
from enterprises.demo import seed_demo

pytestmark = pytest.mark.django_db


def test_the_demo_loads_once_replaces_and_clears(capsys):
    seed_demo(province="36", enterprises=40, seed=1, password="Demo-pass-2026!")
    counts = demo.seed("36")
    assert all(a.name.endswith("（演示）") for a in DataAsset.objects.all())
    assert counts["assets"] == DataAsset.objects.count()
    statuses = set(Filing.objects.values_list("status", flat=True))
    assert statuses == {"accepted", "submitted", "returned", "change_due"}
    late = Incident.objects.get(title__startswith="MES")
    assert late.escalations == 2 and late.status == "recorded"
    assert Incident.objects.filter(escalations=0).count() == 3  # the others were reported before a clock ran out
    regraded = Incident.objects.get(regraded_at__isnull=False)
    assert (regraded.self_level, regraded.level) == ("minor", "major")
    assert {c["code"]: c["met"] for c in regraded.clocks} == {"miit": False, "cac": True}
    done = Drill.objects.filter(status="done")
    assert sorted(d.score for d in done) == pytest.approx([1 / 3, 2 / 3, 1.0]) and done.count() == 3
    assert Drill.objects.filter(retest_of__isnull=False).count() == 1
    assert Drill.objects.filter(enterprise__isnull=True, status="planned").count() == 1
    assert all(d.actions.count() == 1 for d in done)
    statuses = sorted(KeyEnterprise.objects.values_list("status", flat=True))
    assert statuses == ["listed", "listed", "listed", "proposed", "removed"]
    publication = KeyListPublication.objects.get()  # 第 1 期, before the removal and a level change: 待公布
    assert publication.number == 1 and publication.entries.count() == 4
    pending = keylist.pending("36")
    assert (len(pending["added"]), len(pending["removed"]), len(pending["changed"])) == (0, 1, 1)
    assert RiskAssessment.objects.count() == 3 and RiskAssessment.objects.overdue(timezone.now()).count() == 1
    assert sorted(RiskAssessment.objects.values_list("status", flat=True)) == ["completed", "completed", "rectified"]
    assert demo.seed("36") is None
    assert demo.seed("36", replace=True)["incidents"] == 4 and Incident.objects.count() == 4
    call_command("seed_demo_datasecurity", "--clear")
    assert not DataAsset.objects.exists() and not Filing.objects.exists() and not Incident.objects.exists()
    assert not Drill.objects.exists() and not KeyEnterprise.objects.exists() and not RiskAssessment.objects.exists()
    assert not KeyListPublication.objects.exists()


def test_the_command_skips_quietly_without_the_demo_accounts(capsys):
    call_command("seed_demo_datasecurity", "--province", "36")
    assert "缺少演示账号" in capsys.readouterr().out and not DataAsset.objects.exists()
