"""Matching-event (供需对接会) pages. Each view: scoped lookup (catalog.meetings) → form → one service → redirect.

Out of scope is a 404 (the meeting does not exist for this user); an invitee or another officer who may see it but
not manage it gets a 403 on the officer's actions."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import XLSX_TYPE, SheetOut, write_workbook
from enterprises.models import Enterprise
from regions.models import IndustryDivision

from . import meetings
from .meeting_forms import InviteForm, InviteSearchForm, MeetingForm, OutcomeForm, StatusForm
from .models import MatchMeeting, MeetingOutcome, MeetingParticipant, Provider, Solution
from .services import CatalogError

PAGE_SIZE = 20


def _add_problems(form, exc: CatalogError) -> None:
    aliases = {"scenarios": "scenario_codes"}
    for field, message in exc.problems.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, message)


def _back(pk: int):
    return redirect("catalog:meeting_detail", pk=pk)


@login_required
def meeting_list(request):
    today = timezone.localdate()
    visible = meetings.meetings_visible_to(request.user)
    upcoming_q = Q(status=MatchMeeting.Status.PLANNED, held_on__gte=today)
    when = "past" if request.GET.get("when") == "past" else "upcoming"
    qs = visible.filter(upcoming_q) if when == "upcoming" else visible.exclude(upcoming_q)
    qs = qs.select_related("region").annotate(
        n_enterprises=Count("participants", filter=Q(participants__enterprise__isnull=False), distinct=True),
        n_providers=Count("participants", filter=Q(participants__provider__isnull=False), distinct=True),
        n_contracts=Count("outcomes", filter=Q(outcomes__result=MeetingOutcome.Result.CONTRACTED), distinct=True),
    )
    qs = qs.order_by("held_on", "id") if when == "upcoming" else qs.order_by("-held_on", "-id")
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "when": when,
        "counts": {"upcoming": visible.filter(upcoming_q).count(), "past": visible.exclude(upcoming_q).count()},
        "can_create": meetings.can_create(request.user),
        "query": f"when={when}",
    }
    return render(request, "catalog/meeting_list.html", context)


@login_required
def meeting_edit(request, pk: int | None = None):
    if pk is None:
        if not meetings.can_create(request.user):
            raise PermissionDenied(_("只有主管部门可以举办对接会"))
        meeting = MatchMeeting()
    else:
        meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
        if meeting.status == MatchMeeting.Status.CANCELLED:
            messages.error(request, _("对接会已取消，不能再修改"))
            return _back(pk)
    form = MeetingForm(request.POST or None, instance=meeting, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            meeting = meetings.meeting_save(
                actor=request.user,
                meeting=form.instance,
                scenario_codes=[s.code for s in form.cleaned_data["scenario_codes"]],
                industries=form.cleaned_data["industries"],
            )
        except CatalogError as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, _("对接会已保存"))
            return _back(meeting.pk)
    return render(request, "catalog/meeting_form.html", {"form": form, "meeting": meeting if pk else None})


@login_required
def meeting_detail(request, pk: int):
    user = request.user
    meeting = meetings.get_meeting_for_user(user, pk)
    manage = meetings.can_manage(user, meeting)
    mine = list(meetings.own_participants(user, meeting))
    participants = meeting.participants.select_related("enterprise__county", "provider__region")
    outcomes = meeting.outcomes.select_related("enterprise", "provider", "solution", "recorded_by")
    if not manage:  # an invitee reads its own pairs only: others' amounts are theirs
        outcomes = outcomes.filter(
            Q(enterprise_id__in=[p.enterprise_id for p in mine if p.enterprise_id])
            | Q(provider_id__in=[p.provider_id for p in mine if p.provider_id])
        )
    open_ = meeting.status != MatchMeeting.Status.CANCELLED
    context = {
        "meeting": meeting,
        "manage": manage,
        "mine": mine,
        "can_respond": meeting.status == MatchMeeting.Status.PLANNED,
        "enterprises": [p for p in participants if p.enterprise_id],
        "providers": [p for p in participants if p.provider_id],
        "outcomes": outcomes,
        "scenarios": meeting.scenarios.all(),
        "industries": IndustryDivision.objects.filter(code__in=meeting.industries),
        "summary": meetings.summary(meeting) if manage else None,
        "history": meetings.history(meeting)[:100] if manage else (),
        "can_attend": manage and open_ and meeting.held_on <= timezone.localdate(),
        "can_invite": manage and meeting.status == MatchMeeting.Status.PLANNED,
        "outcome_form": OutcomeForm(meeting=meeting) if manage and open_ else None,
    }
    return render(request, "catalog/meeting_detail.html", context)


@login_required
def meeting_invite(request, pk: int):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    if request.method == "POST":
        form = InviteForm(request.POST, user=request.user)
        if not form.is_valid():
            errors = [e for errs in form.errors.values() for e in errs]
            messages.error(request, "；".join(dict.fromkeys(errors)))
        else:
            try:
                invited = meetings.meeting_invite(
                    actor=request.user,
                    meeting=meeting,
                    enterprises=form.cleaned_data["enterprises"],
                    providers=form.cleaned_data["providers"],
                )
            except CatalogError as exc:
                messages.error(request, str(exc))
            else:
                messages.success(request, _("已邀请 %(n)d 家") % {"n": len(invited)})
                return _back(pk)
        return redirect(request.get_full_path())
    if meeting.status != MatchMeeting.Status.PLANNED:
        messages.error(request, _("只有筹备中的对接会可以发出邀请"))
        return _back(pk)
    search = InviteSearchForm(request.GET or None, user=request.user, meeting=meeting)
    context = {
        "meeting": meeting,
        "search": search,
        "searched": any(request.GET.get(k) for k in ("q", "industry", "county")),
        "found": search.enterprises(request.user, meeting),
        "providers": search.providers(meeting),
        "suggested_enterprises": meetings.suggested_enterprises(request.user, meeting),
        "suggested_providers": meetings.suggested_providers(meeting),
    }
    return render(request, "catalog/meeting_invite.html", context)


def _participant_or_404(meeting: MatchMeeting, pid: int) -> MeetingParticipant:
    participant = meeting.participants.filter(pk=pid).first()
    if participant is None:
        raise Http404(_("该单位不在本次对接会的邀请名单中"))
    return participant


@login_required
@require_POST
def meeting_respond(request, pk: int):
    meeting = meetings.get_meeting_for_user(request.user, pk)
    mine = meetings.own_participants(request.user, meeting)
    participant = mine.filter(pk=request.POST.get("participant") or 0).first() if mine else None
    if participant is None:
        raise PermissionDenied(_("只有受邀的企业或服务商本身可以回复邀请"))
    answer = request.POST.get("answer")
    if answer not in ("accept", "decline"):
        messages.error(request, _("请选择参加或不参加"))
        return _back(pk)
    try:
        p = meetings.participant_respond(
            actor=request.user, meeting=meeting, participant=participant, accept=answer == "accept"
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已回复：%(status)s") % {"status": p.get_status_display()})
    return _back(pk)


@login_required
@require_POST
def meeting_attendance(request, pk: int, pid: int):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    participant = _participant_or_404(meeting, pid)
    try:
        meetings.participant_set_attended(
            actor=request.user, meeting=meeting, participant=participant, attended=request.POST.get("attended") == "1"
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
    return _back(pk)


@login_required
@require_POST
def meeting_participant_remove(request, pk: int, pid: int):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    participant = _participant_or_404(meeting, pid)
    try:
        meetings.participant_remove(actor=request.user, meeting=meeting, participant=participant)
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已移出邀请名单"))
    return _back(pk)


@login_required
@require_POST
def meeting_outcome(request, pk: int):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        errors = [e for errs in form.errors.values() for e in errs]
        messages.error(request, _("请检查对接成果：%(errors)s") % {"errors": "；".join(dict.fromkeys(errors))})
        return _back(pk)
    data = form.cleaned_data
    # Lookups by id among all records: whether they took part in *this* meeting is the service's check.
    enterprise = Enterprise.objects.filter(pk=data["enterprise"]).first()
    provider = Provider.objects.filter(pk=data["provider"]).first()
    solution = Solution.objects.filter(pk=data["solution"]).first() if data.get("solution") else None
    try:
        if enterprise is None or provider is None:
            raise CatalogError({"": _("该企业或服务商不在本次对接会的邀请名单中")})
        outcome = meetings.outcome_record(
            actor=request.user,
            meeting=meeting,
            enterprise=enterprise,
            provider=provider,
            result=data["result"],
            solution=solution,
            amount=data.get("amount"),
            note=data.get("note", ""),
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("已记录 %(e)s × %(p)s：%(r)s")
            % {"e": enterprise.name, "p": provider.name, "r": outcome.get_result_display()},
        )
    return _back(pk)


@login_required
@require_POST
def meeting_status(request, pk: int):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择对接会状态"))
        return _back(pk)
    try:
        meetings.meeting_set_status(
            actor=request.user, meeting=meeting, status=form.cleaned_data["status"], reason=form.cleaned_data["reason"]
        )
    except CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("对接会状态已改为：%(s)s") % {"s": meeting.get_status_display()})
    return _back(pk)


# Export ------------------------------------------------------------------------------------------------------------

PARTICIPANT_HEADERS = ["类别", "名称", "统一社会信用代码", "所在地区", "参会状态"]
OUTCOME_HEADERS = [
    "企业",
    "企业信用代码",
    "服务商",
    "解决方案",
    "对接结果",
    "金额（万元）",
    "备注",
    "记录人",
    "记录时间",
]


def export_rows(meeting: MatchMeeting) -> tuple[list[list], list[list]]:
    participants = []
    for p in meeting.participants.select_related("enterprise__county", "provider__region"):
        if p.enterprise_id:
            e = p.enterprise
            participants.append([_("企业"), e.name, e.credit_code, e.county.full_name, p.get_status_display()])
        else:
            v = p.provider
            participants.append([_("服务商"), v.name, v.credit_code, v.region.full_name, p.get_status_display()])
    outcomes = [
        [
            o.enterprise.name,
            o.enterprise.credit_code,
            o.provider.name,
            o.solution.title if o.solution else "",
            o.get_result_display(),
            float(o.amount) if o.amount is not None else None,
            o.note,
            o.recorded_by.username if o.recorded_by else "",
            timezone.localtime(o.created_at).strftime("%Y-%m-%d %H:%M"),
        ]
        for o in meeting.outcomes.select_related("enterprise", "provider", "solution", "recorded_by")
    ]
    return participants, outcomes


def write_meeting_xlsx(handle, meeting: MatchMeeting) -> None:
    """Two sheets under the meeting's title; names and notes are typed by users and may look like formulas, which
    core.exports neutralises."""
    participants, outcomes = export_rows(meeting)
    title = f"{meeting.title}（{meeting.held_on:%Y-%m-%d}）"
    write_workbook(
        handle,
        [
            SheetOut("参会方", PARTICIPANT_HEADERS, participants, title_line=title),
            SheetOut("对接成果", OUTCOME_HEADERS, outcomes, title_line=title),
        ],
    )


@login_required
def meeting_export(request, pk: int):
    meeting = meetings.get_meeting_for_user(request.user, pk, meetings.MANAGE)
    response = HttpResponse(content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="meeting-{meeting.pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    write_meeting_xlsx(response, meeting)
    return response
