"""The registry API, scoped as the pages: the developer's own entries (drafts too), those submitted in an officer's
regions, published ones for everyone signed in; another developer's draft or another region's unpublished entry is
a 404 in the API's one error shape; the detail carries the scene models, deployments, evaluations and gates."""

import pytest

from airegistry import services
from airegistry.tests.conftest import MODEL

pytestmark = pytest.mark.django_db
API = "/api/v1/ai/models"


def ids(client, query=""):
    return [row["id"] for row in client.get(f"{API}?{query}").json()["items"]]


def test_lists_are_scoped_like_the_pages(registered, login):
    entry = registered["entry"]
    draft = services.entry_create(actor=registered["enterprise"], kind="model", developer=registered["home"],
                                  **{**MODEL, "name": "草稿"})  # fmt: skip
    assert set(ids(login(registered["enterprise"]))) == {entry.pk, draft.pk}
    assert ids(login(registered["county"])) == [entry.pk]  # the draft is not the county's yet
    assert ids(login(registered["other_city"])) == []
    services.entry_review(actor=registered["county"], entry=entry, decision="accept")
    services.entry_publish(actor=registered["county"], entry=entry)
    assert ids(login(registered["other_city"])) == [entry.pk]  # published: in the directory for everyone
    assert ids(login(registered["enterprise"]), "status=draft") == [draft.pk]
    assert ids(login(registered["other_city"]), "link=production") == [entry.pk]
    assert ids(login(registered["other_city"]), "link=marketing") == []


def test_outside_scope_is_a_404_problem(registered, login):
    response = login(registered["other_city"]).get(f"{API}/{registered['entry'].pk}")
    assert response.status_code == 404
    assert set(response.json()) == {"detail", "problems"} and response.json()["problems"] == {}


def test_anonymous_callers_are_refused(client, registered):
    assert client.get(API).status_code == 401


def test_the_detail_carries_records_and_gates(registered, login):
    data = login(registered["county"]).get(f"{API}/{registered['entry'].pk}").json()
    assert (data["developer_type"], data["developer_name"], data["parameters"]) == ("enterprise",
                                                                                    "东湖精密机械有限公司",
                                                                                    7_000_000_000)  # fmt: skip
    assert [s["kind"] for s in data["scenes"]] == ["general"] * 2 + ["specific"] * 3
    assert data["evaluations"][0]["standard"] == "GB/T 45288.2"
    assert data["evaluations"][0]["scores"] == {"performance": "86.00", "industry_fit": "90.00", "safety": "75.00"}
    shandong = data["gates"][0]
    assert (shandong["code"], shandong["outcome"], shandong["provisional"]) == ("shandong-industry-model", "met", True)
    assert [i["outcome"] for i in shandong["items"]] == ["met"] * 6


@pytest.mark.parametrize("query", ["autonomy=6", "autonomy=0", "link=moon", "industry=%22%2C", "status=gone"])
def test_a_filter_outside_its_values_is_a_422_in_the_error_shape(world, login, query):
    response = login(world["enterprise"]).get(f"{API}?{query}")
    assert response.status_code == 422 and set(response.json()) == {"detail", "problems"}
