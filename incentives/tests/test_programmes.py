"""Which funding programmes an enterprise may apply to (synthetic programmes and enterprises)."""

import datetime as dt

import pytest

from catalog.models import Scenario
from incentives.demo import seed_programmes
from incentives.models import Programme
from incentives.selectors import programmes_for, region_chain

pytestmark = pytest.mark.django_db


def test_region_chain_is_the_county_its_city_and_its_province():
    assert region_chain("360102") == ["360000", "360100", "360102"]


def test_programmes_follow_region_dates_size_and_scenarios(make_enterprise):
    small = make_enterprise("360102", size_class="small")
    large = make_enterprise("360402", size_class="large")
    today = dt.date.today()
    sc1, sc2 = Scenario.objects.order_by("code")[:2]
    Programme.objects.create(name="省级券", kind="voucher", region_id="360000", sizes=["small", "micro"])
    city = Programme.objects.create(name="南昌市奖补", kind="subsidy", region_id="360100")
    city.scenarios.set([sc1])
    Programme.objects.create(name="未开始", kind="voucher", region_id="360000", opens_on=today + dt.timedelta(days=3))
    Programme.objects.create(name="已截止", kind="voucher", region_id="360000", closes_on=today - dt.timedelta(days=1))
    Programme.objects.create(name="县级（别的县）", kind="award", region_id="360111")
    names = lambda e, codes: [p["name"] for p in programmes_for(e, codes)]  # noqa: E731
    assert names(small, [sc1.code]) == ["省级券", "南昌市奖补"]
    assert names(small, [sc2.code]) == ["省级券"]  # the city programme pays only for sc1
    assert programmes_for(small, [sc1.code, sc2.code])[1]["scenarios"] == [sc1.code]
    assert names(large, [sc1.code]) == []  # another city, and too large for the province voucher


def test_demo_programmes_are_synthetic_and_seeded_once():
    assert seed_programmes("36") == 5
    assert seed_programmes("36") == 0
    assert Programme.objects.filter(is_synthetic=True).count() == 5
    assert all(p.name.startswith("【演示】") for p in Programme.objects.all())
