"""The enterprise import through the API: upload, the job's notes and questions, confirm — the same pipeline and
rules as the page. All names and codes are synthetic."""

import datetime as dt
import io
from pathlib import Path

import pytest

from accounts import services as account_services
from conftest import make_code
from enterprises.models import Chain, Cluster, Enterprise

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


def test_new_cluster_and_chain_names_are_confirmed_through_the_api_before_anything_is_written(world, client):
    officer = auth(world["county"])
    content = (Path(__file__).parent / "realistic_lists" / "20_cluster_and_chain_columns.xlsx").read_bytes()
    job = upload(client, officer, "集群.xlsx", content).json()
    assert job["status"] == "invalid" and job["error_count"] == 0  # waiting for an answer, not wrong
    asked = job["questions"]["new_groupings"]
    assert "东湖区电子信息产业集群" in str(asked) and "南昌市汽车及零部件产业链" in str(asked)
    assert client.post(f"{API}/imports/{job['id']}/confirm", **officer).status_code == 422
    # A county column that was never offered is refused; the answer itself re-checks the file.
    bad = client.post(
        f"{API}/imports/{job['id']}/answer", {"county_column": 3}, content_type="application/json", **officer
    )
    assert bad.status_code == 422 and "区县列" in bad.json()["detail"]
    response = client.post(
        f"{API}/imports/{job['id']}/answer", {"confirm_groupings": True}, content_type="application/json", **officer
    )
    assert response.status_code == 200, response.content
    job = response.json()
    assert job["status"] == "ready" and job["answers"]["confirm_groupings"] is True
    assert not Cluster.objects.filter(name="东湖区电子信息产业集群").exists()
    assert client.post(f"{API}/imports/{job['id']}/confirm", **officer).json()["status"] == "done"
    assert Cluster.objects.get(name="东湖区电子信息产业集群").members.count() >= 1
    assert Chain.objects.filter(name="南昌市汽车及零部件产业链").exists()
