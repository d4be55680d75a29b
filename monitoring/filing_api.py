"""API of statistics reports (报送): rounds, filings with their figures and steps, and the filing's transitions
(submit, accept, return with a reason) through the services the pages use. Scope as on the pages: an officer sees
the filings of the regions they govern and below; another region's filing is a 404, one they may see but not act on
a 403, a step the filing's state does not allow a 422."""

import datetime as dt

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from accounts.policy import scope_of
from core.api import Code, Id, Page, Problem, choices

from . import filings
from .models import Filing, StatisticsRound

router = Router(tags=["监测 · 统计报送"])
REFUSED = {403: Problem, 422: Problem}
FilingStatus = choices(Filing.Status)


class FilingOut(Schema):
    id: int
    round_id: int
    region_code: str
    region_name: str
    status: FilingStatus  # type: ignore[valid-type]
    status_label: str
    late: bool
    submitted_at: dt.datetime | None
    reviewed_at: dt.datetime | None
    returned_reason: str


class FilingFiguresOut(Schema):
    columns: list[str]
    rows_kind: str  # "regions" | "industries"
    rows: list[list[str | int | float | None]]  # [row name, value per column…]; None: a share of nothing


class FilingStepOut(Schema):
    kind: FilingStatus  # type: ignore[valid-type]
    kind_label: str
    actor: str
    at: dt.datetime
    reason: str


class FilingDetailOut(FilingOut):
    frozen: bool  # True: the copy submitted upward; False: filled from the records now
    figures: FilingFiguresOut
    steps: list[FilingStepOut]
    may_submit: bool
    may_review: bool


class FilingReturnIn(Schema):
    reason: str = Field(min_length=1, max_length=300)


class RoundOut(Schema):
    id: int
    name: str
    region_code: str
    template: str
    template_name: str
    rows_kind: str
    columns: list[str]
    period: str
    year: int
    due_on: dt.date
    created_at: dt.datetime
    counts: dict[str, int]  # filings the user may see, by status
    late: int


class RoundDetailOut(RoundOut):
    filings: list[FilingOut]


def _require_authority(user) -> None:
    if not scope_of(user).is_authority:
        raise PermissionDenied(_("监测数据仅对主管部门开放"))


def _filing_out(filing: Filing, today: dt.date) -> dict:
    return {
        "id": filing.pk, "round_id": filing.round_id, "region_code": filing.region_id,
        "region_name": filing.region.name, "status": filing.status, "status_label": filing.get_status_display(),
        "late": filings.is_late(filing, today), "submitted_at": filing.submitted_at,
        "reviewed_at": filing.reviewed_at, "returned_reason": filing.returned_reason,
    }  # fmt: skip


def _filing_detail(user, filing: Filing) -> dict:
    figures = filings.figures_of(filing)
    open_ = filing.status in (Filing.Status.DRAFT, Filing.Status.RETURNED)
    steps = [
        {"kind": e.kind, "kind_label": e.get_kind_display(), "at": e.at, "reason": e.reason,
         "actor": (getattr(e.actor, "display_name", "") or e.actor.username) if e.actor else ""}
        for e in filing.events.select_related("actor")
    ]  # fmt: skip
    return {
        **_filing_out(filing, timezone.localdate()),
        "frozen": not open_ and bool(filing.figures),
        "figures": {"columns": figures["columns"], "rows": figures["rows"],
                    "rows_kind": figures.get("rows_kind", filings.definition(filing.round).get("rows", "regions"))},
        "steps": steps,
        "may_submit": open_ and filings.files_for(user, filing.region),
        "may_review": filing.status == Filing.Status.SUBMITTED and filings.governs(user, filing.region.parent),
    }  # fmt: skip


def _round_out(user, round_: StatisticsRound, shown: list[Filing]) -> dict:
    today = timezone.localdate()
    definition = filings.definition(round_)
    return {
        "id": round_.pk, "name": round_.name, "region_code": round_.region_id, "template": round_.template,
        "template_name": definition["name"], "rows_kind": definition["rows"],
        "columns": [c["title"] for c in definition["columns"]], "period": round_.period, "year": round_.year,
        "due_on": round_.due_on, "created_at": round_.created_at,
        "counts": {s: sum(1 for f in shown if f.status == s) for s in Filing.Status.values},
        "late": sum(1 for f in shown if filings.is_late(f, today)),
    }  # fmt: skip


def _shown(user, round_: StatisticsRound) -> list[Filing]:
    queryset = filings.filings_visible_to(user).filter(round=round_).select_related("round", "region")
    return list(queryset.order_by("region_id"))


def _filing(user, pk: int) -> Filing:
    _require_authority(user)
    queryset = filings.filings_visible_to(user).select_related("round__region", "region__parent")
    return get_object_or_404(queryset, pk=pk)


@router.get("/rounds", response={200: list[RoundOut], 403: Problem}, summary="统计报送任务列表（本地区参与的）")
@paginate(Page)
def list_rounds(request, year: int | None = None):
    _require_authority(request.user)
    rounds = filings.rounds_visible_to(request.user).order_by("-due_on", "-id")
    if year:
        rounds = rounds.filter(year=year)
    return [_round_out(request.user, r, _shown(request.user, r)) for r in rounds]


@router.get("/rounds/{pk}", response={200: RoundDetailOut, 403: Problem}, summary="统计报送任务：各地区报表与逾期情况")
def get_round(request, pk: Id):
    _require_authority(request.user)
    round_ = get_object_or_404(filings.rounds_visible_to(request.user), pk=pk)
    shown, today = _shown(request.user, round_), timezone.localdate()
    return {**_round_out(request.user, round_, shown), "filings": [_filing_out(f, today) for f in shown]}


@router.get("/filings", response={200: list[FilingOut], 403: Problem}, summary="统计报表列表（本地区及下级地区）")
@paginate(Page)
def list_filings(
    request, round_id: Id | None = None, region_code: Code | None = None, status: FilingStatus | None = None
):  # type: ignore[valid-type]
    _require_authority(request.user)
    queryset = (
        filings.filings_visible_to(request.user).select_related("round", "region").order_by("round_id", "region_id")
    )
    if round_id:
        queryset = queryset.filter(round_id=round_id)
    if region_code:
        queryset = queryset.filter(region_id=region_code)
    if status:
        queryset = queryset.filter(status=status)
    today = timezone.localdate()
    return [_filing_out(f, today) for f in queryset]


@router.get("/filings/{pk}", response={200: FilingDetailOut, 403: Problem}, summary="统计报表：数据、状态与报送记录")
def get_filing(request, pk: Id):
    return _filing_detail(request.user, _filing(request.user, pk))


@router.post("/filings/{pk}/submit", response={200: FilingDetailOut, **REFUSED}, summary="报送上级（冻结当前数据）")
def submit_filing(request, pk: Id):
    filing = filings.filing_submit(actor=request.user, filing=_filing(request.user, pk))
    return _filing_detail(request.user, filing)


@router.post("/filings/{pk}/accept", response={200: FilingDetailOut, **REFUSED}, summary="审核通过（上级主管部门）")
def accept_filing(request, pk: Id):
    filing = filings.filing_accept(actor=request.user, filing=_filing(request.user, pk))
    return _filing_detail(request.user, filing)


@router.post(
    "/filings/{pk}/return", response={200: FilingDetailOut, **REFUSED}, summary="退回并注明原因（上级主管部门）"
)
def return_filing(request, pk: Id, payload: FilingReturnIn):
    filing = filings.filing_return(actor=request.user, filing=_filing(request.user, pk), reason=payload.reason)
    return _filing_detail(request.user, filing)
