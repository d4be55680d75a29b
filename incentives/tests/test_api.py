"""The funding API, scoped as the pages: programmes a user may see, the eligibility check of one's own enterprise,
applications (own, governed once submitted, a provider's approved vouchers) and the ledger summary of an officer's
regions. Another region's or enterprise's object is a 404; nothing of another city shows in a list or a sum."""

import pytest

from accounts.models import Role
from incentives import services
from incentives.tests.conftest import draft, to_last_step, voucher_data
from regions.models import Region

pytestmark = pytest.mark.django_db
API = "/api/v1/funding"


def approved(f, application):
    to_last_step(f, application)
    services.decide(actor=f["province"], application=application, decision="pass")
    application.refresh_from_db()
    return application


def test_programmes_list_and_detail_explain_the_rules(funding, login):
    client = login(funding["enterprise"])
    rows = client.get(f"{API}/programmes").json()
    assert [r["code"] for r in rows] == [funding["programme"].code]
    assert rows[0]["accepting"] and rows[0]["provisional"]
    detail = client.get(f"{API}/programmes/{funding['programme'].pk}").json()
    assert detail["caps"]["per_enterprise"] == "200000"
    assert [s["level"] for s in detail["chain"]] == ["county", "city", "province"]
    assert detail["budgets"] == []  # the officers' figures


def test_officers_see_the_budgets_of_their_regions(funding, login):
    detail = login(funding["province"]).get(f"{API}/programmes/{funding['programme'].pk}").json()
    assert detail["budgets"][0]["amount"] == "1000000.00" and detail["budgets"][0]["remaining"] == "1000000.00"


def test_another_citys_programme_is_404(funding, login):
    jiujiang = services.programme_load(actor=funding["admin"], region=Region.objects.get(code="360400"),
                                       data=voucher_data(code="jj-voucher", name="九江服务券"))  # fmt: skip
    services.programme_set_status(actor=funding["admin"], programme=jiujiang, status="open")
    client = login(funding["enterprise"])
    assert client.get(f"{API}/programmes/{jiujiang.pk}").status_code == 404
    assert client.get(f"{API}/programmes/{jiujiang.pk}/eligibility").status_code == 404
    assert jiujiang.code not in [r["code"] for r in client.get(f"{API}/programmes").json()]


def test_eligibility_of_my_enterprise_rule_by_rule(funding, login):
    body = login(funding["enterprise"]).get(f"{API}/programmes/{funding['programme'].pk}/eligibility").json()
    assert body["enterprise_id"] == funding["home"].pk and body["outcome"] == "met"
    assert [i["label"] for i in body["items"]] == [r.label for r in funding["programme"].rules.rules]
    first = body["items"][0]
    assert (first["label"], first["outcome"], first["actual"]) == ("中小微企业", "met", "小型")


def test_eligibility_of_someone_elses_enterprise_is_404_and_officers_have_none(funding, login):
    pk = funding["programme"].pk
    client = login(funding["enterprise"])
    assert client.get(f"{API}/programmes/{pk}/eligibility?enterprise={funding['neighbour'].pk}").status_code == 404
    assert login(funding["county"]).get(f"{API}/programmes/{pk}/eligibility").status_code == 403


def test_applications_are_scoped_like_the_pages(funding, login, make_user):
    mine = draft(funding)
    services.submit(actor=funding["enterprise"], application=mine)
    unsent = draft(funding)
    other_county = make_user("other_county", Role.COUNTY_OFFICER, region="360111")
    neighbour_user = make_user("neighbour", Role.ENTERPRISE, enterprise=funding["neighbour"])

    def ids(user):
        return {r["id"] for r in login(user).get(f"{API}/applications").json()["items"]}

    assert ids(funding["enterprise"]) == {mine.pk, unsent.pk}
    assert ids(funding["county"]) == ids(funding["province"]) == {mine.pk}  # drafts stay the applicant's
    assert ids(funding["other_city"]) == ids(other_county) == ids(neighbour_user) == set()
    assert ids(funding["provider"]) == set()  # not approved yet
    for user in (funding["other_city"], other_county, neighbour_user, funding["provider"]):
        assert login(user).get(f"{API}/applications/{mine.pk}").status_code == 404
    assert login(funding["county"]).get(f"{API}/applications/{unsent.pk}").status_code == 404


def test_the_provider_sees_its_approved_voucher_without_the_code(funding, login):
    application = approved(funding, draft(funding))
    body = login(funding["provider"]).get(f"{API}/applications/{application.pk}").json()
    assert body["status"] == "approved" and body["voucher_code"] == ""
    own = login(funding["enterprise"]).get(f"{API}/applications/{application.pk}").json()
    assert own["voucher_code"] == application.voucher_code
    assert [t["name"] for t in own["tranches"]] == ["签约后拨付", "验收后拨付"]
    assert own["committed"] == "30000.00" and own["disbursed"] == "0.00"


def test_ledger_summary_is_the_officers_region_only(funding, login):
    approved(funding, draft(funding))
    body = login(funding["city"]).get(f"{API}/ledger").json()
    assert body["by_county"] == [{"key": "360102", "name": "江西省 南昌市 东湖区", "committed": "30000.00",
                                  "disbursed": "0.00"}]  # fmt: skip
    other = login(funding["other_city"]).get(f"{API}/ledger").json()
    assert other["by_county"] == [] and other["by_programme"] == []
    assert login(funding["enterprise"]).get(f"{API}/ledger").status_code == 403
