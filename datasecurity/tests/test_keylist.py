"""The key networked-enterprise list by role and scope: the enterprise proposes with its self-assessment; the
provincial regulator lists (from the proposal or from the archive's candidates) with a protection level and a
reason, changes the level, removes with a reason — each an Event; everyone else is refused. Filters, the yearly
risk assessment's standing, and the export (XLSX and CSV) with formulas neutralised."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from datasecurity import keylist, services
from datasecurity.models import Event, KeyEnterprise, RiskAssessment

from .conftest import at

pytestmark = pytest.mark.django_db
API = "/api/v1/data-security"
NOT_THE_REGULATOR = ["enterprise", "city", "county", "other_city", "provider", "commissioner", "expert", "nobody",
                     "other_enterprise"]  # fmt: skip


def propose(ds, actor="enterprise", enterprise="home", text="设备联网 120 台，接入某工业互联网平台"):
    return keylist.key_propose(actor=ds[actor], enterprise=ds[enterprise], networked_devices=120,
                               platforms="某工业互联网平台（合成）", self_assessment=text,
                               now=at(2026, 3, 1, 9, 0))  # fmt: skip


def test_propose_list_change_level_and_remove_each_with_an_event(ds):
    entry = propose(ds)
    assert entry.status == "proposed" and entry.region_code == "360102"
    entry = keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="2",
                             reason="联网设备多、持有重要数据", now=at(2026, 3, 10, 9, 0))  # fmt: skip
    assert entry.status == "listed" and entry.protection_level == "2" and entry.listed_at == at(2026, 3, 10, 9, 0)
    keylist.key_set_level(actor=ds["province"], entry=entry, protection_level="3", reason="新增核心数据")
    entry = keylist.key_remove(actor=ds["province"], entry=entry, reason="企业停产")
    assert entry.status == "removed" and entry.reason == "企业停产"
    events = list(Event.objects.filter(key_entry=entry).values_list("action", "reason"))
    assert events == [("key_propose", ""), ("key_list", "联网设备多、持有重要数据"), ("key_level", "新增核心数据"),
                      ("key_remove", "企业停产")]  # fmt: skip
    assert Event.objects.get(action="key_level").data == {"from": "2", "to": "3"}
    propose(ds)  # after a removal the enterprise may propose again
    assert KeyEnterprise.objects.get().status == "proposed"


def test_refusals(ds):
    with pytest.raises(ValidationError, match="企业自评"):
        propose(ds, text=" ")
    entry = propose(ds)
    with pytest.raises(ValidationError, match="理由"):
        keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="1", reason="")
    with pytest.raises(ValidationError, match="防护等级"):
        keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="9", reason="x")
    with pytest.raises(ValidationError, match="只有清单内"):
        keylist.key_set_level(actor=ds["province"], entry=entry, protection_level="2", reason="x")
    keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="1", reason="x")
    with pytest.raises(ValidationError, match="已在清单中"):
        keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="1", reason="x")
    with pytest.raises(ValidationError, match="无需再申报"):
        propose(ds)
    with pytest.raises(ValidationError, match="没有变化"):
        keylist.key_set_level(actor=ds["province"], entry=entry, protection_level="1", reason="x")
    with pytest.raises(ValidationError, match="须说明理由"):
        keylist.key_remove(actor=ds["province"], entry=entry, reason=" ")
    keylist.key_remove(actor=ds["province"], entry=entry, reason="x")
    with pytest.raises(ValidationError, match="已移出"):
        keylist.key_remove(actor=ds["province"], entry=entry, reason="x")


@pytest.mark.parametrize("role", NOT_THE_REGULATOR)
def test_only_the_provincial_regulator_lists_and_removes(ds, role):
    entry = propose(ds)
    with pytest.raises(PermissionDenied):
        keylist.key_list(actor=ds[role], enterprise=ds["home"], protection_level="1", reason="x")
    with pytest.raises(PermissionDenied):
        keylist.key_remove(actor=ds[role], entry=entry, reason="x")
    assert KeyEnterprise.objects.get().status == "proposed"


@pytest.mark.parametrize("role", ["province", "city", "other_enterprise", "nobody"])
def test_only_the_enterprise_proposes_for_itself(ds, role):
    with pytest.raises(PermissionDenied):
        propose(ds, actor=role)


def test_candidates_from_the_archive_and_listing_one_directly(ds, login):
    from enterprises.models import Enterprise

    Enterprise.objects.filter(pk__in=[ds["home"].pk, ds["other"].pk]).update(is_above_scale=True)
    services.asset_save(actor=ds["other_enterprise"], asset=ds["asset"].__class__(
        enterprise=ds["other"], name="配方库", category="rnd", level="core", records=10))  # fmt: skip
    assert [e.pk for e in keylist.candidates(ds["province"])] == [ds["home"].pk, ds["other"].pk]
    assert [e.pk for e in keylist.candidates(ds["city"])] == [ds["home"].pk]  # 九江 is not the city's
    assert keylist.candidates(ds["enterprise"]) == []
    client = login(ds["province"])
    assert 'data-testid="candidate-row"' in client.get("/data-security/key-list/").content.decode()
    response = client.post("/data-security/key-list/add/", {"enterprise": ds["other"].pk, "protection_level": "3",
                                                             "reason": "持有核心数据"})  # fmt: skip
    entry = KeyEnterprise.objects.get()
    assert response.url == f"/data-security/key-list/{entry.pk}/" and entry.status == "listed"
    assert [e.pk for e in keylist.candidates(ds["province"])] == [ds["home"].pk]
    assert client.post("/data-security/key-list/add/", {"enterprise": "1 OR 1"}).status_code == 404
    assert login(ds["other_city"]).post("/data-security/key-list/add/", {
        "enterprise": ds["home"].pk, "protection_level": "1", "reason": "x"}).status_code == 404  # fmt: skip
    assert login(ds["city"]).post("/data-security/key-list/add/", {
        "enterprise": ds["home"].pk, "protection_level": "1", "reason": "x"}).status_code == 403  # fmt: skip


def test_filters_scope_and_the_yearly_assessment(ds, make_user, login):
    keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="2", reason="x")
    keylist.key_list(actor=ds["province"], enterprise=ds["other"], protection_level="1", reason="y")
    now = at(2026, 12, 7, 9, 0)
    assert [e.enterprise_id for e in keylist.entries(ds["province"], level="2")] == [ds["home"].pk]
    assert [e.enterprise_id for e in keylist.entries(ds["province"], city="3604")] == [ds["other"].pk]
    assert [e.enterprise_id for e in keylist.entries(ds["province"], q="濂溪")] == [ds["other"].pk]
    assert [e.enterprise_id for e in keylist.entries(ds["province"], industry="26")] == [ds["other"].pk]
    assert [e.enterprise_id for e in keylist.entries(ds["other_city"])] == [ds["other"].pk]
    assert [e.enterprise_id for e in keylist.entries(ds["enterprise"])] == [ds["home"].pk]
    RiskAssessment.objects.create(enterprise=ds["home"], region_code="360102", period_start=at(2025, 1, 1).date(),
                                  period_end=at(2025, 12, 31).date(), assessor="x", findings="x",
                                  completed_at=at(2025, 12, 1, 9, 0))  # fmt: skip
    home = keylist.entries(ds["province"], q="东湖").get()
    due, overdue = keylist.assessment_due(home, now)
    assert due.date() == at(2026, 12, 1).date() and overdue  # a year after the last one
    assert keylist.assessment_due(home, at(2026, 11, 30, 9, 0))[1] is False
    other = keylist.entries(ds["province"], q="濂溪").get()
    assert keylist.assessment_due(other, now) == (None, True)  # never assessed
    page = login(ds["province"]).get("/data-security/key-list/?level=2").content.decode()
    rows = page.split('data-testid="key-list"')[1].split("</table>")[0]  # the 待公布 card lists the whole list
    assert "东湖精密机械有限公司" in rows and "九江濂溪化工有限公司" not in rows
    body = login(ds["province"]).get(f"{API}/key-enterprises?city=3601").json()
    assert [r["enterprise_id"] for r in body["items"]] == [ds["home"].pk] and body["items"][0][
        "protection_level"
    ] == "2"
    assert login(ds["other_city"]).get(f"{API}/key-enterprises/{home.pk}").status_code == 404


def test_export_neutralises_formulas(ds, login):
    keylist.key_propose(actor=ds["enterprise"], enterprise=ds["home"], networked_devices=3, platforms="=HYPERLINK(1)",
                        self_assessment="x")  # fmt: skip
    keylist.key_list(actor=ds["province"], enterprise=ds["home"], protection_level="1", reason="+cmd|' /C calc'!A0")
    client = login(ds["province"])
    response = client.get("/data-security/key-list/export.xlsx")
    sheet = load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "企业名称" and rows[1][0] == "东湖精密机械有限公司"
    assert rows[1][7] == "'=HYPERLINK(1)" and rows[1][8].startswith("'+cmd")
    text = b"".join(client.get("/data-security/key-list/export.csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and "东湖精密机械有限公司" in text
    assert login(ds["other_city"]).get("/data-security/key-list/export.csv").status_code == 200
    other = b"".join(login(ds["other_city"]).get("/data-security/key-list/export.csv").streaming_content)
    assert "东湖".encode() not in other
    assert login(ds["nobody"]).get("/data-security/key-list/export.xlsx").status_code == 404


def test_pages_by_role(ds, login):
    client = login(ds["enterprise"])
    response = client.post("/data-security/key-list/propose/", {"networked_devices": "50", "platforms": "平台",
                                                                 "self_assessment": "自评"})  # fmt: skip
    entry = KeyEnterprise.objects.get()
    assert response.url == f"/data-security/key-list/{entry.pk}/"
    assert 'data-testid="key-actions"' not in client.get(response.url).content.decode()
    assert client.post(f"/data-security/key-list/{entry.pk}/list/", {"protection_level": "1",
                                                                     "reason": "x"}).status_code == 403  # fmt: skip
    page = login(ds["province"]).get(response.url).content.decode()
    assert 'data-testid="key-actions"' in page
    login(ds["province"]).post(f"/data-security/key-list/{entry.pk}/list/", {"protection_level": "2", "reason": "联网"})
    assert KeyEnterprise.objects.get().status == "listed"
    assert login(ds["other_city"]).get(response.url).status_code == 404
    assert login(ds["nobody"]).get("/data-security/key-list/").status_code == 404
