"""Target arithmetic, with no Django: splitting a target down the region tree, the trajectory a target needs, and
the status rule an officer reads beside every figure.

Counts are whole enterprises (or providers, events …); shares are percentages of a population. A count splits
pro rata to the population with the largest-remainder rule, so the parts always add up to the whole; a share
splits as the same share everywhere, and a split is checked by the enterprises it implies."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

ON_TRACK, AT_RISK, BEHIND, MET, MISSED = "on_track", "at_risk", "behind", "met", "missed"


class Unit(StrEnum):
    COUNT = "count"
    SHARE = "share"  # per cent of the population


def split_pro_rata(total: int, weights: dict[str, int]) -> dict[str, int]:
    """Split a whole-number `total` in proportion to `weights` (Hamilton's largest-remainder method): every part is
    the floor of its exact quota, and the units left go to the largest remainders (ties to the larger weight, then
    the key), so the parts add up to `total` exactly. No weight at all splits evenly."""
    if total < 0:
        raise ValueError("a target is never negative")
    keys = sorted(weights)
    if not keys:
        return {}
    weight_sum = sum(weights.values())
    if weight_sum <= 0:
        weights, weight_sum = {key: 1 for key in keys}, len(keys)
    quotas = {key: Decimal(total) * weights[key] / weight_sum for key in keys}
    parts = {key: int(quota) for key, quota in quotas.items()}
    left = total - sum(parts.values())
    by_remainder = sorted(keys, key=lambda k: (-(quotas[k] - parts[k]), -weights[k], k))
    for key in by_remainder[:left]:
        parts[key] += 1
    return parts


@dataclass(frozen=True)
class SplitCheck:
    ok: bool
    parts_total: (
        Decimal  # what the parts add up to, in the whole's unit of enterprises (a count) or enterprises implied
    )
    whole: Decimal


def check_split(unit: Unit, whole: Decimal, parts: dict[str, Decimal], populations: dict[str, int]) -> SplitCheck:
    """A count's parts must add up to the whole exactly. A share's parts must imply at least as many enterprises as
    the whole does (Σ share × population ≥ whole share × total population), since the regions' populations make up
    the whole's: shares cannot be added, the enterprises they stand for can."""
    if unit == Unit.COUNT:
        total = sum(parts.values(), Decimal(0))
        return SplitCheck(ok=total == whole, parts_total=total, whole=whole)
    implied = sum((parts[key] * populations.get(key, 0) / 100 for key in parts), Decimal(0))
    needed = whole * sum(populations.values()) / 100
    implied, needed = _round(implied, 2), _round(needed, 2)
    return SplitCheck(ok=implied >= needed, parts_total=implied, whole=needed)


def _round(value: Decimal, places: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def share(numerator: int, denominator: int) -> Decimal | None:
    """Per cent, two decimals; None for an empty population (a share of nothing is not 0 %)."""
    if denominator <= 0:
        return None
    return _round(Decimal(numerator) * 100 / denominator, 2)


def expected_on(baseline: Decimal, goal: Decimal, start: dt.date, due: dt.date, today: dt.date) -> Decimal:
    """Where a target should stand `today` on a straight line from its baseline (at `start`) to its goal (at
    `due`): the trajectory the officer is measured against."""
    if today <= start:
        return baseline
    if today >= due:
        return goal
    elapsed = Decimal((today - start).days) / Decimal((due - start).days)
    return _round(baseline + (goal - baseline) * elapsed, 2)


@dataclass(frozen=True)
class Standing:
    status: str
    expected: Decimal  # where the trajectory says the figure should be today
    shortfall: Decimal  # expected − actual, 0 when ahead


def standing(
    actual: Decimal, baseline: Decimal, goal: Decimal, start: dt.date, due: dt.date, today: dt.date, tolerance: Decimal
) -> Standing:
    """The status rule, shown to officers as `RULE`: after the due date a target is met or missed; before it, on
    track when the figure is at or above the trajectory, at risk when it is below by no more than `tolerance` (a
    fraction) of the rise still planned from the baseline, behind otherwise."""
    expected = expected_on(baseline, goal, start, due, today)
    shortfall = max(expected - actual, Decimal(0))
    if today > due:
        return Standing(MET if actual >= goal else MISSED, goal, max(goal - actual, Decimal(0)))
    if actual >= expected:
        return Standing(ON_TRACK, expected, Decimal(0))
    rise = max(goal - baseline, Decimal(0))
    if shortfall <= rise * tolerance:
        return Standing(AT_RISK, expected, shortfall)
    return Standing(BEHIND, expected, shortfall)
