"""The pages by role: what each side sees and may do; another region's objects are 404, a step the user may see
but not take is 403, and neither changes anything."""

import pytest
from django.utils import timezone

from datasecurity import services
from datasecurity.models import DataAsset, Filing, Incident

pytestmark = pytest.mark.django_db


@pytest.fixture
def filed(ds):
    return services.filing_submit(actor=ds["enterprise"], enterprise=ds["home"])


def test_the_enterprise_lists_grades_and_files(ds, login):
    client = login(ds["enterprise"])
    page = client.get("/data-security/").content.decode()
    assert "工艺参数库" in page and "提交目录备案" in page and "网信办报告办法" in page
    response = client.post(
        "/data-security/assets/new/",
        {"name": "设备运维日志", "category": "operations", "level": "general", "source": "设备", "records": "5000"},
    )
    assert response.status_code == 302 and DataAsset.objects.filter(name="设备运维日志").exists()
    asset = ds["asset"]
    response = client.post(f"/data-security/assets/{asset.pk}/grade/", {"c_core_stoppage": "on", "check": ""})
    assert "建议级别：核心数据" in response.content.decode()
    client.post(f"/data-security/assets/{asset.pk}/grade/", {"c_core_stoppage": "on", "confirm": "", "level": ""})
    asset.refresh_from_db()
    assert asset.level == "core" and asset.suggested_level == "core"
    response = client.post("/data-security/filings/submit/")
    filing = Filing.objects.get()
    assert response.url == f"/data-security/filings/{filing.pk}/" and filing.status == "submitted"
    page = client.get(response.url).content.decode()
    assert "审核中" in page and "<td>核心数据</td>" in page and "<td>生产运行数据</td>" in page


def test_the_regulator_returns_with_reasons_and_the_enterprise_reads_them(ds, login, filed):
    page = login(ds["province"]).get("/data-security/").content.decode()
    assert "东湖精密机械有限公司" in page and 'data-testid="queue-row"' in page
    client = login(ds["province"])
    client.post(f"/data-security/filings/{filed.pk}/review/", {"decision": "return", "reasons": "规模未分条目填写"})
    page = login(ds["enterprise"]).get(f"/data-security/filings/{filed.pk}/").content.decode()
    assert "规模未分条目填写" in page and "补正后重新提交" in page


@pytest.mark.parametrize("role, status", [("city", 403), ("county", 403), ("enterprise", 403), ("other_city", 404),
                                          ("provider", 404), ("nobody", 404)])  # fmt: skip
def test_who_may_not_review(ds, login, filed, role, status):
    response = login(ds[role]).post(f"/data-security/filings/{filed.pk}/review/", {"decision": "accept"})
    assert response.status_code == status
    assert Filing.objects.get().status == "submitted"


@pytest.mark.parametrize("role", ["other_city", "other_enterprise", "provider", "commissioner", "expert", "nobody"])
def test_another_regions_objects_are_404(ds, login, filed, role):
    incident = services.incident_record(actor=ds["enterprise"], enterprise=ds["home"], title="t", kind="leak",
                                        level="major", cii=False, discovered_at=timezone.now())  # fmt: skip
    client = login(ds[role])
    assert client.get(f"/data-security/filings/{filed.pk}/").status_code == 404
    assert client.get(f"/data-security/incidents/{incident.pk}/").status_code == 404
    assert client.get(f"/data-security/assets/{ds['asset'].pk}/").status_code == 404
    assert client.post(f"/data-security/incidents/{incident.pk}/report/").status_code == 404
    assert Incident.objects.get().status == "recorded"


def test_an_officer_cannot_edit_an_asset_or_report_for_the_enterprise(ds, login):
    incident = services.incident_record(actor=ds["enterprise"], enterprise=ds["home"], title="t", kind="leak",
                                        level="major", cii=False, discovered_at=timezone.now())  # fmt: skip
    client = login(ds["city"])
    assert client.post(f"/data-security/assets/{ds['asset'].pk}/", {"name": "x"}).status_code == 403
    assert client.post(f"/data-security/incidents/{incident.pk}/report/").status_code == 403
    assert client.post("/data-security/filings/submit/").status_code == 403
    assert Incident.objects.get().status == "recorded" and DataAsset.objects.get().name == "工艺参数库"


def test_an_incident_recorded_shows_both_clocks_to_both_sides(ds, login):
    client = login(ds["enterprise"])
    found = timezone.localtime() - timezone.timedelta(minutes=30)
    response = client.post("/data-security/incidents/new/", {
        "title": "供应链平台数据泄露", "kind": "leak", "level": "major",
        "discovered_at": found.strftime("%Y-%m-%dT%H:%M"), "description": "合成示例"})  # fmt: skip
    incident = Incident.objects.get()
    assert response.url == f"/data-security/incidents/{incident.pk}/"
    for user in ("enterprise", "province", "city"):
        page = login(ds[user]).get(response.url).content.decode()
        assert 'data-testid="clock-miit"' in page and 'data-testid="clock-cac"' in page and "剩余" in page


def test_a_page_for_nobody_is_404(ds, login):
    assert login(ds["nobody"]).get("/data-security/").status_code == 404
    assert login(ds["provider"]).get("/data-security/overview/").status_code == 404


def test_the_overview_counts_coverage_and_incidents(ds, login, filed):
    services.filing_review(actor=ds["province"], filing=filed, decision="accept")
    services.incident_record(actor=ds["enterprise"], enterprise=ds["home"], title="t", kind="leak", level="serious",
                             cii=False, discovered_at=timezone.now())  # fmt: skip
    page = login(ds["province"]).get("/data-security/overview/").content.decode()
    assert "南昌市" in page and "100%" in page
    assert "南昌市" not in login(ds["other_city"]).get("/data-security/overview/").content.decode()
