"""The loop starts at the diagnosis: a roadmap step's scenario names the funding programmes that pay for it, and
the report's web page links a programme that takes applications to its eligibility check (the PDF does not link).
Synthetic data."""

import pytest
from django.urls import reverse

from catalog.models import Scenario
from incentives import services
from incentives.tests.conftest import voucher_data
from regions.models import Region
from reports.models import DiagnosisReport
from reports.tests.test_reports import submit_cmmm

pytestmark = pytest.mark.django_db


def test_the_report_links_an_open_voucher_for_its_gap_to_the_eligibility_check(world, login):
    submit_cmmm(world, world["home"], lambda item: "none" if item.code.startswith("M2.2") else "full")
    scheduling = Scenario.objects.get(name="车间智能排产")
    programme = services.programme_load(actor=world["province"], region=Region.objects.get(code="360000"),
                                        data=voucher_data())  # fmt: skip
    programme.scenarios.set([scheduling])
    closed_one = services.programme_load(actor=world["province"], region=Region.objects.get(code="360000"),
                                         data=voucher_data(code="not-open-yet", name="尚未开放的服务券"))  # fmt: skip
    closed_one.scenarios.set([scheduling])
    services.programme_set_status(actor=world["province"], programme=programme, status="open")

    client = login(world["county"])
    client.post(reverse("reports:issue", args=[world["home"].pk]), {"target_level": 5, "target_tier": ""})
    report = DiagnosisReport.objects.get()
    page = login(world["enterprise"]).get(reverse("reports:detail", args=[report.pk])).content.decode()
    assert programme.name in page and closed_one.name not in page  # a draft programme is not offered
    assert reverse("incentives:eligibility", args=[programme.pk]) in page
    pdf_html = client.get(reverse("reports:pdf", args=[report.pk]))
    assert pdf_html.status_code == 200  # the PDF carries the name only (checked in the report tests)
