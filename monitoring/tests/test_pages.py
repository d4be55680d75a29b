"""The monitoring pages and API by role: officers see their regions and below, nothing else; every refusal
leaves the targets as they were (synthetic enterprises)."""

import datetime as dt
import json
from decimal import Decimal as D

import pytest

from monitoring import metrics, services
from monitoring.models import Target
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def targets(world):
    plan = services.plan_create(
        actor=world["province"], name="2026—2027 年目标（测试）", region=Region.objects.get(code="360000"),
        start_year=2026, end_year=2027,
    )  # fmt: skip
    province = services.target_set(
        actor=world["province"], plan=plan, region=Region.objects.get(code="360000"), name="完成自评估的企业",
        metric=metrics.ASSESSED, unit="count", year=2026, value=D(30), today=dt.date(2026, 1, 1),
    )  # fmt: skip
    parts = services.target_split(actor=world["province"], target=province, method="pro_rata")
    return {"plan": plan, "province": province, **{p.region_id: p for p in parts}}


def test_an_officer_lands_on_their_own_region(world, targets, login):
    for who, code in [("province", "360000"), ("city", "360100"), ("county", "360102"), ("other_city", "360400")]:
        response = login(world[who]).get("/monitoring/")
        assert response.status_code == 302 and response["Location"] == f"/monitoring/r/{code}/"


def test_the_province_page_drills_down_to_cities(world, targets, login):
    page = login(world["province"]).get("/monitoring/r/360000/").content.decode()
    assert "完成自评估的企业" in page and 'data-testid="drill-360100"' in page and 'data-testid="drill-360400"' in page
    city = login(world["city"]).get("/monitoring/r/360100/").content.decode()
    assert "完成自评估的企业" in city  # the part split to 南昌
    assert "南昌市" in city and 'data-testid="drill-360102"' in city


@pytest.mark.parametrize(
    "who, path",
    [
        ("county", "/monitoring/r/360000/"),  # the province adds up other counties
        ("county", "/monitoring/r/360111/"),  # a neighbouring county
        ("other_city", "/monitoring/r/360100/"),
        ("city", "/monitoring/r/360400/"),
    ],
)
def test_a_region_not_governed_is_not_found(world, targets, login, who, path):
    assert login(world[who]).get(path).status_code == 404


def test_targets_of_other_regions_are_not_found_in_pages_or_api(world, targets, login):
    province, jiujiang = targets["province"].pk, targets["360400"].pk
    client = login(world["city"])
    assert client.get(f"/monitoring/targets/{province}/").status_code == 404
    assert client.get(f"/monitoring/targets/{jiujiang}/").status_code == 404
    assert client.get(f"/api/v1/monitoring/targets/{jiujiang}").status_code == 404
    listed = client.get("/api/v1/monitoring/targets").json()["items"]
    assert {t["region_code"] for t in listed} == {"360100"}


@pytest.mark.parametrize("who", ["enterprise", "provider", "commissioner", "expert", "nobody"])
def test_monitoring_is_for_authorities_only(world, targets, login, who):
    client = login(world[who])
    assert client.get("/monitoring/r/360000/").status_code == 403
    assert client.get(f"/monitoring/targets/{targets['province'].pk}/").status_code == 403
    assert client.get("/api/v1/monitoring/targets").status_code == 403
    assert 'data-testid="nav-monitoring"' not in client.get("/").content.decode()


def test_an_officer_sets_a_target_through_the_page(world, targets, login):
    client = login(world["county"])
    form = {
        "plan": targets["plan"].pk, "name": "规上企业 CMMM 二级", "metric": "level", "unit": "share",
        "model_code": "cmmm", "level": "2", "basis": "self", "above_scale": "true", "year": "2027", "value": "40",
    }  # fmt: skip
    response = client.post("/monitoring/r/360102/targets/new/", form)
    target = Target.objects.get(name="规上企业 CMMM 二级")
    assert response.status_code == 302 and response["Location"] == f"/monitoring/targets/{target.pk}/"
    assert (target.region_id, target.above_scale, target.value, target.created_by) == (
        "360102", True, D(40), world["county"],
    )  # fmt: skip
    refused = client.post("/monitoring/r/360102/targets/new/", {**form, "name": "超限", "value": "140"})
    assert refused.status_code == 200 and "占比目标不能超过 100%" in refused.content.decode()
    assert not Target.objects.filter(name="超限").exists()


def test_a_hand_split_that_does_not_add_up_is_refused_with_the_sums(world, targets, login):
    province = targets["province"]
    cities = Region.objects.filter(parent_id="360000").order_by("code")
    post = {"method": "by_hand", **{f"part_{c.code}": "0" for c in cities}, "part_360100": "29"}
    response = login(world["province"]).post(f"/monitoring/targets/{province.pk}/split/", post)
    assert response.status_code == 200
    assert "各地区目标之和为 29，与上级目标 30 不一致" in response.content.decode()
    assert Target.objects.get(parent=province, region_id="360100").value == targets["360100"].value
    ok = login(world["province"]).post(f"/monitoring/targets/{province.pk}/split/", {**post, "part_360400": "1"})
    assert ok.status_code == 302
    assert Target.objects.get(parent=province, region_id="360400").value == D(1)


def test_a_city_officer_cannot_split_the_province_target(world, targets, login):
    province = targets["province"]
    assert (
        login(world["city"]).post(f"/monitoring/targets/{province.pk}/split/", {"method": "pro_rata"}).status_code
        == 404
    )
    response = login(world["city"]).post(
        f"/api/v1/monitoring/targets/{province.pk}/split",
        json.dumps({"method": "pro_rata"}),
        content_type="application/json",
    )
    assert response.status_code == 404


def test_the_api_sets_and_splits_a_target(world, targets, login):
    client = login(world["city"])
    body = {
        "plan_id": targets["plan"].pk, "region_code": "360100", "name": "入库服务商", "metric": "providers",
        "unit": "count", "year": 2026, "value": "12",
    }  # fmt: skip
    created = client.post("/api/v1/monitoring/targets", json.dumps(body), content_type="application/json")
    assert created.status_code == 201, created.content
    data = created.json()
    # set today, the trajectory starts where the figure stands: on track until time passes
    assert (data["region_code"], D(data["value"]), data["met"], data["progress"]["status"]) == (
        "360100", D(12), 0, "on_track",
    )  # fmt: skip
    split = client.post(
        f"/api/v1/monitoring/targets/{data['id']}/split",
        json.dumps({"method": "pro_rata"}),
        content_type="application/json",
    )
    assert split.status_code == 200 and sum(D(p["value"]) for p in split.json()["parts"]) == D(12)
    other = client.post(
        "/api/v1/monitoring/targets", json.dumps({**body, "region_code": "360400"}), content_type="application/json"
    )
    assert other.status_code == 403 and not Target.objects.filter(region_id="360400", name="入库服务商").exists()
    bad = client.post(
        "/api/v1/monitoring/targets", json.dumps({**body, "unit": "share"}), content_type="application/json"
    )
    assert bad.status_code == 422 and "只能按数量设定目标" in bad.json()["detail"]


def test_recompute_is_started_by_an_officer_of_the_region(world, targets, login, give_result):
    give_result(world["home"], 2, when=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    assert login(world["other_city"]).post("/monitoring/r/360100/recompute/").status_code == 404
    targets["360100"].refresh_from_db()
    assert targets["360100"].met == 0
    response = login(world["city"]).post("/monitoring/r/360100/recompute/")
    assert response.status_code == 302
    targets["360100"].refresh_from_db()
    targets["province"].refresh_from_db()
    assert targets["360100"].met == 1  # the tasks run at once in tests
    assert targets["province"].met == 0  # outside the city officer's recompute


def test_the_enterprises_behind_a_figure_open_in_the_enterprise_list(
    world, targets, login, make_enterprise, give_result
):
    done = make_enterprise("360102", name="已自评企业甲有限公司")
    other_city_done = make_enterprise("360402", name="九江已自评企业有限公司")
    make_enterprise("360111", name="未自评企业乙有限公司")
    for firm in (done, other_city_done):
        give_result(firm, 2, when=dt.datetime(2026, 3, 1, tzinfo=dt.UTC))
    province, nanchang = targets["province"], targets["360100"]
    client = login(world["province"])
    met = client.get(f"/monitoring/targets/{province.pk}/enterprises/?part=met").content.decode()
    assert 'data-testid="list-subset"' in met and "已达成的企业" in met
    assert "已自评企业甲有限公司" in met and "九江已自评企业有限公司" in met and "未自评企业乙有限公司" not in met
    unmet = client.get(f"/monitoring/targets/{province.pk}/enterprises/?part=unmet").content.decode()
    assert "未自评企业乙有限公司" in unmet and "已自评企业甲有限公司" not in unmet
    # the list's own filters work inside the set, and the export holds the set only
    filtered = client.get(f"/monitoring/targets/{province.pk}/enterprises/?part=met&q=九江").content.decode()
    assert "九江已自评企业有限公司" in filtered and "已自评企业甲有限公司" not in filtered
    exported = client.get(f"/monitoring/targets/{province.pk}/enterprises/?part=met&format=csv")
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    assert "已自评企业甲有限公司" in text and "未自评企业乙有限公司" not in text
    # a city officer: the city's part lists the city's enterprises; the province's target is not theirs
    city = login(world["city"])
    assert "九江已自评企业有限公司" not in city.get(f"/monitoring/targets/{nanchang.pk}/enterprises/").content.decode()
    assert city.get(f"/monitoring/targets/{province.pk}/enterprises/").status_code == 404
    assert login(world["commissioner"]).get(f"/monitoring/targets/{nanchang.pk}/enterprises/").status_code == 403
