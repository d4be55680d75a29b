"""Every page and endpoint of the archive, for every persona: who may view, create, change, delete and export,
and proof that a refused write changed nothing. Out of scope is 404; in scope but not allowed is 403."""

import json

import pytest

from enterprises.models import Enterprise, EnterpriseEvent

pytestmark = pytest.mark.django_db

# Which personas see which enterprise (home: 东湖区, neighbour: 青山湖区 in the same city, other: 九江).
SEES = {
    "admin": {"home", "neighbour", "other"},
    "province": {"home", "neighbour", "other"},
    "city": {"home", "neighbour"},
    "county": {"home"},
    "other_city": {"other"},
    "enterprise": {"home"},
    "provider": set(),
    "commissioner": {"neighbour"},
    "expert": set(),
    "nobody": set(),
}
OFFICERS = {"admin", "province", "city", "county", "other_city"}
PERSONAS = list(SEES)


def snapshot():
    return (
        list(Enterprise.objects.order_by("pk").values()),
        EnterpriseEvent.objects.count(),
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["home", "neighbour", "other"])
def test_detail_page_and_api_follow_scope(world, login, persona, target):
    client = login(world[persona])
    pk = world[target].pk
    expected = 200 if target in SEES[persona] else 404
    assert client.get(f"/enterprises/{pk}/").status_code == expected
    assert client.get(f"/api/v1/enterprises/{pk}").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_page_export_and_api_show_only_scope(world, login, persona):
    client = login(world[persona])
    names = {world[t].name for t in SEES[persona]}
    page = client.get("/enterprises/").content.decode()
    for target in ("home", "neighbour", "other"):
        assert (world[target].name in page) == (world[target].name in names), target
    api = client.get("/api/v1/enterprises?limit=100").json()
    assert {item["name"] for item in api["items"]} == names
    export = client.get("/enterprises/?format=csv")
    if persona in OFFICERS:
        body = b"".join(export.streaming_content).decode("utf-8-sig")
        assert {line.split(",")[1] for line in body.splitlines()[1:]} == names
    else:
        assert export.status_code == 403


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["home", "other"])
def test_change_is_allowed_only_for_officers_in_scope_and_the_enterprise_itself(world, login, persona, target):
    client = login(world[persona])
    enterprise = world[target]
    allowed = target in SEES[persona] and (persona in OFFICERS or persona == "enterprise")
    before = snapshot()
    page = client.post(
        f"/enterprises/{enterprise.pk}/edit/",
        {
            "credit_code": enterprise.credit_code,
            "name": "改过的名称有限公司",
            "county": enterprise.county_id,
            "industry": enterprise.industry_id,
            "contacts-TOTAL_FORMS": "0",
            "contacts-INITIAL_FORMS": "0",
        },
    )
    api = client.patch(
        f"/api/v1/enterprises/{enterprise.pk}", json.dumps({"address": "新地址 1 号"}), content_type="application/json"
    )
    if allowed:
        assert page.status_code == 302
        assert api.status_code == 200
        enterprise.refresh_from_db()
        assert enterprise.name == "改过的名称有限公司" and enterprise.address == "新地址 1 号"
    else:
        expected = 404 if target not in SEES[persona] else 403
        assert page.status_code == expected
        assert api.status_code == expected
        assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["home", "other"])
def test_remove_only_by_officers_in_scope(world, login, persona, target):
    client = login(world[persona])
    enterprise = world[target]
    allowed = target in SEES[persona] and persona in OFFICERS
    before = snapshot()
    page = client.post(f"/enterprises/{enterprise.pk}/remove/", {"reason": "已注销"})
    if allowed:
        assert page.status_code == 302
        assert Enterprise.objects.get(pk=enterprise.pk).removed_at is not None
        assert client.get(f"/enterprises/{enterprise.pk}/").status_code == 404
    else:
        assert page.status_code == (404 if target not in SEES[persona] else 403)
        assert client.delete(f"/api/v1/enterprises/{enterprise.pk}").status_code in {403, 404}
        assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_create_only_by_officers_and_only_inside_their_region(world, login, persona):
    from conftest import make_code

    client = login(world[persona])
    before = snapshot()
    inside = {"admin": "360102", "province": "360102", "city": "360111", "county": "360102", "other_city": "360402"}
    county = inside.get(persona, "360102")
    code = make_code(county)
    page = client.post(
        "/enterprises/new/", {"credit_code": code, "name": "新建测试有限公司", "county": county, "industry": "34"}
    )
    if persona in OFFICERS:
        assert page.status_code == 302
        assert Enterprise.objects.filter(credit_code=code).exists()
        # ... but never outside their region, by page or API
        if persona not in {"admin", "province"}:
            outside = "360402" if persona != "other_city" else "360102"
            code2 = make_code(outside)
            page = client.post(
                "/enterprises/new/",
                {"credit_code": code2, "name": "越权新建有限公司", "county": outside, "industry": "34"},
            )
            assert page.status_code == 200 and "county" in page.context["form"].errors
            api = client.post(
                "/api/v1/enterprises",
                json.dumps(
                    {"credit_code": code2, "name": "越权新建有限公司", "county_code": outside, "industry_code": "34"}
                ),
                content_type="application/json",
            )
            assert api.status_code == 403
            assert not Enterprise.objects.filter(credit_code=code2).exists()
    else:
        assert page.status_code == 403
        api = client.post(
            "/api/v1/enterprises",
            json.dumps({"credit_code": code, "name": "新建测试有限公司", "county_code": county, "industry_code": "34"}),
            content_type="application/json",
        )
        assert api.status_code == 403
        assert snapshot() == before


@pytest.mark.parametrize("persona", PERSONAS)
def test_import_pages_only_for_officers(world, login, persona):
    client = login(world[persona])
    expected = 200 if persona in OFFICERS else 403
    assert client.get("/enterprises/import/").status_code == expected
    assert client.get("/enterprises/import/template.xlsx").status_code == expected


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["home", "other"])
def test_notes_by_officers_enterprise_and_commissioners_in_scope(world, login, persona, target):
    client = login(world[persona])
    enterprise = world[target]
    before = EnterpriseEvent.objects.filter(kind="note").count()
    response = client.post(f"/enterprises/{enterprise.pk}/note/", {"text": "走访记录"})
    if target not in SEES[persona]:
        assert response.status_code == 404
        assert EnterpriseEvent.objects.filter(kind="note").count() == before
    else:
        assert response.status_code == 302
        assert EnterpriseEvent.objects.filter(kind="note", enterprise=enterprise).count() == before + 1


def test_anonymous_is_sent_to_login_and_api_refuses(world, client):
    assert client.get("/enterprises/").status_code == 302
    assert client.get(f"/enterprises/{world['home'].pk}/").url.startswith("/accounts/login/")
    assert client.get("/api/v1/enterprises").status_code == 401
    assert client.post("/enterprises/new/", {}).status_code == 302
    assert Enterprise.objects.count() == 3


def test_commissioner_sees_contacts_only_of_assigned_enterprises(world, login, make_user):
    from accounts.models import Role
    from enterprises.models import Contact

    for key in ("home", "neighbour"):
        Contact.objects.create(enterprise=world[key], name="张联系", phone="13800000000")
    regional = make_user("regional", Role.COMMISSIONER, region="360102")
    page = login(regional).get(f"/enterprises/{world['home'].pk}/")
    assert page.status_code == 200 and "13800000000" not in page.content.decode()
    page = login(world["commissioner"]).get(f"/enterprises/{world['neighbour'].pk}/")
    assert "13800000000" in page.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("target", ["home", "other"])
def test_figures_only_by_those_who_may_change(world, login, persona, target):
    from enterprises.models import EnterpriseFigures

    client = login(world[persona])
    enterprise = world[target]
    allowed = target in SEES[persona] and (persona in OFFICERS or persona == "enterprise")
    response = client.post(
        f"/enterprises/{enterprise.pk}/figures/", {"year": "2025", "employees": "40", "revenue": "900"}
    )
    if allowed:
        assert response.status_code == 302
        assert EnterpriseFigures.objects.filter(enterprise=enterprise, year=2025, employees=40).exists()
    else:
        assert response.status_code == (404 if target not in SEES[persona] else 403)
        assert not EnterpriseFigures.objects.exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_clusters_are_managed_by_officers_of_their_region(world, login, persona):
    from enterprises.models import Cluster, ClusterMembership

    cluster = Cluster.objects.create(name="南昌市装备制造产业集群", region_id="360100")
    client = login(world[persona])
    sees = persona in {"admin", "province", "city", "county"}  # county officers see their city's clusters
    manages = persona in {"admin", "province", "city"}
    assert client.get(f"/enterprises/groups/clusters/{cluster.pk}/").status_code == (200 if sees else 404)
    add = client.post(f"/enterprises/groups/clusters/{cluster.pk}/member/", {"credit_code": world["home"].credit_code})
    edit = client.post(f"/enterprises/groups/clusters/{cluster.pk}/edit/", {"name": "改名", "region": "360100"})
    if manages:
        assert add.status_code == 302 and edit.status_code == 302
        assert ClusterMembership.objects.filter(cluster=cluster, enterprise=world["home"]).exists()
        cluster.refresh_from_db()
        assert cluster.name == "改名"
    else:
        assert add.status_code == edit.status_code == (403 if sees else 404)
        assert not ClusterMembership.objects.exists()
        cluster.refresh_from_db()
        assert cluster.name == "南昌市装备制造产业集群"
    new = client.post("/enterprises/groups/chains/new/", {"name": "新产业链", "region": "360100"})
    assert new.status_code == (302 if manages else 403 if persona not in OFFICERS else 200)


def test_an_officer_cannot_file_a_cluster_outside_their_region(world, login):
    from enterprises.models import Cluster

    response = login(world["other_city"]).post(
        "/enterprises/groups/clusters/new/", {"name": "越权集群", "region": "360100"}
    )
    assert response.status_code == 200 and "region" in response.context["form"].errors
    assert not Cluster.objects.exists()
