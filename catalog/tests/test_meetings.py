"""Matching events (供需对接会): who sees and manages which meeting, the invitation → reply → attendance → outcome
flow, the refusals (each in Chinese, each changing nothing), the XLSX export, suggestions and the demo seed.

All data is synthetic (generated credit codes, invented names)."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from catalog import demo_meetings, meetings, services
from catalog.models import (
    MatchMeeting,
    MeetingOutcome,
    MeetingParticipant,
    Need,
    PoolEvent,
    Provider,
    Solution,
)
from catalog.services import CatalogError
from conftest import make_code

pytestmark = pytest.mark.django_db

SCENARIO = "S-FB-02"  # 数字化基础设施建设: closes CMMM R2.1 and others (the shipped taxonomy, synced after migrate)
TODAY = timezone.localdate


@pytest.fixture
def pool(world):
    """The world's provider published (listed) with a solution in SCENARIO; a second listed provider; a draft one."""
    org = world["provider"].memberships.get().provider  # world["provider"] is the provider *user*
    org.status = "published"
    org.save()
    solution = services.solution_save(
        actor=None,
        solution=Solution(provider=org, title="工业网络改造方案", description="设备联网", status="published"),
        scenario_codes=[SCENARIO],
    )
    second = Provider.objects.create(
        name="赣江数据服务有限公司", credit_code=make_code("360100"), region_id="360100", status="published"
    )
    draft = Provider.objects.create(name="草稿服务商有限公司", credit_code=make_code("360100"), region_id="360100")
    return {**world, "org": org, "solution": solution, "second": second, "draft": draft}


def make_meeting(actor, *, region="360100", held_on=None, title="南昌智能制造供需对接会", codes=(SCENARIO,)):
    meeting = MatchMeeting(title=title, region_id=region, held_on=held_on or TODAY(), place="南昌市会展中心")
    return meetings.meeting_save(actor=actor, meeting=meeting, scenario_codes=list(codes))


@pytest.fixture
def meeting(pool):
    """A meeting in 南昌 (360100), today, with the home enterprise and the listed provider invited."""
    m = make_meeting(pool["city"])
    meetings.meeting_invite(actor=pool["city"], meeting=m, enterprises=[pool["home"]], providers=[pool["org"]])
    return m


def participant(meeting, obj):
    field = "provider" if isinstance(obj, Provider) else "enterprise"
    return meeting.participants.get(**{field: obj})


@pytest.fixture
def attended(pool, meeting):
    for obj in (pool["home"], pool["org"]):
        meetings.participant_set_attended(
            actor=pool["city"], meeting=meeting, participant=participant(meeting, obj), attended=True
        )
    return meeting


def state(meeting_id=None):
    """Everything a refused request must leave untouched."""
    m = MatchMeeting.objects.filter(pk=meeting_id).values().first() if meeting_id else None
    if m:
        m.pop("updated_at")
    return (
        MatchMeeting.objects.count(),
        m,
        list(MeetingParticipant.objects.order_by("pk").values_list("pk", "enterprise_id", "provider_id", "status")),
        list(MeetingOutcome.objects.order_by("pk").values_list("enterprise_id", "provider_id", "result", "amount")),
        PoolEvent.objects.count(),
    )


# Who sees which meeting --------------------------------------------------------------------------------------------

SEES = {"admin", "province", "city", "enterprise", "provider"}
MANAGES = {"admin", "province", "city"}
PERSONAS = [
    "admin",
    "province",
    "city",
    "county",
    "other_city",
    "enterprise",
    "provider",
    "commissioner",
    "expert",
    "nobody",
]


@pytest.mark.parametrize("persona", PERSONAS)
def test_meeting_page_is_shown_to_its_region_officers_and_invitees_only(meeting, login, pool, persona):
    response = login(pool[persona]).get(reverse("catalog:meeting_detail", args=[meeting.pk]))
    assert response.status_code == (200 if persona in SEES else 404)
    if persona in SEES:
        assert "南昌智能制造供需对接会" in response.content.decode()


@pytest.mark.parametrize("persona", PERSONAS)
def test_meeting_list_shows_only_the_meetings_a_persona_may_see(meeting, login, pool, persona):
    make_meeting(pool["other_city"], region="360400", title="九江对接会")
    text = login(pool[persona]).get(reverse("catalog:meeting_list")).content.decode()
    assert ("南昌智能制造供需对接会" in text) == (persona in SEES)
    assert ("九江对接会" in text) == (persona in {"admin", "province", "other_city"})


def test_anonymous_visitors_are_sent_to_login(meeting, client):
    for name in ("catalog:meeting_list", "catalog:meeting_create"):
        assert "/accounts/login/" in client.get(reverse(name))["Location"]
    response = client.get(reverse("catalog:meeting_detail", args=[meeting.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_list_splits_upcoming_and_past_with_counts(pool, login):
    make_meeting(pool["city"], title="下月对接会", held_on=TODAY() + dt.timedelta(days=30))
    make_meeting(pool["city"], title="上月对接会", held_on=TODAY() - dt.timedelta(days=30))
    client = login(pool["city"])
    upcoming = client.get(reverse("catalog:meeting_list")).content.decode()
    past = client.get(reverse("catalog:meeting_list") + "?when=past").content.decode()
    assert "下月对接会" in upcoming and "上月对接会" not in upcoming
    assert "上月对接会" in past and "下月对接会" not in past
    response = client.get(reverse("catalog:meeting_list"))
    assert response.context["counts"] == {"upcoming": 1, "past": 1}


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_officers_create_meetings_and_only_in_their_region(pool, login, persona):
    client = login(pool[persona])
    officer = persona in {"admin", "province", "city", "county", "other_city"}
    assert client.get(reverse("catalog:meeting_create")).status_code == (200 if officer else 403)
    before = state()
    response = client.post(
        reverse("catalog:meeting_create"), {"title": "越权对接会", "region": "360100", "held_on": "2026-12-20"}
    )
    if persona in MANAGES:
        assert response.status_code == 302
        assert MatchMeeting.objects.get().title == "越权对接会"
    else:
        assert response.status_code == (200 if officer else 403)  # an officer sees the region refused on the form
        assert state() == before


def test_county_officer_is_told_the_city_is_outside_its_region(pool, login):
    response = login(pool["county"]).post(
        reverse("catalog:meeting_create"), {"title": "越权对接会", "region": "360100", "held_on": "2026-12-20"}
    )
    assert response.context["form"].errors["region"]
    with pytest.raises(CatalogError) as exc:
        make_meeting(pool["county"], region="360100")
    assert "管辖范围" in exc.value.problems["region"]
    assert not MatchMeeting.objects.exists()


def _manage_requests(meeting, pool):
    """Every officer action, as (method, url, data)."""
    pid = participant(meeting, pool["home"]).pk
    detail = [meeting.pk]
    return [
        ("get", reverse("catalog:meeting_edit", args=detail), {}),
        (
            "post",
            reverse("catalog:meeting_edit", args=detail),
            {"title": "改名", "region": "360100", "held_on": "2026-12-21"},
        ),
        ("get", reverse("catalog:meeting_invite", args=detail), {}),
        ("post", reverse("catalog:meeting_invite", args=detail), {"providers": [pool["second"].pk]}),
        ("post", reverse("catalog:meeting_attendance", args=[meeting.pk, pid]), {"attended": "1"}),
        ("post", reverse("catalog:meeting_participant_remove", args=[meeting.pk, pid]), {}),
        (
            "post",
            reverse("catalog:meeting_outcome", args=detail),
            {"enterprise": pool["home"].pk, "provider": pool["org"].pk, "result": "talked"},
        ),
        ("post", reverse("catalog:meeting_status", args=detail), {"status": "cancelled", "reason": "场地变更"}),
        ("get", reverse("catalog:meeting_export", args=detail), {}),
    ]


@pytest.mark.parametrize("persona", sorted(set(PERSONAS) - MANAGES))
def test_nobody_but_the_region_officers_manages_a_meeting_and_nothing_changes(meeting, login, pool, persona):
    client = login(pool[persona])
    before = state(meeting.pk)
    for method, url, data in _manage_requests(meeting, pool):
        status = getattr(client, method)(url, data).status_code
        assert status == (403 if persona in SEES else 404), (persona, method, url)
    assert state(meeting.pk) == before


@pytest.mark.parametrize("persona", sorted(MANAGES))
def test_region_officers_may_use_every_officer_action(meeting, login, pool, persona):
    client = login(pool[persona])
    for method, url, data in _manage_requests(meeting, pool):
        assert getattr(client, method)(url, data).status_code in (200, 302), (method, url)
    meeting.refresh_from_db()
    assert meeting.status == "cancelled"  # the last action went through


@pytest.mark.parametrize("persona", PERSONAS)
def test_only_an_invitee_answers_its_own_invitation(meeting, login, pool, persona):
    mine = {"enterprise": pool["home"], "provider": pool["org"]}.get(persona)
    pid = participant(meeting, mine or pool["home"]).pk
    before = state(meeting.pk)
    response = login(pool[persona]).post(
        reverse("catalog:meeting_respond", args=[meeting.pk]), {"participant": pid, "answer": "accept"}
    )
    if mine:
        assert response.status_code == 302
        assert participant(meeting, mine).status == "accepted"
    else:
        assert response.status_code == (403 if persona in SEES else 404)
        assert state(meeting.pk) == before


def test_the_provider_cannot_answer_for_the_enterprise(meeting, login, pool):
    before = state(meeting.pk)
    response = login(pool["provider"]).post(
        reverse("catalog:meeting_respond", args=[meeting.pk]),
        {"participant": participant(meeting, pool["home"]).pk, "answer": "decline"},
    )
    assert response.status_code == 403 and state(meeting.pk) == before


# The flow ----------------------------------------------------------------------------------------------------------


def test_officer_runs_a_meeting_from_invitation_to_contract(pool, login):
    city = login(pool["city"])
    response = city.post(
        reverse("catalog:meeting_create"),
        {
            "title": "南昌工业网络对接会",
            "region": "360100",
            "held_on": TODAY().isoformat(),
            "place": "红谷滩会展中心",
            "scenario_codes": [SCENARIO],
            "industries": ["34"],
        },
    )
    assert response.status_code == 302
    m = MatchMeeting.objects.get()
    assert (m.status, m.created_by, list(m.scenarios.values_list("code", flat=True))) == (
        "planned",
        pool["city"],
        [SCENARIO],
    )
    page = city.get(reverse("catalog:meeting_invite", args=[m.pk]) + "?q=东湖")
    assert [e.name for e in page.context["found"]] == ["东湖精密机械有限公司"]
    response = city.post(
        reverse("catalog:meeting_invite", args=[m.pk]),
        {"enterprises": [pool["home"].pk, pool["neighbour"].pk], "providers": [pool["org"].pk]},
    )
    assert response.status_code == 302
    assert m.participants.count() == 3

    ent = login(pool["enterprise"])
    ent.post(
        reverse("catalog:meeting_respond", args=[m.pk]),
        {"participant": participant(m, pool["home"]).pk, "answer": "accept"},
    )
    assert participant(m, pool["home"]).status == "accepted"

    city = login(pool["city"])
    for obj in (pool["home"], pool["org"]):
        city.post(reverse("catalog:meeting_attendance", args=[m.pk, participant(m, obj).pk]), {"attended": "1"})
    response = city.post(
        reverse("catalog:meeting_outcome", args=[m.pk]),
        {
            "enterprise": pool["home"].pk,
            "provider": pool["org"].pk,
            "solution": pool["solution"].pk,
            "result": "contracted",
            "amount": "120.50",
            "note": "现场签约",
        },
    )
    assert response.status_code == 302
    outcome = MeetingOutcome.objects.get()
    assert (outcome.result, outcome.amount, outcome.solution, outcome.recorded_by) == (
        "contracted",
        Decimal("120.50"),
        pool["solution"],
        pool["city"],
    )
    city.post(reverse("catalog:meeting_status", args=[m.pk]), {"status": "held"})
    m.refresh_from_db()
    assert m.status == "held"

    s = meetings.summary(m)
    assert (s.invited, s.invited_enterprises, s.invited_providers) == (3, 2, 1)
    assert (s.accepted, s.attended, s.intentions, s.contracts, s.contracted_amount) == (2, 2, 0, 1, Decimal("120.50"))
    page = city.get(reverse("catalog:meeting_detail", args=[m.pk])).content.decode()
    assert 'data-testid="sum-amount">120.50<' in page
    kinds = list(PoolEvent.objects.filter(meeting=m).order_by("at", "id").values_list("kind", flat=True))
    assert kinds == [
        "meeting_created",
        "meeting_participant",
        "meeting_participant",
        "meeting_participant",
        "meeting_participant",
        "meeting_outcome",
        "meeting_changed",
    ]
    assert "现场签约" in page and "已签约" in page  # the history and the outcome table


def test_recording_a_pair_again_updates_its_outcome(attended, pool):
    for result, amount in (("intention", "50"), ("contracted", "80")):
        meetings.outcome_record(
            actor=pool["city"],
            meeting=attended,
            enterprise=pool["home"],
            provider=pool["org"],
            result=result,
            amount=amount,
        )
    assert list(MeetingOutcome.objects.values_list("result", "amount")) == [("contracted", Decimal("80"))]
    assert meetings.summary(attended).contracts == 1


def test_an_invitee_may_change_its_mind_until_the_meeting_is_held(meeting, pool):
    p = participant(meeting, pool["org"])
    meetings.participant_respond(actor=pool["provider"], meeting=meeting, participant=p, accept=True)
    meetings.participant_respond(actor=pool["provider"], meeting=meeting, participant=p, accept=False)
    assert participant(meeting, pool["org"]).status == "declined"
    meetings.meeting_set_status(actor=pool["city"], meeting=meeting, status="held")
    with pytest.raises(CatalogError, match="已举办"):
        meetings.participant_respond(actor=pool["provider"], meeting=meeting, participant=p, accept=True)
    assert participant(meeting, pool["org"]).status == "declined"


def test_editing_records_what_changed(meeting, pool):
    meeting.title, meeting.place = "改名后的对接会", "新场地"
    meetings.meeting_save(actor=pool["city"], meeting=meeting, scenario_codes=[SCENARIO, "S-FB-01"])
    event = PoolEvent.objects.filter(meeting=meeting, kind="meeting_changed").get()
    assert "名称" in event.summary and "地点" in event.summary and "对接场景" in event.summary
    assert event.data["changes"]["title"] == ["南昌智能制造供需对接会", "改名后的对接会"]


def test_invitees_see_only_their_own_outcomes(attended, pool, login):
    other = pool["neighbour"]
    p = MeetingParticipant.objects.create(meeting=attended, enterprise=other, status="attended")
    assert p.pk
    for enterprise in (pool["home"], other):
        meetings.outcome_record(
            actor=pool["city"],
            meeting=attended,
            enterprise=enterprise,
            provider=pool["org"],
            result="contracted",
            amount="10",
            note=f"备注{enterprise.pk}",
        )
    page = login(pool["enterprise"]).get(reverse("catalog:meeting_detail", args=[attended.pk]))
    assert [o.enterprise for o in page.context["outcomes"]] == [pool["home"]]
    assert page.context["summary"] is None and f"备注{other.pk}" not in page.content.decode()


# Bad input ---------------------------------------------------------------------------------------------------------


def test_an_outcome_for_a_side_that_did_not_attend_is_refused(meeting, pool, login):
    meetings.participant_set_attended(
        actor=pool["city"], meeting=meeting, participant=participant(meeting, pool["org"]), attended=True
    )
    before = state(meeting.pk)
    response = login(pool["city"]).post(
        reverse("catalog:meeting_outcome", args=[meeting.pk]),
        {"enterprise": pool["home"].pk, "provider": pool["org"].pk, "result": "contracted", "amount": "5"},
        follow=True,
    )
    assert "东湖精密机械有限公司”未登记参会" in response.content.decode()
    assert state(meeting.pk) == before


def test_an_outcome_for_someone_not_invited_is_refused(attended, pool):
    before = state(attended.pk)
    with pytest.raises(CatalogError, match="未登记参会"):
        meetings.outcome_record(
            actor=pool["city"], meeting=attended, enterprise=pool["other"], provider=pool["org"], result="talked"
        )
    with pytest.raises(CatalogError, match="未登记参会"):
        meetings.outcome_record(
            actor=pool["city"], meeting=attended, enterprise=pool["home"], provider=pool["second"], result="talked"
        )
    assert state(attended.pk) == before


@pytest.mark.parametrize(
    ("amount", "result", "message"),
    [
        ("-5", "contracted", "金额不能为负数"),
        ("abc", "contracted", "金额须为数字"),
        ("1.234", "contracted", "两位小数"),
        ("NaN", "contracted", "金额须为数字"),
        ("20", "talked", "只有达成意向或已签约时才填写金额"),
    ],
)
def test_a_bad_amount_is_refused_and_nothing_is_recorded(attended, pool, login, amount, result, message):
    before = state(attended.pk)
    response = login(pool["city"]).post(
        reverse("catalog:meeting_outcome", args=[attended.pk]),
        {"enterprise": pool["home"].pk, "provider": pool["org"].pk, "result": result, "amount": amount},
        follow=True,
    )
    assert message in response.content.decode()
    assert state(attended.pk) == before


def test_a_solution_of_another_provider_is_refused(attended, pool):
    foreign = services.solution_save(
        actor=None,
        solution=Solution(provider=pool["second"], title="别家的方案", description="x", status="published"),
        scenario_codes=[SCENARIO],
    )
    with pytest.raises(CatalogError, match="不属于该服务商"):
        meetings.outcome_record(
            actor=pool["city"],
            meeting=attended,
            enterprise=pool["home"],
            provider=pool["org"],
            result="contracted",
            solution=foreign,
        )
    assert not MeetingOutcome.objects.exists()


@pytest.mark.parametrize("value", ["2026-13-45", "明天", "20261220"])
def test_a_date_that_is_not_a_date_is_refused(pool, login, value):
    response = login(pool["city"]).post(
        reverse("catalog:meeting_create"), {"title": "对接会", "region": "360100", "held_on": value}
    )
    assert response.status_code == 200
    assert "请填写有效的日期" in response.content.decode()
    assert not MatchMeeting.objects.exists() and not PoolEvent.objects.exists()


def test_an_empty_title_is_refused(pool, login):
    response = login(pool["city"]).post(
        reverse("catalog:meeting_create"), {"title": " ", "region": "360100", "held_on": "2026-12-20"}
    )
    assert "请填写对接会名称" in response.content.decode() and not MatchMeeting.objects.exists()


def test_inviting_an_enterprise_outside_the_officers_region_is_refused(meeting, pool, login):
    before = state(meeting.pk)
    response = login(pool["city"]).post(
        reverse("catalog:meeting_invite", args=[meeting.pk]),
        {"enterprises": [pool["neighbour"].pk, pool["other"].pk]},
        follow=True,
    )
    assert "所选企业不在您的管辖范围内" in response.content.decode()
    assert state(meeting.pk) == before  # the in-scope one was not invited either
    with pytest.raises(CatalogError, match="管辖范围"):
        meetings.meeting_invite(actor=pool["city"], meeting=meeting, enterprises=[pool["other"]])
    assert state(meeting.pk) == before


def test_inviting_an_unlisted_provider_is_refused(meeting, pool, login):
    before = state(meeting.pk)
    response = login(pool["city"]).post(
        reverse("catalog:meeting_invite", args=[meeting.pk]),
        {"providers": [pool["second"].pk, pool["draft"].pk]},
        follow=True,
    )
    assert "只能邀请已发布（在名录中）的服务商" in response.content.decode()
    with pytest.raises(CatalogError, match="已发布"):
        meetings.meeting_invite(actor=pool["city"], meeting=meeting, providers=[pool["draft"]])
    assert state(meeting.pk) == before


def test_inviting_only_those_already_invited_is_refused(meeting, pool):
    before = state(meeting.pk)
    with pytest.raises(CatalogError, match="均已在邀请名单中"):
        meetings.meeting_invite(actor=pool["city"], meeting=meeting, enterprises=[pool["home"]])
    assert state(meeting.pk) == before


def test_a_cancelled_meeting_cannot_be_edited_or_changed(meeting, pool, login):
    with pytest.raises(CatalogError, match="取消原因"):
        meetings.meeting_set_status(actor=pool["city"], meeting=meeting, status="cancelled", reason=" ")
    meetings.meeting_set_status(actor=pool["city"], meeting=meeting, status="cancelled", reason="台风停会")
    before = state(meeting.pk)
    client = login(pool["city"])
    response = client.post(
        reverse("catalog:meeting_edit", args=[meeting.pk]),
        {"title": "改名", "region": "360100", "held_on": "2026-12-21"},
        follow=True,
    )
    assert "对接会已取消，不能再修改" in response.content.decode()
    meeting.title = "改名"
    with pytest.raises(CatalogError, match="已取消"):
        meetings.meeting_save(actor=pool["city"], meeting=meeting)
    for call in (
        lambda: meetings.meeting_invite(actor=pool["city"], meeting=meeting, providers=[pool["second"]]),
        lambda: meetings.participant_set_attended(
            actor=pool["city"], meeting=meeting, participant=participant(meeting, pool["home"]), attended=True
        ),
        lambda: meetings.participant_respond(
            actor=pool["enterprise"], meeting=meeting, participant=participant(meeting, pool["home"]), accept=True
        ),
        lambda: meetings.meeting_set_status(actor=pool["city"], meeting=meeting, status="held"),
    ):
        with pytest.raises(CatalogError, match="已取消"):
            call()
    assert state(meeting.pk) == before
    assert "本对接会已取消" in client.get(reverse("catalog:meeting_detail", args=[meeting.pk])).content.decode()


def test_attendance_and_held_wait_for_the_meeting_date(pool):
    m = make_meeting(pool["city"], held_on=TODAY() + dt.timedelta(days=3))
    meetings.meeting_invite(actor=pool["city"], meeting=m, enterprises=[pool["home"]])
    before = state(m.pk)
    with pytest.raises(CatalogError, match="未到"):
        meetings.participant_set_attended(
            actor=pool["city"], meeting=m, participant=participant(m, pool["home"]), attended=True
        )
    with pytest.raises(CatalogError, match="未到"):
        meetings.meeting_set_status(actor=pool["city"], meeting=m, status="held")
    assert state(m.pk) == before


def test_attendance_with_outcomes_cannot_be_taken_back_nor_the_meeting_cancelled(attended, pool):
    meetings.outcome_record(
        actor=pool["city"], meeting=attended, enterprise=pool["home"], provider=pool["org"], result="intention"
    )
    before = state(attended.pk)
    with pytest.raises(CatalogError, match="已有对接成果"):
        meetings.participant_set_attended(
            actor=pool["city"], meeting=attended, participant=participant(attended, pool["home"]), attended=False
        )
    with pytest.raises(CatalogError, match="已参会或已有对接成果"):
        meetings.participant_remove(
            actor=pool["city"], meeting=attended, participant=participant(attended, pool["org"])
        )
    with pytest.raises(CatalogError, match="不能取消"):
        meetings.meeting_set_status(actor=pool["city"], meeting=attended, status="cancelled", reason="临时取消")
    with pytest.raises(CatalogError, match="今天之后"):
        attended.held_on = TODAY() + dt.timedelta(days=7)
        meetings.meeting_save(actor=pool["city"], meeting=attended)
    assert state(attended.pk) == before


def test_user_text_is_shown_inert(pool, login):
    m = make_meeting(pool["city"], title="<script>alert(1)</script>对接会")
    m.description = '<img src=x onerror="alert(2)">'
    meetings.meeting_save(actor=pool["city"], meeting=m)
    text = login(pool["city"]).get(reverse("catalog:meeting_detail", args=[m.pk])).content.decode()
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)&lt;/script&gt;对接会" in text
    assert "<img src=x" not in text


# Export ------------------------------------------------------------------------------------------------------------


def test_export_lists_participants_and_outcomes_with_formulas_neutralised(attended, pool, login):
    Provider.objects.filter(pk=pool["org"].pk).update(name='=HYPERLINK("http://x")')
    meetings.outcome_record(
        actor=pool["city"],
        meeting=attended,
        enterprise=pool["home"],
        provider=pool["org"],
        result="contracted",
        amount="88.5",
        note="+cmd|' /C calc'!A0",
    )
    response = login(pool["city"]).get(reverse("catalog:meeting_export", args=[attended.pk]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["参会方", "对接成果"]
    people = [list(r) for r in book["参会方"].iter_rows(values_only=True)]
    assert people[1] == ["类别", "名称", "统一社会信用代码", "所在地区", "参会状态"]
    assert people[2] == ["企业", "东湖精密机械有限公司", pool["home"].credit_code, "江西省 南昌市 东湖区", "已参会"]
    assert people[3][:2] == ["服务商", '\'=HYPERLINK("http://x")']
    outcomes = [list(r) for r in book["对接成果"].iter_rows(values_only=True)]
    row = outcomes[2]
    assert row[:7] == [
        "东湖精密机械有限公司",
        pool["home"].credit_code,
        '\'=HYPERLINK("http://x")',
        None,  # no solution: an empty cell
        "已签约",
        88.5,
        "'+cmd|' /C calc'!A0",
    ]
    for sheet in book:
        for r in sheet.iter_rows():
            assert all(c.data_type != "f" for c in r)  # no cell is a formula


# Suggestions -------------------------------------------------------------------------------------------------------


def test_suggestions_name_enterprises_with_matching_needs_or_gaps_and_providers_with_solutions(meeting, pool):
    from assessments import services as assessment_services
    from assessments.models import ModelVersion

    need = services.need_create(
        actor=None,
        need=Need(enterprise=pool["neighbour"], title="设备联网", text="三十台机床联网采集"),
        scenario_codes=[SCENARIO],
    )
    gapped = pool["neighbour"].__class__.objects.create(
        name="南昌短板企业有限公司", credit_code=make_code("360111"), county_id="360111", industry_id="34"
    )
    cmmm = ModelVersion.objects.get(code="cmmm", is_current=True)
    a = assessment_services.start(actor=None, enterprise=gapped, version=cmmm, kind="self", production_type="discrete")
    assessment_services.submit(actor=None, assessment=a)  # nothing answered: every sub-domain is a gap
    # Out of the city's scope: never suggested, whatever its gaps.
    far = assessment_services.start(
        actor=None, enterprise=pool["other"], version=cmmm, kind="self", production_type="discrete"
    )
    assessment_services.submit(actor=None, assessment=far)

    suggested = dict(meetings.suggested_enterprises(pool["city"], meeting))
    assert set(suggested) == {pool["neighbour"], gapped}  # home is already invited
    assert any(need.title in r for r in suggested[pool["neighbour"]])
    assert any("R2.1" in r for r in suggested[gapped])

    services.solution_save(
        actor=None,
        solution=Solution(provider=pool["second"], title="数采平台", description="采集", status="published"),
        scenario_codes=[SCENARIO],
    )
    far_provider = Provider.objects.create(
        name="外省服务商有限公司",
        credit_code=make_code("440100"),
        region_id="440100",
        status="published",
        regions_served=["440000"],
    )
    services.solution_save(
        actor=None,
        solution=Solution(provider=far_provider, title="外省方案", description="x", status="published"),
        scenario_codes=[SCENARIO],
    )
    providers = dict(meetings.suggested_providers(meeting))
    assert providers == {pool["second"]: ["数采平台"]}  # org already invited, the 广东 one does not serve 江西


def test_the_invite_page_shows_suggestions_and_search(meeting, pool, login):
    page = login(pool["city"]).get(reverse("catalog:meeting_invite", args=[meeting.pk]) + "?county=360111")
    assert [e.name for e in page.context["found"]] == ["青山湖电子科技有限公司"]
    assert pool["second"] in list(page.context["providers"]) and pool["draft"] not in list(page.context["providers"])


# Demo --------------------------------------------------------------------------------------------------------------


def test_seed_demo_meetings_builds_synthetic_meetings_from_demo_records(world, make_enterprise):
    for i in range(8):
        make_enterprise("360102", name=f"合成演示企业{i}有限公司", is_synthetic=True)
    for i in range(3):
        p = Provider.objects.create(
            name=f"合成演示服务商{i}",
            credit_code=make_code("360100"),
            region_id="360100",
            status="published",
            is_synthetic=True,
        )
        services.solution_save(
            actor=None,
            solution=Solution(provider=p, title=f"演示方案{i}", description="x", status="published", is_synthetic=True),
            scenario_codes=[SCENARIO],
        )
    created = demo_meetings.seed_demo_meetings(province_code="360000", seed=7)
    assert created == 3  # one city with demo enterprises, three meetings (held, held, upcoming)
    assert MatchMeeting.objects.filter(is_synthetic=True).count() == 3
    assert not MeetingParticipant.objects.exclude(meeting__is_synthetic=True).exists()
    enterprise_ids = set(MeetingParticipant.objects.exclude(enterprise=None).values_list("enterprise_id", flat=True))
    assert enterprise_ids and all(e.is_synthetic for e in world["home"].__class__.objects.filter(pk__in=enterprise_ids))
    for m in MatchMeeting.objects.all():
        attended_ids = set(m.participants.filter(status="attended").values_list("enterprise_id", "provider_id"))
        for o in m.outcomes.all():  # outcomes only between those who came, amounts only where they mean something
            assert (o.enterprise_id, None) in attended_ids and (None, o.provider_id) in attended_ids
            assert o.amount is None or (o.amount >= 0 and o.result in meetings.AMOUNT_RESULTS)
        assert m.events.filter(kind="meeting_created").exists()
    assert MatchMeeting.objects.filter(status="planned", held_on__gt=TODAY()).count() == 1
    assert demo_meetings.seed_demo_meetings(province_code="360000", seed=7) == 0  # re-running changes nothing
