"""Assessment pages. Each view: permission helper → service or queryset → render. No writes here."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.uploads import stored_file_response
from enterprises.access import get_enterprise_for_user

from . import access, imports, questionnaire, results, services
from .evidence import EvidenceError, by_item
from .forms import AssessmentFilterForm, StartForm
from .models import Assessment, Evidence, ModelVersion
from .widgets import PageText, render_question

PAGE_SIZE = 50


def _attach_results(assessments) -> None:
    """Each assessment's current result as `a.result`, in one query."""
    current = {r.assessment_id: r for r in services.current_results_for([a.pk for a in assessments])}
    for a in assessments:
        a.result = current.get(a.pk)


@login_required
def assessment_list(request):
    form = AssessmentFilterForm(request.GET or None)
    qs = Assessment.objects.visible_to(request.user).select_related("enterprise", "model_version")
    if form.is_valid():
        qs = form.apply(qs)
    page = Paginator(qs.order_by("-updated_at", "-id"), PAGE_SIZE).get_page(request.GET.get("page"))
    _attach_results(page)
    context = {"form": form, "page": page, "can_import": imports.can_import(request.user)}
    return render(request, "assessments/list.html", context)


@login_required
def enterprise_panel(request, pk: int):
    """The assessment box on an enterprise's page (loaded by htmx, so the archive does not depend on this app)."""
    enterprise = get_enterprise_for_user(request.user, pk)
    items = (
        Assessment.objects.visible_to(request.user)
        .filter(enterprise=enterprise)
        .select_related("model_version")
        .order_by("-updated_at")[:20]
    )
    items = list(items)
    _attach_results(items)
    kinds = [
        k for k in Assessment.Kind if k != Assessment.Kind.VERIFIED and access.can_start(request.user, enterprise, k)
    ]
    return render(
        request,
        "assessments/_enterprise_panel.html",
        {"e": enterprise, "assessments": items, "can_start": bool(kinds)},
    )


@login_required
def assessment_start(request, pk: int):
    enterprise = get_enterprise_for_user(request.user, pk)
    kinds = [
        k for k in Assessment.Kind if k != Assessment.Kind.VERIFIED and access.can_start(request.user, enterprise, k)
    ]
    if not kinds:
        raise PermissionDenied(_("您不能为该企业发起评估"))
    form = StartForm(request.POST or None, kinds=kinds, enterprise=enterprise)
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.start(
                actor=request.user,
                enterprise=enterprise,
                version=form.cleaned_data["version"],
                kind=form.cleaned_data["kind"],
                production_type=form.cleaned_data["production_type"],
            )
        except services.AssessmentError as exc:
            form.add_error(None, str(exc))
        else:
            return redirect("assessments:fill", pk=assessment.pk)
    return render(request, "assessments/start.html", {"form": form, "e": enterprise})


@login_required
@require_POST
def assessment_verify(request, pk: int):
    original = access.get_assessment_for_user(request.user, pk)
    if not access.can_verify(request.user, original):
        raise PermissionDenied(_("您不能核验该评估"))
    version = ModelVersion.objects.filter(code=original.model_code, is_current=True).first() or original.model_version
    assessment = services.start(
        actor=request.user,
        enterprise=original.enterprise,
        version=version,
        kind=Assessment.Kind.VERIFIED,
        verifies=original,
    )
    return redirect("assessments:fill", pk=assessment.pk)


def _status_context(assessment, group_code) -> dict:
    """Progress and the group list: what the autosave status needs, without rendering any question."""
    spec = assessment.model_version.parsed()
    groups = questionnaire.groups(spec, assessment.context, assessment.answers)
    index = next((i for i, g in enumerate(groups) if g.node.code == group_code), 0)
    total = sum(g.total for g in groups)
    answered = sum(g.answered for g in groups)
    return {
        "a": assessment,
        "spec": spec,
        "groups": groups,
        "group": groups[index],
        "prev_group": groups[index - 1] if index > 0 else None,
        "next_group": groups[index + 1] if index + 1 < len(groups) else None,
        "total": total,
        "answered": answered,
        "percent": round(100 * answered / total) if total else 100,
    }


def _page_context(assessment, group_code, *, errors=None, raw=None) -> dict:
    context = _status_context(assessment, group_code)
    before = assessment.verifies.answers if assessment.verifies_id else None
    sections = questionnaire.sections(
        context["spec"],
        assessment.context,
        assessment.answers,
        context["group"].node,
        errors=errors,
        raw=raw,
        before=before,
        reasons=assessment.reasons,
        evidence=by_item(assessment),
    )
    text = PageText.for_page(assessment.pk, verifying=assessment.verifies_id is not None)
    for section in sections:
        section.html = [render_question(q, text) for q in section.questions]
    return {**context, "sections": sections, "errors": errors or {}}


def _save_from_post(request, assessment, group_code):
    spec = assessment.model_version.parsed()
    groups = {n.code: n for n in spec.nodes}
    top = groups.get(group_code) or spec.nodes[0]
    codes = questionnaire.applicable_codes(spec, assessment.context, top)
    updates, raw, problems = questionnaire.parse(spec, assessment.context, request.POST, codes)
    reasons = questionnaire.parse_reasons(request.POST, codes) if assessment.verifies_id else None
    problems.update(services.save_answers(actor=request.user, assessment=assessment, updates=updates, reasons=reasons))
    return top.code, problems, raw


@login_required
def assessment_fill(request, pk: int):
    assessment = access.get_assessment_for_user(request.user, pk, access.EDIT)
    group_code = request.POST.get("group") or request.GET.get("group") or ""
    if request.method == "POST":
        group_code, problems, raw = _save_from_post(request, assessment, group_code)
        if problems:
            messages.error(request, _("有 %(n)d 个答案未保存，请按提示修改") % {"n": len(problems)})
            return render(
                request,
                "assessments/fill.html",
                _page_context(assessment, group_code, errors=problems, raw=raw),
                status=422,
            )
        target = request.POST.get("go") or group_code
        if target == "__review__":
            return redirect("assessments:review", pk=assessment.pk)
        messages.success(request, _("已保存"))
        return redirect(f"{reverse('assessments:fill', args=[assessment.pk])}?group={target}")
    return render(request, "assessments/fill.html", _page_context(assessment, group_code))


@login_required
@require_POST
def assessment_autosave(request, pk: int):
    assessment = access.get_assessment_for_user(request.user, pk, access.EDIT)
    group_code, problems, _raw = _save_from_post(request, assessment, request.POST.get("group", ""))
    ctx = _status_context(assessment, group_code)
    ctx.update(problems=problems, saved=True)
    return render(request, "assessments/_save_status.html", ctx)


@login_required
@require_POST
def evidence_upload(request, pk: int):
    assessment = access.get_assessment_for_user(request.user, pk, access.EDIT)
    group_code, problems, raw = _save_from_post(request, assessment, request.POST.get("group", ""))
    code = request.POST.get("upload", "")
    upload = request.FILES.get(f"f:{code}")
    if upload is None:
        problems[code] = _("请选择要上传的文件")
    else:
        try:
            services.attach_evidence(actor=request.user, assessment=assessment, item_code=code, upload=upload)
        except (EvidenceError, services.AssessmentError) as exc:
            problems[code] = str(exc)
    if problems:
        messages.error(request, _("有 %(n)d 处未保存，请按提示修改") % {"n": len(problems)})
        return render(
            request,
            "assessments/fill.html",
            _page_context(assessment, group_code, errors=problems, raw=raw),
            status=422,
        )
    messages.success(request, _("已上传：%(name)s") % {"name": upload.name})
    return redirect(f"{reverse('assessments:fill', args=[assessment.pk])}?group={group_code}#item-{code}")


@login_required
@require_POST
def evidence_delete(request, pk: int, evidence_pk: int):
    assessment = access.get_assessment_for_user(request.user, pk, access.EDIT)
    ev = get_object_or_404(Evidence, pk=evidence_pk, assessment=assessment)
    services.remove_evidence(actor=request.user, assessment=assessment, evidence=ev)
    messages.success(request, _("已删除材料：%(name)s") % {"name": ev.original_name})
    return redirect(f"{reverse('assessments:fill', args=[assessment.pk])}?group={request.POST.get('group', '')}")


@login_required
def evidence_download(request, pk: int, evidence_pk: int):
    assessment = access.get_assessment_for_user(request.user, pk)
    ev = get_object_or_404(Evidence, pk=evidence_pk, assessment=assessment)
    return stored_file_response(ev.file, filename=ev.original_name, content_type=ev.content_type)


@login_required
def assessment_review(request, pk: int):
    assessment = access.get_assessment_for_user(request.user, pk, access.EDIT)
    problems: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.submit(actor=request.user, assessment=assessment)
        except services.AssessmentError as exc:
            messages.error(request, str(exc))
            problems = exc.problems
        else:
            messages.success(request, _("已提交，结果已生成"))
            return redirect("assessments:detail", pk=assessment.pk)
    review = results.review(assessment)
    return render(
        request,
        "assessments/review.html",
        {"a": assessment, "review": review, "problems": problems, "diffs": services.differences(assessment)},
        status=422 if problems else 200,
    )


@login_required
def assessment_detail(request, pk: int):
    assessment = access.get_assessment_for_user(request.user, pk)
    if assessment.is_draft:
        return redirect("assessments:fill", pk=assessment.pk)
    context = results.page(assessment, request.user)
    context["can_verify"] = access.can_verify(request.user, assessment)
    return render(request, "assessments/detail.html", context)
