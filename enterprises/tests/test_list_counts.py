"""The enterprise list's total ("共 N 家企业") is exact and scoped, whichever way enterprises are written.

Region-wide totals come from per-county counts kept by database triggers (EnterpriseCount); these tests write
enterprises through services, plain ORM calls and bulk statements, and compare each officer's shown total with a
direct COUNT of the rows they may see."""

import re

import pytest
from django.db import connection
from django.db.models import Count
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from conftest import make_code
from enterprises import services
from enterprises.models import Enterprise, EnterpriseCount

SHOWN = re.compile(r'data-testid="result-count">共 ([\d,]+) 家企业')


def shown_total(client, params: str = "") -> int:
    response = client.get("/enterprises/" + params)
    assert response.status_code == 200
    match = SHOWN.search(response.content.decode())
    return int(match.group(1).replace(",", "")) if match else 0


def visible(user, region: str = "") -> int:
    qs = Enterprise.objects.visible_to(user)
    return qs.in_region(region).count() if region else qs.count()


def assert_counts_match_rows() -> None:
    rows = dict(Enterprise.objects.active().values("county_id").annotate(n=Count("id")).values_list("county_id", "n"))
    kept = {c.county_code: c.active for c in EnterpriseCount.objects.all() if c.active}
    assert kept == rows


@pytest.fixture
def officers(world, login):
    """Each officer's own client, so that every total is read as that officer."""
    from django.test import Client

    clients = {}
    for name in ("province", "city", "county", "other_city", "admin"):
        client = Client()
        client.force_login(world[name], backend="django.contrib.auth.backends.ModelBackend")
        clients[name] = client
    return clients


def totals(world, officers) -> dict[str, int]:
    found = {name: shown_total(client) for name, client in officers.items()}
    assert found == {name: visible(world[name]) for name in officers}  # every total is exactly the officer's rows
    return found


def test_county_officer_counts_only_their_county(world, officers, make_enterprise):
    for _ in range(3):
        make_enterprise("360111")  # same city, another county
    make_enterprise("360402")
    found = totals(world, officers)
    assert found["county"] == 1  # 东湖区: only the home enterprise
    assert found["city"] == 5  # 南昌市: home, neighbour, three more in 青山湖区
    assert found["other_city"] == 2
    assert found["province"] == found["admin"] == 7


def test_total_follows_create_remove_and_move(world, officers, make_enterprise):
    before = totals(world, officers)
    created = make_enterprise("360102")  # services.enterprise_create
    after_create = totals(world, officers)
    assert after_create["county"] == before["county"] + 1
    assert after_create["province"] == before["province"] + 1
    assert after_create["other_city"] == before["other_city"]

    services.enterprise_update(actor=world["province"], enterprise=created, data={"county_id": "360402"})
    after_move = totals(world, officers)
    assert after_move["county"] == before["county"]  # moved out of 东湖区 …
    assert after_move["other_city"] == before["other_city"] + 1  # … into 九江市
    assert after_move["province"] == after_create["province"]

    services.enterprise_remove(actor=world["province"], enterprise=created, reason="注销")
    assert totals(world, officers) == before
    assert_counts_match_rows()


def test_total_follows_bulk_writes_that_bypass_services(world, officers):
    before = totals(world, officers)
    Enterprise.objects.bulk_create(
        [
            Enterprise(credit_code=make_code("360102"), name=f"批量企业{n}", county_id="360102", industry_id="34")
            for n in range(4)
        ]
    )
    assert totals(world, officers)["county"] == before["county"] + 4

    Enterprise.objects.filter(name__startswith="批量企业").update(county_id="360111")  # one UPDATE statement
    moved = totals(world, officers)
    assert moved["county"] == before["county"] and moved["city"] == before["city"] + 4

    Enterprise.objects.filter(name="批量企业0").update(removed_at=timezone.now())
    assert totals(world, officers)["city"] == before["city"] + 3
    Enterprise.objects.filter(name="批量企业0").update(removed_at=None)  # restored
    assert totals(world, officers)["city"] == before["city"] + 4

    Enterprise.objects.filter(name__startswith="批量企业").delete()  # a hard delete
    assert totals(world, officers) == before
    assert_counts_match_rows()


def test_region_filter_total_is_the_region_inside_the_scope(world, officers, make_enterprise):
    make_enterprise("360111", industry="39")
    assert shown_total(officers["province"], "?region=360100") == visible(world["province"], "3601") == 3
    assert shown_total(officers["province"], "?region=360102") == 1
    assert shown_total(officers["city"], "?region=360111") == 2
    # A filter narrower than the region count: counted from the rows, still exact and scoped.
    assert shown_total(officers["province"], "?region=360100&industry=39") == 2
    assert shown_total(officers["other_city"], "?industry=26") == 1


def test_other_roles_get_their_exact_total(world, login):
    assert shown_total(login(world["enterprise"])) == 1  # only its own record
    assert shown_total(login(world["commissioner"])) == 1  # only the enterprise assigned by name


def test_region_wide_total_does_not_count_the_enterprise_table(world, officers):
    """What keeps a province's first page fast: its total is read from the per-county counts."""
    with CaptureQueriesContext(connection) as captured:
        assert shown_total(officers["province"]) == 3
    counts = [q["sql"] for q in captured.captured_queries if q["sql"].startswith("SELECT COUNT(")]
    assert not [sql for sql in counts if '"enterprises_enterprise"' in sql]


@pytest.mark.parametrize("region", ["36", "3601", "360102", "360111", "3604", "360402", "44"])
def test_visible_within_a_region_is_the_scope_cut_to_the_region(world, make_enterprise, region):
    """The list drops a regional scope that contains the filtered region (one range for SQLite to read); for every
    persona the rows are exactly the scope's rows inside the region."""
    make_enterprise("360111")
    for persona in ("admin", "province", "city", "county", "other_city", "enterprise", "commissioner", "provider"):
        user = world[persona]
        expected = set(Enterprise.objects.visible_to(user).in_region(region).values_list("pk", flat=True))
        assert set(Enterprise.objects.visible_to(user, within=region).values_list("pk", flat=True)) == expected


def test_label_filter_is_the_same_in_a_county_and_across_the_province(world, officers, make_enterprise):
    """A county-level label filter is written as a per-row lookup, a wider one as a list of holders: same rows."""
    holders = [world["home"], make_enterprise("360102"), make_enterprise("360111"), world["other"]]
    for enterprise in holders:
        services.enterprise_set_labels(actor=None, enterprise=enterprise, labels={"specialised-sme": 2024})
    make_enterprise("360102")  # in the county, without the label
    assert shown_total(officers["county"], "?label=specialised-sme") == 2
    assert shown_total(officers["province"], "?region=360102&label=specialised-sme") == 2
    assert shown_total(officers["city"], "?label=specialised-sme") == 3
    assert shown_total(officers["province"], "?label=specialised-sme") == 4
