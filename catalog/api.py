"""JSON API for the resource pools: the same scope, permission helpers, filters and services as the pages.

Out of scope → 404, visible but not allowed → 403, refused by the pool rules (`services.CatalogError`) → 422 with a
Chinese `detail` and `problems` keyed by field ("" for the record as a whole); `refused` below is that one mapping,
registered on the API in tidu/api.py. Handlers never write models: every change goes through a service."""

from django.db.models import Count
from django.http import JsonResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

import maturity
from accounts.policy import scope_of
from core.api import Id, Page
from regions.models import IndustryDivision, Region

from . import access, evaluation, selectors, services, workflow
from . import schemas as sc
from .forms import ProviderFilterForm, SolutionFilterForm
from .models import Provider, ProviderEvaluation, Scenario, Solution

PROVIDERS, SOLUTIONS, SCENARIOS, NEEDS, RECOMMEND = (
    "资源池 · 服务商",
    "资源池 · 解决方案",
    "资源池 · 场景与案例",
    "资源池 · 需求对接",
    "资源池 · 推荐",
)
router = Router(tags=["资源池"])
REFUSED = {422: sc.ProblemOut}


def refused(request, exc: services.CatalogError) -> JsonResponse:
    """The one mapping of a refused pool write to HTTP (registered on the API for `services.CatalogError`)."""
    return JsonResponse(
        {"detail": str(exc), "problems": exc.problems}, status=422, json_dumps_params={"ensure_ascii": False}
    )


def _form_problems(form) -> services.CatalogError:
    """A filter the page's form would refuse, refused the same way (the form's own Chinese messages)."""
    return services.CatalogError({field: "；".join(errors) for field, errors in form.errors.items()})


def _query_data(filters) -> dict[str, str]:
    """Query parameters as the page's filter form reads them: unset ones left out, false flags not sent."""
    return {k: str(v) for k, v in filters.dict().items() if v is not None and v is not False}


# ---------------------------------------------------------------- providers


def _can_edit_provider(user, provider: Provider) -> bool:
    scope = scope_of(user)
    return scope.is_admin or provider.pk in scope.provider_ids


def _can_review_provider(user, provider: Provider) -> bool:
    return Provider.objects.managed_by(user).filter(pk=provider.pk).exists()


def _contact_visible(user, provider: Provider) -> bool:
    """The provider page shows the contact to everyone who may see the record (the directory exists so that
    enterprises can reach providers); one place to narrow it if the page ever does."""
    return Provider.objects.visible_to(user).filter(pk=provider.pk).exists()


def _provider_detail(user, provider: Provider) -> dict:
    can_edit, can_review = _can_edit_provider(user, provider), _can_review_provider(user, provider)
    data = sc.ProviderOut.from_orm(provider).model_dump()
    contact = None
    if _contact_visible(user, provider):
        contact = {"name": provider.contact_name, "phone": provider.contact_phone, "email": provider.contact_email}
    data.update(
        description=provider.description,
        qualifications=provider.qualifications,
        staff=provider.staff,
        status_reason=provider.status_reason,
        contact=contact,
        pending_changes=provider.pending_changes if can_edit or can_review else None,
        solution_count=Solution.objects.visible_to(user).filter(provider=provider).count(),
        case_count=access.cases_visible_to(user).filter(provider=provider).count(),
        can_edit=can_edit,
        can_review=can_review,
    )
    return data


def _fresh_provider_detail(user, pk: int) -> dict:
    return _provider_detail(user, access.get_provider_for_user(user, pk))


@router.get("/providers", response=list[sc.ProviderOut], tags=[PROVIDERS], summary="服务商列表（名录与本人管辖范围）")
@paginate(Page)
def list_providers(request, filters: Query[sc.ProviderFilter]):
    user = request.user
    form = ProviderFilterForm(_query_data(filters), user=user)
    if not form.is_valid():
        raise _form_problems(form)
    qs = Provider.objects.visible_to(user)
    if not form.show_status:  # as on the page: the directory, plus the user's own provider in any status
        qs = qs.listed() | qs.filter(pk__in=scope_of(user).provider_ids)
    return form.apply(qs)


@router.get("/providers/{pk}", response=sc.ProviderDetailOut, tags=[PROVIDERS], summary="服务商详情")
def get_provider(request, pk: Id):
    return _fresh_provider_detail(request.user, pk)


@router.post(
    "/providers", response={201: sc.ProviderDetailOut, **REFUSED}, tags=[PROVIDERS], summary="登记服务商（主管部门）"
)
def create_provider(request, payload: sc.ProviderIn):
    user = request.user
    if not access.can_review(user):
        raise HttpError(403, _("只有主管部门或平台管理员可以登记服务商"))
    if not Region.objects.filter(pk=payload.region_code, is_active=True).exists():
        raise services.CatalogError({"region_code": _("未知的区划代码：%(code)s") % {"code": payload.region_code}})
    if not scope_of(user).manages_code(payload.region_code):
        raise HttpError(403, _("该注册地不在您的管辖范围内"))
    fields = payload.model_dump(exclude={"region_code"})
    provider = services.provider_create(actor=user, provider=Provider(region_id=payload.region_code, **fields))
    return Status(201, _fresh_provider_detail(user, provider.pk))


@router.patch(
    "/providers/{pk}",
    response={200: sc.ProviderDetailOut, **REFUSED},
    tags=[PROVIDERS],
    summary="服务商修改本单位档案（提交审核）",
)
def update_provider(request, pk: Id, payload: sc.ProviderPatch):
    provider = access.get_provider_for_user(request.user, pk, access.EDIT)
    data = payload.model_dump(exclude_unset=True)
    blanks = {"types": [], "industries": [], "regions_served": []}
    data = {k: (blanks.get(k, "") if v is None and k != "staff" else v) for k, v in data.items()}
    workflow.provider_submit(actor=request.user, provider=provider, data=data)
    return _fresh_provider_detail(request.user, pk)


@router.post(
    "/providers/{pk}/review",
    response={200: sc.ProviderDetailOut, **REFUSED},
    tags=[PROVIDERS],
    summary="审核服务商：发布、警示、暂停或移出（须填理由）",
)
def review_provider(request, pk: Id, payload: sc.ProviderReviewIn):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    workflow.provider_review(actor=request.user, provider=provider, action=payload.action, reason=payload.reason)
    return _fresh_provider_detail(request.user, pk)


@router.post(
    "/providers/{pk}/changes/review",
    response={200: sc.ProviderDetailOut, **REFUSED},
    tags=[PROVIDERS],
    summary="审核已发布服务商提交的修改：采纳或驳回（须填理由）",
)
def review_provider_changes(request, pk: Id, payload: sc.ChangesReviewIn):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    workflow.provider_changes_review(
        actor=request.user, provider=provider, approve=payload.approve, reason=payload.reason
    )
    return _fresh_provider_detail(request.user, pk)


def _provider_for_history(user, pk: int) -> Provider:
    """Evaluations and appeals are the provider's own business and its reviewers'; the directory shows the grade."""
    provider = access.get_provider_for_user(user, pk)
    if not (_can_edit_provider(user, provider) or _can_review_provider(user, provider)):
        raise HttpError(403, _("只有服务商本身和注册地主管部门可以查看评价记录"))
    return provider


@router.get(
    "/providers/{pk}/evaluations",
    response={200: list[sc.EvaluationOut], 403: sc.Problem},
    tags=[PROVIDERS],
    summary="服务商分级评价记录",
)
def list_evaluations(request, pk: Id):
    provider = _provider_for_history(request.user, pk)
    return provider.evaluations.select_related("evaluated_by")


@router.post(
    "/providers/{pk}/evaluations",
    response={201: sc.EvaluationOut, **REFUSED},
    tags=[PROVIDERS],
    summary="重新计算分级评价（注册地主管部门）",
)
def recompute_evaluation(request, pk: Id, payload: sc.EvaluateIn):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    try:
        done = evaluation.evaluate(
            actor=request.user, provider=provider, reviews=payload.reviews, period=payload.period
        )
    except maturity.ScoringError as exc:  # a review grade that is not one of the scorecard's options
        raise services.CatalogError({"reviews": str(exc)}) from exc
    return Status(201, done)


@router.get(
    "/providers/{pk}/appeals",
    response={200: list[sc.AppealOut], 403: sc.Problem},
    tags=[PROVIDERS],
    summary="服务商的申诉",
)
def list_appeals(request, pk: Id):
    return _provider_for_history(request.user, pk).appeals.all()


@router.post(
    "/providers/{pk}/appeals",
    response={201: sc.AppealOut, **REFUSED},
    tags=[PROVIDERS],
    summary="对评价或处理结果提出申诉（服务商本身）",
)
def file_appeal(request, pk: Id, payload: sc.AppealIn):
    provider = access.get_provider_for_user(request.user, pk, access.EDIT)
    evaluated = None
    if payload.evaluation_id is not None:
        evaluated = ProviderEvaluation.objects.filter(pk=payload.evaluation_id).first()
        if evaluated is None or evaluated.provider_id != provider.pk:
            raise services.CatalogError({"evaluation_id": _("只能对本单位的评价提出申诉")})
    try:
        filed = evaluation.appeal(actor=request.user, provider=provider, text=payload.text, evaluation=evaluated)
    except ValueError as exc:  # evaluation.py refuses with plain ValueErrors (Chinese messages)
        raise services.CatalogError({"text": str(exc)}) from exc
    return Status(201, filed)


@router.post(
    "/providers/{pk}/appeals/{appeal_pk}/decision",
    response={200: sc.AppealOut, **REFUSED},
    tags=[PROVIDERS],
    summary="处理申诉（注册地主管部门）",
)
def decide_appeal(request, pk: Id, appeal_pk: Id, payload: sc.AppealDecisionIn):
    provider = access.get_provider_for_user(request.user, pk, access.REVIEW)
    appeal = get_object_or_404(provider.appeals, pk=appeal_pk)
    try:
        return evaluation.decide_appeal(
            actor=request.user, appeal=appeal, accept=payload.accept, decision=payload.decision
        )
    except ValueError as exc:
        raise services.CatalogError({"decision": str(exc)}) from exc


# ---------------------------------------------------------------- solutions


def _solution_detail(user, pk: int) -> dict:
    solution = access.get_solution_for_user(user, pk)
    scope = scope_of(user)
    can_edit = scope.is_admin or solution.provider_id in scope.provider_ids
    can_review = Provider.objects.managed_by(user).filter(pk=solution.provider_id).exists()
    data = sc.SolutionOut.from_orm(solution).model_dump()
    data.update(
        description=solution.description,
        outcomes=solution.outcomes,
        status_reason=solution.status_reason,
        pending_changes=solution.pending_changes if can_edit or can_review else None,
        case_count=access.cases_visible_to(user).filter(solution=solution).count(),
        can_edit=can_edit,
        can_review=can_review,
    )
    return data


@router.get("/solutions", response=list[sc.SolutionOut], tags=[SOLUTIONS], summary="解决方案列表")
@paginate(Page)
def list_solutions(request, filters: Query[sc.SolutionFilter]):
    form = SolutionFilterForm(_query_data(filters.model_copy(update={"status": None})))
    if not form.is_valid():
        raise _form_problems(form)
    user = request.user
    qs = Solution.objects.visible_to(user)
    if filters.status and access.can_review(user):  # the review queue: officers see their region's in any status
        qs = qs.filter(status=filters.status)
    else:  # as on the page: published ones, plus the user's own provider's in any status
        qs = qs.filter(status=Solution.Status.PUBLISHED) | qs.filter(provider_id__in=scope_of(user).provider_ids)
    return form.apply(qs).select_related("provider").prefetch_related("scenarios")


@router.get("/solutions/{pk}", response=sc.SolutionDetailOut, tags=[SOLUTIONS], summary="解决方案详情")
def get_solution(request, pk: Id):
    return _solution_detail(request.user, pk)


@router.post(
    "/solutions",
    response={201: sc.SolutionDetailOut, 404: sc.Problem, **REFUSED},
    tags=[SOLUTIONS],
    summary="发布解决方案（服务商，提交审核）",
)
def create_solution(request, payload: sc.SolutionIn):
    user = request.user
    if payload.provider_id is not None:
        provider = access.get_provider_for_user(user, payload.provider_id, access.EDIT)
    else:
        provider = access.own_provider(user)
        if provider is None:
            raise HttpError(403, _("只有服务商用户可以发布解决方案"))
    fields = payload.model_dump(exclude={"provider_id", "scenario_codes"})
    solution = workflow.solution_submit(
        actor=user, solution=Solution(provider=provider, **fields), scenario_codes=payload.scenario_codes
    )
    return Status(201, _solution_detail(user, solution.pk))


@router.patch(
    "/solutions/{pk}",
    response={200: sc.SolutionDetailOut, **REFUSED},
    tags=[SOLUTIONS],
    summary="修改解决方案（所属服务商，提交审核）",
)
def update_solution(request, pk: Id, payload: sc.SolutionPatch):
    solution = access.get_solution_for_user(request.user, pk, access.EDIT)
    data = payload.model_dump(exclude_unset=True)
    codes = data.pop("scenario_codes", None)
    if codes is None:
        codes = list(solution.scenarios.values_list("code", flat=True))
    lists = {"industries", "sizes", "tiers", "deployments", "outcomes"}
    flags = {"lightweight", "first_version_software", "first_set_equipment", "ai_capability"}
    for field, value in data.items():
        if value is None and field in lists:
            value = []
        elif value is None and field in flags:
            value = False
        elif value is None and field in {"title", "description"}:
            value = ""
        setattr(solution, field, value)  # on the unsaved instance only: the service validates and saves
    workflow.solution_submit(actor=request.user, solution=solution, scenario_codes=codes)
    return _solution_detail(request.user, pk)


@router.post(
    "/solutions/{pk}/review",
    response={200: sc.SolutionDetailOut, **REFUSED},
    tags=[SOLUTIONS],
    summary="审核解决方案：发布或下架（须填理由）",
)
def review_solution(request, pk: Id, payload: sc.SolutionReviewIn):
    solution = access.get_solution_for_user(request.user, pk, access.REVIEW)
    workflow.solution_review(actor=request.user, solution=solution, action=payload.action, reason=payload.reason)
    return _solution_detail(request.user, pk)


@router.post(
    "/solutions/{pk}/changes/review",
    response={200: sc.SolutionDetailOut, **REFUSED},
    tags=[SOLUTIONS],
    summary="审核已发布方案提交的修改：采纳或驳回（须填理由）",
)
def review_solution_changes(request, pk: Id, payload: sc.ChangesReviewIn):
    solution = access.get_solution_for_user(request.user, pk, access.REVIEW)
    workflow.solution_changes_review(
        actor=request.user, solution=solution, approve=payload.approve, reason=payload.reason
    )
    return _solution_detail(request.user, pk)


# ---------------------------------------------------------------- scenarios and cases


def _industry(code: str | None) -> str:
    if code and not IndustryDivision.objects.filter(code=code).exists():
        raise services.CatalogError({"industry": _("未知的行业代码：%(codes)s") % {"codes": code}})
    return code or ""


def _solution_counts(user) -> dict[str, int]:
    visible = Solution.objects.visible_to(user).filter(status=Solution.Status.PUBLISHED)
    return dict(
        Scenario.objects.filter(solutions__in=visible)
        .values("code")
        .annotate(n=Count("solutions", distinct=True))
        .values_list("code", "n")
    )


@router.get("/scenarios", response=list[sc.ScenarioOut], tags=[SCENARIOS], summary="典型场景（可按行业筛选）")
def list_scenarios(request, industry: str | None = None, link: str | None = None):
    counts = _solution_counts(request.user)
    scenarios = selectors.scenarios_for_industry(_industry(industry))
    if link:
        scenarios = [s for s in scenarios if s.link_code == link]
    for s in scenarios:
        s.solution_count = counts.get(s.code, 0)
    return scenarios


@router.get("/scenarios/graph", response=sc.GraphOut, tags=[SCENARIOS], summary="场景图谱数据（与图谱页面相同）")
def scenario_graph(request, industry: str | None = None):
    scenarios = selectors.scenarios_for_industry(_industry(industry))
    return {"count": len(scenarios), **selectors.scenario_graph_data(scenarios)}


def _closed_codes(scenario: Scenario) -> list[dict]:
    """The maturity codes a scenario closes, named from each model's current version where it has them."""
    from assessments.models import ModelVersion

    closes = scenario.closes if isinstance(scenario.closes, dict) else {"": scenario.closes or []}
    rows = []
    for model, codes in closes.items():
        version = ModelVersion.objects.current().filter(code=model).first() if model else None
        names = _node_and_item_names(version.parsed().nodes) if version else {}
        rows += [{"model": model, "code": code, "name": names.get(code, "")} for code in dict.fromkeys(codes)]
    return rows


def _node_and_item_names(nodes) -> dict[str, str]:
    names: dict[str, str] = {}
    for node in nodes:
        names[node.code] = node.name
        names.update({item.code: item.name for item in node.items})
        names.update(_node_and_item_names(node.children))
    return names


@router.get(
    "/scenarios/{code}", response=sc.ScenarioDetailOut, tags=[SCENARIOS], summary="场景详情（含对应的模型条目）"
)
def get_scenario(request, code: str):
    scenario = get_object_or_404(Scenario, pk=code)
    scenario.solution_count = _solution_counts(request.user).get(scenario.code, 0)
    data = sc.ScenarioOut.from_orm(scenario).model_dump()
    extra = {"description": scenario.description, "keywords": scenario.keywords, "closes": _closed_codes(scenario)}
    return {**data, **extra}


@router.get("/cases", response=list[sc.CaseOut], tags=[SCENARIOS], summary="标杆案例列表")
@paginate(Page)
def list_cases(request):
    return access.cases_visible_to(request.user).select_related("provider")


@router.get("/cases/{pk}", response=sc.CaseDetailOut, tags=[SCENARIOS], summary="标杆案例详情")
def get_case(request, pk: Id):
    return access.get_case_for_user(request.user, pk)
