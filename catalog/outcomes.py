"""Measured outcomes of providers' delivered projects (a funded project's re-assessment, recorded by the funding
app): kept per project, averaged into the provider's scorecard (`measured_improvement`)."""

from __future__ import annotations

from django.db.models import Avg

from .events import record
from .models import DeliveryOutcome, Provider


def record_outcome(*, provider: Provider, enterprise, source: str, reference: str, level_delta: int,
                   score_delta: float | None) -> DeliveryOutcome:  # fmt: skip
    """Record one project's outcome once (the reference is unique); the provider's timeline says so."""
    outcome, created = DeliveryOutcome.objects.get_or_create(
        reference=reference,
        defaults={"provider": provider, "enterprise": enterprise, "source": source[:200], "level_delta": level_delta,
                  "score_delta": score_delta},  # fmt: skip
    )
    if created:
        record("outcome", actor=None, provider=provider,
               summary=f"{source}：企业复评等级变化 {level_delta:+d}"[:300], data={"reference": reference})  # fmt: skip
    return outcome


def mean_level_delta(provider: Provider) -> float | None:
    return DeliveryOutcome.objects.filter(provider=provider).aggregate(m=Avg("level_delta"))["m"]
