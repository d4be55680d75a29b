"""Shipped reference data: the division tree, the industry divisions and the scope's index use."""

import pytest

from enterprises.models import Enterprise
from regions.models import IndustryDivision, Region

pytestmark = pytest.mark.django_db


def test_divisions_cover_china_to_county_level():
    assert Region.objects.filter(level=1).count() == 34 + 1  # 34 provincial divisions (+ the 香港/澳门/台湾 rows)
    assert Region.objects.get(pk="360000").name == "江西省"
    jiangxi = Region.objects.get(pk="360000")
    assert Region.objects.subtree(jiangxi).filter(level=2).count() == 11
    assert Region.objects.counties_in(jiangxi).count() == 100


def test_tree_has_parents_and_materialised_paths():
    county = Region.objects.get(pk="360102")
    assert (county.parent_id, county.parent.parent_id, county.path) == ("360100", "360000", "360102")
    assert county.full_name == "江西省 南昌市 东湖区"
    assert Region.objects.get(pk="360100").path == "3601"
    # a county-level city directly under its province (省直辖) hangs from the province
    assert Region.objects.get(pk="419001").parent_id == "410000"
    assert Region.objects.get(pk="110101").full_name == "北京市 东城区"


def test_manufacturing_divisions_13_to_43():
    codes = list(IndustryDivision.objects.values_list("code", flat=True))
    assert codes == [str(c) for c in range(13, 44)]
    assert IndustryDivision.objects.get(pk="25").name == "石油、煤炭及其他燃料加工业"  # the 2017 name


def test_region_scope_uses_an_index_not_a_table_scan(world):
    """The scope is a range on county_id, so an index serves it (the benchmark shows the plan at 300,000 rows)."""
    from django.db import connection

    qs = Enterprise.objects.visible_to(world["city"]).filter(industry_id="34")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET enable_seqscan = off")  # tiny tables: ask whether an index *can* serve the filter
        plan = qs.explain()
        assert "Seq Scan on enterprises_enterprise" not in plan and "Index" in plan
    else:
        plan = qs.explain()
        assert "USING INDEX ent_" in plan or "USING COVERING INDEX ent_" in plan, plan
        assert "SCAN enterprises_enterprise\n" not in plan + "\n"
