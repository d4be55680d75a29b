"""Resource-pool pages. Each view: validate → permission helper (catalog.access) → one write or query → render."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Count, Exists, OuterRef, Q
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from regions.models import IndustryDivision, Region

from . import access, events, selectors, services, workflow
from .forms import (
    DecisionForm,
    NeedForm,
    ProviderFilterForm,
    ProviderForm,
    ResponseForm,
    ReviewForm,
    SolutionFilterForm,
    SolutionForm,
)
from .lifecycle_views import field_changes, history
from .models import Need, NeedResponse, Provider, ProviderAppeal, ProviderType, Scenario, Solution

PAGE_SIZE = 20
OPEN_NEED = {Need.Status.OPEN, Need.Status.SHORTLISTED}


def _add_problems(form, exc: services.CatalogError) -> None:
    """Show a refused write next to the field it concerns, or above the form when no field of the form matches."""
    aliases = {"scenarios": "scenario_codes"}
    for field, message in exc.problems.items():
        name = aliases.get(field, field)
        form.add_error(name if name in form.fields else None, message)


def _filtered_page(request, form, qs, template: str, partial: str, extra: dict, decorate=None):
    if form.is_bound and not form.is_valid():
        qs = qs.none()
    else:
        form.is_valid()
        qs = form.apply(qs)
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    for obj in page.object_list if decorate else ():
        decorate(obj)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "query": query.urlencode(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
        **extra,
    }
    return render(request, partial if request.headers.get("HX-Request") else template, context)


def _type_names(codes: list[str]) -> list[str]:
    labels = dict(ProviderType.choices)
    return [str(labels.get(c, c)) for c in codes]


def _label_types(provider: Provider) -> None:
    provider.type_labels = _type_names(provider.types)


def _events(**filters) -> list:
    rows = list(history(**filters))
    for event in rows:
        event.kind_label = events.label(event.kind)
    return rows


@login_required
def home(request):
    user = request.user
    context = {
        "providers": Provider.objects.visible_to(user).listed().count(),
        "solutions": Solution.objects.visible_to(user).filter(status=Solution.Status.PUBLISHED).count(),
        "scenarios": Scenario.objects.count(),
        "cases": access.cases_visible_to(user).count(),
        "needs": Need.objects.visible_to(user).count(),
        "own_provider": access.own_provider(user),
        "can_review": access.can_review(user),
        "can_post_need": access.can_post_need(user),
        "pending": (
            Provider.objects.managed_by(user).filter(status=Provider.Status.PENDING).count()
            + Solution.objects.filter(
                provider__in=Provider.objects.managed_by(user), status=Solution.Status.PENDING
            ).count()
        )
        if access.can_review(user)
        else 0,
    }
    return render(request, "catalog/home.html", context)


# Providers ---------------------------------------------------------------------------------------------------------


@login_required
def provider_list(request):
    form = ProviderFilterForm(request.GET or None, user=request.user)
    qs = Provider.objects.visible_to(request.user)
    if not form.show_status:
        qs = qs.listed() | qs.filter(pk__in=scope_of(request.user).provider_ids)
    return _filtered_page(
        request, form, qs, "catalog/provider_list.html", "catalog/_provider_results.html", {}, decorate=_label_types
    )


@login_required
def provider_detail(request, pk: int):
    user = request.user
    provider = access.get_provider_for_user(user, pk)
    industries = IndustryDivision.objects.filter(code__in=provider.industries)
    context = {
        "p": provider,
        "types": _type_names(provider.types),
        "industries": industries,
        "regions_served": Region.objects.filter(code__in=provider.regions_served),
        "solutions": Solution.objects.visible_to(user).filter(provider=provider).prefetch_related("scenarios"),
        "cases": access.cases_visible_to(user).filter(provider=provider),
        "can_edit": scope_of(user).is_admin or provider.pk in scope_of(user).provider_ids,
        "can_review": Provider.objects.managed_by(user).filter(pk=pk).exists(),
        "review_form": ReviewForm(kind="provider"),
    }
    # Waiting edits are the provider's and its officers' business until approved; the directory shows the listing.
    context["changes"] = field_changes(provider, Provider) if context["can_edit"] or context["can_review"] else []
    # The history (reasons, officers' names) is for the provider itself and the officers, not the whole directory.
    context["show_history"] = context["can_edit"] or context["can_review"] or scope_of(user).is_officer
    context["events"] = _events(provider=provider) if context["show_history"] else []
    return render(request, "catalog/provider_detail.html", context)


@login_required
def provider_edit(request, pk: int):
    provider = access.get_provider_for_user(request.user, pk, access.EDIT)
    form = ProviderForm(request.POST or None, instance=Provider.objects.get(pk=provider.pk))
    if request.method == "POST" and form.is_valid():
        data = {f: form.cleaned_data[f] for f in workflow.PROVIDER_SELF_FIELDS if f in form.cleaned_data}
        try:
            saved = workflow.provider_submit(actor=request.user, provider=provider, data=data)
        except services.CatalogError as exc:
            _add_problems(form, exc)
        else:
            if saved.pending_changes:
                messages.success(request, _("修改已提交审核；审核通过前，服务商名录仍显示原有信息"))
            else:
                messages.success(request, _("已保存并提交审核；审核通过前，服务商名录中不显示您的档案"))
            return redirect("catalog:provider_detail", pk=provider.pk)
    return render(request, "catalog/provider_form.html", {"form": form, "p": provider})


@login_required
@require_POST
def provider_review(request, pk: int):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    form = ReviewForm(request.POST, kind="provider")
    if form.is_valid():
        try:
            provider = workflow.provider_review(
                actor=request.user,
                provider=provider,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            status = provider.get_status_display()
            messages.success(request, _("“%(name)s”状态已改为：%(status)s") % {"name": provider.name, "status": status})
    else:
        messages.error(request, _("请选择审核操作"))
    if request.POST.get("next") == "review":
        return redirect("catalog:review")
    return redirect("catalog:provider_detail", pk=pk)


@login_required
def review_queue(request):
    if not access.can_review(request.user):
        raise PermissionDenied(_("只有主管部门可以审核资源池"))
    managed = Provider.objects.managed_by(request.user)
    providers = list(managed.filter(status=Provider.Status.PENDING).select_related("region"))
    for provider in providers:
        _label_types(provider)
    changed = list(managed.exclude(pending_changes={}).select_related("region"))
    for provider in changed:
        provider.changes = field_changes(provider, Provider)
    changed_solutions = list(
        Solution.objects.filter(provider__in=managed).exclude(pending_changes={}).select_related("provider")
    )
    for solution in changed_solutions:
        solution.changes = field_changes(solution, Solution)
    context = {
        "providers": providers,
        "solutions": Solution.objects.filter(provider__in=managed, status=Solution.Status.PENDING).select_related(
            "provider"
        ),
        "changed_providers": changed,
        "changed_solutions": changed_solutions,
        "appeals": ProviderAppeal.objects.filter(provider__in=managed, status=ProviderAppeal.Status.OPEN)
        .select_related("provider", "evaluation")
        .order_by("created_at"),
        "provider_form": ReviewForm(kind="provider"),
        "solution_form": ReviewForm(kind="solution"),
    }
    return render(request, "catalog/review.html", context)


# Solutions ---------------------------------------------------------------------------------------------------------


@login_required
def solution_list(request):
    form = SolutionFilterForm(request.GET or None)
    qs = Solution.objects.visible_to(request.user).filter(
        Q(status=Solution.Status.PUBLISHED) | Q(provider_id__in=scope_of(request.user).provider_ids)
    )
    qs = qs.select_related("provider").prefetch_related("scenarios")
    extra = {"own_provider": access.own_provider(request.user)}
    return _filtered_page(request, form, qs, "catalog/solution_list.html", "catalog/_solution_results.html", extra)


@login_required
def solution_detail(request, pk: int):
    solution = access.get_solution_for_user(request.user, pk)
    deployments = dict(Solution.Deployment.choices)
    context = {
        "s": solution,
        "scenarios": solution.scenarios.all(),
        "industries": IndustryDivision.objects.filter(code__in=solution.industries),
        "deployments": [deployments.get(d, d) for d in solution.deployments],
        "cases": access.cases_visible_to(request.user).filter(solution=solution),
        "can_edit": scope_of(request.user).is_admin or solution.provider_id in scope_of(request.user).provider_ids,
        "can_review": Provider.objects.managed_by(request.user).filter(pk=solution.provider_id).exists(),
        "review_form": ReviewForm(kind="solution"),
    }
    context["changes"] = field_changes(solution, Solution) if context["can_edit"] or context["can_review"] else []
    context["show_history"] = context["can_edit"] or context["can_review"] or scope_of(request.user).is_officer
    context["events"] = _events(solution=solution) if context["show_history"] else []
    return render(request, "catalog/solution_detail.html", context)


@login_required
def solution_edit(request, pk: int | None = None):
    if pk is None:
        provider = access.own_provider(request.user)
        if provider is None:
            raise PermissionDenied(_("只有服务商用户可以发布解决方案"))
        solution = Solution(provider=provider)
    else:
        solution = access.get_solution_for_user(request.user, pk, access.EDIT)
    form = SolutionForm(request.POST or None, instance=solution)
    if request.method == "POST" and form.is_valid():
        codes = [s.code for s in form.cleaned_data["scenario_codes"]]
        try:
            solution = workflow.solution_submit(actor=request.user, solution=form.instance, scenario_codes=codes)
        except services.CatalogError as exc:
            _add_problems(form, exc)
        else:
            if solution.pending_changes:
                messages.success(request, _("修改已提交审核；审核通过前，名录仍显示原有内容"))
            else:
                messages.success(request, _("解决方案已保存并提交审核"))
            return redirect("catalog:solution_detail", pk=solution.pk)
    return render(request, "catalog/solution_form.html", {"form": form, "s": solution})


@login_required
@require_POST
def solution_review(request, pk: int):
    solution = access.get_solution_for_user(request.user, pk, access.REVIEW)
    form = ReviewForm(request.POST, kind="solution")
    if form.is_valid():
        try:
            workflow.solution_review(
                actor=request.user,
                solution=solution,
                action=form.cleaned_data["action"],
                reason=form.cleaned_data["reason"],
            )
        except services.CatalogError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(
                request,
                _("“%(title)s”状态已改为：%(status)s（理由：%(reason)s）")
                % {
                    "title": solution.title,
                    "status": solution.get_status_display(),
                    "reason": form.cleaned_data["reason"].strip(),
                },
            )
    else:
        messages.error(request, _("请选择审核操作"))
    if request.POST.get("next") == "review":
        return redirect("catalog:review")
    return redirect("catalog:solution_detail", pk=pk)


# Scenarios and cases -----------------------------------------------------------------------------------------------


def _industry_param(request) -> str:
    code = request.GET.get("industry", "")
    return code if IndustryDivision.objects.filter(code=code).exists() else ""


@login_required
def scenario_list(request):
    industry = _industry_param(request)
    visible = Solution.objects.visible_to(request.user).filter(status=Solution.Status.PUBLISHED)
    counts = dict(
        Scenario.objects.filter(solutions__in=visible)
        .values("code")
        .annotate(n=Count("solutions", distinct=True))
        .values_list("code", "n")
    )
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for scenario in selectors.scenarios_for_industry(industry):
        scenario.solution_count = counts.get(scenario.code, 0)
        groups[(scenario.link_code, scenario.link_name)].append(scenario)
    context = {
        "groups": [(name, items) for (_code, name), items in groups.items()],
        "industries": IndustryDivision.objects.all(),
        "industry": industry,
    }
    return render(request, "catalog/scenario_list.html", context)


@login_required
def scenario_graph(request):
    industry = _industry_param(request)
    scenarios = selectors.scenarios_for_industry(industry)
    context = {
        "graph": selectors.scenario_graph_data(scenarios),
        "count": len(scenarios),
        "industries": IndustryDivision.objects.all(),
        "industry": industry,
    }
    return render(request, "catalog/scenario_graph.html", context)


@login_required
def case_list(request):
    cases = access.cases_visible_to(request.user).select_related("provider", "industry", "region")
    page = Paginator(cases, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/case_list.html", {"page": page})


@login_required
def case_detail(request, pk: int):
    case = access.get_case_for_user(request.user, pk)
    scope = scope_of(request.user)
    context = {
        "c": case,
        "scenarios": case.scenarios.all(),
        "can_edit": scope.is_admin or case.provider_id in scope.provider_ids,
        "can_verify": scope.manages_code(case.region_id),
    }
    if context["can_edit"] or scope.is_officer:
        context["events"] = _events(kind__in=["case_saved", "case_verified"], data__case=case.pk)
    return render(request, "catalog/case_detail.html", context)


# Needs -------------------------------------------------------------------------------------------------------------


@login_required
def need_list(request):
    needs = (
        Need.objects.visible_to(request.user)
        .select_related("enterprise")
        .annotate(n=Count("responses"))
        .order_by("-created_at", "-id")
    )
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/need_list.html", {"page": page, "can_post": access.can_post_need(request.user)})


@login_required
def need_create(request):
    scope = scope_of(request.user)
    if not scope.own_enterprise_ids:
        raise PermissionDenied(_("只有企业用户可以发布需求"))
    enterprise_id = min(scope.own_enterprise_ids)
    form = NeedForm(request.POST or None, instance=Need(enterprise_id=enterprise_id))
    if request.method == "POST" and form.is_valid():
        codes = [s.code for s in form.cleaned_data["scenario_codes"]]
        try:
            need = services.need_create(
                actor=request.user, need=form.instance, scenario_codes=codes, invited=form.cleaned_data["invited"]
            )
        except services.CatalogError as exc:
            _add_problems(form, exc)
        else:
            messages.success(request, _("需求已发布，服务商响应后会显示在需求页面"))
            return redirect("catalog:need_detail", pk=need.pk)
    return render(request, "catalog/need_form.html", {"form": form})


@login_required
def need_detail(request, pk: int):
    user = request.user
    need = access.get_need_for_user(user, pk)
    scope = scope_of(user)
    own = need.enterprise_id in scope.own_enterprise_ids
    provider = access.own_provider(user)
    responses = need.responses.select_related("provider", "solution")
    if not (own or scope.is_authority):
        responses = responses.filter(provider_id__in=scope.provider_ids)  # providers see only their own answer
    mine = responses.filter(provider=provider).first() if provider else None
    context = {
        "need": need,
        "scenarios": need.scenarios.all(),
        "responses": responses,
        "own": own,
        "mine": mine,
        "can_respond": provider is not None and mine is None and need.status in OPEN_NEED,
        "response_form": ResponseForm(provider=provider),
        "decisions": workflow.DECISIONS,
        "ratings": range(1, 6),
        # Providers do not read the need's history: it names the other providers that responded.
        "events": _events(need=need) if own or scope.is_authority else None,
    }
    return render(request, "catalog/need_detail.html", context)


@login_required
@require_POST
def need_respond(request, pk: int):
    need = access.get_need_for_user(request.user, pk, access.RESPOND)
    provider = access.own_provider(request.user)
    form = ResponseForm(request.POST, provider=provider)
    if not form.is_valid():
        errors = "；".join(form.errors.get("solution", []) + form.errors.get("message", []))
        messages.error(request, _("请检查响应内容：%(errors)s") % {"errors": errors})
        return redirect("catalog:need_detail", pk=pk)
    try:
        workflow.response_create(
            actor=request.user,
            need=need,
            provider=provider,
            message=form.cleaned_data["message"],
            solution=form.cleaned_data["solution"],
        )
    except services.CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已响应该需求，企业处理后您会在收件箱看到状态"))
    return redirect("catalog:need_detail", pk=pk)


@login_required
@require_POST
def response_decide(request, pk: int):
    response = access.get_response_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择处理状态或评价"))
        return redirect("catalog:need_detail", pk=response.need_id)
    try:
        data = form.cleaned_data
        workflow.response_decide(actor=request.user, response=response, status=data["status"], rating=data["rating"])
    except services.CatalogError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已更新“%(name)s”的响应") % {"name": response.provider.name})
    return redirect("catalog:need_detail", pk=response.need_id)


@login_required
@require_POST
def need_close(request, pk: int):
    need = access.get_need_for_user(request.user, pk, access.DECIDE)
    workflow.need_close(actor=request.user, need=need)
    messages.success(request, _("需求已关闭"))
    return redirect("catalog:need_detail", pk=pk)


@login_required
def inbox(request):
    scope = scope_of(request.user)
    if not scope.provider_ids:
        raise PermissionDenied(_("收件箱仅供服务商用户使用"))
    answered = NeedResponse.objects.filter(need=OuterRef("pk"), provider_id__in=scope.provider_ids)
    needs = (
        Need.objects.visible_to(request.user)
        .exclude(enterprise_id__in=scope.own_enterprise_ids)
        .select_related("enterprise")
        .annotate(responded=Exists(answered))
        .order_by("-created_at", "-id")
    )
    page = Paginator(needs, PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "catalog/inbox.html", {"page": page})
