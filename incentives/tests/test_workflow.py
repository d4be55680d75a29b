"""A voucher from application to the last tranche, by role, with every refusal on the way. Synthetic data."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from incentives import ledger, services
from incentives.models import FundingApplication, LedgerEntry, Tranche
from incentives.tests.conftest import attach_contract, draft, to_last_step

pytestmark = pytest.mark.django_db
A = FundingApplication.Status


def messages(error: ValidationError) -> str:
    return " ".join(error.messages)


def test_the_voucher_goes_from_application_to_the_last_tranche(funding):
    f = funding
    application = draft(f)
    assert services.submission_problems(application) == {}
    application = to_last_step(f, application)
    assert application.status == A.IN_REVIEW and application.current_step.code == "province_decision"
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    # 30 % of 100,000 → 30,000, within the 200,000 per-enterprise cap; tranches 30 % on contract, 70 % on acceptance
    assert application.status == A.APPROVED and application.amount == Decimal("30000.00")
    assert application.voucher_code and application.budget == f["budget"]
    first, second = application.tranches.all()
    assert (first.amount, first.milestone, second.amount, second.milestone) == (
        Decimal("9000.00"), "contract", Decimal("21000.00"), "acceptance")
    assert ledger.balance(f["budget"]).committed == Decimal("30000.00")

    with pytest.raises(ValidationError, match="前提尚未满足"):  # no contract confirmed yet
        services.release(actor=f["province"], tranche=first)
    services.contract_signed(actor=f["enterprise"], application=application)
    with pytest.raises(PermissionDenied):  # the city does not hold the province's budget
        services.release(actor=f["city"], tranche=first)
    services.release(actor=f["province"], tranche=first)
    with pytest.raises(ValidationError, match="已拨付"):
        services.release(actor=f["province"], tranche=first)

    with pytest.raises(ValidationError, match="尚未确认交付"):  # the enterprise cannot accept before delivery
        services.accept(actor=f["enterprise"], application=application)
    with pytest.raises(ValidationError, match="券码不存在"):  # another provider's code, or a wrong one
        services.confirm_delivery(actor=f["provider"], voucher_code="AAAA-BBBB-CCCC")
    services.confirm_delivery(actor=f["provider"], voucher_code=application.voucher_code.lower())
    with pytest.raises(ValidationError, match="已确认交付"):
        services.confirm_delivery(actor=f["provider"], voucher_code=application.voucher_code)
    application.refresh_from_db()
    services.accept(actor=f["enterprise"], application=application)
    services.release(actor=f["province"], tranche=second)
    application.refresh_from_db()
    assert application.status == A.COMPLETED
    balance = ledger.balance(f["budget"])
    assert (balance.committed, balance.disbursed, balance.remaining) == (
        Decimal("30000.00"), Decimal("30000.00"), Decimal("970000.00"))
    kinds = list(LedgerEntry.objects.filter(application=application).values_list("kind", "amount"))
    assert kinds == [("commit", Decimal("30000.00")), ("release", Decimal("9000.00")),
                     ("release", Decimal("21000.00"))]  # fmt: skip
    timeline = list(f["home"].events.filter(kind="funding").values_list("summary", flat=True))
    assert any("批准，核定 30,000.00 元" in s for s in timeline) and any("服务商确认交付" in s for s in timeline)


def test_each_step_is_taken_by_its_own_level_only(funding):
    f = funding
    application = draft(f)
    with pytest.raises(PermissionDenied):  # only the applicant submits
        services.submit(actor=f["county"], application=application)
    services.submit(actor=f["enterprise"], application=application)
    for someone in ("city", "province", "other_city", "enterprise", "provider"):
        with pytest.raises(PermissionDenied):
            services.decide(actor=f[someone], application=application, decision="pass")
    with pytest.raises(ValidationError, match="理由"):
        services.decide(actor=f["county"], application=application, decision="return")
    services.decide(actor=f["county"], application=application, decision="return", reason="合同缺少盖章页")
    application.refresh_from_db()
    assert application.status == A.RETURNED
    services.draft_save(actor=f["enterprise"], programme=f["programme"], enterprise=f["home"],
                        application=application, summary="补充了盖章页")  # fmt: skip
    services.submit(actor=f["enterprise"], application=application)
    application.refresh_from_db()
    assert application.status == A.IN_REVIEW and application.step == 0  # back to the step that returned it


def test_submission_refusals_name_what_is_wrong(funding):
    f = funding
    application = draft(f, not_related=False)
    application.documents.all().delete()
    problems = services.submission_problems(application)
    assert "请承诺企业与服务商之间不存在关联关系" in problems["not_related"]
    assert "缺少申报材料：数字化改造服务合同" in problems["__all__"]
    # A large enterprise is not eligible for the SME voucher: the rule is named.
    f["home"].size_class = "large"
    f["home"].save(update_fields=["size_class"])
    application.refresh_from_db()
    attach_contract(application, f["enterprise"])
    with pytest.raises(ValidationError) as refused:
        services.submit(actor=f["enterprise"], application=application)
    assert "不符合申报条件：中小微企业" in messages(refused.value)
    # A closed programme takes no submission.
    f["home"].size_class = "small"
    f["home"].save(update_fields=["size_class"])
    application = FundingApplication.objects.get(pk=application.pk)  # reads the enterprise as it is now
    application = services.draft_save(actor=f["enterprise"], programme=f["programme"], enterprise=f["home"],
                                      application=application, not_related=True)  # fmt: skip
    assert services.submission_problems(application) == {}
    services.programme_set_status(actor=f["province"], programme=f["programme"], status="closed")
    application = FundingApplication.objects.get(pk=application.pk)
    with pytest.raises(ValidationError, match="不在申报期内"):
        services.submit(actor=f["enterprise"], application=application)


def test_an_unlisted_provider_or_another_providers_solution_is_refused(funding):
    from catalog.models import Provider, Solution

    f = funding
    other = Provider.objects.create(name="未入库服务商", credit_code="91360102MA00000001", region_id="360100")
    foreign = Solution.objects.create(provider=other, title="他人方案", description="合成", status="published")
    application = draft(f, provider=other, solution=foreign)
    problems = services.submission_problems(application)
    assert "所选服务商不在资源池中" in problems["provider"]
    application = draft(f, solution=foreign)
    assert "所选解决方案不是该服务商已发布的方案" in services.submission_problems(application)["solution"]


def test_the_same_contract_or_invoice_in_another_programme_or_year_is_double_funding(funding):
    f = funding
    first = draft(f, contract_number="HT-2026-0777", invoice_numbers="FP-9001, FP-9002")
    services.submit(actor=f["enterprise"], application=first)
    from incentives.tests.conftest import voucher_data
    from regions.models import Region

    data = voucher_data(code="sme-voucher-2027", year=2027, name="2027年度服务券")
    next_year = services.programme_load(actor=f["province"], region=Region.objects.get(code="360000"), data=data)
    services.programme_set_status(actor=f["province"], programme=next_year, status="open")
    again = services.draft_save(
        actor=f["enterprise"], programme=next_year, enterprise=f["home"], project_name="同一项目再申请",
        contract_number="ht 2026 0777", invoice_numbers="FP9002", provider=f["provider_org"], solution=f["solution"],
        cost=Decimal("100000"), not_related=True,
    )  # fmt: skip
    attach_contract(again, f["enterprise"])
    with pytest.raises(ValidationError) as refused:
        services.submit(actor=f["enterprise"], application=again)
    text = messages(refused.value)
    assert f"合同编号 HT20260777 已用于“{f['programme'].name}”（2026 年度）的申请 第 {first.pk} 号" in text
    assert "发票号码 FP9002" in text
    # Once the first is withdrawn its numbers are free again.
    services.withdraw(actor=f["enterprise"], application=first)
    services.submit(actor=f["enterprise"], application=again)


def test_approval_beyond_the_budget_is_refused_and_the_application_waits_at_its_step(funding):
    f = funding
    services.budget_set(actor=f["province"], programme=f["programme"], region=f["budget"].region, year=2026,
                        amount=Decimal("50000"))  # fmt: skip
    first, second = to_last_step(f, draft(f)), to_last_step(f, draft(f))
    services.decide(actor=f["province"], application=first, decision="pass")
    with pytest.raises(ValidationError) as refused:
        services.decide(actor=f["province"], application=second, decision="pass")
    assert "预算余额不足" in messages(refused.value) and "剩余 20,000.00 元" in messages(refused.value)
    second.refresh_from_db()
    assert second.status == A.IN_REVIEW and second.current_step.code == "province_decision"
    # An officer may grant less than the quote — never more, and never more than is left.
    with pytest.raises(ValidationError, match="不超过按规则可支持的"):
        services.decide(actor=f["province"], application=second, decision="pass", amount=Decimal("30000.01"))
    services.decide(actor=f["province"], application=second, decision="pass", amount=Decimal("20000"))
    f["budget"].refresh_from_db()
    assert ledger.balance(f["budget"]).remaining == Decimal("0.00")
    with pytest.raises(ValidationError, match="不能低于已承诺"):
        services.budget_set(actor=f["province"], programme=f["programme"], region=f["budget"].region, year=2026,
                            amount=Decimal("49999"))  # fmt: skip


def test_the_per_enterprise_cap_counts_earlier_grants(funding):
    f = funding
    first = to_last_step(f, draft(f, cost="600000"))  # 30 % = 180,000
    services.decide(actor=f["province"], application=first, decision="pass")
    second = draft(f, cost="600000")
    quote = services.quote(second)
    assert quote.value == Decimal("20000.00") and "单个企业" in quote.capped_by


def test_a_county_budget_is_drawn_first_and_splits_never_exceed_the_parent(funding):
    from regions.models import Region

    f = funding
    city = Region.objects.get(code="360100")
    county = Region.objects.get(code="360102")
    services.budget_set(actor=f["province"], programme=f["programme"], region=city, year=2026, amount=Decimal("400000"))
    with pytest.raises(PermissionDenied):  # the county's share is set by its city, not by another city
        services.budget_set(actor=f["other_city"], programme=f["programme"], region=county, year=2026,
                            amount=Decimal("1"))  # fmt: skip
    services.budget_set(actor=f["city"], programme=f["programme"], region=county, year=2026, amount=Decimal("100000"))
    with pytest.raises(ValidationError, match="超过本级预算"):
        services.budget_set(actor=f["province"], programme=f["programme"], region=Region.objects.get(code="360400"),
                            year=2026, amount=Decimal("600001"))  # fmt: skip
    application = to_last_step(f, draft(f))
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    assert application.budget.region_id == "360102"
    assert ledger.balance(f["budget"]).remaining == Decimal("600000.00")  # 1,000,000 − 400,000 split to 南昌


def test_clawback_and_cancellation_are_ledger_rows_and_balances_follow(funding):
    f = funding
    application = to_last_step(f, draft(f))
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    services.contract_signed(actor=f["enterprise"], application=application)
    first = application.tranches.get(number=1)
    services.release(actor=f["province"], tranche=first)
    with pytest.raises(ValidationError, match="不超过已拨付"):
        services.clawback(actor=f["province"], application=application, amount=Decimal("9000.01"), reason="未交付")
    with pytest.raises(ValidationError, match="原因"):
        services.clawback(actor=f["province"], application=application, amount=Decimal("9000"), reason=" ")
    with pytest.raises(PermissionDenied):
        services.clawback(actor=f["other_city"], application=application, amount=Decimal("9000"), reason="未交付")
    services.clawback(actor=f["province"], application=application, amount=Decimal("9000"), reason="服务商未交付")
    application.refresh_from_db()
    assert application.status == A.CANCELLED
    assert application.tranches.get(number=2).status == Tranche.Status.CANCELLED
    balance = ledger.balance(f["budget"])
    assert (balance.committed, balance.disbursed, balance.remaining) == (
        Decimal("0.00"), Decimal("0.00"), Decimal("1000000.00"))
    kinds = list(LedgerEntry.objects.filter(application=application).values_list("kind", "amount", "reason"))
    assert kinds == [("commit", Decimal("30000.00"), ""), ("release", Decimal("9000.00"), "签约后拨付"),
                     ("clawback", Decimal("9000.00"), "服务商未交付"),
                     ("cancel", Decimal("21000.00"), "服务商未交付")]  # fmt: skip


def test_the_reassessment_delta_is_recorded_on_the_grant_and_in_the_providers_scorecard(funding, monkeypatch):
    from assessments.models import Assessment, AssessmentResult, ModelVersion
    from catalog import evaluation
    from catalog.models import DeliveryOutcome

    f = funding
    version = ModelVersion.objects.filter(code="sme-2024", is_current=True).first()
    if version is None:
        pytest.skip("the SME-2024 model is not loaded")

    def result(level: int, score: float):
        from django.utils import timezone

        assessment = Assessment.objects.create(
            enterprise=f["home"], model_version=version, model_code="sme-2024", kind="self", status="submitted",
            submitted_at=timezone.now(),
        )  # fmt: skip
        return AssessmentResult.objects.create(
            assessment=assessment, model_version=version, score=score, scale_max=100, level=level,
            level_name=f"{level}级", snapshot={},
        )  # fmt: skip

    result(1, 35.0)
    application = to_last_step(f, draft(f))
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    assert application.baseline_result.level == 1
    with pytest.raises(ValidationError, match="验收后"):
        services.request_reassessment(actor=f["enterprise"], application=application)
    services.confirm_delivery(actor=f["provider"], voucher_code=application.voucher_code)
    application.refresh_from_db()
    services.accept(actor=f["enterprise"], application=application)
    application.refresh_from_db()
    services.request_reassessment(actor=f["enterprise"], application=application)
    assert application.followup_result is None  # nothing submitted since acceptance yet
    result(2, 52.5)
    assert services.record_outcomes() == 1
    application.refresh_from_db()
    assert (application.level_delta, application.score_delta) == (1, 17.5)
    outcome = DeliveryOutcome.objects.get(reference=f"funding:{application.pk}")
    assert outcome.provider == f["provider_org"] and outcome.level_delta == 1
    scored = evaluation.evaluate(actor=f["province"], provider=f["provider_org"])
    assert scored.answers["measured_improvement"] == 1.0  # the band of +1 level: 5 of 5 points


def test_a_split_never_hands_down_what_the_parent_has_already_granted(funding):
    from regions.models import Region

    f = funding
    services.budget_set(actor=f["province"], programme=f["programme"], region=f["budget"].region, year=2026,
                        amount=Decimal("100000"))  # fmt: skip
    application = to_last_step(f, draft(f, cost="200000"))  # 30 % → 60,000 committed on the province's budget
    services.decide(actor=f["province"], application=application, decision="pass")
    with pytest.raises(ValidationError, match="加上本级已承诺的 60,000.00 元"):
        services.budget_set(actor=f["province"], programme=f["programme"], region=Region.objects.get(code="360100"),
                            year=2026, amount=Decimal("40000.01"))  # fmt: skip
    services.budget_set(actor=f["province"], programme=f["programme"], region=Region.objects.get(code="360100"),
                        year=2026, amount=Decimal("40000"))  # fmt: skip
    f["budget"].refresh_from_db()
    assert ledger.balance(f["budget"]).remaining == Decimal("0.00")
