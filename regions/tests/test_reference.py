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
    plan = Enterprise.objects.visible_to(world["city"]).filter(industry_id="34").explain()
    assert "USING INDEX" in plan.upper() or "Index" in plan
    assert "SCAN regions_enterprise" not in plan
