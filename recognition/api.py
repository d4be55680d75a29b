"""API of recognition applications: the ones the user may see (the applicant's own, an officer's regions once
submitted, an expert's assigned ones) with where each stands and its history, and submit / withdraw / decide
through the services the pages use. Another region's or enterprise's application is a 404; one the user may see
but not act on a 403; a move the chain or the rules refuse a 422 with the reasons."""

import datetime as dt
from typing import Literal

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from core.api import Code, Id, Page, Problem, choices

from . import access, chain, prerequisites, querysets, services
from .models import Application

router = Router(tags=["梯度认定"])
REFUSED = {403: Problem, 422: Problem}
Status = choices(Application.Status)
Decision = Literal["pass", "return", "reject", "cultivate"]


class ApplicationOut(Schema):
    id: int
    programme_id: int
    programme_code: str
    programme_name: str
    enterprise_id: int
    enterprise_name: str
    status: Status  # type: ignore[valid-type]
    status_label: str
    step: int | None  # index into the programme's chain while under review or returned
    step_code: str
    step_name: str
    acting_level: str  # province | city | county: whose officers act at the step
    due_on: dt.date | None
    overdue: bool
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class ApplicationEventOut(Schema):
    action: str
    action_label: str
    step_code: str
    step_name: str
    status_after: str
    actor: str  # the officer's name for officers; the acting office for the applicant
    at: dt.datetime
    reason: str


class ApplicationEvidenceOut(Schema):
    id: int
    code: str
    name: str
    size: int
    sha256: str


class PrerequisiteItemOut(Schema):
    name: str
    outcome: str  # met | pending | undeclared | unknown | not_met
    actual: str
    required: str
    reason: str


class ApplicationDetailOut(ApplicationOut):
    summary: str
    declared: dict
    score: float | None  # the experts' consolidated score: officers, or the applicant once there is an outcome
    grade: str
    prerequisites: list[PrerequisiteItemOut]  # live while a draft or returned, as submitted afterwards
    evidence: list[ApplicationEvidenceOut]
    history: list[ApplicationEventOut]
    may_submit: bool
    may_withdraw: bool
    decisions: list[str]  # what the user may decide at the current step (empty: not theirs to decide)


class ApplicationWithdrawIn(Schema):
    reason: str = Field("", max_length=2000)


class ApplicationDecideIn(Schema):
    decision: Decision  # type: ignore[valid-type]
    reason: str = Field(min_length=2, max_length=2000)


def _queryset(user):
    return Application.objects.visible_to(user).select_related("programme", "enterprise")


def _get(user, pk: int) -> Application:
    return get_object_or_404(_queryset(user), pk=pk)


def _out(application: Application, today: dt.date) -> dict:
    step = application.current_step
    due = application.step_due_on if application.status in (chain.IN_REVIEW, chain.RETURNED) else None
    return {
        "id": application.pk, "programme_id": application.programme_id, "programme_code": application.programme.code,
        "programme_name": application.programme.name, "enterprise_id": application.enterprise_id,
        "enterprise_name": application.enterprise.name, "status": application.status,
        "status_label": application.get_status_display(), "step": application.step if step else None,
        "step_code": step.code if step else "", "step_name": step.name if step else "",
        "acting_level": step.level if step else "", "due_on": due, "overdue": bool(due and today > due),
        "submitted_at": application.submitted_at, "decided_at": application.decided_at,
    }  # fmt: skip


def _detail(user, application: Application) -> dict:
    application = _get(user, application.pk)  # fresh from the database after a write
    rules = application.programme.rules
    internals = querysets.sees_internals(user, application)
    if application.status in (chain.DRAFT, chain.RETURNED):
        items = prerequisites.check(rules, application.enterprise, application.declared).as_json()["items"]
    else:
        items = application.prerequisites.get("items", [])
    applicant = access.is_applicant(user, application.enterprise_id)
    step = application.current_step
    history = [
        {"action": e.action, "action_label": str(e.text), "step_code": e.step_code, "step_name": e.step_name,
         "status_after": e.status_after, "actor": e.actor_name, "at": e.at, "reason": e.reason}
        for e in querysets.history_for(user, application)
    ]  # fmt: skip
    final = application.status in {chain.RECOGNISED, chain.REJECTED, chain.CULTIVATION, chain.REVOKED}
    return {
        **_out(application, timezone.localdate()),
        "summary": application.summary, "declared": application.declared,
        "score": application.score if internals or final else None,
        "grade": application.grade if internals or final else "",
        "prerequisites": items,
        "evidence": [{"id": e.pk, "code": e.code, "name": e.name, "size": e.size, "sha256": e.sha256}
                     for e in application.evidence.all()],
        "history": history,
        "may_submit": applicant and application.status in (chain.DRAFT, chain.RETURNED),
        "may_withdraw": applicant and application.status in chain.OPEN_STATES
        and not (step and step.action in {"notice", "publish"}),
        "decisions": sorted(step.decisions) if step and querysets.acts_now(user, application) else [],
    }  # fmt: skip


@router.get("/applications", response=list[ApplicationOut], summary="认定申请列表（本人企业的、本地区的、分配给我的）")
@paginate(Page)
def list_applications(
    request, programme: Code | None = None, status: Status | None = None, waiting_for_me: bool = False
):  # type: ignore[valid-type]
    queryset = _queryset(request.user).order_by("-submitted_at", "-pk")
    if programme:
        queryset = queryset.filter(programme__code=programme)
    if status:
        queryset = queryset.filter(status=status)
    if waiting_for_me:  # the acting level depends on each programme's chain: decided row by row
        today = timezone.localdate()
        rows = queryset.filter(status=chain.IN_REVIEW)
        return [_out(a, today) for a in rows if querysets.acts_now(request.user, a)]
    return _Rows(queryset)


class _Rows:
    """A page of the queryset turned into output rows only for the slice the paginator asks for."""

    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict]:
        today = timezone.localdate()
        return [_out(a, today) for a in self.queryset[index]]


@router.get("/applications/{pk}", response=ApplicationDetailOut, summary="认定申请：办理进度、申报条件、材料与办理记录")
def get_application(request, pk: Id):
    return _detail(request.user, _get(request.user, pk))


@router.post("/applications/{pk}/submit", response={200: ApplicationDetailOut, **REFUSED},
             summary="提交（或退回后重新提交）：申报条件按平台记录检查，缺材料或不满足条件时返回原因")  # fmt: skip
def submit_application(request, pk: Id):
    application = _get(request.user, pk)
    check = prerequisites.check(application.programme.rules, application.enterprise, application.declared)
    services.application_submit(actor=request.user, application=application, check=check)
    return _detail(request.user, application)


@router.post("/applications/{pk}/withdraw", response={200: ApplicationDetailOut, **REFUSED},
             summary="撤回申请（公示前，申请企业本身）")  # fmt: skip
def withdraw_application(request, pk: Id, payload: ApplicationWithdrawIn):
    application = _get(request.user, pk)
    services.application_withdraw(actor=request.user, application=application, reason=payload.reason)
    return _detail(request.user, application)


@router.post("/applications/{pk}/decide", response={200: ApplicationDetailOut, **REFUSED},
             summary="办理当前环节：通过、退回、不予通过或纳入培育库，须写明理由")  # fmt: skip
def decide_application(request, pk: Id, payload: ApplicationDecideIn):
    application = _get(request.user, pk)
    services.application_decide(actor=request.user, application=application, decision=payload.decision,
                                reason=payload.reason)  # fmt: skip
    return _detail(request.user, application)
