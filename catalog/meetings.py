"""Matching events (供需对接会): who sees and manages them, the writes of their life cycle, summary figures and
invitation suggestions, and the synthetic demo meetings.

Officers manage the meetings held in their region subtree; an invited enterprise or provider sees the meetings it is
invited to and answers the invitation; nobody else knows a meeting exists (404). Every write runs in one
transaction, raises `CatalogError` with Chinese messages before touching anything, and records a pool event."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from enterprises.models import Enterprise
from regions.models import Region, code_prefix

from .events import record
from .models import MatchMeeting, MeetingOutcome, MeetingParticipant, Need, PoolEvent, Provider, Scenario, Solution
from .querysets import _officer_q
from .services import CatalogError, _full_clean, _known_industries, _scenarios

VIEW, MANAGE = "view", "manage"
MIN_REASON = 2
GAP_BELOW = 0.6  # a sub-domain scoring under this share of its maximum counts as a gap worth a meeting
AMOUNT_RESULTS = {MeetingOutcome.Result.INTENTION, MeetingOutcome.Result.CONTRACTED}
EDITABLE_FIELDS = ("title", "region_id", "held_on", "place", "description", "industries")


# Scope -------------------------------------------------------------------------------------------------------------


def meetings_visible_to(user):
    """Officers: meetings held in their subtree; enterprises and providers: the meetings they are invited to."""
    scope = scope_of(user)
    if scope.is_admin:
        return MatchMeeting.objects.all()
    if not user.is_authenticated:
        return MatchMeeting.objects.none()
    q = _officer_q(scope, "region_id")
    invited = Q(pk__in=[])
    if scope.own_enterprise_ids:
        invited |= Q(enterprise_id__in=scope.own_enterprise_ids)
    if scope.provider_ids:
        invited |= Q(provider_id__in=scope.provider_ids)
    if scope.own_enterprise_ids or scope.provider_ids:
        q |= Q(pk__in=MeetingParticipant.objects.filter(invited).values("meeting_id"))
    return MatchMeeting.objects.filter(q)


def meetings_managed_by(user):
    scope = scope_of(user)
    if scope.is_admin:
        return MatchMeeting.objects.all()
    if not scope.is_officer:
        return MatchMeeting.objects.none()
    return MatchMeeting.objects.filter(_officer_q(scope, "region_id"))


def can_create(user) -> bool:
    return scope_of(user).is_authority


def can_manage(user, meeting: MatchMeeting) -> bool:
    return scope_of(user).manages_code(meeting.region_id)


def get_meeting_for_user(user, pk, action: str = VIEW) -> MatchMeeting:
    meeting = meetings_visible_to(user).select_related("region", "created_by").filter(pk=pk).first()
    if meeting is None:
        raise Http404(_("对接会不存在或不在您的管辖范围内"))
    if action == MANAGE and not can_manage(user, meeting):
        raise PermissionDenied(_("只有主办地区的主管部门可以管理该对接会"))
    return meeting


def own_participants(user, meeting: MatchMeeting):
    """The rows through which this user was invited (its enterprise's, its provider's)."""
    scope = scope_of(user)
    q = Q(enterprise_id__in=scope.own_enterprise_ids) | Q(provider_id__in=scope.provider_ids)
    return meeting.participants.filter(q).select_related("enterprise", "provider")


def regions_for_meetings(user):
    """Regions an officer may hold a meeting in: their subtrees (every division for the admin)."""
    scope = scope_of(user)
    qs = Region.objects.filter(is_active=True)
    if scope.is_admin:
        return qs
    return qs.filter(_officer_q(scope, "code")) if scope.is_officer else qs.none()


def invitable_enterprises(user):
    return Enterprise.objects.visible_to(user)


def invitable_providers():
    return Provider.objects.listed()


# Reads for the pages -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    invited: int
    invited_enterprises: int
    invited_providers: int
    accepted: int
    declined: int
    attended: int
    talks: int
    intentions: int
    contracts: int
    contracted_amount: Decimal


def summary(meeting: MatchMeeting) -> Summary:
    """Accepted counts those who said yes and those who came (a participant who attended had accepted)."""
    P, R = MeetingParticipant.Status, MeetingOutcome.Result
    parts = meeting.participants.aggregate(
        invited=Count("id"),
        enterprises=Count("id", filter=Q(enterprise__isnull=False)),
        providers=Count("id", filter=Q(provider__isnull=False)),
        accepted=Count("id", filter=Q(status__in=[P.ACCEPTED, P.ATTENDED])),
        declined=Count("id", filter=Q(status=P.DECLINED)),
        attended=Count("id", filter=Q(status=P.ATTENDED)),
    )
    outs = meeting.outcomes.aggregate(
        talks=Count("id"),
        intentions=Count("id", filter=Q(result=R.INTENTION)),
        contracts=Count("id", filter=Q(result=R.CONTRACTED)),
        amount=Sum("amount", filter=Q(result=R.CONTRACTED)),
    )
    return Summary(
        invited=parts["invited"],
        invited_enterprises=parts["enterprises"],
        invited_providers=parts["providers"],
        accepted=parts["accepted"],
        declined=parts["declined"],
        attended=parts["attended"],
        talks=outs["talks"],
        intentions=outs["intentions"],
        contracts=outs["contracts"],
        contracted_amount=outs["amount"] or Decimal("0"),
    )


def history(meeting: MatchMeeting):
    return PoolEvent.objects.filter(meeting=meeting).select_related("actor").order_by("-at", "-id")


def _serving(code: str) -> Q:
    """Providers working in a region: nationwide ones, and those listing it, a region above it or one inside it
    (`regions_served` is a JSON list of codes; a text match works on SQLite and PostgreSQL alike)."""
    q = Q(regions_served=[]) | Q(regions_served__icontains=f'"{code_prefix(code)}')
    for ancestor in {code[:2] + "0000", code[:4] + "00"} - {code}:
        q |= Q(regions_served__icontains=f'"{ancestor}"')
    return q


def suggested_enterprises(user, meeting: MatchMeeting, *, limit: int = 20) -> list[tuple[Enterprise, list[str]]]:
    """Enterprises in the user's scope, not yet invited, whose open needs name one of the meeting's scenarios or whose
    latest assessment has a gap (a sub-domain under GAP_BELOW) that one of the scenarios closes; with the reasons."""
    scenarios = list(meeting.scenarios.all())
    if not scenarios:
        return []
    visible = invitable_enterprises(user).exclude(
        pk__in=meeting.participants.filter(enterprise__isnull=False).values("enterprise_id")
    )
    reasons: dict[int, list[str]] = {}
    needs = Need.objects.filter(
        status__in=[Need.Status.OPEN, Need.Status.SHORTLISTED], scenarios__in=scenarios, enterprise__in=visible
    ).distinct()
    for enterprise_id, title in needs.values_list("enterprise_id", "title")[: limit * 3]:
        reasons.setdefault(enterprise_id, []).append(_("需求：%(title)s") % {"title": title})
    for enterprise_id, text in _gap_reasons(scenarios, visible, limit=limit * 3):
        reasons.setdefault(enterprise_id, []).append(text)
    chosen = list(reasons)[:limit]
    found = Enterprise.objects.select_related("county", "industry").in_bulk(chosen)
    return [(found[pk], list(dict.fromkeys(reasons[pk]))) for pk in chosen if pk in found]


def _gap_reasons(scenarios: list[Scenario], enterprises, *, limit: int) -> list[tuple[int, str]]:
    from assessments.models import Assessment, DomainScore

    by_node: dict[tuple[str, str], list[str]] = {}
    for s in scenarios:
        for model, codes in (s.closes or {}).items():
            for code in codes:
                by_node.setdefault((model, code.split("-", 1)[0]), []).append(s.name)
    if not by_node:
        return []
    latest = (
        Assessment.objects.filter(
            enterprise_id=OuterRef("enterprise_id"), model_code=OuterRef("model_code"), status="submitted"
        )
        .order_by("-submitted_at", "-id")
        .values("id")[:1]
    )
    node_q = Q(pk__in=[])
    for model in {m for m, _code in by_node}:
        node_q |= Q(model_code=model, node_code__in=[c for m, c in by_node if m == model])
    rows = (
        DomainScore.objects.filter(node_q, is_current=True, score__lt=GAP_BELOW, enterprise__in=enterprises)
        .filter(result__assessment_id=Subquery(latest))
        .order_by("score", "enterprise_id")
        .values_list("enterprise_id", "model_code", "node_code", "score")[:limit]
    )
    return [
        (
            enterprise_id,
            _("评估短板 %(node)s（得分 %(score)d%%）→ %(scenarios)s")
            % {"node": node, "score": round(score * 100), "scenarios": "、".join(by_node[(model, node)])},
        )
        for enterprise_id, model, node, score in rows
    ]


def suggested_providers(meeting: MatchMeeting, *, limit: int = 20) -> list[tuple[Provider, list[str]]]:
    """Listed providers, not yet invited, serving the meeting's region with published solutions in its scenarios."""
    scenarios = list(meeting.scenarios.all())
    if not scenarios:
        return []
    invited = meeting.participants.filter(provider__isnull=False).values("provider_id")
    providers = list(
        invitable_providers().filter(_serving(meeting.region_id)).exclude(pk__in=invited).order_by("-score", "name")
    )
    solutions = (
        Solution.objects.filter(
            status=Solution.Status.PUBLISHED, provider__in=[p.pk for p in providers], scenarios__in=scenarios
        )
        .distinct()
        .order_by("title")
        .values_list("provider_id", "title")
    )
    titles: dict[int, list[str]] = {}
    for provider_id, title in solutions:
        titles.setdefault(provider_id, []).append(title)
    return [(p, titles[p.pk]) for p in providers if p.pk in titles][:limit]


# Writes ------------------------------------------------------------------------------------------------------------


def _name(participant: MeetingParticipant) -> str:
    return (participant.enterprise or participant.provider).name


def _locked(meeting: MatchMeeting) -> MatchMeeting:
    """The stored meeting, row-locked, refused when cancelled: nothing changes on a cancelled meeting."""
    stored = MatchMeeting.objects.select_for_update().get(pk=meeting.pk)
    if stored.status == MatchMeeting.Status.CANCELLED:
        raise CatalogError({"": _("对接会已取消，不能再修改")})
    return stored


def _check_region(actor, meeting: MatchMeeting) -> None:
    if not meeting.region_id or not scope_of(actor).manages_code(meeting.region_id):
        raise CatalogError({"region": _("请选择您管辖范围内的主办地区")})


@transaction.atomic
def meeting_save(
    *, actor, meeting: MatchMeeting, scenario_codes: list[str] | None = None, industries: list[str] | None = None
) -> MatchMeeting:
    """Create or edit a meeting. A cancelled one stays as it was; a date cannot move past today once people came."""
    meeting.title = (meeting.title or "").strip()
    meeting.place = (meeting.place or "").strip()
    if not meeting.title:
        raise CatalogError({"title": _("请填写对接会名称")})
    if not isinstance(meeting.held_on, dt.date):
        raise CatalogError({"held_on": _("请填写有效的举办日期，例如 2026-05-20")})
    _check_region(actor, meeting)
    scenarios = _scenarios(scenario_codes or [])
    meeting.industries = sorted(set(industries if industries is not None else meeting.industries or []))
    _known_industries(meeting.industries)
    before = None
    if meeting.pk:
        before = _locked(meeting)
        if not scope_of(actor).manages_code(before.region_id):
            raise CatalogError({"region": _("只有主办地区的主管部门可以修改该对接会")})
        came = before.participants.filter(status=MeetingParticipant.Status.ATTENDED).exists()
        if came and meeting.held_on > timezone.localdate():
            raise CatalogError({"held_on": _("已有参会记录，举办日期不能改到今天之后")})
        meeting.status = before.status
    else:
        meeting.created_by = actor if getattr(actor, "is_authenticated", False) else None
        meeting.status = MatchMeeting.Status.PLANNED
    _full_clean(meeting, exclude=["scenarios", "created_by"])
    meeting.save()
    old_codes = sorted(before.scenarios.values_list("code", flat=True)) if before else []
    meeting.scenarios.set(scenarios)
    new_codes = sorted(s.code for s in scenarios)
    if before is None:
        record(
            "meeting_created",
            actor=actor,
            meeting=meeting,
            summary=_("创建对接会“%(title)s”（%(date)s）") % {"title": meeting.title, "date": meeting.held_on},
            data={"region": meeting.region_id, "held_on": meeting.held_on.isoformat(), "scenarios": new_codes},
        )
        return meeting
    changes = {
        f: [str(getattr(before, f)), str(getattr(meeting, f))]
        for f in EDITABLE_FIELDS
        if getattr(before, f) != getattr(meeting, f)
    }
    if old_codes != new_codes:
        changes["scenarios"] = [old_codes, new_codes]
    if changes:
        labels = {"region_id": _("主办地区"), "held_on": _("举办日期"), "scenarios": _("对接场景")}
        names = [str(labels.get(f) or MatchMeeting._meta.get_field(f).verbose_name) for f in changes]
        record(
            "meeting_changed",
            actor=actor,
            meeting=meeting,
            summary=_("修改了：%(fields)s") % {"fields": "、".join(names)},
            data={"changes": changes},
        )
    return meeting


@transaction.atomic
def meeting_set_status(*, actor, meeting: MatchMeeting, status: str, reason: str = "") -> MatchMeeting:
    """Planned → held (on or after its date) or cancelled (with a reason, before anyone came)."""
    stored = _locked(meeting)
    reason = (reason or "").strip()
    if stored.status != MatchMeeting.Status.PLANNED:
        raise CatalogError({"status": _("只有筹备中的对接会可以标记为已举办或取消")})
    if status == MatchMeeting.Status.HELD:
        if stored.held_on > timezone.localdate():
            raise CatalogError({"status": _("举办日期（%(date)s）未到，不能标记为已举办") % {"date": stored.held_on}})
    elif status == MatchMeeting.Status.CANCELLED:
        if len(reason) < MIN_REASON:
            raise CatalogError({"reason": _("请填写取消原因（至少 %(n)d 个字）") % {"n": MIN_REASON}})
        if stored.participants.filter(status=MeetingParticipant.Status.ATTENDED).exists():
            raise CatalogError({"status": _("已有参会记录的对接会不能取消")})
    else:
        raise CatalogError({"status": _("未知的对接会状态")})
    stored.status = status
    stored.save(update_fields=["status", "updated_at"])
    record(
        "meeting_changed",
        actor=actor,
        meeting=stored,
        summary=_("对接会状态改为：%(status)s") % {"status": stored.get_status_display()},
        reason=reason,
        data={"status": status},
    )
    meeting.status = stored.status
    return stored


@transaction.atomic
def meeting_invite(*, actor, meeting: MatchMeeting, enterprises=(), providers=()) -> list[MeetingParticipant]:
    """Invite enterprises the actor can see and listed providers; those already invited are left as they are."""
    stored = _locked(meeting)
    if stored.status != MatchMeeting.Status.PLANNED:
        raise CatalogError({"": _("对接会已举办，不能再发出邀请")})
    enterprise_ids = {e.pk for e in enterprises}
    provider_ids = {p.pk for p in providers}
    if not enterprise_ids and not provider_ids:
        raise CatalogError({"": _("请选择要邀请的企业或服务商")})
    seen = set(invitable_enterprises(actor).filter(pk__in=enterprise_ids).values_list("pk", flat=True))
    if enterprise_ids - seen:
        raise CatalogError({"enterprises": _("所选企业不在您的管辖范围内")})
    listed = set(invitable_providers().filter(pk__in=provider_ids).values_list("pk", flat=True))
    if provider_ids - listed:
        raise CatalogError({"providers": _("只能邀请已发布（在名录中）的服务商")})
    present = stored.participants.filter(Q(enterprise_id__in=enterprise_ids) | Q(provider_id__in=provider_ids))
    enterprise_ids -= {e for e in present.values_list("enterprise_id", flat=True) if e}
    provider_ids -= {p for p in present.values_list("provider_id", flat=True) if p}
    if not enterprise_ids and not provider_ids:
        raise CatalogError({"": _("所选企业和服务商均已在邀请名单中")})
    created = [MeetingParticipant(meeting=stored, enterprise_id=pk) for pk in sorted(enterprise_ids)]
    created += [MeetingParticipant(meeting=stored, provider_id=pk) for pk in sorted(provider_ids)]
    MeetingParticipant.objects.bulk_create(created)
    names = list(Enterprise.objects.filter(pk__in=enterprise_ids).order_by("name").values_list("name", flat=True))
    names += list(Provider.objects.filter(pk__in=provider_ids).order_by("name").values_list("name", flat=True))
    record(
        "meeting_participant",
        actor=actor,
        meeting=stored,
        summary=_("邀请了 %(n)d 家：%(names)s") % {"n": len(names), "names": "、".join(names)},
        data={"invited": {"enterprises": sorted(enterprise_ids), "providers": sorted(provider_ids)}},
    )
    return list(stored.participants.filter(Q(enterprise_id__in=enterprise_ids) | Q(provider_id__in=provider_ids)))


def _participant(meeting: MatchMeeting, participant: MeetingParticipant) -> MeetingParticipant:
    # No select_related: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins it would add.
    stored = MeetingParticipant.objects.select_for_update().filter(pk=participant.pk, meeting=meeting).first()
    if stored is None:
        raise CatalogError({"": _("该单位不在本次对接会的邀请名单中")})
    return stored


def _has_outcomes(meeting: MatchMeeting, p: MeetingParticipant) -> bool:
    side = {"enterprise_id": p.enterprise_id} if p.enterprise_id else {"provider_id": p.provider_id}
    return meeting.outcomes.filter(**side).exists()


@transaction.atomic
def participant_remove(*, actor, meeting: MatchMeeting, participant: MeetingParticipant) -> None:
    stored = _locked(meeting)
    p = _participant(stored, participant)
    if p.status == MeetingParticipant.Status.ATTENDED or _has_outcomes(stored, p):
        raise CatalogError({"": _("“%(name)s”已参会或已有对接成果，不能移出") % {"name": _name(p)}})
    p.delete()
    record(
        "meeting_participant",
        actor=actor,
        meeting=stored,
        summary=_("移出邀请名单：%(name)s") % {"name": _name(p)},
        data={"removed": {"enterprise": p.enterprise_id, "provider": p.provider_id}},
    )


@transaction.atomic
def participant_respond(*, actor, meeting: MatchMeeting, participant: MeetingParticipant, accept: bool):
    """The invitee's answer; it may change its mind until the meeting is held."""
    stored = _locked(meeting)
    p = _participant(stored, participant)
    if stored.status != MatchMeeting.Status.PLANNED:
        raise CatalogError({"": _("对接会已举办，不能再更改参会回复")})
    if p.status == MeetingParticipant.Status.ATTENDED:
        raise CatalogError({"": _("已登记参会，不能再更改参会回复")})
    new = MeetingParticipant.Status.ACCEPTED if accept else MeetingParticipant.Status.DECLINED
    if p.status == new:
        return p
    p.status = new
    p.save(update_fields=["status", "updated_at"])
    record(
        "meeting_participant",
        actor=actor,
        meeting=stored,
        provider=p.provider,
        summary=_("%(name)s：%(status)s") % {"name": _name(p), "status": p.get_status_display()},
        data={"participant": p.pk, "status": new},
    )
    return p


@transaction.atomic
def participant_set_attended(*, actor, meeting: MatchMeeting, participant: MeetingParticipant, attended: bool):
    """Attendance is taken on or after the meeting's date; taking it back is refused once the pair has outcomes."""
    stored = _locked(meeting)
    p = _participant(stored, participant)
    if stored.held_on > timezone.localdate():
        raise CatalogError({"": _("举办日期（%(date)s）未到，不能登记参会") % {"date": stored.held_on}})
    if attended == (p.status == MeetingParticipant.Status.ATTENDED):
        return p
    if not attended and _has_outcomes(stored, p):
        raise CatalogError({"": _("“%(name)s”已有对接成果，不能取消参会登记") % {"name": _name(p)}})
    p.status = MeetingParticipant.Status.ATTENDED if attended else MeetingParticipant.Status.ACCEPTED
    p.save(update_fields=["status", "updated_at"])
    record(
        "meeting_participant",
        actor=actor,
        meeting=stored,
        provider=p.provider,
        summary=(_("登记参会：%(name)s") if attended else _("取消参会登记：%(name)s")) % {"name": _name(p)},
        data={"participant": p.pk, "status": p.status},
    )
    return p


def _amount(value) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise CatalogError({"amount": _("金额须为数字（万元）")}) from None
    if not amount.is_finite():
        raise CatalogError({"amount": _("金额须为数字（万元）")})
    if amount < 0:
        raise CatalogError({"amount": _("金额不能为负数")})
    if amount.as_tuple().exponent < -2 or amount >= Decimal("1e10"):
        raise CatalogError({"amount": _("金额最多两位小数，且不超过 99 亿万元")})
    return amount


@transaction.atomic
def outcome_record(
    *,
    actor,
    meeting: MatchMeeting,
    enterprise: Enterprise,
    provider: Provider,
    result: str,
    solution: Solution | None = None,
    amount=None,
    note: str = "",
) -> MeetingOutcome:
    """One outcome per enterprise × provider pair, both of whom attended; recording again updates it."""
    stored = _locked(meeting)
    if result not in MeetingOutcome.Result.values:
        raise CatalogError({"result": _("请选择对接结果")})
    came = set(
        stored.participants.filter(status=MeetingParticipant.Status.ATTENDED)
        .filter(Q(enterprise=enterprise) | Q(provider=provider))
        .values_list("enterprise_id", "provider_id")
    )
    if not any(e == enterprise.pk for e, _p in came):
        raise CatalogError({"enterprise": _("“%(name)s”未登记参会，不能记录对接成果") % {"name": enterprise.name}})
    if not any(p == provider.pk for _e, p in came):
        raise CatalogError({"provider": _("“%(name)s”未登记参会，不能记录对接成果") % {"name": provider.name}})
    if solution is not None and solution.provider_id != provider.pk:
        raise CatalogError({"solution": _("所选解决方案不属于该服务商")})
    value = _amount(amount)
    if value is not None and result not in AMOUNT_RESULTS:
        raise CatalogError({"amount": _("只有达成意向或已签约时才填写金额")})
    note = (note or "").strip()[:300]
    outcome, created = MeetingOutcome.objects.update_or_create(
        meeting=stored,
        enterprise=enterprise,
        provider=provider,
        defaults={"result": result, "solution": solution, "amount": value, "note": note, "recorded_by": actor},
    )
    label = outcome.get_result_display()
    if value is not None:
        label = _("%(result)s，%(amount)s 万元") % {"result": label, "amount": value}
    record(
        "meeting_outcome",
        actor=actor,
        meeting=stored,
        provider=provider,
        solution=solution,
        summary=_("%(enterprise)s × %(provider)s：%(result)s")
        % {"enterprise": enterprise.name, "provider": provider.name, "result": label},
        reason=note,
        data={
            "enterprise": enterprise.pk,
            "provider": provider.pk,
            "result": result,
            "amount": str(value) if value is not None else None,
            "updated": not created,
        },
    )
    return outcome


# Synthetic demo meetings -------------------------------------------------------------------------------------------
