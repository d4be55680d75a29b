"""Risk assessments and AI safety-risk reports by role and scope: the enterprise records one (the report due at the
end of the 10th working day after completion, counted over the holiday calendar), files it on time or late, and
records the rectification; others may see (the regulator of the region) or not (404). The overdue list, the
per-city roll-up and the API."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from datasecurity import risk, selectors
from datasecurity.models import Event, RiskAssessment

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/data-security"
NOT_THE_ENTERPRISE = ["province", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                      "admin", "other_enterprise"]  # fmt: skip


COMPLETED, NOW = at(2026, 9, 28, 15, 0), at(2026, 9, 29, 9, 0)


def record(ds, actor="enterprise", kind="data", completed=COMPLETED, now=NOW, **kw):
    args = {"period_start": dt.date(2025, 10, 1), "period_end": dt.date(2026, 9, 30), "assessor": "企业自评估",
            "findings": "数据库审计日志留存不足 6 个月", "completed_at": completed, "now": now} | kw  # fmt: skip
    return risk.risk_record(actor=ds[actor], enterprise=ds["home"], kind=kind, **args)


def test_the_report_is_due_on_the_10th_working_day_across_the_national_day_holiday(ds):
    # Monday 28 Sep 2026 + 10 working days: 29, 30 Sep, then 1–7 Oct off (5 weekdays) with Sat 10 Oct worked:
    # 8, 9, 10, 12, 13, 14, 15, 16 → Friday 16 October, end of day.
    assessment = record(ds)
    assert assessment.due_at == at(2026, 10, 16, 23, 59, 59, 999999) and assessment.status == "completed"
    assert Event.objects.get(assessment=assessment).action == "risk_record"


def test_a_completion_time_given_in_utc_is_due_at_the_end_of_the_shanghai_day(ds):
    # 28 Sep 2026 23:30 UTC is already Tuesday 29 Sep in Shanghai: 10 working days from there → Monday 19 Oct,
    # end of the Shanghai day (not of the UTC day, which would read 07:59 the next morning on the page).
    completed = dt.datetime(2026, 9, 28, 23, 30, tzinfo=dt.UTC)
    assert record(ds, completed=completed).due_at == at(2026, 10, 19, 23, 59, 59, 999999)


def test_filed_on_time_or_late_then_rectified(ds):
    on_time = risk.risk_file(actor=ds["enterprise"], assessment=record(ds), now=at(2026, 10, 16, 18, 0))
    assert on_time.status == "filed" and on_time.filed_on_time is True and on_time.due_at is None
    late = risk.risk_file(actor=ds["enterprise"], assessment=record(ds), now=at(2026, 10, 17, 9, 0))
    assert late.filed_on_time is False
    with pytest.raises(ValidationError, match="已报送"):
        risk.risk_file(actor=ds["enterprise"], assessment=late)
    with pytest.raises(ValidationError, match="整改措施"):
        risk.risk_rectify(actor=ds["enterprise"], assessment=late, rectification=" ")
    done = risk.risk_rectify(actor=ds["enterprise"], assessment=late, rectification="日志留存延长至 12 个月",
                             now=at(2026, 11, 1, 9, 0))  # fmt: skip
    assert done.status == "rectified" and done.rectified_at == at(2026, 11, 1, 9, 0)
    with pytest.raises(ValidationError, match="报送后"):
        risk.risk_rectify(actor=ds["enterprise"], assessment=record(ds), rectification="x")


def test_an_ai_report_names_the_system_and_its_risk_types(ds):
    report = record(ds, kind="ai", system_name="质检视觉大模型", risk_types=["ai_runaway", "leak"])
    assert report.risk_types == ["ai_runaway", "leak"] and report.system_name == "质检视觉大模型"
    with pytest.raises(ValidationError, match="系统或模型"):
        record(ds, kind="ai", risk_types=["ai_runaway"])
    with pytest.raises(ValidationError, match="风险类型"):
        record(ds, kind="ai", system_name="x", risk_types=["tamper"])  # not an AI risk type
    with pytest.raises(ValidationError, match="风险类型"):
        record(ds, kind="ai", system_name="x", risk_types=[])
    plain = record(ds, system_name="ignored", risk_types=["ai_runaway"])
    assert plain.system_name == "" and plain.risk_types == []


@pytest.mark.parametrize("kw, message", [
    ({"period_end": dt.date(2025, 1, 1)}, "评估期止"),
    ({"completed": at(2026, 10, 1, 9, 0)}, "晚于现在"),
    ({"assessor": " "}, "评估机构"),
    ({"kind": "other"}, "评估类型"),
])  # fmt: skip
def test_recording_refusals(ds, kw, message):
    with pytest.raises(ValidationError, match=message):
        record(ds, **kw)
    assert not RiskAssessment.objects.exists()


@pytest.mark.parametrize("role", NOT_THE_ENTERPRISE)
def test_only_the_enterprise_records_and_files(ds, role):
    with pytest.raises(PermissionDenied):
        record(ds, actor=role)
    assessment = record(ds)
    with pytest.raises(PermissionDenied):
        risk.risk_file(actor=ds[role], assessment=assessment)
    assert RiskAssessment.objects.get().status == "completed"


def test_overdue_list_rollup_and_api(ds, login):
    late = record(ds, completed=at(2026, 1, 5, 9, 0), now=at(2026, 1, 5, 10, 0))
    filed = risk.risk_file(actor=ds["enterprise"], assessment=record(ds), now=at(2026, 10, 1, 9, 0))
    now = at(2026, 12, 7, 9, 0)
    result = selectors.overdue(ds["province"], now)
    assert result.risks_count == 1 and result.risks[0].pk == late.pk
    assert selectors.overdue(ds["other_city"], now).risks_count == 0
    assert risk.rollup(ds["province"], 2026, now) == [{"city": "3601", "total": 2, "filed": 1, "on_time": 1,
                                                        "overdue": 1}]  # fmt: skip
    assert risk.rollup(ds["other_city"], 2026, now) == []
    body = login(ds["province"]).get(f"{API}/overdue").json()
    assert body["risks_count"] == 1 and body["risks"][0]["id"] == late.pk and body["risks"][0]["overdue"]
    items = login(ds["city"]).get(f"{API}/risk-assessments").json()["items"]
    assert {r["id"]: r["filed_on_time"] for r in items} == {late.pk: None, filed.pk: True}
    assert login(ds["other_city"]).get(f"{API}/risk-assessments/{late.pk}").status_code == 404


def test_pages_by_role(ds, login):
    client = login(ds["enterprise"])
    response = client.post("/data-security/risk/new/", {
        "kind": "ai", "period_start": "2026-01-01", "period_end": "2026-06-30", "assessor": "第三方评估机构（合成）",
        "completed_at": "2026-07-01T10:00", "system_name": "排产优化模型", "risk_types": ["ai_error", "ai_poison"],
        "findings": "训练数据来源未登记"})  # fmt: skip
    report = RiskAssessment.objects.get()
    assert response.url == f"/data-security/risk/{report.pk}/" and report.risk_types == ["ai_error", "ai_poison"]
    page = client.get(response.url).content.decode()
    assert "排产优化模型" in page and 'data-testid="risk-file"' in page
    assert login(ds["province"]).post(f"/data-security/risk/{report.pk}/file/").status_code == 403
    assert 'data-testid="risk-file"' not in login(ds["province"]).get(response.url).content.decode()
    client = login(ds["enterprise"])
    client.post(f"/data-security/risk/{report.pk}/file/")
    assert RiskAssessment.objects.get().status == "filed"
    page = login(ds["province"]).get("/data-security/risk/").content.decode()
    assert 'data-testid="rollup-row"' not in page  # the roll-up counts data-security assessments, not AI reports
    record(ds, completed=dt.datetime.now(dt.UTC) - dt.timedelta(hours=1), now=None)
    assert 'data-testid="rollup-row"' in login(ds["province"]).get("/data-security/risk/").content.decode()
    for role in ("other_city", "other_enterprise", "nobody"):
        assert login(ds[role]).get(response.url).status_code == 404
    assert login(ds["nobody"]).get("/data-security/risk/").status_code == 404
