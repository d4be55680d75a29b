"""Writes for targets: setting, splitting down the region tree, changing, and recomputing progress.

Every write checks that the actor governs the target's region, and records a TargetEvent."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import Region

from . import metrics
from .models import Plan, Target, TargetEvent
from .progress import Unit, check_split, share, split_pro_rata
from .querysets import require_governs

# The fields a target's part copies from its whole: the same figure, for a smaller region.
COPIED = [
    "plan_id", "name", "metric", "unit", "model_code", "level", "tier", "basis", "above_scale", "size_class",
    "industry_id", "label_id", "cluster_id", "chain_id", "year",
]  # fmt: skip


def _require_governs(actor, region: Region) -> None:
    require_governs(actor, region, _("只有主管该地区的部门可以设定或分解目标"))


def clean_target(target: Target) -> None:
    """The rules a target's fields must keep together, in the words an officer reads."""
    errors: dict[str, str] = {}
    about_enterprises = target.metric in metrics.ENTERPRISE_METRICS
    if target.metric == metrics.LEVEL:
        if not target.model_code:
            errors["model_code"] = _("按成熟度等级计的目标须选择评估模型")
        if not target.level:
            errors["level"] = _("按成熟度等级计的目标须填写等级")
    if target.metric == metrics.TIER and not target.tier:
        errors["tier"] = _("按梯度等级计的目标须选择梯度等级")
    if not about_enterprises:
        if target.unit != Unit.COUNT:
            errors["unit"] = _("服务商、专员和对接活动只能按数量设定目标")
        population = [target.above_scale is not None, target.size_class, target.industry_id, target.label_id,
                      target.cluster_id, target.chain_id]  # fmt: skip
        if any(population):
            errors["metric"] = _("该指标不针对企业，不能限定企业范围")
    if target.unit == Unit.SHARE and target.value is not None and target.value > 100:
        errors["value"] = _("占比目标不能超过 100%")
    if target.unit == Unit.COUNT and target.value is not None and target.value != target.value.to_integral_value():
        errors["value"] = _("数量目标须为整数")
    if target.plan_id and not (target.plan.start_year <= target.year <= target.plan.end_year):
        errors["year"] = _("目标年度须在计划的起止年度之内（%(start)s—%(end)s 年）") % {
            "start": target.plan.start_year, "end": target.plan.end_year,
        }  # fmt: skip
    if errors:
        raise ValidationError(errors)


def _figure(target: Target, counts: dict[str, tuple[int, int]]) -> tuple[int, int, Decimal | None]:
    met, population = metrics.total_under(counts, target.region.path)
    actual = share(met, population) if target.is_share else Decimal(met)
    return met, population, actual


def _counts_for(target: Target, within: str) -> dict[str, tuple[int, int]]:
    return metrics.count_by_region(target.measure(), target.population_filter(), within)


@transaction.atomic
def plan_create(*, actor, name: str, region: Region, start_year: int, end_year: int, description: str = "") -> Plan:
    _require_governs(actor, region)
    if end_year < start_year:
        raise ValidationError({"end_year": _("截止年度不能早于起始年度")})
    return Plan.objects.create(
        name=name, region=region, start_year=start_year, end_year=end_year, description=description, created_by=actor
    )


@transaction.atomic
def target_set(*, actor, plan: Plan, region: Region, today: dt.date | None = None, **fields) -> Target:
    """A new target for `region`; its baseline is where the figure stands today (the start of its trajectory)."""
    _require_governs(actor, region)
    if not region.code.startswith(plan.region.path):
        raise ValidationError({"region": _("目标地区须在计划所属地区之内")})
    target = Target(plan=plan, region=region, created_by=actor, baseline_on=today or timezone.localdate(), **fields)
    clean_target(target)
    target.full_clean(exclude=["baseline_on"])
    met, population, actual = _figure(target, _counts_for(target, region.path))
    _set_baseline(target, actual)
    target.met, target.population, target.actual, target.computed_at = met, population, actual, timezone.now()
    target.save()
    TargetEvent.objects.create(target=target, kind=TargetEvent.Kind.SET, actor=actor, data={"value": str(target.value)})
    return target


def _set_baseline(target: Target, actual: Decimal | None) -> None:
    """Where the trajectory starts. A figure of one year (assessed, reported, matched, events) starts from 0 on
    1 January of that year; a standing (levels, tiers, providers, commissioners) from where it is when the target is
    set, on that day."""
    if target.metric in metrics.PERIOD_METRICS:
        target.baseline, target.baseline_on = Decimal(0), dt.date(target.year, 1, 1)
    else:
        target.baseline = actual or Decimal(0)


def split_populations(
    target: Target, children: list[Region], counts: dict[str, tuple[int, int]] | None = None
) -> dict[str, int]:
    """What a split is pro rata to: each child region's population (for resource metrics, its enterprises).
    `counts`, the target's own figure by region when the caller has it, holds an enterprise metric's populations:
    at province scale each count reads the whole archive, so it is not read twice."""
    if target.metric in metrics.ENTERPRISE_METRICS:
        counts = counts if counts is not None else _counts_for(target, target.region.path)
    else:
        assessed = metrics.Measure(metric=metrics.ASSESSED, year=target.year)
        counts = metrics.count_by_region(assessed, metrics.Population(), target.region.path)
    return {child.code: metrics.total_under(counts, child.path)[1] for child in children}


def split_values(target: Target, method: str, children: list[Region], populations: dict[str, int],
                 by_hand: dict[str, Decimal] | None) -> dict[str, Decimal]:  # fmt: skip
    if method == Target.SplitMethod.PRO_RATA:
        if target.is_share:
            return {child.code: target.value for child in children}
        parts = split_pro_rata(int(target.value), populations)
        return {code: Decimal(n) for code, n in parts.items()}
    by_hand = by_hand or {}
    missing = [child.name for child in children if child.code not in by_hand]
    if missing:
        raise ValidationError(_("请为每个下级地区填写目标值，缺少：%(names)s") % {"names": "、".join(missing)})
    values = {child.code: by_hand[child.code] for child in children}
    for child in children:
        value = values[child.code]
        if value < 0 or (target.is_share and value > 100):
            raise ValidationError(_("%(name)s 的目标值 %(value)s 超出范围") % {"name": child.name, "value": value})
        if not target.is_share and value != value.to_integral_value():
            raise ValidationError(_("%(name)s 的数量目标须为整数") % {"name": child.name})
    check = check_split(Unit(target.unit), target.value, values, populations)
    if not check.ok and not target.is_share:
        raise ValidationError(
            _("各地区目标之和为 %(parts)s，与上级目标 %(whole)s 不一致")
            % {"parts": _plain(check.parts_total), "whole": _plain(check.whole)}
        )
    if not check.ok:
        raise ValidationError(
            _("各地区目标折合 %(parts)s 家企业，少于上级目标折合的 %(whole)s 家")
            % {"parts": check.parts_total, "whole": check.whole}
        )
    return values


def _plain(value: Decimal) -> str:
    """A number as an officer writes it: 10, not 10.00."""
    return format(value.normalize(), "f")


@transaction.atomic
def target_split(*, actor, target: Target, method: str, by_hand: dict[str, Decimal] | None = None) -> list[Target]:
    """Split a target over the regions directly below its region. Splitting again rewrites the parts' values."""
    _require_governs(actor, target.region)
    children = list(Region.objects.filter(parent=target.region, is_active=True).order_by("code"))
    if not children:
        raise ValidationError(_("%(region)s 没有下级地区，无法分解") % {"region": target.region.name})
    counts = _counts_for(target, target.region.path)
    populations = split_populations(target, children, counts)
    values = split_values(target, method, children, populations, by_hand)
    existing = {part.region_id: part for part in target.parts.all()}
    parts, new = [], []
    now = timezone.now()
    for child in children:
        part = existing.get(child.code) or Target(parent=target, region=child, created_by=actor,
                                                  baseline_on=target.baseline_on)  # fmt: skip
        for name in COPIED:
            setattr(part, name, getattr(target, name))
        part.value = values[child.code]
        part.region = child
        met, population, actual = _figure(part, counts)
        if part.pk is None:
            _set_baseline(part, actual)
            new.append(part)
        part.met, part.population, part.actual, part.computed_at = met, population, actual, now
        parts.append(part)
    # Written together (a province splits to ~100 counties): one INSERT for the new parts, one UPDATE for the rest.
    Target.objects.bulk_create(new)
    if changed := [part for part in parts if part.region_id in existing]:
        Target.objects.bulk_update(changed, ["value", "met", "population", "actual", "computed_at", *COPIED])
    target.split_method = method
    target.save(update_fields=["split_method"])
    TargetEvent.objects.create(
        target=target, kind=TargetEvent.Kind.SPLIT, actor=actor,
        data={"method": method, "parts": {code: str(v) for code, v in values.items()}},
    )  # fmt: skip
    return parts


@transaction.atomic
def target_change_value(*, actor, target: Target, value: Decimal) -> Target:
    _require_governs(actor, target.region)
    old = target.value
    target.value = value
    clean_target(target)
    target.save(update_fields=["value"])
    TargetEvent.objects.create(
        target=target, kind=TargetEvent.Kind.CHANGED, actor=actor, data={"old": str(old), "new": str(value)}
    )
    return target


def _signature(target: Target) -> tuple:
    return (target.measure(), target.population_filter(), target.region_id[:2])


def targets_recompute(targets=None, *, progress=None) -> int:
    """Recompute every target's progress from the records: one grouped query per distinct figure (metric,
    parameters, population, province), shared by the targets of every region that measure it."""
    targets = list((targets if targets is not None else Target.objects.all()).select_related("region", "plan"))
    groups: dict[tuple, list[Target]] = defaultdict(list)
    for target in targets:
        groups[_signature(target)].append(target)
    now = timezone.now()
    for done, ((measure, population, province), members) in enumerate(groups.items(), start=1):
        counts = metrics.count_by_region(measure, population, province)
        for target in members:
            target.met, target.population, target.actual = _figure(target, counts)
            target.computed_at = now
        if progress:
            progress(done, len(groups))
    Target.objects.bulk_update(targets, ["met", "population", "actual", "computed_at"], batch_size=500)
    return len(targets)
