"""API of the scheduling service: an enterprise's own jobs only (another's job is a 404). Create a job from the
XLSX template or engine JSON, follow its progress (best value, bound, gap), read the validated plan with KPIs,
re-plan after an event."""

import datetime as dt
from typing import Annotated, Any, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile
from ninja.responses import Status

from core.api import Id, Problem, choices

from . import services
from .models import PlanJob

router = Router(tags=["排产服务"])
REFUSED = {403: Problem, 422: Problem}


class PlanJobOut(Schema):
    id: int
    enterprise_id: int
    name: str
    status: choices(PlanJob.Status)  # type: ignore[valid-type]
    status_label: str
    start_date: dt.date
    time_limit: int
    parent_id: int | None
    progress: dict  # stage, value (best so far), bound, gap, seconds
    issues: list[dict]  # validation report: sheet, row, column, message
    error: str
    created_at: dt.datetime
    finished_at: dt.datetime | None

    @staticmethod
    def resolve_status_label(obj) -> str:
        return str(obj.get_status_display())


class PlanResultOut(PlanJobOut):
    solver_status: str
    objectives: dict[str, int]
    kpis: dict[str, Any]
    plan: dict[str, list] | None  # operation id -> [machine, start, end] (minutes from start_date 00:00)


class PlanJobIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    start_date: dt.date
    time_limit: Annotated[int, Field(ge=1, le=services.MAX_TIME_LIMIT)] = 30
    enterprise_id: int | None = None
    problem: dict = Field(..., description="排产问题（引擎 JSON：jobs, machines, setups, frozen）")


class PlanJobFormIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    start_date: dt.date
    time_limit: Annotated[int, Field(ge=1, le=services.MAX_TIME_LIMIT)] = 30
    enterprise_id: int | None = None


class PlanReplanIn(Schema):
    event: dict = Field(..., description="breakdown {machine,start,end} | material_delay {job,available_at} | "
                                          "order_change {job?,remove?}, each with type")  # fmt: skip
    now: Annotated[int, Field(ge=0, le=10**8)]
    time_limit: Annotated[int, Field(ge=1, le=services.MAX_TIME_LIMIT)] | None = None


def _job(user, pk: int) -> PlanJob:
    return get_object_or_404(PlanJob.objects.visible_to(user), pk=pk)


def _refused(exc: Exception):
    code = 403 if isinstance(exc, PermissionDenied) else 422
    return Status(code, {"detail": str(exc.args[0]) if exc.args else str(exc)})


@router.get("/jobs", response=list[PlanJobOut], summary="排产任务列表（本企业的）")
def list_jobs(request, status: Literal["invalid", "queued", "running", "done", "failed"] | None = None):
    qs = PlanJob.objects.visible_to(request.user)
    return qs.filter(status=status) if status else qs[:200]


@router.post("/jobs", response={201: PlanJobOut, **REFUSED}, summary="提交排产问题（引擎 JSON），后台求解")
def create_job(request, payload: PlanJobIn):
    try:
        job = services.plan_job_create(user=request.user, name=payload.name, start_date=payload.start_date,
                                       problem=payload.problem, time_limit=payload.time_limit,
                                       enterprise_id=payload.enterprise_id)  # fmt: skip
    except (PermissionDenied, services.ScheduleError) as exc:
        return _refused(exc)
    job.refresh_from_db()
    return Status(201, job)


@router.post("/jobs/xlsx", response={201: PlanJobOut, **REFUSED}, summary="上传排产模板（XLSX），校验后后台求解")
def create_job_xlsx(request, file: File[UploadedFile], form: Form[PlanJobFormIn]):
    try:
        job = services.plan_job_create(user=request.user, name=form.name, start_date=form.start_date, upload=file,
                                       time_limit=form.time_limit, enterprise_id=form.enterprise_id)  # fmt: skip
    except (PermissionDenied, services.ScheduleError) as exc:
        return _refused(exc)
    job.refresh_from_db()
    return Status(201, job)


@router.get("/jobs/{pk}", response=PlanJobOut, summary="排产任务状态与进度（当前最优值、下界、差距）")
def job_status(request, pk: Id):
    return _job(request.user, pk)


@router.get("/jobs/{pk}/result", response=PlanResultOut, summary="排产结果：经独立校验的计划、目标值与指标")
def job_result(request, pk: Id):
    return _job(request.user, pk)


@router.post("/jobs/{pk}/replan", response={201: PlanJobOut, **REFUSED}, summary="事件后重排（已开工的工序冻结）")
def replan_job(request, pk: Id, payload: PlanReplanIn):
    job = _job(request.user, pk)
    try:
        child = services.plan_job_replan(user=request.user, job=job, event=payload.event, now=payload.now,
                                         time_limit=payload.time_limit)  # fmt: skip
    except (PermissionDenied, services.ScheduleError) as exc:
        return _refused(exc)
    child.refresh_from_db()
    return Status(201, child)
