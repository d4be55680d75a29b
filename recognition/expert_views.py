"""Experts' pages. For officers: the expert pool of their regions (list, search, add, edit, take out, XLSX), the
assignment page of an expert step (assign, see who was chosen and who was excluded and why, withdraw a task) and
each expert's score with the consolidated one. For experts: their workbench of tasks with deadlines, the materials
of the applications they are assigned to (anything else is a 404) and the review form.

Writes go through recognition.experts; scoping through its readers and Application.objects.visible_to."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core.exports import XLSX_TYPE, write_xlsx
from core.uploads import stored_file_response

from . import access, chain, evidence, experts, sheets
from .expert_forms import ExpertForm, ReviewForm, WithdrawTaskForm, field_choices
from .models import Application, ApplicationEvent, ApplicationEvidence, Programme, ReviewTask

EXCLUSION_NAMES = {"own_organisation": gettext_lazy("本单位回避"),
                   "served_by_provider": gettext_lazy("曾为申请单位提供服务的单位回避"),
                   "same_county": gettext_lazy("同区县回避")}  # fmt: skip
PAGE = 200


def _messages_of(error: ValidationError) -> str:
    return "；".join(error.messages)


def _officer(request) -> None:
    if not scope_of(request.user).is_authority:
        raise Http404


# --- the pool ------------------------------------------------------------------------------------------------------


def _pool(request):
    qs = experts.experts_visible_to(request.user).annotate(
        open_tasks=Count("tasks", filter=Q(tasks__status=ReviewTask.Status.ASSIGNED))
    )
    q = (request.GET.get("q") or "").strip()
    if q:
        qs = qs.filter(Q(user__display_name__icontains=q) | Q(user__username__icontains=q)
                       | Q(organisation__icontains=q) | Q(fields__icontains=q))  # fmt: skip
    if request.GET.get("active") == "0":
        qs = qs.filter(is_active=False)
    elif request.GET.get("active") != "all":
        qs = qs.filter(is_active=True)
    return qs.order_by("region_id", "user__display_name", "pk"), q


@login_required
def expert_pool(request):
    _officer(request)
    qs, q = _pool(request)
    labels = {code: label for _group, pairs in field_choices() for code, label in pairs}
    if request.GET.get("format") == "xlsx":
        response = HttpResponse(content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="experts-{timezone.localdate():%Y%m%d}.xlsx"'
        headers = [_("姓名"), _("登录用户名"), _("工作单位"), _("单位统一社会信用代码"), _("所在地区"), _("专业领域"),
                   _("在库"), _("待评审任务")]  # fmt: skip
        rows = ([str(e.user), e.user.username, e.organisation, e.organisation_code,
                 e.region.full_name if e.region else _("不限地区"), "、".join(labels.get(c, c) for c in e.fields or []),
                 _("是") if e.is_active else _("否"), e.open_tasks] for e in qs.iterator())  # fmt: skip
        write_xlsx(response, headers, rows, sheet_title=_("专家库"))
        return response
    total = qs.count()
    items = list(qs[:PAGE])
    for e in items:
        e.field_labels = [labels.get(c, c) for c in e.fields or []]
    context = {"items": items, "total": total, "q": q, "active": request.GET.get("active", "1"),
               "query": request.GET.urlencode(), "programmes": _programmes_to_staff(request.user)}  # fmt: skip
    return render(request, "recognition/expert_pool.html", context)


@login_required
def expert_new(request):
    _officer(request)
    form = ExpertForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            expert = experts.expert_create(actor=request.user, username=data["username"].strip(),
                                           display_name=data["display_name"].strip(), email=data["email"],
                                           organisation=data["organisation"].strip(),
                                           organisation_code=data["organisation_code"], region=data["region"],
                                           fields=data["fields"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("已将“%(name)s”加入专家库") % {"name": expert.user})
            return redirect("recognition:expert_pool")
    return render(request, "recognition/expert_form.html", {"form": form, "expert": None})


@login_required
def expert_edit(request, pk: int):
    _officer(request)
    expert = experts.get_expert_for_user(request.user, pk)
    form = ExpertForm(request.POST or None, user=request.user, instance=expert)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            experts.expert_update(actor=request.user, expert=expert, display_name=data["display_name"].strip(),
                                  email=data["email"], organisation=data["organisation"].strip(),
                                  organisation_code=data["organisation_code"], region=data["region"],
                                  fields=data["fields"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("已保存“%(name)s”的信息") % {"name": expert.user})
            return redirect("recognition:expert_pool")
    return render(request, "recognition/expert_form.html", {"form": form, "expert": expert})


@login_required
@require_POST
def expert_active(request, pk: int):
    _officer(request)
    expert = experts.get_expert_for_user(request.user, pk)
    active = request.POST.get("active") == "1"
    experts.expert_set_active(actor=request.user, expert=expert, active=active)
    if active:
        messages.success(request, _("“%(name)s”已恢复入库") % {"name": expert.user})
    else:
        messages.success(request, _("“%(name)s”已移出专家库，不再分配新的评审任务") % {"name": expert.user})
    return redirect("recognition:expert_pool")


# --- assignment ----------------------------------------------------------------------------------------------------


def _expert_steps(user, programme: Programme) -> list[int]:
    """Indexes of the programme's expert steps at a level the user is an officer of."""
    widths = {len(path) for path in scope_of(user).officer_paths}
    return [i for i, step in enumerate(programme.rules.chain)
            if step.action == "expert_review" and chain.LEVEL_WIDTH[step.level] in widths]  # fmt: skip


def _at_expert_step(user, programme: Programme, steps: list[int]) -> list[Application]:
    waiting = (Application.objects.visible_to(user)
               .filter(programme=programme, status=chain.IN_REVIEW, step__in=steps)
               .select_related("enterprise__county").order_by("step_due_on", "pk"))  # fmt: skip
    found = []
    for application in waiting:
        application.programme = programme
        step = application.current_step
        if access.acts_at(user, application.enterprise.county_id, step.level):
            found.append(application)
    return found


def _rows(applications: list[Application]) -> list[dict]:
    """Per application: its experts (chair first), who was excluded and why, withdrawn tasks, how many are missing."""
    ids = [a.pk for a in applications]
    tasks = defaultdict(list)
    for task in ReviewTask.objects.filter(application_id__in=ids).select_related("expert__user").order_by(
        "-is_chair", "assigned_at", "pk"
    ):  # fmt: skip
        tasks[task.application_id].append(task)
    excluded: dict[int, dict[str, list[str]]] = defaultdict(dict)
    for event in ApplicationEvent.objects.filter(application_id__in=ids, action="assign").order_by("at", "pk"):
        for entry in event.data.get("excluded", []):
            if isinstance(entry, dict):
                excluded[event.application_id][entry.get("name") or str(entry.get("expert"))] = entry["reasons"]
    rows = []
    for application in applications:
        mine = [t for t in tasks[application.pk] if t.step == application.step]
        active = [t for t in mine if t.status != ReviewTask.Status.WITHDRAWN]
        rows.append({"a": application, "step": application.current_step, "tasks": active,
                     "withdrawn": [t for t in mine if t.status == ReviewTask.Status.WITHDRAWN],
                     "missing": max(application.current_step.experts - len(active), 0),
                     "excluded": sorted(excluded[application.pk].items())})  # fmt: skip
    return rows


def _programmes_to_staff(user) -> list[Programme]:
    """Programmes with an expert step the officer runs, each with how many applications wait there (the links to
    the assignment pages)."""
    found = []
    for programme in Programme.objects.visible_to(user).exclude(status=Programme.Status.DRAFT).order_by("-year", "pk"):
        if steps := _expert_steps(user, programme):
            programme.at_step = len(_at_expert_step(user, programme, steps))
            found.append(programme)
    return found


@login_required
def expert_assign(request, pk: int):
    """The applications of a programme at an expert step the officer runs; assign experts to those selected or to
    all still short of experts."""
    _officer(request)
    programme = get_object_or_404(Programme.objects.visible_to(request.user), pk=pk)
    steps = _expert_steps(request.user, programme)
    if not steps:
        raise PermissionDenied(_("本项目没有由贵部门组织的专家评审环节"))
    applications = _at_expert_step(request.user, programme, steps)
    rows = _rows(applications)
    if request.method == "POST":
        short = {row["a"].pk for row in rows if row["missing"]}
        chosen = short if request.POST.get("all") else short & {int(x) for x in request.POST.getlist("application")
                                                                  if x.isdigit()}  # fmt: skip
        if not chosen:
            messages.error(request, _("请勾选还缺专家的申请"))
            return redirect("recognition:expert_assign", pk=programme.pk)
        try:
            result = experts.assign_experts(actor=request.user,
                                            applications=[a for a in applications if a.pk in chosen])  # fmt: skip
        except (ValidationError, PermissionDenied) as error:
            messages.error(request, _messages_of(error) if isinstance(error, ValidationError) else str(error))
        else:
            given = sum(len(v) for v in result.chosen.values())
            messages.success(request, _("已为 %(n)s 份申请分配 %(m)s 位专家") % {"n": len(chosen), "m": given})
            if result.short:
                messages.warning(request, _("%(n)s 份申请可分配的专家不足，请补充专家库后再分配")
                                 % {"n": len(result.short)})  # fmt: skip
        return redirect("recognition:expert_assign", pk=programme.pk)
    context = {"programme": programme, "rows": rows, "short": sum(1 for r in rows if r["missing"]),
               "withdraw_form": WithdrawTaskForm(auto_id=False),
               "exclusions": "、".join(str(EXCLUSION_NAMES[x]) for x in sorted(programme.rules.exclusions)),
               }  # fmt: skip
    return render(request, "recognition/expert_assign.html", context)


@login_required
@require_POST
def expert_task_withdraw(request, pk: int):
    _officer(request)
    visible = Application.objects.visible_to(request.user)
    task = get_object_or_404(ReviewTask.objects.filter(application__in=visible), pk=pk)
    form = WithdrawTaskForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请写明撤回理由"))
    else:
        try:
            experts.review_withdraw(actor=request.user, task=task, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            messages.error(request, _messages_of(error))
        else:
            messages.success(request, _("已撤回“%(name)s”的评审任务，可重新分配专家") % {"name": task.expert.user})
    return redirect("recognition:expert_assign", pk=task.application.programme_id)


# --- scores for officers -------------------------------------------------------------------------------------------


def _sheet_rows(spec, answers: dict) -> list[tuple]:
    """(question, chosen labels, points) for a submitted sheet."""
    if spec is None or not answers:
        return []
    earned = sheets.points(spec, answers)
    rows = []
    for q in sheets.questions(spec):
        value = answers.get(q.code)
        codes = value if isinstance(value, list) else [value]
        labels = [label for code, label, _p in q.options if code in codes]
        rows.append((q, labels, earned.get(q.code)))
    return rows


@login_required
def expert_scores(request, pk: int):
    """Each expert's score, comment and visit record at every expert step, with the consolidated score and its
    method. Officers only: the applicant never sees who reviewed or their scores."""
    _officer(request)
    application = get_object_or_404(Application.objects.visible_to(request.user)
                                    .select_related("programme", "enterprise"), pk=pk)  # fmt: skip
    rules = application.programme.rules
    spec = sheets.sheet_for(rules)
    blocks = []
    for index, step in enumerate(rules.chain):
        if step.action != "expert_review":
            continue
        tasks = list(application.reviews.filter(step=index).select_related("expert__user").order_by(
            "-is_chair", "assigned_at", "pk"))  # fmt: skip
        if not tasks:
            continue
        for task in tasks:
            task.sheet = _sheet_rows(spec, task.answers) if task.status == ReviewTask.Status.SUBMITTED else []
        try:
            score, waiting = experts.consolidated(application, index), ""
        except ValidationError as error:
            score, waiting = None, _messages_of(error)
        blocks.append({"step": step, "tasks": tasks, "score": score, "waiting": waiting})
    context = {"a": application, "programme": application.programme, "blocks": blocks,
               "method": experts.method_name(rules), "pass_score": rules.pass_score}  # fmt: skip
    return render(request, "recognition/expert_scores.html", context)


# --- the expert's workbench ----------------------------------------------------------------------------------------


@login_required
def expert_tasks(request):
    if not scope_of(request.user).is_expert:
        raise Http404
    tasks = list(experts.tasks_of(request.user).order_by("status", "due_on", "pk"))
    today = timezone.localdate()
    for task in tasks:
        task.overdue = task.status == ReviewTask.Status.ASSIGNED and task.due_on is not None and task.due_on < today
        task.open = task.status != ReviewTask.Status.WITHDRAWN
    waiting = sum(1 for t in tasks if t.status == ReviewTask.Status.ASSIGNED)
    return render(request, "recognition/expert_tasks.html", {"tasks": tasks, "waiting": waiting})


def _my_task(request, pk: int) -> ReviewTask:
    """The expert's own task, not withdrawn; any other (another expert's, a withdrawn one) is a 404."""
    return get_object_or_404(experts.tasks_of(request.user).exclude(status=ReviewTask.Status.WITHDRAWN), pk=pk)


def _declared(rules: chain.Spec, declared: dict) -> list[tuple[str, str]]:
    """The applicant's declared criteria as (label, value shown)."""
    rows = []
    for criterion in rules.criteria:
        value = (declared or {}).get(criterion.key)
        if value in (None, ""):
            continue
        shown = (_("是") if value else _("否")) if isinstance(value, bool) else f"{value}{criterion.unit}"
        rows.append((criterion.label, shown))
    return rows


@login_required
def expert_task(request, pk: int):
    task = _my_task(request, pk)
    application = task.application
    rules = application.programme.rules
    step = rules.step(task.step)
    spec = sheets.sheet_for(rules)
    today = timezone.localdate()
    open_ = (task.status == ReviewTask.Status.ASSIGNED and application.status == chain.IN_REVIEW
             and application.step == task.step)  # fmt: skip
    overdue = open_ and task.due_on is not None and task.due_on < today
    form = ReviewForm(request.POST or None, sheet=spec, visit=step.visit) if open_ else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, _("该评审任务已提交或已结束，不能再修改"))
            return redirect("recognition:expert_task", pk=task.pk)
        if form.is_valid():
            data = form.cleaned_data
            try:
                experts.review_submit(actor=request.user, task=task, score=data.get("score"), answers=form.answers(),
                                      comment=data["comment"], visit_report=data.get("visit_report", ""))  # fmt: skip
            except ValidationError as error:
                form.add_error(None, _messages_of(error))
            else:
                messages.success(request, _("评审意见已提交"))
                return redirect("recognition:expert_task", pk=task.pk)
        status = 400
    context = {"task": task, "a": application, "programme": application.programme, "step": step, "rules": rules,
               "form": form, "overdue": overdue, "open": open_,
               "evidence": application.evidence.all(), "declared": _declared(rules, application.declared),
               "check_items": application.prerequisites.get("items", []),
               "sheet": _sheet_rows(spec, task.answers) if task.status == ReviewTask.Status.SUBMITTED else [],
               "sheet_name": spec.name if spec else "",
               "sheet_provisional": bool(spec and spec.is_provisional)}  # fmt: skip
    return render(request, "recognition/expert_task.html", context, status=status)


@login_required
def expert_evidence(request, pk: int, evidence_pk: int):
    task = _my_task(request, pk)
    item = get_object_or_404(ApplicationEvidence, pk=evidence_pk, application_id=task.application_id)
    return stored_file_response(item.file, filename=item.name, content_type=evidence.content_type(item))
