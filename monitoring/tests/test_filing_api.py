"""The monitoring API for statistics reports, campaigns and index runs: the same scope as the pages (another
region's object is a 404, one seen but not the officer's to act on a 403) and the filing's steps through the same
services, checked by persona, with nothing changed by a refusal (synthetic data)."""

import datetime as dt
import json

import pytest
from django.utils import timezone

from accounts.models import Role
from assessments.models import ModelVersion
from monitoring import campaigns, filings
from monitoring.models import Filing, FilingEvent, IndexRun
from regions.models import Region

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
API = "/api/v1/monitoring"


@pytest.fixture
def round_(world):
    return filings.round_open(
        actor=world["province"], region=Region.objects.get(code="360000"), name="智改数转工作进展统计表",
        template="progress", period=f"{YEAR} 年度", year=YEAR, due_on=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip


def post(client, path, body=None):
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def test_a_county_officer_sees_only_their_own_filing(world, round_, login):
    county = login(world["county"])
    listed = county.get(f"{API}/filings").json()["items"]
    assert {f["region_code"] for f in listed} == {"360102"}
    jiujiang = Filing.objects.get(round=round_, region_id="360402")
    assert county.get(f"{API}/filings/{jiujiang.pk}").status_code == 404
    detail = county.get(f"{API}/rounds/{round_.pk}").json()
    assert [f["region_code"] for f in detail["filings"]] == ["360102"]
    assert sum(detail["counts"].values()) == 1 and detail["columns"][0] == "规上工业企业数"
    city = {f["region_code"] for f in login(world["city"]).get(f"{API}/filings").json()["items"]}
    assert "360100" in city and "360102" in city and all(code.startswith("3601") for code in city)
    assert login(world["enterprise"]).get(f"{API}/filings").status_code == 403
    assert login(world["enterprise"]).get(f"{API}/rounds").status_code == 403


def test_the_filing_steps_through_the_api_by_role(world, round_, login, make_enterprise):
    make_enterprise("360102", is_above_scale=True)
    east = Filing.objects.get(round=round_, region_id="360102")
    jiujiang = Filing.objects.get(round=round_, region_id="360402")
    county = login(world["county"])
    assert post(county, f"{API}/filings/{jiujiang.pk}/submit").status_code == 404
    city = login(world["city"])
    assert post(city, f"{API}/filings/{east.pk}/submit").status_code == 403  # the city reviews, it does not file
    assert post(city, f"{API}/filings/{east.pk}/accept").status_code == 422  # nothing submitted yet
    east.refresh_from_db()
    assert east.status == "draft" and not FilingEvent.objects.exists()

    county = login(world["county"])
    draft = county.get(f"{API}/filings/{east.pk}").json()
    assert (draft["frozen"], draft["may_submit"], draft["may_review"]) == (False, True, False)
    submitted = post(county, f"{API}/filings/{east.pk}/submit")
    assert submitted.status_code == 200, submitted.content
    body = submitted.json()
    assert body["status"] == "submitted" and body["frozen"] is True
    assert body["figures"]["rows"][0][:2] == ["东湖区", 1] and body["figures"]["rows_kind"] == "regions"
    assert post(county, f"{API}/filings/{east.pk}/submit").status_code == 422  # not twice
    assert post(county, f"{API}/filings/{east.pk}/accept").status_code == 403  # not its own reviewer

    other_city = login(world["other_city"])
    assert post(other_city, f"{API}/filings/{east.pk}/return", {"reason": "不对"}).status_code == 404
    city = login(world["city"])
    blank = post(city, f"{API}/filings/{east.pk}/return", {"reason": "  "})
    assert blank.status_code == 422 and blank.json()["problems"] == {"reason": "请填写退回原因"}
    returned = post(city, f"{API}/filings/{east.pk}/return", {"reason": "诊断数与台账不一致"}).json()
    assert (returned["status"], returned["returned_reason"]) == ("returned", "诊断数与台账不一致")
    assert returned["steps"][-1]["reason"] == "诊断数与台账不一致"

    county = login(world["county"])
    assert post(county, f"{API}/filings/{east.pk}/submit").json()["status"] == "submitted"
    accepted = post(login(world["city"]), f"{API}/filings/{east.pk}/accept").json()
    assert accepted["status"] == "accepted"
    assert [s["kind"] for s in accepted["steps"]] == ["submitted", "returned", "submitted", "accepted"]
    east.refresh_from_db()
    assert (east.status, east.reviewed_by) == ("accepted", world["city"])


@pytest.fixture
def campaign(world, give_result):
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    today = timezone.localdate()
    made = campaigns.campaign_create(
        actor=world["province"], name="自评估专项行动", region=Region.objects.get(code="360000"), kind="self",
        model_version=version, starts_on=today - dt.timedelta(days=5), ends_on=today + dt.timedelta(days=5),
        above_scale_only=False, chosen=[world["home"].pk, world["neighbour"].pk, world["other"].pk],
    )  # fmt: skip
    give_result(world["home"], 2, when=timezone.now() - dt.timedelta(hours=1))
    return made


def test_campaign_completion_keeps_to_the_officers_regions(world, campaign, login):
    def completion(who):
        response = login(world[who]).get(f"{API}/campaigns/{campaign.pk}")
        assert response.status_code == 200, response.content
        body = response.json()
        return body["members"], body["submitted"], {r["region_code"]: r["members"] for r in body["completion"]}

    members, submitted, rows = completion("province")
    assert (members, submitted, rows["360100"], rows["360400"], sum(rows.values())) == (3, 1, 2, 1, 3)
    assert completion("city") == (2, 1, {"360100": 2})
    assert completion("county") == (1, 1, {"360102": 1})  # never the other county's figures
    assert completion("other_city") == (1, 0, {"360400": 1})
    listed = login(world["county"]).get(f"{API}/campaigns").json()["items"]
    assert [(c["id"], c["members"], c["submitted"]) for c in listed] == [(campaign.pk, 1, 1)]
    assert login(world["enterprise"]).get(f"{API}/campaigns/{campaign.pk}").status_code == 403


def test_province_completion_rows_are_its_cities(world, campaign, login):
    rows = login(world["province"]).get(f"{API}/campaigns/{campaign.pk}").json()["completion"]
    by_code = {r["region_code"]: r for r in rows}
    assert set(by_code) == set(Region.objects.filter(parent_id="360000", is_active=True).values_list("code", flat=True))
    assert (by_code["360100"]["submitted"], by_code["360100"]["pending"], by_code["360100"]["rate"]) == (1, 1, 50.0)


@pytest.fixture
def runs(world):
    spec = {"name": "智改数转发展指数", "provisional": True, "indicators": [], "aggregates": []}
    unit = {"code": "360100", "name": "南昌市", "score": 61.5, "rank": 1, "components": {"d1": 60.0},
            "rank_low": 1, "rank_high": 2, "rank_median": 1}  # fmt: skip
    common = {"code": "example", "region_id": "360000", "definition": spec, "status": "done",
              "outputs": {"units": [unit]}}  # fmt: skip
    published = IndexRun.objects.create(year=YEAR, version=1, published_at=timezone.now(), **common)
    draft = IndexRun.objects.create(year=YEAR, version=2, **common)
    return published, draft


def test_published_index_runs_are_public_unpublished_ones_for_the_governing_officer(world, runs, login, make_user):
    published, draft = runs
    province = login(world["province"])
    assert {r["id"] for r in province.get(f"{API}/index-runs").json()["items"]} == {published.pk, draft.pk}
    detail = province.get(f"{API}/index-runs/{draft.pk}").json()
    assert detail["units"][0]["score"] == 61.5 and detail["published_at"] is None and detail["provisional"] is True
    guangdong = make_user("guangdong", Role.PROVINCE_OFFICER, region="440000")
    for user in (world["county"], world["city"], world["enterprise"], guangdong):
        client = login(user)
        assert [r["id"] for r in client.get(f"{API}/index-runs").json()["items"]] == [published.pk]
        assert client.get(f"{API}/index-runs/{draft.pk}").status_code == 404
        assert client.get(f"{API}/index-runs/{published.pk}").json()["units"][0]["rank"] == 1


def test_another_citys_campaign_is_a_404_for_a_county_officer(world, campaign, login):
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    today = timezone.localdate()
    theirs = campaigns.campaign_create(
        actor=world["other_city"], name="九江诊断行动", region=Region.objects.get(code="360400"), kind="self",
        model_version=version, starts_on=today, ends_on=today + dt.timedelta(days=5), above_scale_only=False,
        chosen=[world["other"].pk],
    )  # fmt: skip
    county = login(world["county"])
    assert county.get(f"{API}/campaigns/{theirs.pk}").status_code == 404
    assert [c["id"] for c in county.get(f"{API}/campaigns").json()["items"]] == [campaign.pk]
    assert login(world["other_city"]).get(f"{API}/campaigns/{theirs.pk}").json()["members"] == 1
