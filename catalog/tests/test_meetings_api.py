"""The matching-event API: the page's scope and rules for token clients; every refusal changes nothing.
All records are synthetic."""

from decimal import Decimal

import pytest

from accounts import services as account_services
from catalog.models import MeetingOutcome, MeetingParticipant
from catalog.tests import test_meetings as tm

# The meeting page tests' fixtures and helpers: one world, one meeting, the same "nothing changed" state.
pool, meeting, attended = tm.pool, tm.meeting, tm.attended
PERSONAS, SCENARIO, participant, state = tm.PERSONAS, tm.SCENARIO, tm.participant, tm.state

pytestmark = pytest.mark.django_db
API = "/api/v1"


def call(client, user, method, path, body=None):
    headers = {}
    if user is not None:
        _token, plain = account_services.token_create(user=user, name="测试")
        headers = {"HTTP_AUTHORIZATION": f"Bearer {plain}"}
    if method == "get":
        return client.get(API + path, **headers)
    return client.post(API + path, body or {}, content_type="application/json", **headers)


@pytest.mark.parametrize("persona", PERSONAS + ["anonymous"])
def test_each_persona_sees_the_meetings_it_may_see(client, pool, meeting, persona):
    user = pool.get(persona)
    response = call(client, user, "get", f"/meetings/{meeting.pk}")
    expected = {"admin": 200, "province": 200, "city": 200, "enterprise": 200, "provider": 200, "anonymous": 401}
    assert response.status_code == expected.get(persona, 404)
    listed = call(client, user, "get", "/meetings")
    if persona == "anonymous":
        assert listed.status_code == 401
    else:
        ids = [m["id"] for m in listed.json()["items"]]
        assert (meeting.pk in ids) == (expected.get(persona) == 200)


def test_an_invitee_sees_no_summary_and_only_its_own_outcomes(client, pool, attended, make_enterprise):
    other = make_enterprise("360102", name="另一家参会企业有限公司")
    from catalog import meetings

    meetings.meeting_invite(actor=pool["city"], meeting=attended, enterprises=[other])
    meetings.participant_set_attended(
        actor=pool["city"], meeting=attended, participant=participant(attended, other), attended=True
    )
    for enterprise, amount in ((pool["home"], "120.50"), (other, "80")):
        body = {"enterprise_id": enterprise.pk, "provider_id": pool["org"].pk, "result": "contracted", "amount": amount}
        assert call(client, pool["city"], "post", f"/meetings/{attended.pk}/outcomes", body).status_code == 200
    officer = call(client, pool["city"], "get", f"/meetings/{attended.pk}").json()
    assert officer["summary"]["contracts"] == 2
    assert Decimal(officer["summary"]["contracted_amount"]) == Decimal("200.50")
    mine = call(client, pool["enterprise"], "get", f"/meetings/{attended.pk}").json()
    assert mine["summary"] is None
    assert [o["enterprise_id"] for o in mine["outcomes"]] == [pool["home"].pk]


def test_officer_creates_invites_and_the_invitees_answer(client, pool):
    body = {"title": "API 对接会", "region_code": "360100", "held_on": "2030-05-20", "scenario_codes": [SCENARIO]}
    created = call(client, pool["city"], "post", "/meetings", body)
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    invite = {"enterprise_ids": [pool["home"].pk], "provider_ids": [pool["org"].pk]}
    assert call(client, pool["city"], "post", f"/meetings/{pk}/invitations", invite).status_code == 200
    answered = call(client, pool["enterprise"], "post", f"/meetings/{pk}/answer", {"accept": True})
    assert answered.status_code == 200
    statuses = {p["name"]: p["status"] for p in answered.json()["participants"]}
    assert statuses[pool["home"].name] == "accepted" and statuses[pool["org"].name] == "invited"


def test_creating_is_refused_to_non_officers_and_outside_the_region(client, pool):
    body = {"title": "越权对接会", "region_code": "360100", "held_on": "2030-05-20"}
    before = state()
    assert call(client, pool["enterprise"], "post", "/meetings", body).status_code == 403
    outside = call(client, pool["other_city"], "post", "/meetings", body)
    assert outside.status_code == 422 and outside.json()["problems"]["region"]
    assert state() == before


def test_inviting_out_of_scope_or_unlisted_is_refused_and_changes_nothing(client, pool, meeting):
    before = state(meeting.pk)
    far = call(
        client, pool["city"], "post", f"/meetings/{meeting.pk}/invitations", {"enterprise_ids": [pool["other"].pk]}
    )
    assert far.status_code == 422 and "管辖范围" in far.json()["detail"]
    draft = call(
        client, pool["city"], "post", f"/meetings/{meeting.pk}/invitations", {"provider_ids": [pool["draft"].pk]}
    )
    assert draft.status_code == 422
    assert (
        call(client, pool["city"], "post", f"/meetings/{meeting.pk}/invitations", {"provider_ids": [10**9]}).status_code
        == 404
    )
    assert call(client, pool["other_city"], "post", f"/meetings/{meeting.pk}/invitations", {}).status_code == 404
    assert call(client, pool["enterprise"], "post", f"/meetings/{meeting.pk}/invitations", {}).status_code == 403
    assert state(meeting.pk) == before


def test_outcomes_need_both_sides_present_and_a_sane_amount(client, pool, meeting):
    before = state(meeting.pk)
    body = {"enterprise_id": pool["home"].pk, "provider_id": pool["org"].pk, "result": "contracted", "amount": "10"}
    absent = call(client, pool["city"], "post", f"/meetings/{meeting.pk}/outcomes", body)
    assert absent.status_code == 422 and "未登记参会" in absent.json()["detail"]
    assert call(client, pool["provider"], "post", f"/meetings/{meeting.pk}/outcomes", body).status_code == 403
    assert state(meeting.pk) == before
    for obj in (pool["home"], pool["org"]):
        MeetingParticipant.objects.filter(pk=participant(meeting, obj).pk).update(status="attended")
    negative = call(client, pool["city"], "post", f"/meetings/{meeting.pk}/outcomes", {**body, "amount": "-5"})
    assert negative.status_code == 422 and not MeetingOutcome.objects.exists()


def test_only_invitees_answer(client, pool, meeting):
    before = state(meeting.pk)
    assert call(client, pool["city"], "post", f"/meetings/{meeting.pk}/answer", {"accept": True}).status_code == 403
    assert (
        call(client, pool["commissioner"], "post", f"/meetings/{meeting.pk}/answer", {"accept": True}).status_code
        == 404
    )
    assert state(meeting.pk) == before
