"""Audit trail, timeline, labels, groupings and exports of the archive. Synthetic data."""

import io
from decimal import Decimal

import openpyxl
import pytest

from enterprises import services
from enterprises.models import Chain, Cluster, Enterprise

pytestmark = pytest.mark.django_db


def test_every_profile_change_is_recorded_with_who_and_what(world, login):
    client = login(world["county"])
    home = world["home"]
    client.post(
        f"/enterprises/{home.pk}/edit/",
        {
            "credit_code": home.credit_code,
            "name": "东湖智能装备有限公司",
            "county": "360102",
            "industry": "35",
            "address": "东湖区测试路 8 号",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "王经理",
            "contacts-0-phone": "0791-88888888",
            **{f"labels-has_{code}": "" for code in []},
            "labels-has_high-tech": "on",
            "labels-year_high-tech": "2024",
        },
    )
    home.refresh_from_db()
    assert home.former_names == ["东湖精密机械有限公司"] and home.name_initials == "DHZNZBYXGS"
    changed = home.events.filter(kind="changed").order_by("id")
    profile = changed[0]
    assert profile.actor == world["county"]
    assert {c["label"]: (c["old"], c["new"]) for c in profile.data["changes"]}["行业大类"] == ("34", "35")
    assert any("联系人" in e.summary for e in changed) and any("标签" in e.summary for e in changed)
    page = client.get(f"/enterprises/{home.pk}/").content.decode()
    assert "东湖精密机械有限公司 → 东湖智能装备有限公司" in page


def test_saving_without_changes_writes_no_event(world):
    home = world["home"]
    before = home.events.count()
    assert services.enterprise_update(actor=None, enterprise=home, data={"name": home.name}) == []
    assert home.events.count() == before


def test_figures_derive_size_from_the_latest_year(world):
    home = world["home"]
    services.enterprise_set_figures(
        actor=None, enterprise=home, figures=services.Figures(year=2025, employees=350, revenue=Decimal("2500"))
    )
    services.enterprise_set_figures(
        actor=None, enterprise=home, figures=services.Figures(year=2023, employees=15, revenue=Decimal("100"))
    )
    home.refresh_from_db()
    assert (home.figures_year, home.size_class, home.is_above_scale) == (2025, "medium", True)


def test_search_by_name_code_and_pinyin_initials(world):
    qs = Enterprise.objects.all()
    assert list(qs.search("DHJM")) == [world["home"]]
    assert list(qs.search("精密")) == [world["home"]]
    assert list(qs.search(world["other"].credit_code[:12])) == [world["other"]]


def test_filters_combine_region_industry_label_cluster_chain(world, login):
    home, neighbour = world["home"], world["neighbour"]
    services.enterprise_set_labels(actor=None, enterprise=home, labels={"specialised-sme": 2024})
    cluster = Cluster.objects.create(name="南昌装备集群", region_id="360100")
    chain = Chain.objects.create(name="江西电子信息产业链", region_id="360000")
    services.grouping_add_member(actor=None, grouping=cluster, enterprise=home)
    services.grouping_add_member(actor=None, grouping=chain, enterprise=neighbour, position="leader")
    client = login(world["city"])

    def names(**params):
        return [e.name for e in client.get("/enterprises/", params).context["page"].object_list]

    assert names(region="360102") == [home.name]
    assert names(region="360100", industry="39") == [neighbour.name]
    assert names(label="specialised-sme") == [home.name]
    assert names(cluster=cluster.pk) == [home.name]
    assert names(chain=chain.pk) == [neighbour.name]
    assert names(region="360402") == []  # not a choice for this officer: refused, shows nothing
    # a city officer sees the provincial chain but may not manage it
    assert client.get(f"/enterprises/groups/chains/{chain.pk}/").status_code == 200
    assert (
        client.post(
            f"/enterprises/groups/chains/{chain.pk}/member/", {"credit_code": home.credit_code, "position": "upstream"}
        ).status_code
        == 403
    )


def test_exports_neutralise_formulas(world, login):
    home = world["home"]
    services.enterprise_update(actor=None, enterprise=home, data={"address": '=HYPERLINK("http://x")', "notes": "+1"})
    client = login(world["county"])
    body = b"".join(client.get("/enterprises/?format=csv").streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK" in body and ",'+1," in body
    book = openpyxl.load_workbook(io.BytesIO(client.get("/enterprises/?format=xlsx").content))
    row = [cell.value for cell in book.active[2]]
    assert '\'=HYPERLINK("http://x")' in row
    assert book.active["A1"].value == "统一社会信用代码"


def test_removed_enterprise_keeps_its_history_and_leaves_lists(world, login):
    home = world["home"]
    services.enterprise_remove(actor=world["county"], enterprise=home, reason="注销")
    assert not Enterprise.objects.visible_to(world["province"]).filter(pk=home.pk).exists()
    assert home.events.filter(kind="removed").exists()
