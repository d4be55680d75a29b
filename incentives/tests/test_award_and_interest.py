"""An award by grade and a loan interest subsidy through the same chain and ledger, with their own refusals.
Synthetic data; amounts worked out by hand from the example programmes."""

from decimal import Decimal

import pytest
import yaml
from django.core.exceptions import ValidationError

from enterprises.models import EnterpriseLabel
from incentives import ledger, rules, services
from incentives.models import FundingApplication
from incentives.tests.conftest import attach_contract
from regions.models import Region

pytestmark = pytest.mark.django_db


def load(world, name: str, region: str):
    data = yaml.safe_load((rules.EXAMPLES / name).read_text(encoding="utf-8"))
    data.pop("opens"), data.pop("closes")
    data["documents"] = [{"code": "contract", "name": "证明材料"}]
    programme = services.programme_load(actor=world["province"], region=Region.objects.get(code=region), data=data)
    services.programme_set_status(actor=world["province"], programme=programme, status="open")
    services.budget_set(actor=world["province"], programme=programme, region=programme.region, year=2026,
                        amount=Decimal("5000000"))  # fmt: skip
    return programme


def test_an_award_pays_the_fixed_amount_of_the_tier_the_enterprise_holds_and_no_higher_grade(world):
    programme = load(world, "tier-award.yaml", "360000")
    home = world["home"]
    home.is_above_scale = True
    home.save(update_fields=["is_above_scale"])
    EnterpriseLabel.objects.create(enterprise=home, label_id="tier-advanced", year=2026)
    application = services.draft_save(actor=world["enterprise"], programme=programme, enterprise=home,
                                      project_name="先进级智能工厂奖励", grade="leading")  # fmt: skip
    attach_contract(application, world["enterprise"])
    problems = services.submission_problems(application)
    assert problems["grade"] == ["申报等次为领航级，企业目前获得的认定为先进级，不能按该等次申报"]
    application = services.draft_save(actor=world["enterprise"], programme=programme, enterprise=home,
                                      application=application, grade="advanced")  # fmt: skip
    services.submit(actor=world["enterprise"], application=application)
    with pytest.raises(Exception, match="市级"):  # the province does not take the city's check
        services.decide(actor=world["province"], application=application, decision="pass")
    services.decide(actor=world["city"], application=application, decision="pass")
    services.decide(actor=world["province"], application=application, decision="pass")
    application.refresh_from_db()
    assert application.status == FundingApplication.Status.APPROVED and application.amount == Decimal("300000.00")
    assert application.voucher_code == ""  # only vouchers are redeemed with a code
    (tranche,) = application.tranches.all()  # the default: everything on acceptance
    with pytest.raises(ValidationError, match="企业验收"):
        services.release(actor=world["province"], tranche=tranche)
    services.accept(actor=world["enterprise"], application=application)  # no provider: no delivery to wait for
    services.release(actor=world["province"], tranche=tranche)
    assert ledger.of_application(application).disbursed == Decimal("300000.00")


def test_a_loan_interest_subsidy_is_principal_times_points_times_years_within_its_caps(world):
    programme = load(world, "loan-interest.yaml", "360102")
    home = world["home"]
    home.employees = 120
    home.save(update_fields=["employees"])
    application = services.draft_save(actor=world["enterprise"], programme=programme, enterprise=home,
                                      project_name="产线改造贷款", principal=Decimal("10000000"),
                                      contract_number="DK-2026-01")  # fmt: skip
    attach_contract(application, world["enterprise"])
    quote = services.quote(application)
    # 10,000,000 × 1.5 % × 2 years = 300,000, under the 400,000 per-project cap
    assert quote.value == Decimal("300000.00") and quote.capped_by == ""
    application.principal = Decimal("20000000")
    application.save(update_fields=["principal"])
    assert services.quote(application).value == Decimal("400000.00")  # 600,000 capped per project
    services.submit(actor=world["enterprise"], application=application)
    with pytest.raises(Exception, match="区县"):
        services.decide(actor=world["city"], application=application, decision="pass")
    services.decide(actor=world["county"], application=application, decision="pass")
    services.decide(actor=world["county"], application=application, decision="pass")
    application.refresh_from_db()
    assert application.amount == Decimal("400000.00")
    assert [t.amount for t in application.tranches.all()] == [Decimal("200000.00"), Decimal("200000.00")]
    # A small workshop (under 20 staff) is told which rule it misses.
    home.employees = 12
    home.save(update_fields=["employees"])
    check = services.eligibility(programme, home)
    assert not check.ok and any("从业人员不少于 20 人" in line for line in check.not_met)
