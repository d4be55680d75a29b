"""Funding reports: sums by programme, region, provider and year, scoped to the officer; outcomes against
comparable unfunded enterprises. Synthetic data; every expected figure is worked out by hand."""

from decimal import Decimal

import pytest

from incentives import reports, services
from incentives.tests.conftest import draft, to_last_step

pytestmark = pytest.mark.django_db


def approve(f, enterprise=None, user=None, cost="100000"):
    application = draft(f, enterprise=enterprise, user=user, cost=cost)
    application = to_last_step_for(f, application, user)
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    return application


def to_last_step_for(f, application, user):
    if user is None:
        return to_last_step(f, application)
    services.submit(actor=user, application=application)
    county = {"360111": f["county_qsh"]}[application.enterprise.county_id]
    services.decide(actor=county, application=application, decision="pass")
    services.decide(actor=f["city"], application=application, decision="pass")
    application.refresh_from_db()
    return application


def test_sums_by_programme_region_provider_and_year_follow_the_ledger_and_the_scope(funding, make_user):
    from accounts.models import Role

    f = funding
    f["neighbour"].size_class = "medium"
    f["neighbour"].save(update_fields=["size_class"])
    f["county_qsh"] = make_user("qsh", Role.COUNTY_OFFICER, region="360111")
    neighbour_user = make_user("neighbour_user", Role.ENTERPRISE, enterprise=f["neighbour"])
    home = approve(f)  # 30,000 committed
    services.contract_signed(actor=f["enterprise"], application=home)
    services.release(actor=f["province"], tranche=home.tranches.get(number=1))  # 9,000 paid
    approve(f, enterprise=f["neighbour"], user=neighbour_user, cost="50000")  # 15,000 committed

    province = reports.summary(f["province"], year=2026)
    (programme,) = province["programmes"]
    assert (programme["budget"], programme["committed"], programme["disbursed"], programme["remaining"]) == (
        Decimal("1000000"), Decimal("45000.00"), Decimal("9000.00"), Decimal("955000.00"))
    by_county = {r["code"]: (r["committed"], r["disbursed"]) for r in province["regions"]}
    assert by_county == {"360102": (Decimal("30000.00"), Decimal("9000.00")),
                         "360111": (Decimal("15000.00"), Decimal("0.00"))}  # fmt: skip
    assert [(r["name"], r["committed"]) for r in province["providers"]] == [("测试服务商有限公司", Decimal("45000.00"))]
    assert [(r["year"], r["committed"]) for r in province["years"]] == [(2026, Decimal("45000.00"))]

    county = reports.summary(f["county"], year=2026)  # 东湖区 only: its own enterprise's money
    assert [r["code"] for r in county["regions"]] == ["360102"]
    assert county["programmes"][0]["committed"] == Decimal("30000.00")
    # Paid from the province's budget: the county holds none of it, so no budget and no "remaining" of its own.
    assert county["programmes"][0]["budget"] is None and county["programmes"][0]["remaining"] is None
    assert reports.summary(f["other_city"], year=2026) == {"programmes": [], "regions": [], "providers": [],
                                                           "years": []}  # fmt: skip


def test_outcomes_compare_funded_enterprises_with_comparable_unfunded_ones(funding, make_enterprise):
    import datetime as dt

    from django.utils import timezone

    from assessments.models import Assessment, AssessmentResult, ModelVersion

    f = funding
    version = ModelVersion.objects.get(code="sme-2024", is_current=True)

    def result(enterprise, level, when):
        assessment = Assessment.objects.create(enterprise=enterprise, model_version=version, model_code="sme-2024",
                                               kind="self", status="submitted", submitted_at=when)  # fmt: skip
        AssessmentResult.objects.create(assessment=assessment, model_version=version, score=level * 20.0,
                                        scale_max=100, level=level, level_name="", snapshot={})  # fmt: skip

    now = timezone.now()
    result(f["home"], 1, now - dt.timedelta(days=30))
    grant = approve(f)
    services.confirm_delivery(actor=f["provider"], voucher_code=grant.voucher_code)
    grant.refresh_from_db()
    services.accept(actor=f["enterprise"], application=grant)
    grant.refresh_from_db()
    result(f["home"], 3, timezone.now() + dt.timedelta(seconds=1))
    services.request_reassessment(actor=f["enterprise"], application=grant)
    # Unfunded, same size class, in the province: one rose a level over the same time, one stayed; a large one and
    # one with no result before the grant are not comparable.
    rose, stayed = make_enterprise("360102", size_class="small"), make_enterprise("360402", size_class="small")
    large, late = make_enterprise("360102", size_class="large"), make_enterprise("360102", size_class="small")
    for enterprise, before, after in ((rose, 1, 2), (stayed, 2, 2), (large, 1, 4)):
        result(enterprise, before, now - dt.timedelta(days=60))
        result(enterprise, after, timezone.now() + dt.timedelta(seconds=2))
    result(late, 3, timezone.now() + dt.timedelta(seconds=2))

    out = reports.outcomes(f["province"], f["programme"])
    assert out["funded"]["n"] == 1 and out["funded"]["level"] == 2
    assert out["comparison"] == {"n": 2, "level": 0.5}
    # The county officer of 东湖区 compares within 东湖区 only: 濂溪区's enterprise is not theirs.
    assert reports.outcomes(f["county"], f["programme"])["comparison"] == {"n": 1, "level": 1.0}
