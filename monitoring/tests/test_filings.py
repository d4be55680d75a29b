"""Statistics reports (报送): figures filled from the records and frozen when submitted, the state machine by role,
returns with reasons, and who is late (synthetic enterprises)."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from monitoring import filings
from monitoring.models import Filing, FilingEvent
from monitoring.tests.conftest import at
from regions.models import Region

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year


@pytest.fixture
def round_(world):
    return filings.round_open(
        actor=world["province"], region=Region.objects.get(code="360000"), name="智改数转工作进展统计表",
        template="progress", period=f"{YEAR} 年度", year=YEAR, due_on=timezone.localdate() + dt.timedelta(days=10),
    )  # fmt: skip


def filing(round_, code):
    return Filing.objects.get(round=round_, region_id=code)


def test_a_round_gives_every_city_and_county_a_filing_only_the_province_opens_it(world, round_):
    expected = Region.objects.filter(is_active=True, code__startswith="36").exclude(code="360000").count()
    assert round_.filings.count() == expected
    with pytest.raises(PermissionDenied):
        filings.round_open(actor=world["city"], region=Region.objects.get(code="360000"), name="x", template="progress",
                           period="x", year=YEAR, due_on=dt.date.today())  # fmt: skip


def test_the_figures_come_from_the_records_and_freeze_when_submitted(world, round_, make_enterprise, give_result):
    firms = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    give_result(firms[0], 2, when=at(YEAR, 2, 1))
    east = filing(round_, "360102")
    live = filings.figures_of(east)
    assert live["columns"][:3] == ["规上工业企业数", "本年完成自评估的规上企业", "自评估覆盖率（%）"]
    assert live["rows"][0][:6] == [
        "东湖区",
        4,
        1,
        25.0,
        0,
        1,
    ]  # 4 above scale, 1 self-assessed, 25 %, 0 diagnosed, 1 at L2+
    filings.filing_submit(actor=world["county"], filing=east)
    give_result(firms[1], 3, when=at(YEAR, 3, 1))  # after submission: the frozen copy stays
    east.refresh_from_db()
    assert filings.figures_of(east)["rows"][0][:3] == ["东湖区", 4, 1]
    city = filings.figures_of(filing(round_, "360100"))  # the city's draft: live, its counties and a total
    by_name = {row[0]: row for row in city["rows"]}
    assert by_name["东湖区"][2] == 2 and by_name["合计"][1] == 4 and len(city["rows"]) > 2


def test_the_state_machine_by_role(world, round_):
    east = filing(round_, "360102")
    with pytest.raises(PermissionDenied):
        filings.filing_submit(actor=world["other_city"], filing=east)
    with pytest.raises(PermissionDenied):  # the city reviews the county's return, it does not file it
        filings.filing_submit(actor=world["city"], filing=east)
    with pytest.raises(PermissionDenied):  # a county does not review itself
        filings.filing_accept(actor=world["county"], filing=east)
    with pytest.raises(ValidationError):  # nothing submitted yet
        filings.filing_accept(actor=world["city"], filing=east)
    filings.filing_submit(actor=world["county"], filing=east)
    with pytest.raises(ValidationError):  # not twice
        filings.filing_submit(actor=world["county"], filing=east)
    with pytest.raises(ValidationError):
        filings.filing_return(actor=world["city"], filing=east, reason=" ")
    filings.filing_return(actor=world["city"], filing=east, reason="诊断数与台账不一致，请核实")
    assert (east.status, east.returned_reason) == ("returned", "诊断数与台账不一致，请核实")
    filings.filing_submit(actor=world["county"], filing=east)  # resubmitted
    filings.filing_accept(actor=world["city"], filing=east)
    assert east.status == "accepted"
    kinds = list(FilingEvent.objects.filter(filing=east).values_list("kind", flat=True))
    assert kinds == ["submitted", "returned", "submitted", "accepted"]
    nanchang = filing(round_, "360100")
    filings.filing_submit(actor=world["city"], filing=nanchang)
    with pytest.raises(PermissionDenied):  # the city's own return is reviewed by the province
        filings.filing_accept(actor=world["city"], filing=nanchang)
    assert filings.filing_accept(actor=world["province"], filing=nanchang).status == "accepted"


def test_the_province_sees_who_is_late(world, round_, login):
    round_.due_on = timezone.localdate() - dt.timedelta(days=1)
    round_.save()
    filings.filing_submit(actor=world["county"], filing=filing(round_, "360102"))
    page = login(world["province"]).get(f"/monitoring/rounds/{round_.pk}/").content.decode()
    assert 'data-testid="late-count"' in page
    assert page.count('data-late="1"') == round_.filings.count() - 1
    city_page = login(world["city"]).get(f"/monitoring/rounds/{round_.pk}/").content.decode()
    assert "九江市" not in city_page and "东湖区" in city_page


def test_pages_and_exports_keep_to_the_officers_regions(world, round_, login):
    east, jiujiang = filing(round_, "360102"), filing(round_, "360400")
    county = login(world["county"])
    assert county.get(f"/monitoring/filings/{east.pk}/").status_code == 200
    assert county.get(f"/monitoring/filings/{jiujiang.pk}/").status_code == 404
    assert county.post(f"/monitoring/filings/{jiujiang.pk}/submit/").status_code == 404
    response = county.get(f"/monitoring/filings/{east.pk}/?format=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert county.post(f"/monitoring/filings/{east.pk}/submit/").status_code == 302
    east.refresh_from_db()
    assert east.status == "submitted" and east.submitted_by == world["county"]
    assert login(world["enterprise"]).get(f"/monitoring/filings/{east.pk}/").status_code == 403  # same client
