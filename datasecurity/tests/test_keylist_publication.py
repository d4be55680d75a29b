"""Publication of the key networked-enterprise list ("reviewed and published"): the province officer publishes a
numbered, dated list that freezes who is on it with their protection level (an Event); city and county officers see
the published list of their regions, a listed enterprise only its own entry; the province sees what changed since
(待公布: added, removed, level changed). Export with formulas neutralised, the API, and every refusal."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from datasecurity import keylist
from datasecurity.models import Event, KeyEnterprise, KeyListPublication

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/data-security"
NOT_THE_PROVINCE = ["admin", "city", "county", "other_city", "enterprise", "other_enterprise", "provider",
                    "commissioner", "expert", "nobody"]  # fmt: skip


LISTED_AT = at(2026, 3, 10, 9, 0)


def listed(ds, name, level):
    return keylist.key_list(actor=ds["province"], enterprise=ds[name], protection_level=level, reason="联网设备多",
                            now=LISTED_AT)  # fmt: skip


@pytest.fixture
def published(ds):
    """东湖 (南昌, level 2) and 濂溪 (九江, level 1) listed, then 第 1 期 published on 2026-04-01."""
    listed(ds, "home", "2")
    listed(ds, "other", "1")
    return keylist.key_publish(actor=ds["province"], note="2026 年清单", now=at(2026, 4, 1, 10, 0))


def test_publish_freezes_the_list_with_a_number_a_date_and_an_event(ds, published):
    assert (published.number, published.published_on.isoformat(), published.province) == (1, "2026-04-01", "36")
    frozen = sorted(published.entries.values_list("enterprise_name", "protection_level"))
    assert frozen == [("东湖精密机械有限公司", "2"), ("九江濂溪化工有限公司", "1")]
    event = Event.objects.get(action="key_publish")
    assert event.actor == ds["province"] and event.data["number"] == 1 and event.data["entries"] == 2
    home = KeyEnterprise.objects.get(enterprise=ds["home"])
    keylist.key_set_level(actor=ds["province"], entry=home, protection_level="3", reason="新增核心数据")
    assert published.entries.get(enterprise=ds["home"]).protection_level == "2"  # frozen as published
    second = keylist.key_publish(actor=ds["province"], now=at(2026, 5, 6, 9, 0))
    assert second.number == 2 and second.entries.get(enterprise=ds["home"]).protection_level == "3"
    assert keylist.latest_publication("36") == second


def test_pending_differences_since_the_last_publication(ds, published):
    assert keylist.pending("36") == {"added": [], "removed": [], "changed": []}
    keylist.key_set_level(actor=ds["province"], entry=KeyEnterprise.objects.get(enterprise=ds["home"]),
                          protection_level="3", reason="新增核心数据")  # fmt: skip
    keylist.key_remove(actor=ds["province"], entry=KeyEnterprise.objects.get(enterprise=ds["other"]), reason="停产")
    listed(ds, "neighbour", "1")
    diff = keylist.pending("36")
    assert [(r["name"], r["after"]) for r in diff["added"]] == [("青山湖电子科技有限公司", "1")]
    assert [(r["name"], r["before"]) for r in diff["removed"]] == [("九江濂溪化工有限公司", "1")]
    assert [(r["name"], r["before"], r["after"]) for r in diff["changed"]] == [("东湖精密机械有限公司", "2", "3")]
    assert diff["changed"][0]["after_label"] == "三级防护"


def test_refusals(ds):
    with pytest.raises(ValidationError, match="还没有企业"):
        keylist.key_publish(actor=ds["province"])
    listed(ds, "home", "2")
    keylist.key_publish(actor=ds["province"])
    with pytest.raises(ValidationError, match="没有变化"):
        keylist.key_publish(actor=ds["province"])
    keylist.key_remove(actor=ds["province"], entry=KeyEnterprise.objects.get(), reason="停产")
    empty = keylist.key_publish(actor=ds["province"])  # the list emptied: publishing that is a change
    assert empty.number == 2 and not empty.entries.exists()
    assert KeyListPublication.objects.count() == 2


@pytest.mark.parametrize("role", NOT_THE_PROVINCE)
def test_only_the_province_officer_publishes(ds, role, login):
    listed(ds, "home", "2")
    with pytest.raises(PermissionDenied):
        keylist.key_publish(actor=ds[role])
    status = login(ds[role]).post("/data-security/key-list/publish/").status_code
    assert status == (404 if role in ("provider", "commissioner", "expert", "nobody") else 403)
    assert not KeyListPublication.objects.exists() and not Event.objects.filter(action="key_publish").exists()


HOME, OTHER = "东湖精密机械有限公司", "九江濂溪化工有限公司"


@pytest.mark.parametrize(("role", "seen"), [
    ("province", [HOME, OTHER]), ("admin", [HOME, OTHER]), ("city", [HOME]), ("county", [HOME]),
    ("other_city", [OTHER]), ("enterprise", [HOME]), ("other_enterprise", [OTHER]),
])  # fmt: skip
def test_who_sees_which_published_entries(ds, published, role, seen, login):
    assert sorted(e.enterprise_name for e in keylist.published_entries(ds[role], published)) == sorted(seen)
    client = login(ds[role])
    page = client.get("/data-security/key-list/").content.decode()
    assert 'data-testid="publication-number">第 1 期' in page and "2026-04-01" in page
    assert page.count('data-testid="published-row"') == len(seen)
    assert ('data-testid="key-pending"' in page) is (role == "province")
    detail = client.get(f"/data-security/key-list/publications/{published.pk}/").content.decode()
    assert detail.count('data-testid="published-row"') == len(seen)
    body = client.get(f"{API}/key-list-publications/{published.pk}").json()
    assert body["number"] == 1 and sorted(e["enterprise_name"] for e in body["entries"]) == sorted(seen)
    assert client.get(f"{API}/key-list-publications").json()["items"][0]["entry_count"] == len(seen)


def test_the_enterprise_sees_its_own_level_as_published(ds, published, login):
    home = KeyEnterprise.objects.get(enterprise=ds["home"])
    keylist.key_set_level(actor=ds["province"], entry=home, protection_level="3", reason="新增核心数据")
    body = login(ds["enterprise"]).get(f"{API}/key-list-publications/{published.pk}").json()
    assert [(e["enterprise_name"], e["protection_level"]) for e in body["entries"]] == [("东湖精密机械有限公司", "2")]
    page = login(ds["enterprise"]).get("/data-security/key-list/").content.decode()
    assert "二级防护" in page and "九江濂溪化工有限公司" not in page
    # The working record under the publication (三级 since) says the published list is what stands.
    assert 'data-testid="working-note"' in page and "以下一期公布的清单为准" in page
    assert 'data-testid="working-note"' not in login(ds["province"]).get("/data-security/key-list/").content.decode()


@pytest.mark.parametrize("role", ["provider", "commissioner", "expert", "nobody"])
def test_others_see_no_publication(ds, published, role, login):
    client = login(ds[role])
    assert keylist.publications(ds[role]).count() == 0
    assert client.get(f"/data-security/key-list/publications/{published.pk}/").status_code == 404
    assert client.get(f"/data-security/key-list/publications/{published.pk}/export.csv").status_code == 404
    assert client.get(f"{API}/key-list-publications/{published.pk}").status_code == 404
    assert client.get(f"{API}/key-list-publications").json()["count"] == 0


def test_publishing_through_the_page(ds, login):
    listed(ds, "home", "2")
    client = login(ds["province"])
    page = client.get("/data-security/key-list/").content.decode()
    assert "清单尚未公布" in page and 'data-testid="pending-added"' in page
    response = client.post("/data-security/key-list/publish/", {"note": "首次公布"})
    publication = KeyListPublication.objects.get()
    assert response.url == f"/data-security/key-list/publications/{publication.pk}/" and publication.note == "首次公布"
    page = client.get("/data-security/key-list/").content.decode()
    assert "自上次公布以来清单没有变化" in page
    response = client.post("/data-security/key-list/publish/", follow=True)
    assert "无需重新公布" in response.content.decode() and KeyListPublication.objects.count() == 1


def test_export_neutralises_formulas_and_keeps_to_the_region(ds, login):
    ds["home"].name = "=HYPERLINK(1)"
    ds["home"].save()
    listed(ds, "home", "2")
    listed(ds, "other", "1")
    publication = keylist.key_publish(actor=ds["province"], now=at(2026, 4, 1, 10, 0))
    url = f"/data-security/key-list/publications/{publication.pk}/export"
    sheet = load_workbook(io.BytesIO(login(ds["province"]).get(f"{url}.xlsx").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("期号", "公布日期", "企业名称") and len(rows) == 3
    assert rows[1][:3] == (1, "2026-04-01", "'=HYPERLINK(1)") and rows[1][5] == "二级防护"
    text = b"".join(login(ds["other_city"]).get(f"{url}.csv").streaming_content).decode("utf-8-sig")
    assert "九江濂溪化工有限公司" in text and "HYPERLINK" not in text
    assert login(ds["province"]).get(f"{url}.pdf").status_code == 404
