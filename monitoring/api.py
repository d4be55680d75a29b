"""API of monitoring: targets (with their progress), campaigns (with completion by region) and development index
runs, with the pages' scope and services, for token and session clients; statistics reports are in filing_api.
Officers see what belongs to the regions they govern and below (for a province's campaign, its enterprises in their
regions); a region they do not govern, or another's object, is a 404. Published index runs are public."""

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
from core.api import Code, Id, Page, Problem, choices
from enterprises.models import Enterprise
from regions.models import Region

from . import campaigns, indexruns, metrics, selectors, services
from .filing_api import router as filing_router
from .forms import plans_for
from .models import Campaign, IndexRun, Target
from .querysets import in_scope

router = Router(tags=["监测 · 目标与进度"])
router.add_router("", filing_router)
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


class CampaignRegionOut(Schema):
    region_code: str
    region_name: str
    members: int
    submitted: int
    returned: int
    pending: int
    rate: float | None  # per cent submitted; None: no members in the region


class CampaignOut(Schema):
    id: int
    name: str
    region_code: str
    kind: choices(Campaign.Kind)  # type: ignore[valid-type]
    kind_label: str
    status: choices(Campaign.Status)  # type: ignore[valid-type]
    model_version: str
    starts_on: dt.date
    ends_on: dt.date
    above_scale_only: bool
    sample_share: Decimal | None
    members: int  # in the regions the user governs
    submitted: int


class CampaignDetailOut(CampaignOut):
    completion: list[CampaignRegionOut]


def _visible_members(user, campaign: Campaign):
    """The campaign's members with their state, narrowed to the enterprises the user may see."""
    return campaigns.members_with_status(campaign).filter(enterprise__in=Enterprise.objects.visible_to(user))


def _completion_rows(user, campaign: Campaign) -> list[Region]:
    """As the campaign page: the regions directly below the campaign's, as far as the user governs them; for an
    officer below those (a county following a province campaign), their own regions."""
    scope = scope_of(user)
    children = Region.objects.filter(parent=campaign.region, is_active=True).order_by("code")
    rows = [r for r in children if scope.is_admin or scope.manages_code(r.code)]
    return rows or list(Region.objects.filter(path__in=scope.officer_paths).order_by("code"))


def _campaign_out(user, campaign: Campaign) -> dict:
    members = _visible_members(user, campaign)
    return {
        "id": campaign.pk, "name": campaign.name, "region_code": campaign.region_id, "kind": campaign.kind,
        "kind_label": campaign.get_kind_display(), "status": campaign.status,
        "model_version": str(campaign.model_version), "starts_on": campaign.starts_on, "ends_on": campaign.ends_on,
        "above_scale_only": campaign.above_scale_only, "sample_share": campaign.sample_share,
        "members": members.count(), "submitted": members.filter(done=True).count(),
    }  # fmt: skip


def _campaigns(user):
    if not scope_of(user).is_authority:
        raise PermissionDenied(_("监测数据仅对主管部门开放"))
    return campaigns.campaigns_visible_to(user).select_related("region", "model_version")


@router.get("/campaigns", response={200: list[CampaignOut], 403: Problem}, summary="专项行动列表（本地区参与的）",
            tags=["监测 · 专项行动"])  # fmt: skip
@paginate(Page)
def list_campaigns(request, status: choices(Campaign.Status) | None = None):  # type: ignore[valid-type]
    queryset = _campaigns(request.user)
    if status:
        queryset = queryset.filter(status=status)
    return [_campaign_out(request.user, c) for c in queryset]


@router.get("/campaigns/{pk}", response={200: CampaignDetailOut, 403: Problem}, summary="专项行动：按地区的完成情况",
            tags=["监测 · 专项行动"])  # fmt: skip
def get_campaign(request, pk: Id):
    campaign = get_object_or_404(_campaigns(request.user), pk=pk)
    members = _visible_members(request.user, campaign)
    rows = campaigns.completion(campaign, _completion_rows(request.user, campaign), members)
    completion = [
        {"region_code": row["region"].code, "region_name": row["region"].name, "members": row["members"],
         "submitted": row[campaigns.SUBMITTED], "returned": row[campaigns.RETURNED],
         "pending": row[campaigns.PENDING], "rate": row["rate"]}
        for row in rows
    ]  # fmt: skip
    return {**_campaign_out(request.user, campaign), "completion": completion}


class IndexUnitOut(Schema):
    code: str
    name: str
    score: float | None
    rank: float | None
    rank_low: float | None
    rank_high: float | None
    components: dict[str, float | None]
    change: float | None  # on the latest published run of the year before
    rank_before: float | None


class IndexRunOut(Schema):
    id: int
    code: str
    name: str
    region_code: str
    year: int
    version: int
    status: choices(IndexRun.Status)  # type: ignore[valid-type]
    progress: int
    provisional: bool  # an example definition, not a method any region adopted
    created_at: dt.datetime
    finished_at: dt.datetime | None
    published_at: dt.datetime | None


class IndexRunDetailOut(IndexRunOut):
    error: str
    units: list[IndexUnitOut]


def runs_visible_to(user):
    """Published runs are public; unpublished ones only to the officers governing the run's region."""
    published = IndexRun.objects.filter(published_at__isnull=False)
    if not scope_of(user).is_authority:
        return published
    return published | in_scope(IndexRun.objects.filter(published_at__isnull=True), user)


def _run_out(run: IndexRun) -> dict:
    spec = run.definition or {}
    return {
        "id": run.pk, "code": run.code, "name": spec.get("name", run.code), "region_code": run.region_id,
        "year": run.year, "version": run.version, "status": run.status, "progress": run.progress,
        "provisional": bool(spec.get("provisional")), "created_at": run.created_at, "finished_at": run.finished_at,
        "published_at": run.published_at,
    }  # fmt: skip


@router.get("/index-runs", response=list[IndexRunOut], summary="发展指数计算：已发布的，及本地区未发布的",
            tags=["监测 · 发展指数"])  # fmt: skip
@paginate(Page)
def list_index_runs(request, region_code: Code | None = None, year: int | None = None):
    runs = runs_visible_to(request.user).order_by("-year", "code", "-version")
    if region_code:
        runs = runs.filter(region_id=region_code)
    if year:
        runs = runs.filter(year=year)
    return [_run_out(r) for r in runs]


@router.get("/index-runs/{pk}", response=IndexRunDetailOut, summary="发展指数计算：得分、排名区间与同比变化",
            tags=["监测 · 发展指数"])  # fmt: skip
def get_index_run(request, pk: Id):
    run = get_object_or_404(runs_visible_to(request.user).select_related("region"), pk=pk)
    units = indexruns.with_change(run) if run.status == IndexRun.Status.DONE else []
    keys = IndexUnitOut.model_fields
    return {**_run_out(run), "error": run.error, "units": [{k: u.get(k) for k in keys} for u in units]}
