"""Tiered evaluation of providers (服务商分级评价): the scorecard is a maturity-model file scored by the same engine.

Most inputs are counted from what Tidu holds (contracted responses, ratings, verified cases, published solutions,
staff); the two review items are graded by an officer or expert. Recomputing (e.g. each quarter) writes a new
evaluation and moves the provider's grade; earlier evaluations stay for appeals and history."""

from __future__ import annotations

from pathlib import Path

from django.db import transaction
from django.db.models import Avg
from django.utils import timezone
from django.utils.translation import gettext as _

import maturity

from .events import record
from .models import Case, NeedResponse, PoolEvent, Provider, ProviderAppeal, ProviderEvaluation
from .outcomes import mean_level_delta
from .services import CatalogError
from .workflow import PROVIDER_ACTIONS, provider_review

GRADES = ("full", "most", "partial", "none")

SCORECARD = Path(__file__).parent / "data" / "provider-scorecard.yaml"
REVIEW_ITEMS = ("capability_review", "qualification_review")  # graded by people, carried over between periods


def scorecard() -> maturity.ModelSpec:
    return maturity.load_yaml(SCORECARD)


def counted_inputs(provider: Provider) -> dict[str, object]:
    """The scorecard inputs Tidu counts itself. A provider nobody has rated yet gets N/A for the rating."""
    contracted = NeedResponse.objects.filter(provider=provider, status="contracted")
    enterprises = set(contracted.values_list("need__enterprise_id", flat=True))
    verified = Case.objects.filter(provider=provider, verified=True)
    enterprises |= set(verified.exclude(enterprise=None).values_list("enterprise_id", flat=True))
    industries = set(contracted.values_list("need__enterprise__industry_id", flat=True))
    industries |= set(verified.values_list("industry_id", flat=True))
    rating = NeedResponse.objects.filter(provider=provider, rating__isnull=False).aggregate(a=Avg("rating"))["a"]
    improvement = mean_level_delta(provider)
    return {
        "served_enterprises": len(enterprises),
        "served_industries": len(industries),
        "published_solutions": provider.solutions.filter(status="published").count(),
        "average_rating": float(rating) if rating is not None else maturity.NA,
        "verified_cases": verified.count(),
        # Measured by re-assessments after funded projects (catalog.outcomes); N/A until one has been recorded.
        "measured_improvement": improvement if improvement is not None else maturity.NA,
        "staff": provider.staff or 0,
    }


@transaction.atomic
def evaluate(
    *, actor, provider: Provider, reviews: dict[str, str] | None = None, period: str = ""
) -> ProviderEvaluation:
    """Score the provider now. `reviews` grades the review items (option codes full/most/partial/none); when absent,
    the last evaluation's grades are carried over, and a provider never reviewed scores 0 on them."""
    for code, grade in (reviews or {}).items():
        if code not in REVIEW_ITEMS or grade not in GRADES:
            raise CatalogError({code: _("未知的评审项或评定等级：%(code)s=%(grade)s") % {"code": code, "grade": grade}})
    spec = scorecard()
    previous = provider.evaluations.first()
    carried = {k: v for k, v in (previous.answers if previous else {}).items() if k in REVIEW_ITEMS}
    answers = {**counted_inputs(provider), **dict.fromkeys(REVIEW_ITEMS, "none"), **carried, **(reviews or {})}
    result = maturity.score(spec, answers)  # raises ScoringError for a bad review grade
    evaluation = ProviderEvaluation.objects.create(
        provider=provider,
        period=period or timezone.localdate().isoformat(),
        scorecard_version=spec.version,
        answers=answers,
        score=result.score,
        grade=result.level_name,
        snapshot=result.to_dict(),
        provisional=result.provisional,
        evaluated_by=actor,
    )
    before = provider.grade
    Provider.objects.filter(pk=provider.pk).update(score=result.score, grade=result.level_name)
    provider.score, provider.grade = result.score, result.level_name
    record(
        "evaluated",
        actor=actor,
        summary=_("分级评价 %(period)s：%(score).1f 分，%(grade)s") % {
            "period": evaluation.period,
            "score": result.score,
            "grade": result.level_name,
        },
        provider=provider,
        data={"evaluation": evaluation.pk, "from": before, "to": result.level_name, "reviews": reviews or {}},
    )
    return evaluation


def recompute_all(*, period: str = "", actor=None, providers=None) -> int:
    """Periodic recomputation for every listed provider, or the given queryset (an officer's region); a scheduled
    task or `manage.py recompute_provider_grades` calls it."""
    count = 0
    for provider in (providers if providers is not None else Provider.objects.listed()).iterator():
        evaluate(actor=actor, provider=provider, period=period)
        count += 1
    return count


@transaction.atomic
def appeal(*, actor, provider: Provider, text: str, evaluation: ProviderEvaluation | None = None) -> ProviderAppeal:
    """The provider appeals an evaluation, or (no evaluation) the latest status decision on its record."""
    text = (text or "").strip()
    if len(text) < 5:
        raise CatalogError({"text": _("请写明申诉理由（至少 5 个字）")})
    if evaluation is not None and evaluation.provider_id != provider.pk:
        raise CatalogError({"evaluation": _("只能对本单位的评价提出申诉")})
    open_ = ProviderAppeal.objects.filter(provider=provider, evaluation=evaluation, status=ProviderAppeal.Status.OPEN)
    if open_.exists():
        raise CatalogError({"": _("同一事项已有待处理的申诉，请等待主管部门处理")})
    filed = ProviderAppeal.objects.create(provider=provider, evaluation=evaluation, text=text, created_by=actor)
    target = (
        _("对 %(period)s 分级评价提出申诉") % {"period": evaluation.period}
        if evaluation
        else _("对状态“%(status)s”提出申诉") % {"status": provider.get_status_display()}
    )
    record("appeal_filed", actor=actor, summary=target, reason=text, provider=provider, data={"appeal": filed.pk})
    return filed


FOLLOW_UPS = ("", "reevaluate", "restore")


def _status_before_last_decision(provider: Provider) -> str:
    event = (
        PoolEvent.objects.filter(provider=provider, kind="provider_reviewed", data__to=provider.status)
        .exclude(data__from=None)
        .first()
    )
    previous = (event.data.get("from") if event else "") or Provider.Status.PUBLISHED
    return Provider.Status.PUBLISHED if previous in {"draft", "pending"} else previous


@transaction.atomic
def decide_appeal(
    *, actor, appeal: ProviderAppeal, accept: bool, decision: str, follow_up: str = ""
) -> ProviderAppeal:
    """An officer accepts or rejects an appeal, always with a reason. An accepted appeal may be followed by a
    re-evaluation (evaluation appeals) or by restoring the status the provider had before the appealed decision."""
    decision = (decision or "").strip()
    if len(decision) < 2:
        raise CatalogError({"decision": _("请填写处理意见")})
    if follow_up not in FOLLOW_UPS or (follow_up and not accept):
        raise CatalogError({"follow_up": _("只有采纳的申诉才有后续处理")})
    fresh = ProviderAppeal.objects.select_for_update().get(pk=appeal.pk)
    if fresh.status != ProviderAppeal.Status.OPEN:
        raise CatalogError({"": _("该申诉已处理")})
    fresh.status = ProviderAppeal.Status.ACCEPTED if accept else ProviderAppeal.Status.REJECTED
    fresh.decision, fresh.decided_by, fresh.decided_at = decision, actor, timezone.now()
    fresh.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    appeal.status, appeal.decision, appeal.decided_by, appeal.decided_at = (
        fresh.status,
        fresh.decision,
        fresh.decided_by,
        fresh.decided_at,
    )
    provider = Provider.objects.select_for_update().get(pk=fresh.provider_id)
    record(
        "appeal_decided",
        actor=actor,
        summary=_("申诉%(result)s") % {"result": fresh.get_status_display()},
        reason=decision,
        provider=provider,
        data={"appeal": fresh.pk, "accepted": accept, "follow_up": follow_up},
    )
    if follow_up == "reevaluate":
        evaluate(actor=actor, provider=provider)
    elif follow_up == "restore":
        target = _status_before_last_decision(provider)
        action = next(k for k, (status, _label) in PROVIDER_ACTIONS.items() if status == target)
        provider_review(actor=actor, provider=provider, action=action, reason=_("申诉采纳：%(d)s") % {"d": decision})
    return appeal
