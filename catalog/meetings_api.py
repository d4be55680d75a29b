"""API of the matching events (对接会): the pages' scope and services (catalog/meetings.py) for token and session
clients. Officers of the host region manage; invitees read the meeting, answer the invitation and see only their
own outcomes, as on the page."""

from datetime import date
from decimal import Decimal

from django.db.models import Q
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from core.api import Id, Page, choices
from enterprises.models import Enterprise

from . import meetings
from .api import REFUSED
from .models import MatchMeeting, Provider, Solution

MEETINGS = "资源池 · 供需对接会"
router = Router(tags=[MEETINGS])


class MeetingOut(Schema):
    id: int
    title: str
    region_code: str
    held_on: date
    place: str
    status: str
    is_synthetic: bool


class ParticipantOut(Schema):
    id: int
    enterprise_id: int | None
    provider_id: int | None
    name: str
    status: str


class OutcomeOut(Schema):
    enterprise_id: int
    provider_id: int
    solution_id: int | None
    result: str
    amount: Decimal | None
    note: str


class SummaryOut(Schema):
    invited: int
    accepted: int
    declined: int
    attended: int
    intentions: int
    contracts: int
    contracted_amount: Decimal


class MeetingDetailOut(MeetingOut):
    description: str
    scenario_codes: list[str]
    industries: list[str]
    participants: list[ParticipantOut]
    outcomes: list[OutcomeOut]
    summary: SummaryOut | None  # for the organisers only


class MeetingIn(Schema):
    title: str
    region_code: str
    held_on: date
    place: str = ""
    description: str = ""
    scenario_codes: list[str] = []
    industries: list[str] = []


class InviteIn(Schema):
    enterprise_ids: list[Id] = []
    provider_ids: list[Id] = []


class AnswerIn(Schema):
    accept: bool


class OutcomeIn(Schema):
    enterprise_id: Id
    provider_id: Id
    result: str
    solution_id: Id | None = None
    amount: Decimal | None = None
    note: str = ""


def _out(meeting: MatchMeeting) -> dict:
    return {
        "id": meeting.pk,
        "title": meeting.title,
        "region_code": meeting.region_id,
        "held_on": meeting.held_on,
        "place": meeting.place,
        "status": meeting.status,
        "is_synthetic": meeting.is_synthetic,
    }


def _detail(user, pk: int) -> dict:
    meeting = meetings.get_meeting_for_user(user, pk)
    manage = meetings.can_manage(user, meeting)
    outcomes = meeting.outcomes.all()
    if not manage:  # an invitee reads its own pairs only, as on the page
        mine = list(meetings.own_participants(user, meeting))
        outcomes = outcomes.filter(
            Q(enterprise_id__in=[p.enterprise_id for p in mine if p.enterprise_id])
            | Q(provider_id__in=[p.provider_id for p in mine if p.provider_id])
        )
    participants = meeting.participants.select_related("enterprise", "provider")
    summary = meetings.summary(meeting).__dict__ if manage else None
    return {
        **_out(meeting),
        "description": meeting.description,
        "scenario_codes": sorted(meeting.scenarios.values_list("code", flat=True)),
        "industries": meeting.industries,
        "participants": [
            {
                "id": p.pk,
                "enterprise_id": p.enterprise_id,
                "provider_id": p.provider_id,
                "name": (p.enterprise or p.provider).name,
                "status": p.status,
            }
            for p in participants
        ],
        "outcomes": list(outcomes.values("enterprise_id", "provider_id", "solution_id", "result", "amount", "note")),
        "summary": summary,
    }


@router.get("/meetings", response=list[MeetingOut], summary="供需对接会列表（主管部门：本地区；企业与服务商：受邀的）")
@paginate(Page)
def list_meetings(request, status: choices(MatchMeeting.Status) | None = None):
    qs = meetings.meetings_visible_to(request.user).order_by("-held_on", "-id")
    if status:
        qs = qs.filter(status=status)
    return [_out(m) for m in qs]


@router.get("/meetings/{pk}", response=MeetingDetailOut, summary="对接会详情：参会方、成果与汇总")
def get_meeting(request, pk: Id):
    return _detail(request.user, pk)


@router.post("/meetings", response={201: MeetingDetailOut, **REFUSED}, summary="举办对接会（主管部门）")
def create_meeting(request, payload: MeetingIn):
    if not meetings.can_create(request.user):
        raise HttpError(403, _("只有主管部门可以举办对接会"))
    fields = payload.model_dump(exclude={"region_code", "scenario_codes", "industries"})
    meeting = MatchMeeting(region_id=payload.region_code, **fields)
    meeting = meetings.meeting_save(
        actor=request.user, meeting=meeting, scenario_codes=payload.scenario_codes, industries=payload.industries
    )
    return Status(201, _detail(request.user, meeting.pk))


@router.post("/meetings/{pk}/invitations", response={200: MeetingDetailOut, **REFUSED}, summary="邀请企业与服务商")
def invite(request, pk: Id, payload: InviteIn):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    # The service refuses enterprises outside the officer's scope and unlisted providers, with its messages.
    enterprises = list(Enterprise.objects.filter(pk__in=payload.enterprise_ids))
    providers = list(Provider.objects.filter(pk__in=payload.provider_ids))
    if len(enterprises) != len(set(payload.enterprise_ids)) or len(providers) != len(set(payload.provider_ids)):
        raise HttpError(404, _("企业或服务商不存在"))
    meetings.meeting_invite(actor=request.user, meeting=meeting, enterprises=enterprises, providers=providers)
    return _detail(request.user, pk)


@router.post("/meetings/{pk}/answer", response={200: MeetingDetailOut, **REFUSED}, summary="受邀方确认或谢绝参加")
def answer(request, pk: Id, payload: AnswerIn):
    meeting = meetings.get_meeting_for_user(request.user, pk)
    mine = list(meetings.own_participants(request.user, meeting))
    if not mine:
        raise HttpError(403, _("只有受邀的企业或服务商可以回复"))
    for participant in mine:
        meetings.participant_respond(
            actor=request.user, meeting=meeting, participant=participant, accept=payload.accept
        )
    return _detail(request.user, pk)


@router.post("/meetings/{pk}/outcomes", response={200: MeetingDetailOut, **REFUSED}, summary="记录对接成果（主办方）")
def record_outcome(request, pk: Id, payload: OutcomeIn):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    enterprise = Enterprise.objects.filter(pk=payload.enterprise_id).first()
    provider = Provider.objects.filter(pk=payload.provider_id).first()
    solution = Solution.objects.filter(pk=payload.solution_id).first() if payload.solution_id else None
    if enterprise is None or provider is None or (payload.solution_id and solution is None):
        raise HttpError(404, _("企业、服务商或解决方案不存在"))
    meetings.outcome_record(
        actor=request.user,
        meeting=meeting,
        enterprise=enterprise,
        provider=provider,
        result=payload.result,
        solution=solution,
        amount=payload.amount,
        note=payload.note,
    )
    return _detail(request.user, pk)
