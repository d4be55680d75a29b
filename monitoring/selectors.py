"""Reads for the monitoring pages: targets with their progress, status and the rule behind it, per region."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.policy import scope_of
from regions.models import Region

from .models import Target
from .progress import AT_RISK, BEHIND, MET, MISSED, ON_TRACK, Standing, standing

STATUS_LABELS = {
    ON_TRACK: _("正常推进"),
    AT_RISK: _("有风险"),
    BEHIND: _("滞后"),
    MET: _("已完成"),
    MISSED: _("未完成"),
}
STATUS_CSS = {ON_TRACK: "success", AT_RISK: "warning", BEHIND: "danger", MET: "success", MISSED: "secondary"}


def min_group() -> int:
    return settings.TIDU_MIN_GROUP_SIZE


def tolerance() -> Decimal:
    return Decimal(settings.TIDU_TARGET_AT_RISK_TOLERANCE)


def rule_text() -> str:
    """The status rule in the officer's words, with the tolerance this deployment uses."""
    return _(
        "状态规则：到期前，当前值不低于从基期值到目标值按时间线性推进的应达值为“正常推进”；低于应达值、但差距不超过"
        "计划增量的 %(tolerance)s%% 为“有风险”；其余为“滞后”。到期后达到目标值为“已完成”，否则为“未完成”。"
    ) % {"tolerance": format((tolerance() * 100).normalize(), "f")}


@dataclass(frozen=True)
class Progress:
    target: Target
    standing: Standing
    due: dt.date
    share_shown: bool  # False for a share over a group smaller than the minimum: counts only
    needed: int | None  # for a share: how many enterprises the goal means in today's population

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.standing.status]

    @property
    def status_css(self) -> str:
        return STATUS_CSS[self.standing.status]

    @property
    def basis_label(self) -> str:
        """What the figure rests on (self-assessed, diagnosed or verified results), for metrics that read results."""
        from . import metrics

        if self.target.metric in (metrics.LEVEL, metrics.ASSESSED):
            return str(metrics.BASIS_LABELS[self.target.basis])
        return ""

    @property
    def percent_of_goal(self) -> float:
        """How far along the bar is drawn: the actual against the goal, capped at 100."""
        if not self.target.value or self.target.actual is None:
            return 0.0
        return float(min(self.target.actual / self.target.value * 100, Decimal(100)))


def progress_of(target: Target, today: dt.date | None = None) -> Progress:
    today = today or timezone.localdate()
    due = dt.date(target.year, 12, 31)
    actual = target.actual if target.actual is not None else Decimal(0)
    start = min(target.baseline_on, due)
    state = standing(actual, target.baseline, target.value, start, due, today, tolerance())
    needed = math.ceil(target.value * target.population / 100) if target.is_share else None
    return Progress(
        target=target, standing=state, due=due, share_shown=not target.is_share or target.population >= min_group(),
        needed=needed,
    )  # fmt: skip


def home_region(user) -> Region | None:
    """Where an officer lands: the broadest region they govern (the admin: the province with most targets)."""
    scope = scope_of(user)
    if scope.officer_paths:
        path = min(scope.officer_paths, key=len)
        return Region.objects.filter(path=path).order_by("level").first()
    if scope.is_admin:
        first = Target.objects.filter(parent__isnull=True).order_by("region__level", "region_id").first()
        return first.region if first else Region.objects.filter(level=1).order_by("code").first()
    return None


def region_targets(user, region: Region, year: int | None = None) -> list[Progress]:
    targets = Target.objects.visible_to(user).filter(region=region).select_related("plan", "region", "label")
    if year:
        targets = targets.filter(year=year)
    return [progress_of(t) for t in targets.order_by("plan__start_year", "plan_id", "year", "pk")]


def parts_progress(user, target: Target) -> list[Progress]:
    parts = Target.objects.visible_to(user).filter(parent=target).select_related("region")
    return [progress_of(part) for part in parts.order_by("region_id")]


def breadcrumbs(user, region: Region) -> list[Region]:
    """The chain from the broadest region the user may open down to `region`."""
    scope = scope_of(user)
    chain, node = [], region
    while node is not None:
        if scope.is_admin or scope.manages_code(node.code):
            chain.append(node)
        node = node.parent
    return list(reversed(chain))


def child_regions_summary(user, region: Region) -> list[dict]:
    """Each region below: how many of its targets are on track, at risk, behind (for the drill-down table)."""
    children = list(Region.objects.filter(parent=region, is_active=True).order_by("code"))
    targets = Target.objects.visible_to(user).filter(region__in=children).select_related("region")
    by_region: dict[str, list[Progress]] = {child.code: [] for child in children}
    for target in targets:
        by_region[target.region_id].append(progress_of(target))
    rows = []
    for child in children:
        statuses = [p.standing.status for p in by_region[child.code]]
        cells = [statuses.count(status) for status in STATUS_LABELS]
        rows.append({"region": child, "total": len(statuses), "cells": cells})
    return rows
