"""Writes of the pool workflow: providers registering and keeping their record, officers reviewing it (and the edits
waiting on a listed record), and the need → response → shortlist → contract → rating loop. Each check raises
`services.CatalogError` with Chinese messages, in one transaction, so a refused action changes nothing; each change
writes a PoolEvent (catalog.events), which the history on the provider, solution and need pages reads."""

from __future__ import annotations

from decimal import Decimal

from django.contrib.auth import get_user_model
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import Membership, Role

from . import notices
from .events import record
from .models import Need, NeedResponse, Provider, Solution
from .querysets import ProviderQuerySet
from .search_index import index_objects
from .services import CatalogError, _full_clean, _known_industries, _scenarios, solution_save

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
    """The latest decision as one line for the badge (`status_reason`): date, who, what and why. The full history is
    the PoolEvent each service writes next to it."""
    who = getattr(actor, "username", "") or _("系统")
    line = f"{timezone.localdate():%Y-%m-%d} {who} {label}：{reason}"
    return line[:300]


@transaction.atomic
def provider_register(*, provider: Provider, username: str, email: str, password: str) -> Provider:
    """An organisation applies to join the pool (服务商入驻): the provider record, pending review by the officers of its
    registration region, and its first user with a provider membership. All or nothing; every problem found is
    reported at once."""
    User = get_user_model()
    provider.credit_code = (provider.credit_code or "").strip().upper()
    username, email = (username or "").strip(), (email or "").strip()
    problems: dict[str, str] = {}
    if Provider.objects.filter(credit_code=provider.credit_code).exists():
        # The name of an unlisted provider is not revealed to an anonymous visitor.
        problems["credit_code"] = _("该统一社会信用代码已登记为服务商，如需加入请联系该单位或注册地主管部门")
    if not username:
        problems["username"] = _("请填写用户名")
    elif User.objects.filter(username__iexact=username).exists():
        problems["username"] = _("用户名“%(name)s”已被使用，请换一个") % {"name": username}
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = _("请填写有效的电子邮箱")
    try:
        validate_password(password or "", user=User(username=username, email=email))
    except ValidationError as exc:
        problems["password"] = "；".join(exc.messages)
    provider.status = Provider.Status.PENDING
    provider.pending_changes = {}
    try:
        _full_clean(provider)
        _known_industries(provider.industries)
    except CatalogError as exc:
        problems = {**exc.problems, **problems}
    if problems:
        raise CatalogError(problems)
    try:
        with transaction.atomic():
            provider.save()
            index_objects(provider)
            user = User.objects.create_user(username=username, email=email, password=password)
    except IntegrityError as exc:  # a second application racing the first
        raise CatalogError({"": _("该单位或用户名刚刚已被登记，请刷新后重试")}) from exc
    Membership.objects.create(user=user, role=Role.PROVIDER, provider=provider)
    record(
        "provider_registered",
        actor=user,
        summary=_("“%(name)s”申请入驻，待注册地主管部门审核") % {"name": provider.name},
        provider=provider,
        data={"username": username, "region": provider.region_id},
    )
    return provider


def _value(value):
    """A field value as it is kept in `pending_changes` (JSON): decimals as text, everything else as is."""
    return str(value) if isinstance(value, Decimal) else value


def _diff(current, candidate, fields) -> dict:
    """{field: new value} for the fields where the candidate differs from what is stored."""
    changes = {}
    for field in fields:
        old, new = _value(getattr(current, field)), _value(getattr(candidate, field))
        if old != new and not (old in (None, "") and new in (None, "")):
            changes[field] = new
    return changes


def _changes_data(current, changes: dict) -> dict:
    """old → new per field, for the event (the review queue reads the live record instead)."""
    old = {f: _value(getattr(current, f)) for f in changes if f != "scenarios"}
    if "scenarios" in changes:
        old["scenarios"] = sorted(current.scenarios.values_list("code", flat=True))
    return {f: [old.get(f), new] for f, new in changes.items()}


@transaction.atomic
def provider_submit(*, actor, provider: Provider, data: dict) -> Provider:
    """A provider updates its own record. A draft, pending or suspended record is changed and goes (back) to review;
    a listed one (published or warned) keeps its published values and the edits wait in `pending_changes`."""
    fresh = Provider.objects.select_for_update().get(pk=provider.pk)
    if fresh.status == Provider.Status.REMOVED:
        raise CatalogError({"": _("该服务商已被移出资源池，如有异议请联系注册地主管部门")})
    candidate = Provider.objects.get(pk=fresh.pk)
    for field in PROVIDER_SELF_FIELDS:
        if field in data:
            setattr(candidate, field, data[field])
    _full_clean(candidate)
    _known_industries(candidate.industries)
    if fresh.status in ProviderQuerySet.LISTED:
        changes = _diff(fresh, candidate, PROVIDER_SELF_FIELDS)
        if not changes:
            raise CatalogError({"": _("没有需要提交的修改")})
        fresh.pending_changes = changes
        fresh.save(update_fields=["pending_changes", "updated_at"])
        summary = _("提交档案修改待审核（%(fields)s）") % {"fields": _field_names(Provider, changes)}
        record("provider_submitted", actor=actor, summary=summary, provider=fresh, data=_changes_data(fresh, changes))
        return fresh
    before = fresh.status
    candidate.status = Provider.Status.PENDING
    candidate.pending_changes = {}
    candidate.save()
    index_objects(candidate)
    record(
        "provider_submitted",
        actor=actor,
        summary=_("提交服务商档案待审核"),
        provider=candidate,
        data={"from": before, "to": candidate.status},
    )
    return candidate


def _field_names(model, changes: dict) -> str:
    names = []
    for field in changes:
        if field == "scenarios":
            names.append(str(_("适用场景")))
        else:
            names.append(str(model._meta.get_field(field).verbose_name))
    return "、".join(names)


@transaction.atomic
def provider_review(*, actor, provider: Provider, action: str, reason: str) -> Provider:
    """An officer publishes, warns, suspends or removes a provider, always with a reason that stays on the record."""
    if action not in PROVIDER_ACTIONS:
        raise CatalogError({"action": _("未知的审核操作")})
    reason = _reason(reason)
    status, label = PROVIDER_ACTIONS[action]
    fresh = Provider.objects.select_for_update().get(pk=provider.pk)
    before = fresh.status
    fresh.status = status
    fresh.status_reason = _record(actor, str(label), reason)
    fresh.save(update_fields=["status", "status_reason", "updated_at"])
    summary = _("%(action)s：%(old)s → %(new)s") % {
        "action": label,
        "old": Provider.Status(before).label,
        "new": fresh.get_status_display(),
    }
    record(
        "provider_reviewed",
        actor=actor,
        summary=summary,
        reason=reason,
        provider=fresh,
        data={"action": action, "from": before, "to": status},
    )
    return fresh


@transaction.atomic
def provider_changes_review(*, actor, provider: Provider, approve: bool, reason: str) -> Provider:
    """An officer applies a listed provider's waiting edits to the published record, or rejects them with a reason."""
    reason = _reason(reason)
    fresh = Provider.objects.select_for_update().get(pk=provider.pk)
    changes = dict(fresh.pending_changes or {})
    if not changes:
        raise CatalogError({"": _("该服务商没有待审核的修改")})
    data = _changes_data(fresh, changes)
    if approve:
        for field, value in changes.items():
            if field in PROVIDER_SELF_FIELDS:
                setattr(fresh, field, value)
        _full_clean(fresh)
        _known_industries(fresh.industries)
    fresh.pending_changes = {}
    fresh.save()
    index_objects(fresh)
    summary = (_("修改已通过并发布（%(fields)s）") if approve else _("修改未通过（%(fields)s）")) % {
        "fields": _field_names(Provider, changes)
    }
    record(
        "provider_reviewed",
        actor=actor,
        summary=summary,
        reason=reason,
        provider=fresh,
        data={"changes": data, "approved": approve},
    )
    return fresh


SOLUTION_SELF_FIELDS = (
    "title",
    "description",
    "industries",
    "sizes",
    "tiers",
    "deployments",
    "price_min",
    "price_max",
    "delivery_days",
    "lightweight",
    "first_version_software",
    "first_set_equipment",
    "ai_capability",
    "outcomes",
)


@transaction.atomic
def solution_submit(*, actor, solution: Solution, scenario_codes: list[str]) -> Solution:
    """A provider creates or edits one of its solutions. A new, draft, pending or withdrawn one is saved and waits
    for review; edits to a published one wait in `pending_changes` (scenario codes under "scenarios") while the
    directory keeps showing the published text."""
    stored = Solution.objects.select_for_update().filter(pk=solution.pk).first() if solution.pk else None
    if stored is None or stored.status != Solution.Status.PUBLISHED:
        before = stored.status if stored else ""
        solution.status = Solution.Status.PENDING
        solution.pending_changes = {}
        solution = solution_save(actor=actor, solution=solution, scenario_codes=scenario_codes)
        summary = _("提交解决方案“%(title)s”待审核") % {"title": solution.title}
        record(
            "solution_submitted",
            actor=actor,
            summary=summary,
            provider=solution.provider,
            solution=solution,
            data={"from": before, "to": solution.status},
        )
        return solution
    if not scenario_codes:
        raise CatalogError({"scenarios": _("请至少选择一个适用场景")})
    _scenarios(scenario_codes)
    solution.status = stored.status
    _full_clean(solution, exclude=["scenarios"])
    _known_industries(solution.industries)
    changes = _diff(stored, solution, SOLUTION_SELF_FIELDS)
    codes = sorted(set(scenario_codes))
    if codes != sorted(stored.scenarios.values_list("code", flat=True)):
        changes["scenarios"] = codes
    if not changes:
        raise CatalogError({"": _("没有需要提交的修改")})
    stored.pending_changes = changes
    stored.save(update_fields=["pending_changes", "updated_at"])
    summary = _("提交方案修改待审核（%(fields)s）") % {"fields": _field_names(Solution, changes)}
    record(
        "solution_submitted",
        actor=actor,
        summary=summary,
        provider=stored.provider,
        solution=stored,
        data=_changes_data(stored, changes),
    )
    return stored


@transaction.atomic
def solution_review(*, actor, solution: Solution, action: str, reason: str) -> Solution:
    """An officer publishes or withdraws a solution; the reason stays in `status_reason` and the history."""
    if action not in SOLUTION_ACTIONS:
        raise CatalogError({"action": _("未知的审核操作")})
    reason = _reason(reason)
    fresh = Solution.objects.select_for_update().get(pk=solution.pk)
    before = fresh.status
    fresh.status = SOLUTION_ACTIONS[action]
    fresh.status_reason = _record(actor, str(Solution.Status(fresh.status).label), reason)
    fresh.save(update_fields=["status", "status_reason", "updated_at"])
    solution.status, solution.status_reason = fresh.status, fresh.status_reason
    summary = _("%(old)s → %(new)s") % {"old": Solution.Status(before).label, "new": fresh.get_status_display()}
    record(
        "solution_reviewed",
        actor=actor,
        summary=summary,
        reason=reason,
        provider=fresh.provider,
        solution=fresh,
        data={"action": action, "from": before, "to": fresh.status},
    )
    return fresh


@transaction.atomic
def solution_changes_review(*, actor, solution: Solution, approve: bool, reason: str) -> Solution:
    """An officer applies a published solution's waiting edits (scenarios included), or rejects them."""
    reason = _reason(reason)
    fresh = Solution.objects.select_for_update().get(pk=solution.pk)
    changes = dict(fresh.pending_changes or {})
    if not changes:
        raise CatalogError({"": _("该解决方案没有待审核的修改")})
    data = _changes_data(fresh, changes)
    codes = changes.get("scenarios")
    if approve:
        for field, value in changes.items():
            if field in SOLUTION_SELF_FIELDS:
                setattr(fresh, field, value)
        fresh.pending_changes = {}
        solution_save(
            actor=actor,
            solution=fresh,
            scenario_codes=codes if codes is not None else list(fresh.scenarios.values_list("code", flat=True)),
        )
    else:
        fresh.pending_changes = {}
        fresh.save(update_fields=["pending_changes", "updated_at"])
    summary = (_("修改已通过并发布（%(fields)s）") if approve else _("修改未通过（%(fields)s）")) % {
        "fields": _field_names(Solution, changes)
    }
    record(
        "solution_reviewed",
        actor=actor,
        summary=summary,
        reason=reason,
        provider=fresh.provider,
        solution=fresh,
        data={"changes": data, "approved": approve},
    )
    return fresh


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
            notices.need_responded(response)  # in the transaction: a refused response tells nobody
    except IntegrityError as exc:  # a second submission racing the first
        raise CatalogError({"": _("您已响应过该需求，每个服务商只能响应一次")}) from exc
    record(
        "need_responded",
        actor=actor,
        summary=_("“%(name)s”响应了需求") % {"name": provider.name},
        provider=provider,
        need=need,
        solution=solution,
        data={"response": response.pk},
    )
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
    before = (response.status, response.rating)
    if status:
        response.status = status
        fields.append("status")
    if rating is not None:
        response.rating = rating
        fields.append("rating")
    response.save(update_fields=fields)
    need_before = need.status
    need.status = _need_status(need)
    need.save(update_fields=["status", "updated_at"])
    parts = [_("“%(name)s”的响应") % {"name": response.provider.name}]
    if status and status != before[0]:
        parts.append(
            _("%(old)s → %(new)s")
            % {"old": NeedResponse.Status(before[0]).label, "new": response.get_status_display()}
        )
    if rating is not None:
        parts.append(_("评价 %(n)d 星") % {"n": rating})
    record(
        "response_decided",
        actor=actor,
        summary="，".join(str(p) for p in parts),
        provider=response.provider,
        need=need,
        data={
            "response": response.pk,
            "from": before[0],
            "to": response.status,
            "rating": response.rating,
            "need_from": need_before,
            "need_to": need.status,
        },
    )
    return response


@transaction.atomic
def need_close(*, actor, need: Need, reason: str = "") -> Need:
    before = need.status
    need.status = Need.Status.CLOSED
    need.save(update_fields=["status", "updated_at"])
    record(
        "need_closed",
        actor=actor,
        summary=_("关闭需求（原状态：%(old)s）") % {"old": Need.Status(before).label},
        reason=(reason or "").strip(),
        need=need,
        data={"from": before},
    )
    return need
