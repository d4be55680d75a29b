"""Campaigns: reproducible samples, commissioners assigned by county, invitations, sending back, completion by
region and its export, and who may do what (synthetic enterprises)."""

import datetime as dt
import io
from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from accounts.models import Role
from assessments.models import ModelVersion
from monitoring import campaigns
from monitoring.models import Campaign, CampaignMember
from monitoring.tests.conftest import at
from notifications.models import Notification
from regions.models import Region

pytestmark = pytest.mark.django_db


@pytest.fixture
def firms(world, make_enterprise, make_user):
    """20 above-scale enterprises in 东湖区, 10 in 青山湖区, 10 in 濂溪区 (九江), each with an enterprise user."""
    made = {"360102": [], "360111": [], "360402": []}
    for county, n in [("360102", 20), ("360111", 10), ("360402", 10)]:
        for _ in range(n):
            firm = make_enterprise(county, is_above_scale=True)
            make_user(f"user{firm.pk}", Role.ENTERPRISE, enterprise=firm)
            made[county].append(firm)
    return made


def start(world, share=D(10), seed=1, actor="province", code="360000", **fields):
    return campaigns.campaign_create(
        actor=world[actor], name="2026 年自评估专项行动", region=Region.objects.get(code=code), kind="self",
        model_version=ModelVersion.objects.get(code="cmmm", is_current=True), starts_on=dt.date(2026, 1, 1),
        ends_on=dt.date(2026, 12, 31), sample_share=share, seed=seed, **fields,
    )  # fmt: skip


def members_of(campaign) -> set[int]:
    return set(campaign.members.values_list("enterprise_id", flat=True))


def test_the_same_seed_draws_the_same_enterprises_per_city(world, firms):
    first, again, other = start(world, seed=5), start(world, seed=5), start(world, seed=6)
    assert members_of(first) == members_of(again) != members_of(other)
    chosen = members_of(first)
    nanchang = {f.pk for f in firms["360102"] + firms["360111"]}
    assert len(chosen & nanchang) == 3 and len(chosen & {f.pk for f in firms["360402"]}) == 1  # 10 % of 30, of 10


def test_commissioners_are_assigned_by_county_and_balanced(world, firms, make_user):
    east = make_user("east", Role.COMMISSIONER, region="360102")
    city = make_user("nanchang", Role.COMMISSIONER, region="360100")
    campaign = start(world, share=D(100))
    by = {m.enterprise_id: m.commissioner_id for m in campaign.members.all()}
    assert [by[f.pk] for f in firms["360402"]] == [None] * 10  # nobody works in 九江
    assert all(by[f.pk] == city.pk for f in firms["360111"])  # only the city's commissioner covers 青山湖区
    loads = {who.pk: sum(1 for v in by.values() if v == who.pk) for who in (east, city)}
    assert loads == {east.pk: 15, city.pk: 15}  # 30 in 南昌, east covers only 东湖区: even as the counties allow


def test_a_campaign_is_started_by_the_officer_of_its_region_only(world, firms):
    with pytest.raises(PermissionDenied):
        start(world, actor="city")  # the province's campaign
    with pytest.raises(PermissionDenied):
        start(world, actor="other_city", code="360100")
    with pytest.raises(ValidationError):
        start(world, share=D(0))
    with pytest.raises(ValidationError):
        start(world, share=None, chosen=[firms["360402"][0].pk], code="360100", actor="city")  # outside 南昌
    assert not Campaign.objects.exists()


def test_invitations_completion_sending_back_and_resubmitting(world, firms, give_result, login):
    campaign = start(world, share=D(100), code="360100", actor="city")
    assert campaigns.campaign_invite(actor=world["city"], campaign=campaign) == 30
    assert Notification.objects.filter(kind="campaign_invited").count() == 30
    assert campaigns.campaign_invite(actor=world["city"], campaign=campaign) == 0  # not twice
    done = firms["360102"][0]
    give_result(done, 2, when=at(2026, 3, 1))
    give_result(firms["360102"][1], 2, when=at(2025, 3, 1))  # before the campaign: does not count
    give_result(firms["360111"][0], 2, kind="diagnosis", when=at(2026, 3, 1))  # another kind
    rows = {
        r["region"].code: r for r in campaigns.completion(campaign, list(Region.objects.filter(parent_id="360100")))
    }
    assert (rows["360102"]["members"], rows["360102"]["submitted"], rows["360102"]["rate"]) == (20, 1, 5.0)
    assert rows["360111"]["submitted"] == 0
    assert campaigns.campaign_remind(actor=world["city"], campaign=campaign) == 29

    member = CampaignMember.objects.get(campaign=campaign, enterprise=done)
    with pytest.raises(ValidationError):
        campaigns.campaign_return(actor=world["city"], member=member, reason="  ")
    response = login(world["city"]).post(
        f"/monitoring/campaigns/{campaign.pk}/members/{member.pk}/return/", {"reason": "各项均选最高档，与现场不符"}
    )
    assert response.status_code == 302
    returned = Notification.objects.get(kind="campaign_returned")
    assert returned.recipient.memberships.get().enterprise_id == done.pk and "与现场不符" in returned.body
    rows = {
        r["region"].code: r for r in campaigns.completion(campaign, list(Region.objects.filter(parent_id="360100")))
    }
    assert (rows["360102"]["submitted"], rows["360102"]["returned"]) == (0, 1)
    give_result(done, 2, when=dt.datetime.now(dt.UTC) + dt.timedelta(seconds=1))  # submitted again
    rows = {
        r["region"].code: r for r in campaigns.completion(campaign, list(Region.objects.filter(parent_id="360100")))
    }
    assert (rows["360102"]["submitted"], rows["360102"]["returned"]) == (1, 0)


def test_the_summary_export_and_the_page_keep_to_the_officers_scope(world, firms, login, give_result):
    campaign = start(world, share=D(100))
    give_result(firms["360102"][0], 3, when=at(2026, 5, 1))
    county = login(world["county"])
    page = county.get(f"/monitoring/campaigns/{campaign.pk}/").content.decode()
    assert firms["360102"][0].name in page and firms["360111"][0].name not in page
    workbook = load_workbook(io.BytesIO(county.get(f"/monitoring/campaigns/{campaign.pk}/export/").content))
    summary, listing = workbook["完成情况"], workbook["企业名单"]
    assert list(summary.values)[2] == ("东湖区", 20, 1, 0, 19, 5.0)
    names = [row[0] for row in list(listing.values)[2:]]
    assert len(names) == 20 and firms["360111"][0].name not in names
    # a county officer follows the province's campaign but does not run it
    assert county.post(f"/monitoring/campaigns/{campaign.pk}/invite/").status_code == 403
    assert login(world["other_city"]).get(f"/monitoring/campaigns/{campaign.pk}/").status_code == 200
    assert login(world["enterprise"]).get(f"/monitoring/campaigns/{campaign.pk}/").status_code == 403


def test_a_closed_campaign_takes_no_more_invitations(world, firms):
    campaign = start(world)
    campaigns.campaign_close(actor=world["province"], campaign=campaign)
    with pytest.raises(ValidationError):
        campaigns.campaign_invite(actor=world["province"], campaign=campaign)


def test_a_report_batch_takes_the_campaigns_enterprises_the_officer_sees(world, firms, login):
    from reports.models import ReportBatch

    campaign = start(world, share=D(50))
    response = login(world["city"]).post(f"/monitoring/campaigns/{campaign.pk}/reports/")
    batch = ReportBatch.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/reports/batches/{batch.pk}/"
    in_nanchang = {m.enterprise_id for m in campaign.members.filter(enterprise__county__code__startswith="3601")}
    assert set(batch.items.values_list("enterprise_id", flat=True)) == in_nanchang  # not 九江's
    assert batch.description == "专项行动：2026 年自评估专项行动"
    assert login(world["commissioner"]).post(f"/monitoring/campaigns/{campaign.pk}/reports/").status_code == 403
    assert ReportBatch.objects.count() == 1


def form_post(code_text="", **fields) -> dict:
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    return {"name": "指定企业诊断", "kind": "diagnosis", "model_version": version.pk, "starts_on": "2026-01-01",
            "ends_on": "2026-12-31", "seed": 1, "selection": "chosen", "chosen_codes": code_text, **fields}  # fmt: skip


def test_enterprises_chosen_by_credit_code_on_the_page(world, firms, login):
    city = login(world["city"])
    picked = firms["360102"][:2] + firms["360111"][:1]
    text = f"{picked[0].credit_code}\n{picked[1].credit_code.lower()}，{picked[2].credit_code}"
    response = city.post("/monitoring/r/360100/campaigns/new/", form_post(text, above_scale_only="on"))
    campaign = Campaign.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/monitoring/campaigns/{campaign.pk}/"
    assert members_of(campaign) == {f.pk for f in picked} and campaign.sample_share is None


def test_every_wrong_or_unknown_code_is_named_and_nothing_is_started(world, firms, login):
    city = login(world["city"])
    good = firms["360102"][0].credit_code
    typo = good[:5] + ("0" if good[5] != "0" else "1") + good[6:]  # one character changed: the check fails
    outside = firms["360402"][0].credit_code  # 九江: not in the city officer's archive
    page = city.post("/monitoring/r/360100/campaigns/new/", form_post(f"{good} {typo} {outside}")).content.decode()
    assert "1 个代码代码有误" in page and typo in page
    assert "1 个代码不在您可见的档案中" in page and outside in page
    page = city.post("/monitoring/r/360100/campaigns/new/", form_post("")).content.decode()
    assert "请填写指定企业的统一社会信用代码" in page
    page = city.post("/monitoring/r/360100/campaigns/new/", form_post(selection="sample")).content.decode()
    assert "按比例抽样时请填写抽样比例" in page
    # the province officer sees 九江's firm, but a 南昌 campaign cannot take it
    province = login(world["province"])
    page = province.post("/monitoring/r/360100/campaigns/new/", form_post(outside)).content.decode()
    assert "1 家企业不在本次行动的范围内" in page
    assert not Campaign.objects.exists()


def test_a_campaign_takes_the_enterprise_lists_filtered_enterprises(world, firms, login):
    city = login(world["city"])
    listing = city.get("/enterprises/?region=360111&above_scale=1").content.decode()
    assert "以筛选结果发起专项行动" in listing
    link = "/monitoring/r/360111/campaigns/new/?list=region%3D360111%26above_scale%3D1"
    assert link.replace("&", "&amp;") in listing
    form = city.get(link).content.decode()
    assert "参加企业取自企业名单的筛选结果：10 家" in form
    city.post(link, form_post(list_query="region=360111&above_scale=1", above_scale_only="on"))
    campaign = Campaign.objects.get()
    assert members_of(campaign) == {f.pk for f in firms["360111"]}  # 青山湖电子 is not above scale: filtered out
    assert "以筛选结果发起专项行动" not in city.get("/enterprises/").content.decode()  # only for a filtered list
    assert "以筛选结果发起专项行动" not in login(world["enterprise"]).get("/enterprises/?q=x").content.decode()


def test_the_summary_counts_levels_and_commissioners_and_the_pdf_says_so(world, firms, login, give_result,
                                                                          make_user):  # fmt: skip
    import subprocess

    east = make_user("east", Role.COMMISSIONER, region="360102")
    east.first_name = "东湖专员"
    east.save()
    campaign = start(world, share=D(100), code="360100", actor="city")
    give_result(firms["360102"][0], 2, when=at(2026, 3, 1))
    give_result(firms["360102"][0], 3, when=at(2026, 4, 1))  # the latest counts: 3
    give_result(firms["360102"][1], 2, when=at(2026, 3, 1))
    give_result(firms["360111"][0], 0, when=at(2026, 3, 1))  # below the first level
    members = campaigns.members_with_status(campaign)
    assert campaigns.level_counts(campaign, members) == [("未达一级", 1), ("2级", 1), ("3级", 1)]
    rows = campaigns.by_commissioner(members)
    people = {(r["commissioner"].username if r["commissioner"] else None): r for r in rows}
    assert (people["east"]["assigned"], people["east"]["done"], people["east"]["rate"]) == (20, 2, 10.0)
    assert (people[None]["assigned"], people[None]["done"]) == (10, 1)  # nobody covers 青山湖区
    response = login(world["city"]).get(f"/monitoring/campaigns/{campaign.pk}/summary.pdf")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=response.content, capture_output=True,
                          check=True).stdout.decode()  # fmt: skip
    assert "汇总报告" in text and "30 家企业，已提交 3 家（10.0%）" in text
    assert "东湖区" in text and "青山湖区" in text and "东湖专员" in text
    assert "3级" in text and "未达一级" in text
    county_pdf = login(world["county"]).get(f"/monitoring/campaigns/{campaign.pk}/summary.pdf").content
    county_text = subprocess.run(["pdftotext", "-layout", "-", "-"], input=county_pdf, capture_output=True,
                                 check=True).stdout.decode()  # fmt: skip
    assert "20 家企业，已提交 2 家" in county_text and "青山湖区" not in county_text
    assert login(world["other_city"]).get(f"/monitoring/campaigns/{campaign.pk}/summary.pdf").status_code == 404
