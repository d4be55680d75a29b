"""The catalogue filing by role and scope: the enterprise submits; the province's regulator accepts or returns with
reasons; the enterprise resubmits within 15 working days; versions; a change re-files within 3 months; yearly
re-attestation. Every refusal leaves the filing as it was."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from datasecurity import services
from datasecurity.models import Event, Filing
from notifications.models import Notification

from .conftest import at

pytestmark = pytest.mark.django_db

ROLES_NOT_FILING = ["province", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                    "admin", "other_enterprise"]  # fmt: skip
ROLES_NOT_REVIEWING = ["enterprise", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                       "admin", "other_enterprise"]  # fmt: skip


def submit(ds, when=None):
    return services.filing_submit(actor=ds["enterprise"], enterprise=ds["home"], now=when or at(2026, 9, 18, 9, 30))


def test_submitting_freezes_the_entries_and_sets_the_review_deadline(ds):
    filing = submit(ds)
    assert filing.status == Filing.Status.SUBMITTED and filing.version == 1
    assert filing.due_kind == "review" and filing.due_at == at(2026, 10, 22, 23, 59, 59, 999999)
    entry = filing.versions.get().entries[0]
    assert entry["name"] == "工艺参数库" and entry["level"] == "important" and entry["records"] == 1_000_000
    assert set(entry) >= {"source", "category", "level", "records", "carrier", "purpose", "scope_of_use",
                          "responsible", "sharing", "cross_border", "protection"}  # fmt: skip


@pytest.mark.parametrize("role", ROLES_NOT_FILING)
def test_only_the_enterprise_itself_submits(ds, role):
    with pytest.raises(PermissionDenied):
        services.filing_submit(actor=ds[role], enterprise=ds["home"])
    assert not Filing.objects.exists()


def test_refusals_of_submission(ds, make_asset):
    ds["asset"].level = "general"
    ds["asset"].save()
    with pytest.raises(ValidationError, match="没有需要备案"):
        submit(ds)
    make_asset(ds, name="客户订单库", category="service", carrier="")
    with pytest.raises(ValidationError, match="客户订单库"):
        submit(ds)
    assert not Filing.objects.exclude(status="draft").exists()


def test_a_filing_under_review_cannot_be_submitted_again(ds):
    submit(ds)
    with pytest.raises(ValidationError, match="审核中"):
        submit(ds)
    assert Filing.objects.get().version == 1


@pytest.mark.parametrize("role", ROLES_NOT_REVIEWING)
def test_only_the_provincial_regulator_reviews(ds, role):
    filing = submit(ds)
    with pytest.raises(PermissionDenied):
        services.filing_review(actor=ds[role], filing=filing, decision="accept")
    filing.refresh_from_db()
    assert filing.status == "submitted" and filing.versions.get().decision == "pending"


def test_a_return_needs_reasons_and_a_decision(ds):
    filing = submit(ds)
    with pytest.raises(ValidationError, match="理由"):
        services.filing_review(actor=ds["province"], filing=filing, decision="return", reasons="  ")
    with pytest.raises(ValidationError, match="审核结果"):
        services.filing_review(actor=ds["province"], filing=filing, decision="maybe")
    assert Filing.objects.get().status == "submitted"


def test_returned_resubmitted_within_15_working_days_then_accepted(ds):
    filing = submit(ds, at(2026, 2, 10, 9, 0))
    filing = services.filing_review(actor=ds["province"], filing=filing, decision="return",
                                    reasons="安全保护措施过于笼统", now=at(2026, 2, 12, 16, 0))  # fmt: skip
    assert filing.status == "returned" and filing.due_kind == "resubmit"
    assert filing.due_at.date().isoformat() == "2026-03-11"  # 15 working days across the spring festival
    note = Notification.objects.get(recipient=ds["enterprise"], kind="datasec_returned")
    assert "2026-03-11" in note.title and note.body == "安全保护措施过于笼统"
    with pytest.raises(ValidationError, match="审核中"):
        services.filing_review(actor=ds["province"], filing=filing, decision="accept")
    ds["asset"].protection = "AES-256 加密存储、每日异地备份、访问日志保存 6 个月"
    services.asset_save(actor=ds["enterprise"], asset=ds["asset"], now=at(2026, 3, 2, 9, 0))
    filing = submit(ds, at(2026, 3, 2, 10, 0))
    assert filing.version == 2 and filing.due_kind == "review"
    # 20 working days from Mon 2026-03-02: 3-03..06 1–4, then 4 full weeks 5–20 end on 3-30
    assert filing.due_at.date().isoformat() == "2026-03-30"
    filing = services.filing_review(actor=ds["province"], filing=filing, decision="accept", now=at(2026, 3, 5, 9, 0))
    assert filing.status == "accepted" and filing.due_kind == "attest"
    assert filing.due_at.date().isoformat() == "2027-03-05"
    versions = {v.number: v for v in filing.versions.all()}
    assert versions[1].decision == "returned" and versions[1].reasons == "安全保护措施过于笼统"
    assert versions[2].decision == "accepted" and "AES-256" in versions[2].entries[0]["protection"]
    actions = list(Event.objects.filter(filing=filing).values_list("action", flat=True))
    assert actions == ["submit", "return", "resubmit", "accept"]


def test_an_accepted_filing_is_not_submitted_again_without_a_change(ds):
    filing = submit(ds)
    services.filing_review(actor=ds["province"], filing=filing, decision="accept")
    with pytest.raises(ValidationError, match="没有重大变更"):
        submit(ds)


@pytest.fixture
def accepted(ds):
    filing = submit(ds, at(2026, 3, 2, 10, 0))
    return services.filing_review(actor=ds["province"], filing=filing, decision="accept", now=at(2026, 3, 5, 9, 0))


def test_a_scale_change_under_30_percent_is_not_a_major_change(ds, accepted):
    ds["asset"].records = 1_290_000
    services.asset_save(actor=ds["enterprise"], asset=ds["asset"], now=at(2026, 6, 1, 9, 0))
    assert Filing.objects.get().status == "accepted"


def test_a_scale_change_of_30_percent_is_refiled_within_3_months(ds, accepted):
    ds["asset"].records = 1_300_000
    services.asset_save(actor=ds["enterprise"], asset=ds["asset"], now=at(2026, 11, 30, 9, 0))
    filing = Filing.objects.get()
    assert filing.status == "change_due" and filing.due_kind == "refile"
    assert filing.due_at == at(2027, 2, 28, 23, 59, 59, 999999)
    assert "30%" in filing.change_reason
    with pytest.raises(ValidationError):
        services.filing_attest(actor=ds["enterprise"], filing=filing)
    filing = submit(ds, at(2026, 12, 1, 9, 0))
    assert filing.version == 2 and filing.status == "submitted"


def test_a_new_important_asset_or_a_destroyed_one_is_a_change(ds, accepted, make_asset):
    make_asset(ds, name="设计图纸库", category="rnd", level="core", when=at(2026, 4, 1, 9, 0))
    filing = Filing.objects.get()
    assert filing.status == "change_due" and "设计图纸库" in filing.change_reason


def test_yearly_attestation_by_the_enterprise_only(ds, accepted):
    for role in ("province", "city", "other_enterprise", "nobody"):
        with pytest.raises(PermissionDenied):
            services.filing_attest(actor=ds[role], filing=accepted)
    filing = services.filing_attest(actor=ds["enterprise"], filing=accepted, now=at(2027, 2, 20, 9, 0))
    assert filing.due_kind == "attest" and filing.due_at.date().isoformat() == "2028-02-20"


def test_overdue_filings_are_those_past_their_stored_deadline(ds):
    filing = submit(ds, at(2026, 9, 18, 9, 30))
    assert not Filing.objects.overdue(at(2026, 10, 22, 23, 0)).exists()
    assert list(Filing.objects.overdue(at(2026, 10, 23, 0, 0, 1))) == [filing]


@pytest.mark.parametrize(
    "role, sees",
    [("enterprise", True), ("province", True), ("city", True), ("county", True), ("admin", True),
     ("other_city", False), ("other_enterprise", False), ("provider", False), ("commissioner", False),
     ("expert", False), ("nobody", False)],
)  # fmt: skip
def test_who_sees_a_submitted_filing(ds, role, sees):
    submit(ds)
    assert Filing.objects.visible_to(ds[role]).exists() is sees


def test_a_draft_is_the_enterprises_own(ds):
    filing = Filing.objects.create(enterprise=ds["home"], region_code="360102")
    assert list(Filing.objects.visible_to(ds["enterprise"])) == [filing]
    assert not Filing.objects.visible_to(ds["province"]).exists()


def test_only_the_enterprise_edits_its_assets(ds):
    asset = ds["asset"]
    for role in ("province", "city", "other_enterprise", "nobody", "admin"):
        asset.name = "改名"
        with pytest.raises(PermissionDenied):
            services.asset_save(actor=ds[role], asset=asset)
    asset.refresh_from_db()
    assert asset.name == "工艺参数库"


def test_grading_records_the_suggestion_and_a_different_level_needs_a_reason(ds):
    asset = ds["asset"]
    with pytest.raises(ValidationError, match="理由"):
        services.asset_grade(actor=ds["enterprise"], asset=asset, ticked={"imp_sector"}, impacts={}, level="core")
    asset = services.asset_grade(actor=ds["enterprise"], asset=asset, ticked={"imp_sector"}, impacts={},
                                 level="core", reason="集团统一按核心数据管理")  # fmt: skip
    assert (asset.suggested_level, asset.level) == ("important", "core")
    assert asset.grading["reason"] == "集团统一按核心数据管理"
    with pytest.raises(PermissionDenied):
        services.asset_grade(actor=ds["province"], asset=asset, ticked=set(), impacts={}, level="general")
