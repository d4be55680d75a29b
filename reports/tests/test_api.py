"""The reports API: same scope and rules as the pages (synthetic enterprises and assessments)."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessments.tests.test_api import API, Api
from reports.models import DiagnosisReport
from reports.tests.test_reports import level_one_only, submit_cmmm

pytestmark = pytest.mark.django_db


def test_issue_list_read_download_and_verify_through_the_api(world, client):
    submit_cmmm(world, world["home"], level_one_only)
    county = Api(client, world["county"])
    assert county.post("/reports", {"enterprise_id": world["neighbour"].pk}).status_code == 404  # not in scope
    assert county.post("/reports", {"enterprise_id": world["home"].pk, "target_tier": "gold"}).status_code == 422
    created = county.post("/reports", {"enterprise_id": world["home"].pk, "target_level": 3})
    assert created.status_code == 201, created.content
    body = created.json()
    assert body["version"] == 1 and body["content"]["models"][0]["gap"]["target_level"] == 3
    report = DiagnosisReport.objects.get()
    listed = county.get("/reports").json()
    assert [r["code"] for r in listed["items"]] == [report.code] and "content" not in listed["items"][0]
    assert county.get(f"/reports/{report.pk}").json()["pdf_sha256"] == report.pdf_sha256
    pdf = county.get(f"/reports/{report.pk}/pdf")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content) == Path(report.pdf.path).read_bytes()
    # Another city's officer sees nothing of it.
    other = Api(client, world["other_city"])
    assert other.get("/reports").json()["items"] == []
    assert other.get(f"/reports/{report.pk}").status_code == 404
    assert other.get(f"/reports/{report.pk}/pdf").status_code == 404
    # Verification needs no token.
    original = Path(report.pdf.path).read_bytes()
    ok = client.post(f"{API}/reports/verify/{report.code}", {"pdf": SimpleUploadedFile("a.pdf", original)})
    assert (
        ok.status_code == 200
        and ok.json()["genuine"] is True
        and set(ok.json()) == {"genuine", "message", "issued_on", "version", "series", "series_label", "issuer"}
        and ok.json()["series"] == "official"
        and ok.json()["issuer"].endswith("东湖区工业和信息化主管部门")
    )
    bad = client.post(f"{API}/reports/verify/{report.code}", {"pdf": SimpleUploadedFile("a.pdf", original[:-10])})
    assert bad.json()["genuine"] is False


def test_nothing_to_report_is_a_409_and_a_provider_may_not_issue(world, client):
    county = Api(client, world["county"])
    response = county.post("/reports", {"enterprise_id": world["home"].pk})
    assert response.status_code == 409 and "还没有已提交的评估" in response.json()["detail"]
    assert Api(client, world["provider"]).post("/reports", {"enterprise_id": world["home"].pk}).status_code == 404
