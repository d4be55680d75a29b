"""Funding pages by role, with every refusal a page can reach: 404 for what the user may not see (another region's
or enterprise's application, a draft, a programme of another city), 403 for what they may see but not do, and the
services' refusals shown in Chinese on the page. Synthetic data."""

from decimal import Decimal
from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts.models import Role
from incentives import services
from incentives.models import Budget, FundingApplication, LedgerEntry, Programme
from incentives.tests.conftest import draft, to_last_step, voucher_data
from regions.models import Region

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def url(name, *args):
    return reverse(f"incentives:{name}", args=args)


def approved(f, application):
    to_last_step(f, application)
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    return application


# --- programmes ---------------------------------------------------------------------------------------------------


def test_menu_and_index_show_the_programme_with_its_eligibility_link(funding, login):
    page = login(funding["enterprise"]).get(url("index"))
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-testid="nav-funding"' in text
    assert funding["programme"].name in text
    assert url("eligibility", funding["programme"].pk) in text
    assert "暂定" in text


def test_the_menu_entry_is_hidden_from_users_without_a_role(funding, login):
    assert 'data-testid="nav-funding"' not in login(funding["nobody"]).get("/").content.decode()


def test_programme_detail_explains_the_rules_in_yuan(funding, login):
    text = login(funding["enterprise"]).get(url("programme", funding["programme"].pk)).content.decode()
    assert "30%" in text and "200,000.00 元" in text  # rate, per-enterprise cap
    assert "区县审核" in text and "省级审批" in text  # chain steps
    assert "签约后拨付" in text and "验收后拨付" in text  # tranches
    assert "数字化改造服务合同" in text  # a required document
    assert 'data-testid="provisional-note"' in text
    assert 'data-testid="budgets"' not in text  # budgets are the officers'


def test_officer_sees_the_budget_and_splits_it_to_a_city(funding, login):
    client = login(funding["province"])
    page = client.post(url("budget_set", funding["programme"].pk), {"region": "360100", "year": 2026,
                                                                   "amount": "300000"})  # fmt: skip
    assert page.status_code == 302
    child = Budget.objects.get(programme=funding["programme"], region_id="360100")
    assert child.parent == funding["budget"] and child.amount == Decimal("300000")
    text = client.get(url("programme", funding["programme"].pk)).content.decode()
    assert text.count('data-testid="budget-row"') == 2
    assert "700,000.00" in text  # the province's remaining after the split


def test_a_split_beyond_the_parent_budget_is_refused_on_the_form(funding, login):
    page = login(funding["province"]).post(url("budget_set", funding["programme"].pk),
                                           {"region": "360100", "year": 2026, "amount": "2000000"})  # fmt: skip
    assert page.status_code == 422
    assert "超过本级预算" in page.content.decode()
    assert not Budget.objects.filter(region_id="360100").exists()


def test_a_county_officer_cannot_split_the_province_budget(funding, login):
    page = login(funding["county"]).post(url("budget_set", funding["programme"].pk),
                                         {"region": "360102", "year": 2026, "amount": "1000"})  # fmt: skip
    assert page.status_code == 403
    assert not Budget.objects.filter(region_id="360102").exists()


def test_an_enterprise_cannot_set_a_budget_or_close_the_programme(funding, login):
    client = login(funding["enterprise"])
    assert client.post(url("budget_set", funding["programme"].pk), {"region": "360000", "year": 2026,
                                                                    "amount": "1"}).status_code == 403  # fmt: skip
    assert client.post(url("programme_status", funding["programme"].pk), {"status": "closed"}).status_code == 403
    funding["programme"].refresh_from_db()
    assert funding["programme"].status == "open" and funding["budget"].amount == Decimal("1000000")


def test_the_province_closes_the_programme(funding, login):
    login(funding["province"]).post(url("programme_status", funding["programme"].pk), {"status": "closed"})
    assert Programme.objects.get(pk=funding["programme"].pk).status == "closed"


def test_another_citys_programme_and_a_draft_are_404_for_the_enterprise(funding, login):
    jiujiang = services.programme_load(actor=funding["admin"], region=Region.objects.get(code="360400"),
                                       data=voucher_data(code="jj-voucher", name="九江服务券"))  # fmt: skip
    services.programme_set_status(actor=funding["admin"], programme=jiujiang, status="open")
    draft_programme = services.programme_load(actor=funding["admin"], region=Region.objects.get(code="360000"),
                                              data=voucher_data(code="draft-voucher", name="未发布"))  # fmt: skip
    client = login(funding["enterprise"])
    for programme in (jiujiang, draft_programme):
        assert client.get(url("programme", programme.pk)).status_code == 404
        assert client.get(url("eligibility", programme.pk)).status_code == 404


def test_load_a_programme_from_an_uploaded_yaml_file(funding, login):
    import yaml

    data = voucher_data(code="upload-voucher", name="上传的服务券")
    body = yaml.safe_dump(data, allow_unicode=True).encode()
    page = login(funding["province"]).post(url("programme_load"), {
        "region": "360000", "rules_file": SimpleUploadedFile("p.yaml", body)})  # fmt: skip
    programme = Programme.objects.get(code="upload-voucher")
    assert page.status_code == 302 and page["Location"] == url("programme", programme.pk)
    assert programme.status == "draft"


def test_a_broken_rules_file_names_the_field(funding, login):
    body = b"code: x\nname: y\ntype: lottery\n"
    page = login(funding["province"]).post(url("programme_load"), {
        "region": "360000", "rules_file": SimpleUploadedFile("p.yaml", body)})  # fmt: skip
    assert page.status_code == 422
    assert "type" in page.content.decode()
    assert not Programme.objects.filter(code="x").exists()


def test_enterprises_and_providers_cannot_load_programmes(funding, login):
    assert login(funding["enterprise"]).get(url("programme_load")).status_code == 403
    assert login(funding["provider"]).get(url("programme_load")).status_code == 403


# --- the applicant ------------------------------------------------------------------------------------------------


def test_eligibility_is_explained_rule_by_rule(funding, login):
    text = login(funding["enterprise"]).get(url("eligibility", funding["programme"].pk)).content.decode()
    assert text.count('data-testid="eligibility-item"') == len(funding["programme"].rules.rules)
    assert "中小微企业" in text and "条件均已满足" in text
    assert url("apply", funding["programme"].pk) in text


def test_an_enterprise_that_does_not_meet_a_rule_is_told_and_not_offered_to_apply(funding, login):
    funding["home"].size_class = "large"
    funding["home"].save(update_fields=["size_class"])
    text = login(funding["enterprise"]).get(url("eligibility", funding["programme"].pk)).content.decode()
    assert "有不满足的条件" in text and 'data-testid="apply"' not in text


def test_officers_and_providers_have_no_eligibility_check_of_their_own(funding, login):
    assert login(funding["county"]).get(url("eligibility", funding["programme"].pk)).status_code == 403
    assert login(funding["provider"]).get(url("eligibility", funding["programme"].pk)).status_code == 403


def test_apply_offers_only_listed_providers_and_their_published_solutions(funding, login):
    from catalog.models import Provider, Solution
    from conftest import make_code

    unlisted = Provider.objects.create(name="未入库服务商", credit_code=make_code("360102"), region_id="360100")
    hidden = Solution.objects.create(provider=unlisted, title="未入库方案", description="合成", status="published")
    draft_solution = Solution.objects.create(provider=funding["provider_org"], title="草稿方案", description="合成")
    client = login(funding["enterprise"])
    text = client.get(url("apply", funding["programme"].pk)).content.decode()
    assert "设备联网改造方案" in text
    assert "未入库服务商" not in text and "草稿方案" not in text
    page = client.post(url("apply", funding["programme"].pk), {"project_name": "改造", "solution": hidden.pk,
                                                               "cost": "100000"})  # fmt: skip
    assert page.status_code == 422 and not FundingApplication.objects.exists()
    assert draft_solution.pk  # made to be left out


def test_apply_saves_a_draft_and_the_page_shows_the_live_quote(funding, login):
    client = login(funding["enterprise"])
    page = client.post(url("apply", funding["programme"].pk), {
        "project_name": "设备联网改造", "contract_number": "HT-1", "invoice_numbers": "FP1, FP2",
        "provider": funding["provider_org"].pk, "solution": funding["solution"].pk, "cost": "1000000",
        "not_related": "on", "summary": "合成"})  # fmt: skip
    application = FundingApplication.objects.get()
    assert page.status_code == 302 and page["Location"] == url("application", application.pk)
    assert application.invoices == ["FP1", "FP2"] and application.status == "draft"
    text = client.get(url("application", application.pk)).content.decode()
    assert "300,000.00" in text  # 30 % of the contract
    assert "单个企业上限" in text  # the binding cap: 200,000
    assert 'data-testid="binding-cap"' in text
    assert "缺少申报材料：数字化改造服务合同" in text  # what still stops the submission


def test_documents_are_checked_uploaded_and_downloaded_by_those_who_see_the_application(funding, login):
    application = services.draft_save(actor=funding["enterprise"], programme=funding["programme"],
                                      enterprise=funding["home"], project_name="改造")  # fmt: skip
    client = login(funding["enterprise"])
    client.post(url("document_upload", application.pk), {"code": "contract",
                                                         "contract-file": SimpleUploadedFile("合同.pdf", PDF)})
    document = application.documents.get()
    assert document.name == "合同.pdf" and document.size == len(PDF)
    fake = client.post(url("document_upload", application.pk), {"code": "contract",
                                                                "contract-file": SimpleUploadedFile("x.pdf", b"MZ")})
    assert fake.status_code == 302 and application.documents.count() == 1
    assert client.get(url("document_download", application.pk, document.pk)).status_code == 200
    other = login(funding["county"])
    assert other.get(url("document_download", application.pk, document.pk)).status_code == 404  # a draft
    assert other.post(url("document_delete", application.pk, document.pk)).status_code == 404
    assert application.documents.count() == 1


def test_double_funding_is_shown_with_the_other_application_named(funding, login):
    first = draft(funding)
    services.submit(actor=funding["enterprise"], application=first)
    second = draft(funding, contract_number=first.contract_number)
    client = login(funding["enterprise"])
    text = client.get(url("application", second.pk)).content.decode()
    assert f"第 {first.pk} 号" in text
    page = client.post(url("submit", second.pk), follow=True)
    assert "未能提交" in page.content.decode() or "未能办理" in page.content.decode()
    second.refresh_from_db()
    assert second.status == "draft"


def test_submit_then_withdraw(funding, login):
    application = draft(funding)
    client = login(funding["enterprise"])
    client.post(url("submit", application.pk))
    application.refresh_from_db()
    assert application.status == "in_review" and application.current_step.code == "county_check"
    client.post(url("withdraw", application.pk))
    application.refresh_from_db()
    assert application.status == "withdrawn"


def test_another_enterprise_and_another_city_get_404_for_an_application(funding, login, make_user):
    application = draft(funding)
    services.submit(actor=funding["enterprise"], application=application)
    neighbour_user = make_user("neighbour", Role.ENTERPRISE, enterprise=funding["neighbour"])
    other_county = make_user("other_county", Role.COUNTY_OFFICER, region="360111")
    for user in (neighbour_user, funding["other_city"], other_county, funding["provider"], funding["nobody"]):
        client = login(user)
        assert client.get(url("application", application.pk)).status_code == 404, user
        assert client.post(url("decide", application.pk), {"decision": "pass"}).status_code == 404, user
        assert client.post(url("withdraw", application.pk)).status_code == 404, user
    application.refresh_from_db()
    assert application.status == "in_review"


def test_a_draft_is_not_shown_to_officers(funding, login):
    application = draft(funding)
    assert login(funding["county"]).get(url("application", application.pk)).status_code == 404


def test_the_enterprise_cannot_edit_or_submit_for_another_role(funding, login):
    application = draft(funding)
    services.submit(actor=funding["enterprise"], application=application)
    client = login(funding["county"])
    assert client.get(url("application_edit", application.pk)).status_code == 403
    assert client.post(url("submit", application.pk)).status_code == 403
    assert client.post(url("withdraw", application.pk)).status_code == 403


# --- officers -----------------------------------------------------------------------------------------------------


def test_queue_holds_what_waits_at_the_officers_level(funding, login):
    application = draft(funding)
    services.submit(actor=funding["enterprise"], application=application)
    assert application.project_name in login(funding["county"]).get(url("queue")).content.decode()
    assert application.project_name not in login(funding["city"]).get(url("queue")).content.decode()
    assert login(funding["enterprise"]).get(url("queue")).status_code == 403
    assert login(funding["provider"]).get(url("queue")).status_code == 403


def test_a_city_officer_cannot_take_the_countys_step(funding, login):
    application = draft(funding)
    services.submit(actor=funding["enterprise"], application=application)
    page = login(funding["city"]).post(url("decide", application.pk), {"decision": "pass"})
    assert page.status_code == 403
    application.refresh_from_db()
    assert application.step == 0


def test_return_without_a_reason_is_refused_on_the_form(funding, login):
    application = draft(funding)
    services.submit(actor=funding["enterprise"], application=application)
    page = login(funding["county"]).post(url("decide", application.pk), {"decision": "return", "reason": ""})
    assert page.status_code == 422 and "须写明理由" in page.content.decode()
    client = login(funding["county"])
    client.post(url("decide", application.pk), {"decision": "return", "reason": "合同金额与发票不符"})
    application.refresh_from_db()
    assert application.status == "returned"
    text = login(funding["enterprise"]).get(url("application", application.pk)).content.decode()
    assert "合同金额与发票不符" in text


def test_the_last_step_approves_a_lower_amount_and_shows_the_voucher(funding, login):
    application = to_last_step(funding, draft(funding))
    client = login(funding["province"])
    assert 'name="amount"' in client.get(url("application", application.pk)).content.decode()
    too_much = client.post(url("decide", application.pk), {"decision": "pass", "amount": "999999"})
    assert too_much.status_code == 422 and "不超过按规则可支持的" in too_much.content.decode()
    client.post(url("decide", application.pk), {"decision": "pass", "amount": "20000"})
    application.refresh_from_db()
    assert application.status == "approved" and application.amount == Decimal("20000")
    text = login(funding["enterprise"]).get(url("application", application.pk)).content.decode()
    assert application.voucher_code in text


def test_approval_beyond_the_budget_is_refused_with_the_ledger_reason(funding, login):
    Budget.objects.filter(pk=funding["budget"].pk).update(amount=Decimal("100"))
    application = to_last_step(funding, draft(funding))
    page = login(funding["province"]).post(url("decide", application.pk), {"decision": "pass"})
    assert page.status_code == 422 and "预算余额不足" in page.content.decode()
    application.refresh_from_db()
    assert application.status == "in_review" and not LedgerEntry.objects.exists()


def test_release_waits_for_its_milestone_then_pays_into_the_ledger(funding, login):
    application = approved(funding, draft(funding))
    first = application.tranches.get(number=1)
    officer = login(funding["province"])
    page = officer.post(url("release", application.pk, first.pk), follow=True)
    assert "前提尚未满足" in page.content.decode()
    assert 'data-testid="clawback-form"' not in page.content.decode()  # nothing paid, nothing to claw back
    login(funding["enterprise"]).post(url("contract", application.pk))
    officer = login(funding["province"])
    officer.post(url("release", application.pk, first.pk))
    first.refresh_from_db()
    assert first.status == "released"
    text = officer.get(url("application", application.pk)).content.decode()
    assert text.count('data-testid="ledger-row"') == 2  # the commitment and the release
    assert 'data-testid="clawback-form"' in text


def test_an_enterprise_cannot_release_cancel_or_claw_back(funding, login):
    application = approved(funding, draft(funding))
    services.contract_signed(actor=funding["enterprise"], application=application)
    tranche = application.tranches.get(number=1)
    client = login(funding["enterprise"])
    assert client.post(url("release", application.pk, tranche.pk)).status_code == 403
    assert client.post(url("cancel", application.pk), {"cancel-reason": "x"}).status_code == 403
    assert client.post(url("clawback", application.pk), {"clawback-reason": "x",
                                                         "clawback-amount": "1"}).status_code == 403  # fmt: skip
    assert LedgerEntry.objects.count() == 1


def test_clawback_needs_a_reason_and_no_more_than_was_paid(funding, login):
    application = approved(funding, draft(funding))
    services.contract_signed(actor=funding["enterprise"], application=application)
    services.release(actor=funding["province"], tranche=application.tranches.get(number=1))
    client = login(funding["province"])
    page = client.post(url("clawback", application.pk), {"clawback-reason": "未交付", "clawback-amount": "999999"})
    assert page.status_code == 422 and "不超过已拨付" in page.content.decode()
    client.post(url("clawback", application.pk), {"clawback-reason": "服务未交付", "clawback-amount": "1000"})
    application.refresh_from_db()
    assert application.status == "cancelled"
    assert LedgerEntry.objects.filter(kind="clawback", reason="服务未交付").exists()


def test_cancel_returns_the_unpaid_commitment(funding, login):
    application = approved(funding, draft(funding))
    login(funding["province"]).post(url("cancel", application.pk), {"cancel-reason": "企业放弃实施"})
    application.refresh_from_db()
    assert application.status == "cancelled"
    assert LedgerEntry.objects.get(kind="cancel").amount == application.amount


# --- the provider -------------------------------------------------------------------------------------------------


def test_provider_redeems_its_voucher_and_sees_only_its_own(funding, login, make_user):
    from catalog.models import Provider
    from conftest import make_code

    application = approved(funding, draft(funding))
    rival = Provider.objects.create(name="另一服务商", credit_code=make_code("360102"), region_id="360100",
                                    status="published")  # fmt: skip
    rival_user = make_user("rival", Role.PROVIDER, provider=rival)
    rival_client = login(rival_user)
    assert application.project_name not in rival_client.get(url("vouchers")).content.decode()
    refused = rival_client.post(url("vouchers"), {"voucher_code": application.voucher_code})
    assert refused.status_code == 422 and "不是由本服务商承接" in refused.content.decode()
    assert rival_client.get(url("application", application.pk)).status_code == 404
    client = login(funding["provider"])
    assert application.project_name in client.get(url("vouchers")).content.decode()
    assert client.post(url("vouchers"), {"voucher_code": application.voucher_code.lower()}).status_code == 302
    application.refresh_from_db()
    assert application.delivered_at is not None
    again = client.post(url("vouchers"), {"voucher_code": application.voucher_code})
    assert "已确认交付" in again.content.decode()


def test_the_voucher_page_is_for_providers(funding, login):
    assert login(funding["enterprise"]).get(url("vouchers")).status_code == 403
    assert login(funding["county"]).get(url("vouchers")).status_code == 403


def test_the_enterprise_accepts_only_after_delivery(funding, login):
    application = approved(funding, draft(funding))
    client = login(funding["enterprise"])
    assert 'data-testid="accept"' not in client.get(url("application", application.pk)).content.decode()
    page = client.post(url("accept", application.pk), follow=True)
    assert "尚未确认交付" in page.content.decode()
    services.confirm_delivery(actor=funding["provider"], voucher_code=application.voucher_code)
    client.post(url("accept", application.pk))
    application.refresh_from_db()
    assert application.accepted_at is not None


# --- reports ------------------------------------------------------------------------------------------------------


def test_report_sums_the_officers_region_and_exports_without_formulas(funding, login):
    from openpyxl import load_workbook

    application = approved(funding, draft(funding, project_name="=HYPERLINK(1)"))
    client = login(funding["city"])
    text = client.get(url("report")).content.decode()
    assert "30,000.00" in text  # 30 % of 100,000
    assert 'data-testid="outcome-row"' in text  # the programme is re-assessed: its outcomes are reported
    book = load_workbook(BytesIO(client.get(url("report") + "?format=xlsx").content))
    assert book.sheetnames[0] == "按项目"
    assert [c.value for c in book["按项目"][2]][1:] == [None, 30000, 0, None]  # the province's budget, not the city's
    book = load_workbook(BytesIO(login(funding["province"]).get(url("report") + "?format=xlsx").content))
    assert [c.value for c in book["按项目"][2]][1:] == [1000000, 30000, 0, 970000]  # budget, committed, paid, left
    grants = [[c.value for c in row] for row in book["资助明细"].iter_rows()]
    assert grants[1][0] == application.pk and grants[1][4] == "'=HYPERLINK(1)"  # text, not a formula
    other = login(funding["other_city"]).get(url("report")).content.decode()
    assert "30,000.00" not in other


def test_report_is_for_officers(funding, login):
    assert login(funding["enterprise"]).get(url("report")).status_code == 403
    assert login(funding["provider"]).get(url("report")).status_code == 403


def test_release_needs_the_budget_holder_and_the_governing_region(funding, login):
    application = approved(funding, draft(funding))
    services.contract_signed(actor=funding["enterprise"], application=application)
    tranche = application.tranches.get(number=1)
    assert login(funding["other_city"]).post(url("release", application.pk, tranche.pk)).status_code == 404
    assert login(funding["county"]).post(url("release", application.pk, tranche.pk)).status_code == 403  # province's
    tranche.refresh_from_db()
    assert tranche.status == "pending" and LedgerEntry.objects.count() == 1


def test_the_provider_cannot_act_for_the_enterprise(funding, login):
    application = approved(funding, draft(funding))
    client = login(funding["provider"])
    assert client.get(url("application", application.pk)).status_code == 200  # its voucher
    assert application.voucher_code not in client.get(url("application", application.pk)).content.decode()
    for name in ("contract", "accept", "withdraw"):
        assert client.post(url(name, application.pk)).status_code == 403, name
    application.refresh_from_db()
    assert application.contract_signed_at is None and application.status == "approved"


def test_reassessment_waits_for_acceptance(funding, login):
    application = approved(funding, draft(funding))
    page = login(funding["enterprise"]).post(url("reassess", application.pk), follow=True)
    assert "项目验收后才能申请复评" in page.content.decode()
    application.refresh_from_db()
    assert application.reassessment_requested_at is None


@pytest.mark.parametrize(("code", "present", "absent"), [
    ("sme-service-voucher-2026", {"cost", "provider", "solution", "not_related"}, {"principal", "grade"}),
    ("smart-factory-award-2026", {"grade"}, {"cost", "principal", "provider", "solution"}),
    ("retrofit-loan-interest-2026", {"principal"}, {"cost", "grade", "provider", "solution"}),
    ("platform-subsidy-2026", {"cost"}, {"principal", "grade"}),
])  # fmt: skip
def test_the_application_form_asks_what_the_programme_type_reads(code, present, absent):
    from incentives import rules
    from incentives.forms import ApplicationForm

    spec = next(s for s in rules.examples() if s.code == code)
    fields = set(ApplicationForm(spec=spec).fields)
    assert present <= fields and not (absent & fields)
    if spec.type == "award":
        assert [c for c, _name in ApplicationForm(spec=spec).fields["grade"].choices][1:] == list(spec.fixed)
