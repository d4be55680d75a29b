"""Scheduling pages for an enterprise: upload the template, follow the solve, see the machine and order Gantt
charts, KPIs and late orders, export the schedule, re-plan after an event.

Thin: scoping in scheduling.querysets (another enterprise's job is a 404), writes in scheduling.services."""

from __future__ import annotations

import datetime as dt
from calendar import timegm

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core.exports import SheetOut, write_workbook

from . import events, services
from .forms import ReplanForm, UploadForm
from .models import PlanJob
from .xlsx_import import SHEETS


def _job(user, pk: int) -> PlanJob:
    return get_object_or_404(PlanJob.objects.visible_to(user).select_related("enterprise", "parent"), pk=pk)


def _origin(job: PlanJob) -> dt.datetime:
    return dt.datetime.combine(job.start_date, dt.time())


def _at(job: PlanJob, minute: int) -> dt.datetime:
    return _origin(job) + dt.timedelta(minutes=minute)


def _rows(job: PlanJob) -> list[dict]:
    """The schedule, one row per operation, by machine then start."""
    ops = {o["id"]: (j, o) for j in job.problem.get("jobs", []) for o in j["operations"]}
    rows = []
    for op_id, (machine, start, end) in (job.plan or {}).items():
        j, _op = ops[op_id]
        rows.append({"op": op_id, "order": j["id"], "machine": machine, "start": _at(job, start),
                     "end": _at(job, end), "minutes": end - start, "s": start, "e": end})  # fmt: skip
    rows.sort(key=lambda r: (r["machine"], r["s"]))
    return rows


@login_required
def index(request):
    scope = scope_of(request.user)
    if not scope.own_enterprise_ids and not scope.is_admin:
        raise Http404
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = services.plan_job_create(user=request.user, name=form.cleaned_data["name"],
                                           start_date=form.cleaned_data["start_date"], upload=request.FILES["file"],
                                           time_limit=form.cleaned_data["time_limit"])  # fmt: skip
        except services.ScheduleError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("scheduling:job", job.pk)
    jobs = PlanJob.objects.visible_to(request.user)[:50]
    return render(request, "scheduling/index.html", {"form": form, "jobs": jobs})


@login_required
def template(request):
    """The empty template with one example row per sheet."""
    examples = {
        "订单": ["SO-001", "齿轮箱", 20, "2026-12-07 08:00", "2026-12-09 17:00", 2],
        "工艺路线": ["齿轮箱", 10, "车削", "车床", "A", 30, 4],
        "设备": ["CNC-01", "车床", "白班", "A"],
        "日历": ["白班", "08:00", "17:00", ""],
        "停机": ["CNC-01", "2026-12-08 08:00", "2026-12-08 10:00", "保养"],
        "换型": ["车床", "A", "B", 20],
        "冻结": ["SO-001", 10, "CNC-01", "2026-12-07 08:00"],
    }
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = "attachment; filename*=UTF-8''scheduling-template.xlsx"
    write_workbook(response, [SheetOut(name, headers, [examples[name]]) for name, headers in SHEETS.items()])
    return response


@login_required
def job(request, pk: int):
    job = _job(request.user, pk)
    if job.status == PlanJob.Status.RUNNING and services.sweep_stale(PlanJob.objects.filter(pk=job.pk)):
        job = _job(request.user, pk)  # its worker died: failed with the reason
    if request.headers.get("HX-Request"):  # the progress box polling
        if job.status in (PlanJob.Status.QUEUED, PlanJob.Status.RUNNING):
            return render(request, "scheduling/_job_progress.html", {"job": job})
        response = HttpResponse(status=204)
        response["HX-Refresh"] = "true"  # finished: the whole page, with its charts
        return response
    rows = _rows(job)
    orders = {j["id"]: j for j in job.problem.get("jobs", [])}
    late = set(job.kpis.get("late_orders", []))
    machines = [m["id"] for m in job.problem.get("machines", [])]  # idle machines too: a row each
    order_ids = list(orders)
    chart = {
        "machines": machines,
        "orders": order_ids,
        # plant-local wall-clock times sent as if UTC and drawn with useUTC: the same hours in every browser
        "bars": [[machines.index(r["machine"]), order_ids.index(r["order"]), timegm(r["start"].timetuple()) * 1000,
                  timegm(r["end"].timetuple()) * 1000, r["op"], r["order"], r["machine"], r["order"] in late]
                 for r in rows],
    }  # fmt: skip
    late_rows = [{"id": o, "due": _at(job, orders[o]["due"]) if orders[o].get("due") is not None else None,
                  "end": max((r["end"] for r in rows if r["order"] == o), default=None)}
                 for o in job.kpis.get("late_orders", [])]  # fmt: skip
    context = {
        "job": job,
        "rows": rows,
        "chart": chart,
        "late_rows": late_rows,
        "util": sorted(job.kpis.get("utilisation", {}).items()),
        "busy": job.status in (PlanJob.Status.QUEUED, PlanJob.Status.RUNNING),
        "events": [
            {
                "at": e.at,
                "text": events.describe(e),
                "status": PlanJob.Status(e.status_after).label
                if e.status_after in PlanJob.Status.values
                else e.status_after,
                "actor": e.actor,
                "reason": e.reason,
            }
            for e in job.events.select_related("actor")
        ],  # fmt: skip
        "replan_form": ReplanForm(initial={"now": _origin(job)}),
        "can_act": job.enterprise_id in scope_of(request.user).own_enterprise_ids,
    }
    return render(request, "scheduling/job.html", context)


@login_required
def export(request, pk: int):
    job = _job(request.user, pk)
    if not job.plan:
        raise Http404
    headers = [_("设备"), _("订单号"), _("工序"), _("开始"), _("结束"), _("加工（分钟）")]
    rows = [[r["machine"], r["order"], r["op"], r["start"].strftime("%Y-%m-%d %H:%M"),
             r["end"].strftime("%Y-%m-%d %H:%M"), r["minutes"]] for r in _rows(job)]  # fmt: skip
    k = job.kpis
    kpi_rows = [[_("完工时间（分钟）"), k.get("makespan")], [_("准时率"), k.get("on_time_rate")],
                [_("加权拖期（分钟）"), k.get("weighted_tardiness")], [_("换型（分钟）"), k.get("setup_minutes")],
                [_("延期订单"), "、".join(k.get("late_orders", []))]]  # fmt: skip
    util = [[m, u] for m, u in sorted(k.get("utilisation", {}).items())]
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''schedule-{job.pk}.xlsx"
    sheets = [SheetOut(_("排产计划"), headers, rows), SheetOut(_("指标"), [_("指标"), _("值")], kpi_rows),
              SheetOut(_("设备负荷"), [_("设备"), _("利用率")], util)]  # fmt: skip
    write_workbook(response, sheets)
    return response


@login_required
@require_POST
def replan(request, pk: int):
    job = _job(request.user, pk)
    form = ReplanForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("重排事件填写不完整"))
        return redirect("scheduling:job", job.pk)
    try:
        event, now = form.event(_origin(job))
        child = services.plan_job_replan(user=request.user, job=job, event=event, now=now)
    except services.ScheduleError as exc:
        messages.error(request, str(exc))
        return redirect("scheduling:job", job.pk)
    except ValidationError as exc:  # the event is incomplete: the message is the user's to fix
        messages.error(request, "；".join(exc.messages))
        return redirect("scheduling:job", job.pk)
    return redirect("scheduling:job", child.pk)
