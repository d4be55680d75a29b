"""Writes of the scheduling service: create a job from the XLSX template or engine JSON, run it (in the task),
re-plan a finished job after an event. Pages, the API and the task all go through here."""

from __future__ import annotations

import datetime as dt
import tempfile
import time
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core import uploads

from . import events
from .engine import serialize
from .engine.replan import apply_event
from .engine.solver import solve
from .models import PlanJob
from .xlsx_import import read_template

MAX_TIME_LIMIT = 600
MAX_XLSX_BYTES = 20 * 1024 * 1024
STALE_GRACE_SECONDS = 300  # past its time limit by this much, a running job's worker is taken as dead


class ScheduleError(ValueError):
    """A refused request; the message says why in Chinese."""


def own_enterprise_id(user, enterprise_id: int | None = None) -> int:
    """The enterprise a new job belongs to: one of the user's own (the only one when not given)."""
    own = sorted(scope_of(user).own_enterprise_ids)
    if enterprise_id is None and len(own) == 1:
        return own[0]
    if enterprise_id is not None and enterprise_id in own:
        return enterprise_id
    raise PermissionDenied(_("只有企业本身可以使用排产服务"))


def _enqueue(job: PlanJob) -> None:
    from .tasks import run_plan_job

    transaction.on_commit(lambda: run_plan_job.enqueue(job.pk))


@transaction.atomic
def plan_job_create(*, user, name: str, start_date: dt.date, problem: dict | None = None, upload=None,
                    time_limit: int = 30, enterprise_id: int | None = None) -> PlanJob:  # fmt: skip
    """A job from engine JSON (`problem`) or the XLSX template (`upload`); with data errors it is stored as
    `invalid` with its validation report and not solved."""
    enterprise = own_enterprise_id(user, enterprise_id)
    job = PlanJob(enterprise_id=enterprise, created_by=user, name=name[:200] or _("排产任务"), start_date=start_date,
                  time_limit=max(1, min(int(time_limit), MAX_TIME_LIMIT)))  # fmt: skip
    if upload is not None:
        try:
            checked = uploads.check(upload, max_bytes=MAX_XLSX_BYTES)
        except uploads.UploadError as exc:
            raise ScheduleError(str(exc)) from exc
        if checked.ext != ".xlsx":
            raise ScheduleError(_("请上传排产模板（.xlsx）"))
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "template.xlsx"
            path.write_bytes(checked.data)
            parsed, issues = read_template(path, checked.original_name, start_date)
        job.issues = [{"sheet": i.sheet, "row": i.row, "column": i.column, "message": i.message} for i in issues]
        if parsed is not None:
            job.problem = serialize.problem_to_dict(parsed)
    elif problem is not None:
        try:
            parsed = serialize.problem_from_dict(problem)
        except (KeyError, TypeError, ValueError, IndexError) as exc:
            raise ScheduleError(_("排产问题的格式不正确：%(error)s") % {"error": exc}) from exc
        job.issues = [{"sheet": "", "row": None, "column": None, "message": m} for m in parsed.check()]
        job.problem = problem
    else:
        raise ScheduleError(_("请提供排产模板或排产问题"))
    job.status = PlanJob.Status.INVALID if job.issues else PlanJob.Status.QUEUED
    job.save()
    source = "xlsx" if upload is not None else "json"
    if job.status == PlanJob.Status.QUEUED:
        events.record(job, "create", actor=user, data={"source": source})
        _enqueue(job)
    else:
        events.record(job, "invalid", actor=user, data={"source": source, "issues": len(job.issues)})
    return job


@transaction.atomic
def plan_job_replan(*, user, job: PlanJob, event: dict, now: int, time_limit: int | None = None) -> PlanJob:
    """A new job re-planning `job`'s plan at minute `now` after `event` (started work frozen, least disturbance)."""
    if job.enterprise_id not in scope_of(user).own_enterprise_ids:
        raise PermissionDenied(_("只有企业本身可以重排计划"))
    if job.status != PlanJob.Status.DONE or not job.plan:
        raise ScheduleError(_("只有已完成的排产任务可以重排"))
    try:
        parsed_event = serialize.event_from_dict(event)
        problem = apply_event(serialize.problem_from_dict(job.problem), serialize.plan_from_dict(job.plan),
                              parsed_event, now)  # fmt: skip
    except (KeyError, TypeError, ValueError) as exc:
        raise ScheduleError(_("重排事件的格式不正确：%(error)s") % {"error": exc}) from exc
    child = PlanJob.objects.create(
        enterprise_id=job.enterprise_id, created_by=user, name=_("%(name)s（重排）") % {"name": job.name},
        start_date=job.start_date, time_limit=max(1, min(int(time_limit or job.time_limit), MAX_TIME_LIMIT)),
        problem=serialize.problem_to_dict(problem), parent=job, event=event, replan_at=now,
        issues=[{"sheet": "", "row": None, "column": None, "message": m} for m in problem.check()],
    )  # fmt: skip
    if child.issues:
        child.status = PlanJob.Status.INVALID
        child.save(update_fields=["status"])
    else:
        _enqueue(child)
    events.record(child, "replan", actor=user, data={"parent": job.pk, "event": event, "now": now,
                                                     "issues": len(child.issues)})  # fmt: skip
    return child


def sweep_stale(jobs=None, *, now: dt.datetime | None = None) -> int:
    """Fail running jobs whose worker died (killed, out of memory, machine restarted): a solve never runs much past
    its time limit, so a job still running STALE_GRACE_SECONDS after it is failed with the reason. `tidu worker`
    runs it every few minutes (`tidu scheduling_sweep`); a job's page runs it for that job when it polls."""
    now = now or timezone.now()
    count = 0
    qs = (jobs if jobs is not None else PlanJob.objects.all()).filter(status=PlanJob.Status.RUNNING)
    for job in qs.only("id", "time_limit", "started_at", "created_at", "status"):
        began = job.started_at or job.created_at
        limit = dt.timedelta(seconds=job.time_limit + STALE_GRACE_SECONDS)
        if began + limit > now:
            continue
        reason = _("求解进程已停止响应：超过时限（%(n)s 秒）仍未结束，已标记为失败，请重新提交") % {"n": job.time_limit}
        if PlanJob.objects.filter(pk=job.pk, status=PlanJob.Status.RUNNING).update(
            status=PlanJob.Status.FAILED, error=reason, finished_at=now
        ):
            job.status = PlanJob.Status.FAILED
            events.record(job, "stale", reason=reason, data={"started_at": began.isoformat()})
            count += 1
    return count


def plan_job_run(job_id: int) -> PlanJob:
    """Solve (in the background task), writing progress at most once a second, then the validated plan."""
    job = PlanJob.objects.get(pk=job_id)
    started = timezone.now()
    if not PlanJob.objects.filter(pk=job.pk, status=PlanJob.Status.QUEUED).update(
        status=PlanJob.Status.RUNNING, started_at=started
    ):
        return job  # not queued (any more): another worker has it, or it is finished
    job.status, job.started_at = PlanJob.Status.RUNNING, started
    events.record(job, "start")
    problem = serialize.problem_from_dict(job.problem)
    last = [0.0]

    def progress(info: dict) -> None:
        if time.monotonic() - last[0] >= 1.0:
            last[0] = time.monotonic()
            PlanJob.objects.filter(pk=job.pk).update(progress=info)

    reference, scope = None, None
    if job.parent_id and job.parent.plan:
        reference = {k: v for k, v in serialize.plan_from_dict(job.parent.plan).items() if k in problem.op_by_id}
        scope = {o for o in reference if o not in problem.frozen}
    from .engine.dispatch import right_shift

    hint = right_shift(problem, reference) if reference else None
    try:
        result = solve(problem, time_limit=job.time_limit, reference=reference, moved_scope=scope, hint_plan=hint,
                       progress=progress)  # fmt: skip
    except Exception as exc:  # the solver's own errors: the job fails with the reason, the worker goes on
        if PlanJob.objects.filter(pk=job.pk, status=PlanJob.Status.RUNNING).update(
            status=PlanJob.Status.FAILED, error=str(exc)[:2000], finished_at=timezone.now()
        ):
            job.status = PlanJob.Status.FAILED
            events.record(job, "failed", reason=str(exc))
        job.refresh_from_db()
        return job
    job.solver_status = result.status
    job.objectives = result.objectives
    job.finished_at = timezone.now()
    gap = result.gap
    job.progress = {"stage": "done", "value": next(iter(result.objectives.values()), None),
                    "bound": next(iter(result.bounds.values()), None), "gap": gap,
                    "seconds": round(result.seconds, 2)}  # fmt: skip
    if result.plan is not None and not result.violations:
        job.plan = serialize.plan_to_dict(result.plan)
        job.kpis = serialize.kpis(problem, result.plan)
        job.status = PlanJob.Status.DONE
    else:
        job.status = PlanJob.Status.FAILED
        job.error = (
            _("在时限内没有找到可行计划（%(status)s）") % {"status": result.status}
            if result.plan is None
            else _("计划未通过校验：%(first)s") % {"first": result.violations[0].message}
        )
    fields = ["solver_status", "objectives", "finished_at", "progress", "plan", "kpis", "status", "error"]
    if not PlanJob.objects.filter(pk=job.pk, status=PlanJob.Status.RUNNING).update(
        **{f: getattr(job, f) for f in fields}
    ):
        job.refresh_from_db()  # swept as stale meanwhile: its failure stands
        return job
    events.record(job, "done" if job.status == PlanJob.Status.DONE else "failed", reason=job.error,
                  data={"solver_status": result.status, "objectives": result.objectives,
                        "seconds": round(result.seconds, 2)})  # fmt: skip
    return job
