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

from .models import Case, NeedResponse, Provider, ProviderAppeal, ProviderEvaluation

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
    return {
        "served_enterprises": len(enterprises),
        "served_industries": len(industries),
        "published_solutions": provider.solutions.filter(status="published").count(),
        "average_rating": float(rating) if rating is not None else maturity.NA,
        "verified_cases": verified.count(),
        "staff": provider.staff or 0,
    }


@transaction.atomic
def evaluate(
    *, actor, provider: Provider, reviews: dict[str, str] | None = None, period: str = ""
) -> ProviderEvaluation:
    """Score the provider now. `reviews` grades the review items (option codes full/most/partial/none); when absent,
    the last evaluation's grades are carried over, and a provider never reviewed scores 0 on them."""
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
    Provider.objects.filter(pk=provider.pk).update(score=result.score, grade=result.level_name)
    provider.score, provider.grade = result.score, result.level_name
    return evaluation


def recompute_all(*, period: str = "") -> int:
    """Periodic recomputation for every listed provider (a scheduled task or `manage.py` calls it)."""
    count = 0
    for provider in Provider.objects.listed().iterator():
        evaluate(actor=None, provider=provider, period=period)
        count += 1
    return count


@transaction.atomic
def appeal(*, actor, provider: Provider, text: str, evaluation: ProviderEvaluation | None = None) -> ProviderAppeal:
    text = (text or "").strip()
    if len(text) < 5:
        raise ValueError(_("请写明申诉理由（至少 5 个字）"))
    if evaluation is not None and evaluation.provider_id != provider.pk:
        raise ValueError(_("只能对本单位的评价提出申诉"))
    return ProviderAppeal.objects.create(provider=provider, evaluation=evaluation, text=text, created_by=actor)


@transaction.atomic
def decide_appeal(*, actor, appeal: ProviderAppeal, accept: bool, decision: str) -> ProviderAppeal:
    decision = (decision or "").strip()
    if not decision:
        raise ValueError(_("请填写处理意见"))
    if appeal.status != ProviderAppeal.Status.OPEN:
        raise ValueError(_("该申诉已处理"))
    appeal.status = ProviderAppeal.Status.ACCEPTED if accept else ProviderAppeal.Status.REJECTED
    appeal.decision, appeal.decided_by, appeal.decided_at = decision, actor, timezone.now()
    appeal.save(update_fields=["status", "decision", "decided_by", "decided_at"])
    return appeal
