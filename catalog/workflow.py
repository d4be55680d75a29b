"""Writes of the pool workflow: providers keeping their record, officers reviewing it, and the need → response →
shortlist → contract → rating loop. Each check raises `services.CatalogError` with Chinese messages, in one
transaction, so a refused action changes nothing."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Need, NeedResponse, Provider, Solution
from .services import CatalogError, _full_clean, _known_industries, solution_save

PROVIDER_SELF_FIELDS = (
    "name",
    "types",
    "industries",
    "regions_served",
    "description",
    "qualifications",
    "staff",
    "contact_name",
    "contact_phone",
    "contact_email",
)
# Review action → (new status, the label recorded with the reason).
PROVIDER_ACTIONS = {
    "publish": (Provider.Status.PUBLISHED, gettext_lazy("发布")),
    "warn": (Provider.Status.WARNED, gettext_lazy("警示")),
    "suspend": (Provider.Status.SUSPENDED, gettext_lazy("暂停")),
    "remove": (Provider.Status.REMOVED, gettext_lazy("移出")),
}
SOLUTION_ACTIONS = {
    "publish": Solution.Status.PUBLISHED,
    "withdraw": Solution.Status.WITHDRAWN,
}
# What an enterprise may set a response to, and the order in which a need moves forward.
DECISIONS = (
    NeedResponse.Status.SHORTLISTED,
    NeedResponse.Status.CONTACTED,
    NeedResponse.Status.CONTRACTED,
    NeedResponse.Status.DECLINED,
)
MIN_REASON = 2
MIN_MESSAGE = 2


def _reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < MIN_REASON:
        raise CatalogError({"reason": _("请填写处理理由（至少 %(n)d 个字）") % {"n": MIN_REASON}})
    return reason


def _record(actor, label: str, reason: str) -> str:
    """The decision as one line kept in `status_reason`: date, who, what and why (the model has no history table)."""
    who = getattr(actor, "username", "") or _("系统")
    line = f"{timezone.localdate():%Y-%m-%d} {who} {label}：{reason}"
    return line[:300]


@transaction.atomic
def provider_submit(*, actor, provider: Provider, data: dict) -> Provider:
    """A provider updates its own record; every change goes back to the region's officers for review."""
    fresh = Provider.objects.select_for_update().get(pk=provider.pk)
    if fresh.status == Provider.Status.REMOVED:
        raise CatalogError({"": _("该服务商已被移出资源池，如有异议请联系注册地主管部门")})
    for field in PROVIDER_SELF_FIELDS:
        if field in data:
            setattr(fresh, field, data[field])
    fresh.status = Provider.Status.PENDING
    _full_clean(fresh)
    _known_industries(fresh.industries)
    fresh.save()
    return fresh


@transaction.atomic
def provider_review(*, actor, provider: Provider, action: str, reason: str) -> Provider:
    """An officer publishes, warns, suspends or removes a provider, always with a reason that stays on the record."""
    if action not in PROVIDER_ACTIONS:
        raise CatalogError({"action": _("未知的审核操作")})
    reason = _reason(reason)
    status, label = PROVIDER_ACTIONS[action]
    fresh = Provider.objects.select_for_update().get(pk=provider.pk)
    fresh.status = status
    fresh.status_reason = _record(actor, str(label), reason)
    fresh.save(update_fields=["status", "status_reason", "updated_at"])
    return fresh


@transaction.atomic
def solution_submit(*, actor, solution: Solution, scenario_codes: list[str]) -> Solution:
    """A provider creates or edits one of its solutions; it waits for review before the directory shows it."""
    solution.status = Solution.Status.PENDING
    return solution_save(actor=actor, solution=solution, scenario_codes=scenario_codes)


@transaction.atomic
def solution_review(*, actor, solution: Solution, action: str, reason: str) -> Solution:
    if action not in SOLUTION_ACTIONS:
        raise CatalogError({"action": _("未知的审核操作")})
    _reason(reason)
    solution.status = SOLUTION_ACTIONS[action]
    solution.save(update_fields=["status", "updated_at"])
    return solution


@transaction.atomic
def response_create(
    *, actor, need: Need, provider: Provider, message: str, solution: Solution | None = None
) -> NeedResponse:
    """A provider answers a need shared with it, once."""
    message = (message or "").strip()
    if len(message) < MIN_MESSAGE:
        raise CatalogError({"message": _("请填写响应说明（至少 %(n)d 个字）") % {"n": MIN_MESSAGE}})
    if need.status in {Need.Status.CONTRACTED, Need.Status.CLOSED}:
        raise CatalogError({"": _("该需求已%(status)s，不再接受响应") % {"status": need.get_status_display()}})
    if solution is not None and solution.provider_id != provider.pk:
        raise CatalogError({"solution": _("只能附上本单位的解决方案")})
    if NeedResponse.objects.filter(need=need, provider=provider).exists():
        raise CatalogError({"": _("您已响应过该需求，每个服务商只能响应一次")})
    response = NeedResponse(need=need, provider=provider, solution=solution, message=message)
    _full_clean(response)
    try:
        with transaction.atomic():
            response.save()
    except IntegrityError as exc:  # a second submission racing the first
        raise CatalogError({"": _("您已响应过该需求，每个服务商只能响应一次")}) from exc
    return response


def _need_status(need: Need) -> str:
    """A need is contracted once any response is, shortlisted while any is in play, open otherwise."""
    statuses = set(need.responses.values_list("status", flat=True))
    if NeedResponse.Status.CONTRACTED in statuses:
        return Need.Status.CONTRACTED
    if statuses & {NeedResponse.Status.SHORTLISTED, NeedResponse.Status.CONTACTED}:
        return Need.Status.SHORTLISTED
    return Need.Status.OPEN


@transaction.atomic
def response_decide(*, actor, response: NeedResponse, status: str, rating: int | None = None) -> NeedResponse:
    """The enterprise moves a response on (shortlisted, contacted, contracted, declined) and may rate it 1–5."""
    need = Need.objects.select_for_update().get(pk=response.need_id)
    if need.status == Need.Status.CLOSED:
        raise CatalogError({"": _("该需求已关闭")})
    if status and status not in DECISIONS:
        raise CatalogError({"status": _("未知的处理状态")})
    if rating is not None and not 1 <= rating <= 5:
        raise CatalogError({"rating": _("评价须为 1–5 星")})
    if status == NeedResponse.Status.CONTRACTED:
        other = need.responses.exclude(pk=response.pk).filter(status=NeedResponse.Status.CONTRACTED).first()
        if other is not None:
            raise CatalogError({"status": _("该需求已与“%(name)s”签约") % {"name": other.provider.name}})
    fields = ["updated_at"]
    if status:
        response.status = status
        fields.append("status")
    if rating is not None:
        response.rating = rating
        fields.append("rating")
    response.save(update_fields=fields)
    need.status = _need_status(need)
    need.save(update_fields=["status", "updated_at"])
    return response


@transaction.atomic
def need_close(*, actor, need: Need) -> Need:
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status", "updated_at"])
    return need
