"""Maps: boundaries by region (vendored or a reviewed file), values per county or city from the tallies, scope."""

import json

import pytest

from monitoring import cube, maps
from monitoring.figures import View
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_boundaries_narrow_to_a_citys_counties_and_are_not_found_outside_scope(world, login):
    province = login(world["province"]).get("/monitoring/r/360000/map/shape.json").json()
    codes = {f["properties"]["code"] for f in province["features"]}
    assert "360102" in codes and "360402" in codes and len(codes) == 100  # the vendored drawing's counties
    city = login(world["city"]).get("/monitoring/r/360100/map/shape.json").json()
    assert {f["properties"]["code"][:4] for f in city["features"]} == {"3601"}
    assert login(world["city"]).get("/monitoring/r/360400/map/shape.json").status_code == 404
    assert login(world["county"]).get("/monitoring/r/360100/map/values.json").status_code == 404


def test_a_reviewed_map_file_replaces_the_drawing_and_the_label_says_so(world, login, settings, tmp_path):
    ring = [[115.9, 28.6], [116.0, 28.6], [116.0, 28.7], [115.9, 28.6]]
    reviewed = {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"name": "东湖区", "code": "360102"},
         "geometry": {"type": "Polygon", "coordinates": [ring]}},
    ]}  # fmt: skip
    (tmp_path / "360000.json").write_text(json.dumps(reviewed, ensure_ascii=False), encoding="utf-8")
    client = login(world["province"])
    assert "未经审核" in client.get("/monitoring/r/360000/figures/").content.decode()
    settings.TIDU_MAP_DIR = str(tmp_path)
    assert client.get("/monitoring/r/360000/map/shape.json").json() == reviewed
    page = client.get("/monitoring/r/360000/figures/").content.decode()
    assert "审核版地图文件" in page and "未经审核" not in page


def test_values_per_county_and_per_city_from_the_tallies(world, make_enterprise, give_result):
    east = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    lake = [make_enterprise("360111", is_above_scale=True) for _ in range(6)]
    for firm in east[:2] + lake[:1]:
        give_result(firm, 2)
    give_result(lake[1], 1)
    cube.rebuild()
    view = View(region=Region.objects.get(code="360000"), year=2026, min_group=4)
    by_county = maps.values(view, "level", "county")
    assert by_county["360102"] == 50.0 and by_county["360111"] == pytest.approx(16.67)
    by_city = maps.values(view, "level", "city")
    assert by_city["360102"] == by_city["360111"] == 30.0  # 3 of 南昌's 10
    assert maps.values(View(region=view.region, year=2026, min_group=5), "level", "county")["360102"] is None
    assert maps.values(view, "population", "city")["360111"] == 10.0


def test_by_city_every_county_drawn_takes_its_citys_value(world, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(2)]
    give_result(firms[0], 3)
    cube.rebuild()
    by_city = maps.values(View(region=Region.objects.get(code="360000"), year=2026, min_group=1), "level", "city")
    assert by_city["360124"] == by_city["360102"] == 50.0  # 进贤县 has no enterprise: drawn in 南昌's colour
