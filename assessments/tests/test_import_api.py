"""The bulk assessment import through the API: template, upload, report, confirm — same rules as the pages."""

import io
import json

import openpyxl
import pytest

import maturity
from accounts import services as account_services
from assessments import imports
from assessments.models import Assessment, AssessmentResult
from assessments.tests.conftest import all_answers
from assessments.tests.test_import import row_for, xlsx

pytestmark = pytest.mark.django_db
API = "/api/v1"


def auth(user) -> dict:
    _token, plain = account_services.token_create(user=user, name="导入")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def test_officer_imports_assessments_through_the_api(world, client, cmmm):
    headers_ = auth(world["city"])
    response = client.get(f"{API}/assessment-imports/template/{cmmm.pk}", **headers_)
    assert response.status_code == 200
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content))["评估数据"][1]]
    codes = [r.item.code for r in cmmm.parsed().iter_items() if not r.item.applies_to.production_types]
    answers = dict.fromkeys(codes, "full")
    content = xlsx(headers, [row_for(headers, world["home"], answers, production="离散型")])
    upload = io.BytesIO(content)
    upload.name = "评估.xlsx"
    response = client.post(f"{API}/assessment-imports", {"model_version_id": cmmm.pk, "file": upload}, **headers_)
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "ready" and job["error_count"] == 0 and len(job["preview"]) == 1
    assert not Assessment.objects.exists()  # nothing is written before confirmation
    # Someone else cannot see or confirm the job.
    other = auth(world["province"])
    assert client.get(f"{API}/assessment-imports/{job['id']}", **other).status_code == 404
    assert client.post(f"{API}/assessment-imports/{job['id']}/confirm", **other).status_code == 404
    response = client.post(f"{API}/assessment-imports/{job['id']}/confirm", **headers_)
    assert response.status_code == 200 and response.json()["status"] == "done"
    a = Assessment.objects.get()
    assert a.source == "import" and a.status == "submitted" and a.enterprise == world["home"]
    assert AssessmentResult.objects.get(assessment=a).level == 5
    # Confirming twice is refused and writes nothing more.
    assert client.post(f"{API}/assessment-imports/{job['id']}/confirm", **headers_).status_code == 422
    assert Assessment.objects.count() == 1


def test_enterprise_users_cannot_import_through_the_api(world, client, cmmm):
    headers_ = auth(world["enterprise"])
    assert client.get(f"{API}/assessment-imports/template/{cmmm.pk}", **headers_).status_code == 403
    upload = io.BytesIO(b"PK\x03\x04")
    upload.name = "x.xlsx"
    response = client.post(f"{API}/assessment-imports", {"model_version_id": cmmm.pk, "file": upload}, **headers_)
    assert response.status_code == 403


def test_the_result_of_a_large_bulk_import_has_its_items_and_trace_through_the_api(world, client, cmmm, monkeypatch):
    # Large files store compact snapshots (no items or trace); the API must read them like any other result.
    monkeypatch.setattr(imports, "FULL_SNAPSHOT_ROWS", 0)
    headers_ = auth(world["city"])
    response = client.get(f"{API}/assessment-imports/template/{cmmm.pk}", **headers_)
    headers = [c.value for c in openpyxl.load_workbook(io.BytesIO(response.content))["评估数据"][1]]
    context = {"production_type": "discrete", "industry": world["home"].industry_id, "size": None}
    answers = all_answers(cmmm, context, lambda item: "most" if item.code.endswith("1") else "full")
    upload = io.BytesIO(xlsx(headers, [row_for(headers, world["home"], answers, production="离散型")]))
    upload.name = "评估.xlsx"
    job = client.post(f"{API}/assessment-imports", {"model_version_id": cmmm.pk, "file": upload}, **headers_).json()
    assert job["status"] == "ready", job
    assert client.post(f"{API}/assessment-imports/{job['id']}/confirm", **headers_).json()["status"] == "done"
    stored = AssessmentResult.objects.get()
    assert stored.snapshot["compact"] is True and stored.snapshot["items"] == {}  # the bulk path was taken

    got = client.get(f"{API}/assessments/{stored.assessment_id}/result", **headers_).json()
    want = json.loads(json.dumps(maturity.score(cmmm.parsed(), answers, context).to_dict()))
    assert got["items"] == want["items"] and set(answers) <= set(got["items"])
    assert got["trace"] == want["trace"] and got["trace"]
    assert got["blockers"] == want["blockers"]
    assert (got["level"], got["score"]) == (want["level"], pytest.approx(want["score"]))
