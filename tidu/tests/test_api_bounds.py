"""Bad input at the API's edge is the client's fault, never a server error: ids and offsets the database cannot hold,
codes that name nothing, repeated or NUL-laden parameters all come back as 404 or 422 in the one error shape, and
change nothing. Also: creating an enterprise through the API works, for the officers who may."""

import json

import pytest

from conftest import make_code
from enterprises.models import Enterprise, EnterpriseEvent

pytestmark = pytest.mark.django_db

API = "/api/v1"
TOO_BIG = ["99999999999999999999", str(2**63), "-1", "0", "1e3", "abc"]


@pytest.fixture(autouse=True)
def reference_data():
    """Overrides the browser tests' autouse fixture of this directory (transactional, a flush after each test):
    these tests need no live server and roll back instead."""


def bearer(user) -> dict:
    from accounts.services import token_create

    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=user, name='bounds')[1]}"}


def assert_problem(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.content[:300])
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"] and isinstance(body["problems"], dict), body
    return body


def archive():
    return list(Enterprise.objects.order_by("pk").values()), EnterpriseEvent.objects.count()


PATHS = [
    "/enterprises/{}",
    "/enterprises/{}/events",
    "/models/{}",
    "/assessments/{}",
    "/assessments/{}/result",
    "/assessments/{}/recommendations",
    "/assessment-imports/template/{}",
    "/providers/{}",
    "/providers/{}/evaluations",
    "/solutions/{}",
    "/cases/{}",
    "/needs/{}",
    "/needs/{}/recommendations",
    "/meetings/{}",
    "/reports/{}",
    "/reports/{}/pdf",
]
QUERIES = [
    "/enterprises?limit={}",
    "/enterprises?offset={}",
    "/assessments?enterprise_id={}",
    "/reports?enterprise_id={}",
    "/regions?level={}",
    "/solutions?budget={}",
]


@pytest.mark.parametrize("template", PATHS)
def test_an_id_the_database_cannot_hold_is_a_404_or_422_in_the_error_shape(world, client, template):
    headers = bearer(world["province"])
    for value in TOO_BIG:
        assert_problem(client.get(API + template.format(value), **headers), 404, 422)


@pytest.mark.parametrize("template", QUERIES)
def test_an_out_of_range_query_integer_is_refused_with_a_422(world, client, template):
    headers = bearer(world["province"])
    for value in ["99999999999999999999", str(2**63), "-1e400", "NaN"]:
        body = assert_problem(client.get(API + template.format(value), **headers), 422)
        assert template.split("?")[1].split("=")[0] in body["problems"]


def test_the_largest_offset_the_database_holds_is_an_empty_page(world, client):
    page = client.get(f"{API}/enterprises?offset={2**63 - 1}", **bearer(world["province"]))
    assert page.status_code == 200 and page.json()["items"] == []


def test_writes_naming_ids_that_cannot_exist_are_refused_and_change_nothing(world, client):
    headers = bearer(world["province"])
    before = archive()
    for body in [{"enterprise_id": 2**63}, {"enterprise_id": -1}, {"enterprise_id": "99999999999999999999"}]:
        for path in ["/reports", "/assessments"]:
            response = client.post(API + path, json.dumps(body), content_type="application/json", **headers)
            assert_problem(response, 404, 422)
    response = client.post(
        f"{API}/meetings/{2**62}/invitations",
        json.dumps({"enterprise_ids": [2**64], "provider_ids": []}),
        content_type="application/json",
        **headers,
    )
    assert_problem(response, 404, 422)
    assert archive() == before


@pytest.mark.parametrize(
    ("field", "value"),
    [("industry_code", "99"), ("county_code", "999999"), ("county_code", "360100"), ("name", "")],
)
def test_patching_an_enterprise_with_an_unknown_code_is_a_422_that_writes_nothing(world, client, field, value):
    home = world["home"]
    before = archive()
    response = client.patch(
        f"{API}/enterprises/{home.pk}",
        json.dumps({field: value}),
        content_type="application/json",
        **bearer(world["city"]),
    )
    body = assert_problem(response, 422)
    assert field in body["problems"] or field == "county_code", body
    assert archive() == before


def test_patching_an_enterprise_with_a_known_industry_records_the_change(world, client):
    home = world["home"]
    response = client.patch(
        f"{API}/enterprises/{home.pk}",
        json.dumps({"industry_code": "39"}),
        content_type="application/json",
        **bearer(world["city"]),
    )
    assert response.status_code == 200 and response.json()["industry_code"] == "39"
    assert EnterpriseEvent.objects.filter(enterprise=home, kind=EnterpriseEvent.Kind.CHANGED).exists()


def new_enterprise(county="360102", **fields):
    return {
        "credit_code": make_code(county),
        "name": "新建测试机械有限公司",
        "county_code": county,
        "industry_code": "34",
        **fields,
    }


def test_an_officer_creates_an_enterprise_in_scope_through_the_api(world, client):
    payload = new_enterprise(address="南昌市东湖区测试路 1 号", founded_on="2015-03-01", notes="API 建档")
    response = client.post(
        f"{API}/enterprises", json.dumps(payload), content_type="application/json", **bearer(world["city"])
    )
    assert response.status_code == 201, response.content.decode()
    body = response.json()
    created = Enterprise.objects.get(credit_code=payload["credit_code"])
    assert body["id"] == created.pk and body["county_code"] == "360102" and body["industry_code"] == "34"
    assert created.name == payload["name"] and str(created.founded_on) == "2015-03-01" and created.notes == "API 建档"
    assert created.is_above_scale is None and created.size_class == ""  # no figures yet: derived fields stay empty
    assert EnterpriseEvent.objects.filter(enterprise=created, kind=EnterpriseEvent.Kind.CREATED).count() == 1
    again = client.post(
        f"{API}/enterprises", json.dumps(payload), content_type="application/json", **bearer(world["city"])
    )
    assert_problem(again, 409)


@pytest.mark.parametrize(
    ("persona", "county", "status"),
    [
        ("other_city", "360102", 403),  # a county outside the officer's city
        ("county", "360111", 403),  # a neighbouring county
        ("enterprise", "360102", 403),  # enterprise users keep their own record only
        ("provider", "360102", 403),
        ("city", "360100", 422),  # a city is not a county
        ("city", "999999", 422),
    ],
)
def test_creating_an_enterprise_outside_scope_or_as_a_non_officer_writes_nothing(
    world, client, persona, county, status
):
    before = archive()
    response = client.post(
        f"{API}/enterprises",
        json.dumps(new_enterprise(county)),
        content_type="application/json",
        **bearer(world[persona]),
    )
    assert_problem(response, status)
    assert archive() == before


def test_an_unknown_industry_on_create_is_a_422_naming_the_field(world, client):
    before = archive()
    response = client.post(
        f"{API}/enterprises",
        json.dumps(new_enterprise(industry_code="99")),
        content_type="application/json",
        **bearer(world["province"]),
    )
    assert "industry_code" in assert_problem(response, 422)["problems"]
    assert archive() == before


def test_repeated_and_nul_laden_parameters_are_refused_not_guessed(world, client):
    headers = bearer(world["province"])
    assert "status" in assert_problem(client.get(f"{API}/needs?status=open&status=closed", **headers), 422)["problems"]
    assert "q" in assert_problem(client.get(f"{API}/enterprises?q=a%00b", **headers), 422)["problems"]
    response = client.post(
        f"{API}/enterprises",
        json.dumps(new_enterprise(name="带\x00空字符的企业")),
        content_type="application/json",
        **headers,
    )
    assert "name" in assert_problem(response, 422)["problems"]
    broken = client.post(f"{API}/enterprises", "{not json", content_type="application/json", **headers)
    assert_problem(broken, 400)


def test_validation_errors_have_the_one_shape_with_problems_per_field(world, client):
    response = client.post(
        f"{API}/enterprises",
        json.dumps({"name": "x", "county_code": "abc"}),
        content_type="application/json",
        **bearer(world["province"]),
    )
    body = assert_problem(response, 422)
    assert {"credit_code", "name", "county_code", "industry_code"} <= set(body["problems"])


def test_an_unknown_path_under_the_api_is_a_json_404(world, client):
    assert_problem(client.get(f"{API}/no-such-thing/1", **bearer(world["province"])), 404)
    assert_problem(client.get(f"{API}/enterprises/1/2/3", **bearer(world["province"])), 404)
