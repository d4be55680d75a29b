"""API of targets: the pages' scope, services and progress for token and session clients. Officers see the
targets of the regions they govern and below; a region they do not govern, or another's target, is a 404."""

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from accounts.policy import scope_of
from core.api import Code, Id, Page, Problem
from regions.models import Region

from . import metrics, selectors, services
from .forms import plans_for
from .models import Target

router = Router(tags=["监测 · 目标与进度"])
REFUSED = {403: Problem, 422: Problem}
Value = Annotated[Decimal, Field(ge=0, max_digits=12, decimal_places=2)]


class ProgressOut(Schema):
    status: str
    status_label: str
    expected: Decimal
    shortfall: Decimal
    share_shown: bool  # False: the group is below the minimum size and `actual` is withheld


class TargetOut(Schema):
    id: int
    plan_id: int
    parent_id: int | None
    region_code: str
    name: str
    metric: str
    unit: str
    model_code: str
    level: int | None
    tier: str
    basis: str
    year: int
    value: Decimal
    baseline: Decimal
    met: int
    population: int
    actual: Decimal | None
    computed_at: dt.datetime | None
    progress: ProgressOut


class TargetDetailOut(TargetOut):
    parts: list[TargetOut]


class TargetIn(Schema):
    plan_id: Id
    region_code: Code
    name: str = Field(min_length=1, max_length=200)
    metric: Literal[tuple(metrics.METRICS)]  # type: ignore[valid-type]
    unit: Literal["count", "share"]
    year: int = Field(ge=2000, le=2100)
    value: Value
    model_code: str = Field("", max_length=40)
    level: int | None = Field(None, ge=1, le=10)
    tier: Literal["", "basic", "advanced", "excellent", "leading"] = ""
    basis: Literal["self", "diagnosis", "verified"] = "self"
    above_scale: bool | None = None
    size_class: Literal["", "large", "medium", "small", "micro"] = ""
    industry_code: str = Field("", max_length=2)
    label_code: str = Field("", max_length=40)


class SplitIn(Schema):
    method: Literal["pro_rata", "by_hand"]
    parts: dict[Code, Value] = {}


def _out(target: Target) -> dict:
    progress = selectors.progress_of(target)
    shown = progress.share_shown
    return {
        "id": target.pk, "plan_id": target.plan_id, "parent_id": target.parent_id, "region_code": target.region_id,
        "name": target.name, "metric": target.metric, "unit": target.unit, "model_code": target.model_code,
        "level": target.level, "tier": target.tier, "basis": target.basis, "year": target.year, "value": target.value,
        "baseline": target.baseline, "met": target.met, "population": target.population,
        "actual": target.actual if shown else None, "computed_at": target.computed_at,
        "progress": {
            "status": progress.standing.status, "status_label": str(progress.status_label),
            "expected": progress.standing.expected, "shortfall": progress.standing.shortfall, "share_shown": shown,
        },
    }  # fmt: skip


def _target(user, pk: int) -> Target:
    if not scope_of(user).is_authority:
        raise PermissionDenied(_("监测数据仅对主管部门开放"))
    return get_object_or_404(Target.objects.visible_to(user).select_related("region", "plan"), pk=pk)


def _detail(user, target: Target) -> dict:
    return {**_out(target), "parts": [_out(p.target) for p in selectors.parts_progress(user, target)]}


@router.get("/targets", response={200: list[TargetOut], 403: Problem}, summary="目标列表（主管部门：本地区及下级地区）")
@paginate(Page)
def list_targets(request, region_code: Code | None = None, year: int | None = None):
    if not scope_of(request.user).is_authority:
        raise PermissionDenied(_("监测数据仅对主管部门开放"))
    targets = Target.objects.visible_to(request.user).select_related("region").order_by("region_id", "year", "pk")
    if region_code:
        targets = targets.filter(region_id=region_code)
    if year:
        targets = targets.filter(year=year)
    return [_out(t) for t in targets]


@router.get(
    "/targets/{pk}", response={200: TargetDetailOut, 403: Problem}, summary="目标详情：进度、状态与分解到下级地区的目标"
)
def get_target(request, pk: Id):
    return _detail(request.user, _target(request.user, pk))


@router.post("/targets", response={201: TargetDetailOut, **REFUSED}, summary="设定目标（主管该地区的部门）")
def create_target(request, payload: TargetIn):
    scope = scope_of(request.user)
    region = Region.objects.filter(code=payload.region_code).first()
    if region is None or not scope.manages_code(region.code):
        raise PermissionDenied(_("只有主管该地区的部门可以设定或分解目标"))
    plan = get_object_or_404(plans_for(region), pk=payload.plan_id)
    fields = payload.model_dump(exclude={"plan_id", "region_code", "industry_code", "label_code"})
    fields["industry_id"] = payload.industry_code or None
    fields["label_id"] = payload.label_code or None
    target = services.target_set(actor=request.user, plan=plan, region=region, **fields)
    return Status(201, _detail(request.user, target))


@router.post("/targets/{pk}/split", response={200: TargetDetailOut, **REFUSED}, summary="分解目标到下级地区")
def split_target(request, pk: Id, payload: SplitIn):
    target = _target(request.user, pk)
    services.target_split(actor=request.user, target=target, method=payload.method, by_hand=payload.parts)
    return _detail(request.user, target)
