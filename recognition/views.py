"""Recognition pages for applicants and officers: programmes (their rules in plain words, the prerequisite check
before applying, loading and opening one), the application (draft, evidence, submission, withdrawal, where it
stands and its history) and the officer's side (queue, decision, recommendation board, cultivation pool).

Thin: scoping in recognition.querysets (another region's or enterprise's object is a 404), writes in
recognition.services / recognition.evidence (which raise PermissionDenied — a 403 — for a user who may see but
not act, and ValidationError, shown as a message, for a move the chain or the rules refuse).

What the applicant reads of the review: every state change with its reason (returns, rejections, the cultivation
pool), the step, who acts and the deadline — not who the experts are, their individual scores, comments or visit
reports (officers only), nor an objector's text; the consolidated score once the application has an outcome."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core.exports import download
from core.uploads import UploadError, stored_file_response
from enterprises.models import Enterprise
from regions.models import prefix_range

from . import access, calendar, chain, evidence, exports, library, prerequisites, querysets, services
from .events import ACTION_TEXT
from .forms import ApplicationForm, DecisionForm, EvidenceForm, ProgrammeLoadForm, WithdrawForm
from .models import Application, ApplicationEvidence, Programme, ReviewTask

OTHERS_SHOWN = 200  # the queue page's other applications, latest first; the export has them all

FINAL = frozenset({chain.RECOGNISED, chain.REJECTED, chain.CULTIVATION, chain.REVOKED})


def _messages_of(error: ValidationError) -> str:
    return "；".join(error.messages)


def _programme_for_user(user, pk: int) -> Programme:
    return get_object_or_404(Programme.objects.visible_to(user).select_related("region"), pk=pk)


def _application_for_user(user, pk: int) -> Application:
    queryset = Application.objects.visible_to(user).select_related("programme__region", "enterprise__county")
    return get_object_or_404(queryset, pk=pk)


def _own_enterprises(user, programme: Programme | None = None) -> list[Enterprise]:
    scope = scope_of(user)
    own = Enterprise.objects.filter(pk__in=scope.own_enterprise_ids).select_related("county").order_by("pk")
    if programme is not None:
        own = own.filter(**prefix_range("county_id", programme.region.path))
    return list(own)


def _who(step: chain.Step) -> str:
    level = _(chain.LEVEL_NAMES[step.level])
    if step.action == "expert_review":
        text = _("%(level)s主管部门组织 %(n)s 位专家评审") % {"level": level, "n": step.experts}
        return text + (_("，含现场核查") if step.visit else "")
    return _("%(level)s主管部门") % {"level": level}


def _deadline(step: chain.Step) -> str:
    if step.action == "notice":
        return _("公示 %(n)s 个工作日") % {"n": step.notice_days}
    if step.deadline_days:
        return _("%(n)s 个工作日内办理") % {"n": step.deadline_days}
    return _("未规定")


def step_rows(rules: chain.Spec) -> list[dict]:
    """The chain in plain words: each step, what it does, who acts, its deadline and the decisions it can take."""
    order = ["pass", "return", "cultivate", "reject"]
    return [
        {"index": i, "step": s, "who": _who(s), "deadline": _deadline(s),
         "decisions": "、".join(str(ACTION_TEXT[d]) for d in order if d in s.decisions)}
        for i, s in enumerate(rules.chain)
    ]  # fmt: skip


def _calendar_note() -> str:
    if calendar.current().provisional:
        return _("期限按平台内置的暂定节假日安排折算为工作日，尚未载入官方发布的日历，仅供参考。")
    return ""


def _expert_url() -> str | None:
    try:
        return reverse("recognition:expert_tasks")
    except NoReverseMatch:
        return None


# --- programmes ---------------------------------------------------------------------------------------------------


@login_required
def home(request):
    """The programmes the user applies to, runs or takes a step in; the enterprise's applications; the officer's
    waiting work per programme."""
    scope = scope_of(request.user)
    programmes = list(Programme.objects.visible_to(request.user).select_related("region"))
    mine = []
    if scope.own_enterprise_ids:
        mine = list(
            Application.objects.filter(enterprise_id__in=scope.own_enterprise_ids)
            .select_related("programme", "enterprise")
            .order_by("-created_at")
        )
    if scope.is_authority:
        for programme in programmes:
            programme.waiting = len(querysets.queue(request.user, programme))
        counts = dict(
            Application.objects.visible_to(request.user).filter(programme__in=programmes)
            .values_list("programme_id").annotate(n=Count("pk")).order_by()
        )  # fmt: skip
        for programme in programmes:
            programme.submitted = counts.get(programme.pk, 0)
    context = {
        "programmes": programmes,
        "mine": mine,
        "is_officer": scope.is_authority,
        "can_load": scope.is_admin or any(len(p) <= 4 for p in scope.officer_paths),
        "assigned": Application.objects.visible_to(request.user).filter(
            reviews__expert__user=request.user).distinct().select_related("programme", "enterprise")
        if scope.is_expert else [],
        "expert_url": _expert_url() if scope.is_expert else None,
        "pool_size": querysets.cultivation_pool(request.user).count() if scope.is_authority else 0,
    }  # fmt: skip
    return render(request, "recognition/home.html", context)


@login_required
def programme_detail(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    rules = programme.rules
    checks = []
    for enterprise in _own_enterprises(request.user, programme):
        current = Application.objects.filter(programme=programme, enterprise=enterprise,
                                             status__in=chain.OPEN_STATES).first()  # fmt: skip
        declared = current.declared if current else {}
        check = prerequisites.check(rules, enterprise, declared)
        open_items = sum(1 for i in check.items if i.outcome != "met")
        checks.append({"enterprise": enterprise, "check": check, "application": current, "open_items": open_items})
    governs = querysets.governs_programme(request.user, programme)
    context = {
        "programme": programme,
        "rules": rules,
        "steps": step_rows(rules),
        "checks": checks,
        "accepting": services.accepting(programme),
        "governs": governs,
        "is_officer": scope_of(request.user).is_authority,
        "recommend_steps": [r for r in step_rows(rules) if r["step"].action == "recommend"],
        "calendar_note": _calendar_note(),
        "tier_name": prerequisites.tiers.TIERS.get(rules.subject, ""),
        **_rechecks(request.user, programme),
    }
    return render(request, "recognition/programme_detail.html", context)


def _rechecks(user, programme: Programme) -> dict:
    """The regions the officer may re-check for this programme, and their latest runs."""
    from .recheck_views import governed_runs, regions_to_check

    regions = regions_to_check(user, programme)
    if not regions:
        return {}
    runs = governed_runs(user).filter(programme=programme).select_related("region")[:5]
    return {"recheck_regions": regions, "recheck_runs": list(runs)}


@login_required
def programme_load(request):
    scope = scope_of(request.user)
    if not (scope.is_admin or any(len(p) <= 4 for p in scope.officer_paths)):
        raise PermissionDenied(_("只有省、市主管部门可以发布认定项目"))
    form = ProgrammeLoadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data["rules"]
        try:
            programme = services.programme_load(
                actor=request.user, region=form.cleaned_data["region"], data=data,
                opens_on=form.cleaned_data["opens_on"], closes_on=form.cleaned_data["closes_on"],
            )  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("已载入认定项目（未发布），核对规则后可开启申报"))
            return redirect("recognition:programme", pk=programme.pk)
    return render(request, "recognition/programme_load.html", {"form": form, "examples": library.shipped()},
                  status=422 if form.is_bound and form.errors else 200)  # fmt: skip


@login_required
@require_POST
def programme_status(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    status = request.POST.get("status", "")
    if status not in (Programme.Status.OPEN, Programme.Status.CLOSED):
        messages.error(request, _("无效的状态"))
    else:
        services.programme_set_status(actor=request.user, programme=programme, status=status)
        messages.success(request, _("已开启申报") if status == Programme.Status.OPEN else _("已截止申报"))
    return redirect("recognition:programme", pk=programme.pk)


@login_required
@require_POST
def application_start(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    own = _own_enterprises(request.user, programme)
    enterprise = next((e for e in own if str(e.pk) == request.POST.get("enterprise")), own[0] if own else None)
    if enterprise is None:
        raise PermissionDenied(_("只有申请企业本身可以办理"))
    try:
        application = services.application_start(actor=request.user, programme=programme, enterprise=enterprise)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect("recognition:programme", pk=programme.pk)
    messages.success(request, _("已创建申请草稿：请填写申报表、上传材料后提交"))
    return redirect("recognition:application_edit", pk=application.pk)


# --- the application ----------------------------------------------------------------------------------------------


def _standing(application: Application, events: list) -> dict:
    """Where the application stands, in words: the step, who acts, the deadline, the reason of the last turn."""
    step = application.current_step
    today = timezone.localdate()
    last = next((e for e in reversed(events) if e.action in {"return", "reject", "cultivate", "withdraw", "revoke"}),
                None)  # fmt: skip
    return {
        "step": step,
        "who": _who(step) if step else "",
        "due": application.step_due_on if application.status in (chain.IN_REVIEW, chain.RETURNED) else None,
        "overdue": bool(application.step_due_on and today > application.step_due_on
                        and application.status in (chain.IN_REVIEW, chain.RETURNED)),
        "last": last,
        "calendar_note": _calendar_note(),
    }  # fmt: skip


def _evidence_rows(application: Application, editable: bool) -> list[dict]:
    files: dict[str, list[ApplicationEvidence]] = {}
    for item in application.evidence.all():
        files.setdefault(item.code, []).append(item)
    return [
        {"item": e, "files": files.get(e.code, []),
         "form": EvidenceForm(initial={"code": e.code}, prefix=e.code) if editable else None}
        for e in application.programme.rules.evidence
    ]  # fmt: skip


def _application_page(request, application: Application, *, decision_form=None, status: int = 200):
    user = request.user
    rules = application.programme.rules
    is_applicant = access.is_applicant(user, application.enterprise_id)
    officer = querysets.sees_internals(user, application)
    editable = is_applicant and application.status in (chain.DRAFT, chain.RETURNED)
    events = querysets.history_for(user, application)
    if application.status in (chain.DRAFT, chain.RETURNED):
        check = prerequisites.check(rules, application.enterprise, application.declared)
        check_items, check_live = check.items, True
    else:
        check_items = [prerequisites.Item(**i) for i in application.prerequisites.get("items", [])]
        check_live = False
    acting = querysets.acts_now(user, application)
    step = application.current_step
    quota = None
    if acting and step.action == "recommend":
        board = querysets.recommend_board(user, application.programme, application.step)
        width = chain.LEVEL_WIDTH[step.level]
        quota = next((c for c in board if c.region.path == application.enterprise.county_id[:width]), None)
    context = {
        "a": application,
        "programme": application.programme,
        "rules": rules,
        "steps": step_rows(rules),
        "standing": _standing(application, list(application.events.all())),
        "events": events,
        "evidence": _evidence_rows(application, editable),
        "check_items": check_items,
        "check_live": check_live,
        "is_applicant": is_applicant,
        "is_officer": officer,
        "editable": editable,
        "can_withdraw": is_applicant and application.status in chain.OPEN_STATES
        and not (step and step.action in {"notice", "publish"}),
        "acting": acting,
        "decision_form": decision_form or (DecisionForm(step=step) if acting else None),
        "withdraw_form": WithdrawForm(),
        "reviews": ReviewTask.objects.filter(application=application).exclude(status=ReviewTask.Status.WITHDRAWN)
        .select_related("expert__user") if officer else [],
        "show_score": officer or application.status in FINAL,
        "quota": quota,
        "max_mb": evidence.max_bytes() // (1024 * 1024),
        "calendar_note": _calendar_note(),
        "tier_name": prerequisites.tiers.TIERS.get(rules.subject, ""),
    }  # fmt: skip
    return render(request, "recognition/application.html", context, status=status)


@login_required
def application_detail(request, pk: int):
    return _application_page(request, _application_for_user(request.user, pk))


@login_required
def application_edit(request, pk: int):
    application = _application_for_user(request.user, pk)
    access.require_applicant(request.user, application.enterprise_id)
    rules = application.programme.rules
    form = ApplicationForm(request.POST or None, rules=rules, initial=ApplicationForm.initial_for(application))
    if request.method == "POST" and form.is_valid():
        try:
            services.application_update(actor=request.user, application=application,
                                        summary=form.cleaned_data["summary"], declared=form.declared())  # fmt: skip
        except ValidationError as error:
            messages.error(request, _messages_of(error))
            return redirect("recognition:application", pk=application.pk)
        messages.success(request, _("已保存申报表"))
        return redirect("recognition:application", pk=application.pk)
    if application.status not in (chain.DRAFT, chain.RETURNED):
        messages.error(request, _("申请已提交，审核期间不能修改"))
        return redirect("recognition:application", pk=application.pk)
    context = {"a": application, "form": form, "rules": rules,
               "check": prerequisites.check(rules, application.enterprise, application.declared)}  # fmt: skip
    return render(request, "recognition/application_edit.html", context, status=422 if form.errors else 200)


@login_required
@require_POST
def evidence_upload(request, pk: int):
    application = _application_for_user(request.user, pk)
    code = request.POST.get("code", "")
    upload = request.FILES.get(f"{code}-file") or request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
        return redirect("recognition:application", pk=application.pk)
    try:
        item = evidence.evidence_attach(actor=request.user, application=application, code=code, upload=upload)
    except (UploadError, ValidationError) as error:
        text = str(error) if isinstance(error, UploadError) else _messages_of(error)
        messages.error(request, _("文件未上传：%(reason)s") % {"reason": text})
    else:
        messages.success(request, _("已上传“%(name)s”") % {"name": item.name})
    return redirect(reverse("recognition:application", args=[application.pk]) + "#evidence")


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    application = _application_for_user(request.user, pk)
    item = get_object_or_404(ApplicationEvidence, pk=evidence_pk, application=application)
    return stored_file_response(item.file, filename=item.name, content_type=evidence.content_type(item))


@login_required
@require_POST
def evidence_delete(request, pk: int, evidence_pk: int):
    application = _application_for_user(request.user, pk)
    item = get_object_or_404(ApplicationEvidence, pk=evidence_pk, application=application)
    try:
        evidence.evidence_remove(actor=request.user, evidence=item)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("已删除“%(name)s”") % {"name": item.name})
    return redirect(reverse("recognition:application", args=[application.pk]) + "#evidence")


@login_required
@require_POST
def application_submit(request, pk: int):
    application = _application_for_user(request.user, pk)
    access.require_applicant(request.user, application.enterprise_id)
    check = prerequisites.check(application.programme.rules, application.enterprise, application.declared)
    try:
        services.application_submit(actor=request.user, application=application, check=check)
    except ValidationError as error:
        messages.error(request, _("未能提交：%(reasons)s") % {"reasons": _messages_of(error)})
    else:
        messages.success(request, _("已提交，进入“%(step)s”环节") % {"step": application.current_step.name})
    return redirect("recognition:application", pk=application.pk)


@login_required
@require_POST
def application_withdraw(request, pk: int):
    application = _application_for_user(request.user, pk)
    form = WithdrawForm(request.POST)
    form.is_valid()
    try:
        services.application_withdraw(actor=request.user, application=application,
                                      reason=form.cleaned_data.get("reason", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("已撤回申请"))
    return redirect("recognition:application", pk=application.pk)


# --- officers -----------------------------------------------------------------------------------------------------


@login_required
@require_POST
def application_decide(request, pk: int):
    application = _application_for_user(request.user, pk)
    step = application.current_step
    if step is None or application.status != chain.IN_REVIEW:
        messages.error(request, _("申请不在审核中"))
        return redirect("recognition:application", pk=application.pk)
    access.require_acts_at(request.user, application.enterprise.county_id, step.level, step.name)
    form = DecisionForm(request.POST, step=step)
    if not form.is_valid():
        messages.error(request, _("请选择办理决定并写明理由"))
        return _application_page(request, application, decision_form=form, status=422)
    decision = form.cleaned_data["decision"]
    try:
        services.application_decide(actor=request.user, application=application, decision=decision,
                                    reason=form.cleaned_data["reason"])  # fmt: skip
    except ValidationError as error:
        messages.error(request, _messages_of(error))
        return redirect("recognition:application", pk=application.pk)
    messages.success(request, _("已办理：%(step)s · %(decision)s") % {"step": step.name,
                                                                      "decision": ACTION_TEXT[decision]})  # fmt: skip
    return redirect("recognition:application", pk=application.pk)


def _require_officer(user) -> None:
    if not scope_of(user).is_authority:
        raise PermissionDenied(_("本页面仅对主管部门开放"))


@login_required
def programme_queue(request, pk: int):
    _require_officer(request.user)
    programme = _programme_for_user(request.user, pk)
    today = timezone.localdate()
    waiting = querysets.queue(request.user, programme)
    for application in waiting:
        application.overdue = bool(application.step_due_on and today > application.step_due_on)
        application.due_soon = bool(application.step_due_on and not application.overdue
                                    and calendar.current().between(today, application.step_due_on) <= 2)  # fmt: skip
    others = (
        Application.objects.visible_to(request.user).filter(programme=programme)
        .exclude(pk__in=[a.pk for a in waiting]).select_related("enterprise__county")
        .order_by("-submitted_at")[:OTHERS_SHOWN]
    )  # fmt: skip
    context = {"programme": programme, "waiting": waiting, "others": others, "steps": step_rows(programme.rules),
               "calendar_note": _calendar_note(), "others_cap": OTHERS_SHOWN,
               "visible_total": exports.applications(request.user, programme).count()}  # fmt: skip
    return render(request, "recognition/queue.html", context)


@login_required
def programme_export(request, pk: int, fmt: str):
    """Every application of the programme the officer may see, as XLSX or CSV."""
    _require_officer(request.user)
    programme = _programme_for_user(request.user, pk)
    found = exports.applications(request.user, programme)
    filename = f"applications-{programme.pk}-{timezone.localtime():%Y%m%d-%H%M}"
    return download(fmt, filename, exports.headers(), exports.rows(programme, found.iterator()), _("认定申请"))


@login_required
def recommend_board(request, pk: int, step: str):
    _require_officer(request.user)
    programme = _programme_for_user(request.user, pk)
    try:
        index = programme.rules.index_of(step)
    except KeyError:
        raise Http404(_("没有这个审核环节")) from None
    if programme.rules.step(index).action != "recommend":
        raise Http404(_("该环节不是推荐环节"))
    columns = querysets.recommend_board(request.user, programme, index)
    context = {"programme": programme, "step": programme.rules.step(index), "columns": columns,
               "total_used": sum(c.used for c in columns)}  # fmt: skip
    return render(request, "recognition/recommend_board.html", context)


@login_required
def cultivation_pool(request):
    _require_officer(request.user)
    from assessments import tiers

    rows = []
    pool = list(querysets.cultivation_pool(request.user)[:200])
    reasons = {}
    for application in pool:
        reasons[application.pk] = application.events.filter(action="cultivate").values_list("reason", "at").last()
    for application in pool:
        rules = application.programme.rules
        blockers, outcome = [], None
        if rules.kind == "tier" and rules.subject in tiers.TIERS:
            evaluation, _cmmm = tiers.check(application.enterprise)
            tier = next((t for t in evaluation.tiers if t.code == rules.subject), None)
            if tier is not None:
                outcome = tier.outcome
                blockers = [c for c in tier.conditions if c.outcome != "met"]
        rows.append({"a": application, "reason": reasons.get(application.pk), "blockers": blockers,
                     "outcome": outcome, "tier": tiers.TIERS.get(rules.subject, "")})  # fmt: skip
    q = request.GET.get("q", "").strip()
    if q:
        rows = [r for r in rows if q in r["a"].enterprise.name]
    return render(request, "recognition/cultivation.html", {"rows": rows, "q": q, "verdicts": _verdicts()})


def _verdicts() -> dict:
    from maturity.conditions import VERDICTS

    return {k: _(v) for k, v in VERDICTS.items()}


@login_required
def programme_example(request, code: str):
    """A shipped example's rules file, to edit and upload as the province's own."""
    if not scope_of(request.user).is_authority:
        raise PermissionDenied(_("只有主管部门可以下载项目规则文件"))
    import yaml

    path = library.path_of(code)
    if path is None:
        raise Http404
    # The data only: the file's comments are the developers' notes on sources (tags such as [NF]), not rules.
    text = yaml.safe_dump(library.shipped()[code], allow_unicode=True, sort_keys=False, width=110)
    response = HttpResponse(text.encode("utf-8"), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response
