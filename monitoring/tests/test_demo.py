"""The example plan shipped for the demo province (over synthetic demo enterprises)."""

import pytest

from enterprises.demo import seed_demo
from monitoring.demo import TARGETS, seed_example_plan
from monitoring.models import Plan, Target
from regions.models import Region

pytestmark = pytest.mark.django_db


def test_the_example_plan_is_split_to_every_city_and_county_and_labelled(client):
    seed_demo(province="36", enterprises=300, seed=1, password="Demo-pass-2026!")
    n = seed_example_plan("36")
    plan = Plan.objects.get()
    assert plan.is_example and "示例" in plan.name
    cities = Region.objects.filter(parent_id="360000", is_active=True).count()
    counties = Region.objects.filter(parent__parent_id="360000", is_active=True).count()
    assert n == Target.objects.count() == len(TARGETS) * (1 + cities + counties)
    for whole in Target.objects.filter(parent__isnull=True, unit="count"):  # counts add up at every level
        for city in whole.parts.all():
            assert sum(p.value for p in city.parts.all()) == city.value or not city.parts.exists()
        assert sum(p.value for p in whole.parts.all()) == whole.value
    assert seed_example_plan("36") == 0  # not twice
    assert seed_example_plan("36", replace=True) == n and Plan.objects.count() == 1

    from accounts.models import User

    client.force_login(User.objects.get(username="county"), backend="django.contrib.auth.backends.ModelBackend")
    page = client.get("/monitoring/", follow=True).content.decode()
    assert "规上企业达到基础级及以上智能工厂" in page and "示例" in page
