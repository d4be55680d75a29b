"""The recognition demo (synthetic, labelled) over the synthetic demo province: the example programmes for the
province and its cities, an expert pool, applications at various steps — one recognised with a genuine certificate,
one on public notice — reached through the services; loaded once, replaced and cleared without leaving anything."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from enterprises.demo import seed_demo
from enterprises.models import EnterpriseEvent, EnterpriseLabel
from recognition import chain, demo, notices
from recognition.models import Application, Expert, Programme, Recognition, ReviewTask
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_demo_loads_each_step_once_and_clears_without_a_trace(client):
    seed_demo(province="36", enterprises=300, seed=1, password="Demo-pass-2026!")
    counts = demo.seed("36")
    cities = Region.objects.filter(parent_id="360000").count()
    assert counts["programmes"] == Programme.objects.count() == cities + 2
    assert all(p.code.startswith("demo-") and p.name.endswith("（演示）") for p in Programme.objects.all())
    assert Expert.objects.count() == counts["experts"] == 10
    assert (counts["recognised"], counts["on_notice"]) == (1, 1) and counts["applications"] == 4

    recognition = Recognition.objects.get()
    assert recognition.enterprise.is_synthetic and recognition.programme.code.startswith("demo-sf-basic-2026-3601")
    pdf = recognition.certificate_pdf.read()
    assert hashlib.sha256(pdf).hexdigest() == recognition.certificate_sha256
    assert EnterpriseLabel.objects.filter(enterprise=recognition.enterprise, label_id="tier-basic").exists()
    page = client.post(reverse("report_verify", args=[recognition.certificate_code]),
                       {"pdf": SimpleUploadedFile("c.pdf", pdf, "application/pdf")})  # fmt: skip
    assert 'data-testid="verify-ok"' in page.content.decode()
    assert notices.on_notice().count() == 1
    assert 'data-testid="notice-row"' in client.get(reverse("recognition:public_notices")).content.decode()
    steps = sorted(Application.objects.filter(status=chain.IN_REVIEW).values_list("step", flat=True))
    assert steps == [0, 1, 3]  # the county's check, expert review, notice
    assert ReviewTask.objects.filter(status="assigned").count() == 3  # the experts' open work

    assert demo.seed("36") is None  # not twice
    assert demo.seed("36", replace=True)["applications"] == 4 and Recognition.objects.count() == 1

    call_command("seed_demo_recognition", "--clear")
    assert not Programme.objects.exists() and not Application.objects.exists() and not Expert.objects.exists()
    assert not EnterpriseLabel.objects.filter(enterprise=recognition.enterprise, label_id="tier-basic").exists()
    assert not EnterpriseEvent.objects.filter(summary__contains="（演示）", kind="recognition").exists()
    seed_demo(province="36", enterprises=300, seed=1, password="Demo-pass-2026!", replace=True)  # nothing blocks it


def test_the_command_skips_quietly_without_the_demo_accounts(capsys):
    call_command("seed_demo_recognition", "--province", "36")
    assert "缺少演示账号" in capsys.readouterr().out and not Programme.objects.exists()
