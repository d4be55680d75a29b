"""Findings written before visibility existed: those an issued report already printed stay shared."""

import importlib

import pytest
from django.apps import apps

from enterprises.models import EnterpriseEvent
from reports import services
from reports.models import Finding
from reports.tests.test_reports import level_one_only, submit_cmmm

pytestmark = pytest.mark.django_db


def test_findings_in_an_issued_report_stay_shared_and_the_others_become_internal(world):
    migration = importlib.import_module("reports.migrations.0003_finding_visibility")
    submit_cmmm(world, world["home"], level_one_only)
    printed = services.add_finding(
        actor=world["county"], enterprise=world["home"], kind="finding", text="已印入报告的意见", visibility="shared"
    )
    services.issue_report(actor=world["county"], enterprise=world["home"])
    later = services.add_finding(
        actor=world["county"], enterprise=world["home"], kind="finding", text="出具后才写的意见", visibility="shared"
    )
    # Elsewhere the same words, never issued for that enterprise: not shared by coincidence.
    same_words = services.add_finding(
        actor=world["city"], enterprise=world["neighbour"], kind="finding", text="已印入报告的意见", visibility="shared"
    )
    Finding.objects.update(visibility="internal")
    EnterpriseEvent.objects.filter(kind="note").update(visibility="internal")
    migration.share_issued_findings(apps, None)
    got = {f.pk: f.visibility for f in Finding.objects.all()}
    assert got == {printed.pk: "shared", later.pk: "internal", same_words.pk: "internal"}
    note = EnterpriseEvent.objects.get(kind="note", data__finding_id=printed.pk)
    assert note.visibility == "shared"
    assert EnterpriseEvent.objects.get(kind="note", data__finding_id=later.pk).visibility == "internal"


def test_a_finding_is_internal_unless_its_writer_shares_it_and_only_shared_ones_enter_the_report(world, login):
    from django.urls import reverse

    from reports.compose import compose

    submit_cmmm(world, world["home"], level_one_only)
    url = reverse("reports:finding_add", args=[world["home"].pk])
    county = login(world["county"])
    assert county.post(url, {"kind": "finding", "text": "负责人意愿不强"}).status_code == 200
    assert county.post(url, {"kind": "finding", "text": "建议先做设备联网", "visibility": "shared"}).status_code == 200
    assert dict(Finding.objects.values_list("text", "visibility")) == {
        "负责人意愿不强": "internal",
        "建议先做设备联网": "shared",
    }
    assert [f["text"] for f in compose(world["home"], world["county"])["findings"]] == ["建议先做设备联网"]


def test_an_internal_finding_does_not_exist_for_the_enterprise(world, login):
    from django.urls import reverse

    finding = services.add_finding(actor=world["county"], enterprise=world["home"], kind="finding", text="内部意见")
    client = login(world["enterprise"])
    for name in ("reports:finding_edit", "reports:finding_remove"):
        assert client.post(reverse(name, args=[finding.pk]), {"text": "改写"}).status_code == 404
    finding.refresh_from_db()
    assert finding.text == "内部意见" and finding.removed_at is None
