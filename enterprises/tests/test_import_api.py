"""The enterprise import through the API: upload, the job's notes and questions, confirm — the same pipeline and
rules as the page. All names and codes are synthetic."""

import datetime as dt
import io

import pytest

from accounts import services as account_services
from conftest import make_code
from enterprises.models import Enterprise

from .lists import SheetSpec, county_list, workbook

pytestmark = pytest.mark.django_db
API = "/api/v1"
LAST_YEAR = dt.date.today().year - 1


def auth(user) -> dict:
    _token, plain = account_services.token_create(user=user, name="导入")
    return {"HTTP_AUTHORIZATION": f"Bearer {plain}"}


def upload(client, headers, name: str, content: bytes):
    file = io.BytesIO(content)
    file.name = name
    return client.post(f"{API}/imports", {"file": file}, **headers)


def test_an_officer_imports_a_county_list_through_the_api_and_sees_how_the_table_was_found(world, client):
    officer = auth(world["county"])
    code = make_code("360102")
    rows = county_list([["东湖样例一号制造有限公司", code, "360102", "C34", 60, 1200]])
    response = upload(client, officer, "名单.xlsx", workbook(SheetSpec("Sheet1", rows)))
    assert response.status_code == 201, response.content
    job = response.json()
    assert job["status"] == "ready" and job["created_count"] == 1
    assert "第 4 行为单位行，已跳过" in job["notes"]
    assert job["questions"] == {"year": LAST_YEAR} and job["answers"] == {}
    assert not Enterprise.objects.filter(credit_code=code).exists()  # nothing before confirmation
    # Someone else neither sees nor confirms the job; an enterprise user may not import at all.
    assert client.get(f"{API}/imports/{job['id']}", **auth(world["province"])).status_code == 404
    assert client.post(f"{API}/imports/{job['id']}/confirm", **auth(world["province"])).status_code == 404
    assert upload(client, auth(world["enterprise"]), "名单.xlsx", b"x").status_code == 403
    response = client.post(f"{API}/imports/{job['id']}/confirm", **officer)
    assert response.status_code == 200 and response.json()["status"] == "done", response.content
    assert Enterprise.objects.get(credit_code=code).figures_year == LAST_YEAR
    assert client.post(f"{API}/imports/{job['id']}/confirm", **officer).status_code == 422  # not twice


def test_a_file_that_is_no_spreadsheet_is_refused_at_upload_with_a_chinese_reason(world, client):
    response = upload(client, auth(world["county"]), "名单.xlsx", b"%PDF-1.7 not a workbook")
    assert response.status_code == 422
    assert "不是" in response.json()["detail"]
