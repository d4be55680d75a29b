"""Pool lifecycle pages: provider self-registration, officers deciding on edits waiting on listed records, the
tiered evaluation (list, scorecard, reviews, recomputation, appeals) and benchmark cases. Same shape as views.py:
validate → permission helper (catalog.access) → one service call → render or redirect."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core import throttle

from . import access, evaluation, services, workflow
from .forms import (
    GRADE_CHOICES,
    AppealDecisionForm,
    AppealForm,
    CaseForm,
    CaseVerifyForm,
    ChangeDecisionForm,
    EvaluateForm,
    RegistrationForm,
)
from .models import Case, PoolEvent, Provider, ProviderAppeal, ProviderEvaluation

REGISTRATIONS_PER_HOUR = 5  # successful applications from one address
ATTEMPTS_PER_HOUR = 30  # any posted form from one address: no probing credit codes or usernames in bulk


def register(request):
    """服务商入驻申请, open to anonymous visitors; throttled per address (core.throttle counts atomically)."""
    ip = throttle.client_ip(request)
    done_key, tried_key = f"catalog:register:done:{ip}", f"catalog:register:tried:{ip}"
    form = RegistrationForm(request.POST or None, instance=Provider())
    if request.method == "POST":
        # Places are taken before anything is written, and a refused application gives its place back: checking
        # first and counting afterwards let parallel requests all pass the check.
        if not throttle.take(tried_key, ATTEMPTS_PER_HOUR):
            return _too_often(request, form)
        if form.is_valid():
            if not throttle.take(done_key, REGISTRATIONS_PER_HOUR):
                return _too_often(request, form)
            data = form.cleaned_data
            try:
                workflow.provider_register(
                    provider=form.instance, username=data["username"], email=data["email"], password=data["password"]
                )
            except services.CatalogError as exc:
                throttle.give_back(done_key)
                for field, message in exc.problems.items():
                    form.add_error(field if field in form.fields else None, message)
            else:
                messages.success(
                    request, _("入驻申请已提交，请登录查看审核进度；注册地主管部门审核通过后将在服务商名录中显示")
                )
                return redirect("accounts:login")
    return render(request, "catalog/register.html", {"form": form})


def _too_often(request, form):
    form.add_error(None, _("申请过于频繁，请一小时后再试"))
    return render(request, "catalog/register.html", {"form": form}, status=429)


def history(**filters):
    return PoolEvent.objects.filter(**filters).select_related("actor").order_by("-at", "-id")[:100]


def field_changes(obj, model) -> list[dict]:
    """old → new per field for an officer reading the waiting edits."""
    rows = []
    for field, new in (obj.pending_changes or {}).items():
        if field == "scenarios":
            label, old = _("适用场景"), "、".join(sorted(obj.scenarios.values_list("code", flat=True)))
            new = "、".join(new)
        else:
            label, old = model._meta.get_field(field).verbose_name, getattr(obj, field)
        show = lambda v: "、".join(str(x) for x in v) if isinstance(v, list) else ("" if v is None else str(v))  # noqa: E731
        rows.append({"field": label, "old": show(old), "new": show(new)})
    return rows


def _next(request, default):
    return redirect("catalog:review") if request.POST.get("next") == "review" else default


@login_required
@require_POST
def provider_changes_review(request, pk: int):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    form = ChangeDecisionForm(request.POST)
    if form.is_valid():
        try:
            workflow.provider_changes_review(actor=request.user, provider=provider, **form.cleaned_data)
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已处理“%(name)s”的修改") % {"name": provider.name})
    return _next(request, redirect("catalog:provider_detail", pk=pk))


@login_required
@require_POST
def solution_changes_review(request, pk: int):
    solution = access.get_solution_for_user(request.user, pk, access.REVIEW)
    form = ChangeDecisionForm(request.POST)
    if form.is_valid():
        try:
            workflow.solution_changes_review(actor=request.user, solution=solution, **form.cleaned_data)
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已处理“%(title)s”的修改") % {"title": solution.title})
    return _next(request, redirect("catalog:solution_detail", pk=pk))


# Tiered evaluation -------------------------------------------------------------------------------------------------


def _evaluations_provider(user, pk) -> tuple[Provider, bool]:
    """The provider itself, the officers of its region and admins read its evaluations; others may not (403)."""
    provider = access.get_provider_for_user(user, pk)
    reviewer = Provider.objects.managed_by(user).filter(pk=pk).exists()
    if not (reviewer or provider.pk in scope_of(user).provider_ids):
        raise PermissionDenied(_("只有服务商本身和注册地主管部门可以查看评价明细"))
    return provider, reviewer


@login_required
def evaluation_list(request, pk: int):
    provider, reviewer = _evaluations_provider(request.user, pk)
    context = {
        "p": provider,
        "evaluations": provider.evaluations.all(),
        "appeals": provider.appeals.select_related("evaluation", "decided_by"),
        "reviewer": reviewer,
        "own": provider.pk in scope_of(request.user).provider_ids,
        "evaluate_form": EvaluateForm(),
        "appeal_form": AppealForm(provider=provider),
    }
    return render(request, "catalog/evaluation_list.html", context)


def breakdown(ev: ProviderEvaluation) -> list[dict]:
    """Points per scorecard part and per item, from the stored snapshot and the inputs counted then."""
    spec = evaluation.scorecard()
    items = ev.snapshot.get("items", {})
    grades = {k: str(v) for k, v in GRADE_CHOICES}
    parts = []
    for node in spec.nodes:
        rows = []
        for item in node.items:
            got = items.get(item.code, {})
            answer = ev.answers.get(item.code)
            shown = grades.get(answer, answer) if item.kind == "graded" else answer
            normalised = got.get("normalised")
            rows.append(
                {
                    "name": item.name,
                    "answer": _("不适用") if answer == "n/a" else shown,
                    "unit": "" if answer == "n/a" else getattr(item, "unit", ""),
                    "points": None if normalised is None else round(normalised * item.weight, 1),
                    "max": item.weight,
                    "counted": item.code not in evaluation.REVIEW_ITEMS,
                }
            )
        score = ev.snapshot.get("nodes", {}).get(node.code, {}).get("score")
        parts.append(
            {
                "name": node.name,
                "max": node.weight,
                "points": None if score is None else round(score * node.weight, 1),
                "items": rows,
            }
        )
    return parts


@login_required
def evaluation_detail(request, pk: int):
    ev = get_object_or_404(ProviderEvaluation.objects.select_related("provider", "evaluated_by"), pk=pk)
    try:
        provider, _reviewer = _evaluations_provider(request.user, ev.provider_id)
    except Http404:
        raise Http404(_("评价不存在或不在您的管辖范围内")) from None
    context = {"ev": ev, "p": provider, "parts": breakdown(ev), "spec": evaluation.scorecard()}
    return render(request, "catalog/evaluation_detail.html", context)


@login_required
@require_POST
def provider_evaluate(request, pk: int):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    form = EvaluateForm(request.POST)
    if form.is_valid():
        try:
            ev = evaluation.evaluate(
                actor=request.user, provider=provider, reviews=form.reviews(), period=form.cleaned_data["period"]
            )
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已评价：%(score).1f 分，%(grade)s") % {"score": ev.score, "grade": ev.grade})
    return redirect("catalog:evaluation_list", pk=pk)


@login_required
@require_POST
def recompute_region(request):
    if not access.can_review(request.user):
        raise PermissionDenied(_("只有主管部门可以重新计算评价"))
    providers = Provider.objects.managed_by(request.user).listed()
    count = evaluation.recompute_all(actor=request.user, providers=providers, period=request.POST.get("period", ""))
    messages.success(request, _("已重新计算 %(n)d 家服务商的分级评价") % {"n": count})
    return redirect("catalog:review")


@login_required
@require_POST
def appeal_create(request, pk: int):
    provider = access.get_provider_for_user(request.user, pk, access.EDIT)
    form = AppealForm(request.POST, provider=provider)
    if form.is_valid():
        try:
            evaluation.appeal(
                actor=request.user,
                provider=provider,
                text=form.cleaned_data["text"],
                evaluation=form.cleaned_data["evaluation"],
            )
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("申诉已提交，注册地主管部门处理后会在此显示结果"))
    else:
        messages.error(request, _("请写明申诉理由（至少 5 个字）"))
    return redirect("catalog:evaluation_list", pk=pk)


@login_required
@require_POST
def appeal_decide(request, pk: int):
    appeal = ProviderAppeal.objects.filter(pk=pk).first()
    if appeal is None:
        raise Http404(_("申诉不存在"))
    access.get_provider_for_user(request.user, appeal.provider_id, access.REVIEW)
    form = AppealDecisionForm(request.POST)
    if form.is_valid():
        try:
            evaluation.decide_appeal(actor=request.user, appeal=appeal, **form.cleaned_data)
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("申诉已处理：%(s)s") % {"s": appeal.get_status_display()})
    return _next(request, redirect("catalog:evaluation_list", pk=appeal.provider_id))


# Cases -------------------------------------------------------------------------------------------------------------


@login_required
def case_edit(request, pk: int | None = None):
    if pk is None:
        provider = access.own_provider(request.user)
        if provider is None:
            raise PermissionDenied(_("只有服务商用户可以添加案例"))
        case = Case(provider=provider)
    else:
        case = access.get_case_for_user(request.user, pk)
        if not (scope_of(request.user).is_admin or case.provider_id in scope_of(request.user).provider_ids):
            raise PermissionDenied(_("只有所属服务商可以修改该案例"))
        provider = case.provider
    form = CaseForm(request.POST or None, instance=case, provider=provider)
    if request.method == "POST" and form.is_valid():
        codes = [s.code for s in form.cleaned_data["scenario_codes"]]
        try:
            case = services.case_save(actor=request.user, case=form.instance, scenario_codes=codes)
        except services.CatalogError as exc:
            for field, message in exc.problems.items():
                name = {"scenarios": "scenario_codes", "metrics": "metrics_text"}.get(field, field)
                form.add_error(name if name in form.fields else None, message)
        else:
            messages.success(request, _("案例已保存"))
            return redirect("catalog:case_detail", pk=case.pk)
    return render(request, "catalog/case_form.html", {"form": form, "c": case})


@login_required
@require_POST
def case_verify(request, pk: int):
    case = access.get_case_for_user(request.user, pk)
    if not scope_of(request.user).manages_code(case.region_id):
        raise PermissionDenied(_("只有案例所在地区的主管部门可以核实案例"))
    form = CaseVerifyForm(request.POST)
    if form.is_valid():
        try:
            services.case_verify(actor=request.user, case=case, **form.cleaned_data)
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("已更新案例核实状态"))
    return redirect("catalog:case_detail", pk=pk)
