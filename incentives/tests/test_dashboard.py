"""Funding in the monitoring dashboards: per city (province view) or per industry (county view), from the ledger.
Synthetic data; the expected figures are worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from incentives import services
from incentives.tests.conftest import draft, to_last_step
from monitoring import figures
from monitoring.figures import View
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_funding_figure_follows_the_ledger_by_region_and_by_industry(funding, login):
    f = funding
    grant = to_last_step(f, draft(f))  # 30 % of 100,000
    services.decide(actor=f["province"], application=grant, decision="pass")
    grant.refresh_from_db()
    services.contract_signed(actor=f["enterprise"], application=grant)
    services.release(actor=f["province"], tranche=grant.tranches.get(number=1))  # 9,000
    grant.level_delta = 1  # as record_outcome writes it after a re-assessment
    grant.save(update_fields=["level_delta"])

    province = figures.funding(View(region=Region.objects.get(code="360000"), year=2026))
    assert province.rows == [["南昌市", Decimal("3.00"), Decimal("0.90"), 1, 1, 1.0]]
    county = figures.funding(View(region=Region.objects.get(code="360102"), year=2026))
    assert [row[1:] for row in county.rows] == [[Decimal("3.00"), Decimal("0.90"), 1, 1, 1.0]]
    assert county.rows[0][0] == f["home"].industry.name
    assert figures.funding(View(region=Region.objects.get(code="360400"), year=2026)).rows == []  # 九江: none
    assert figures.funding(View(region=Region.objects.get(code="360000"), year=dt.date(2025, 1, 1).year)).rows == []

    page = login(f["city"]).get(reverse("monitoring:figures", args=["360100"]) + "?year=2026")
    assert page.status_code == 200 and "扶持资金（2026 年）" in page.content.decode()
