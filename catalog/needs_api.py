"""API of the need workflow (needs, responses, the provider inbox) and of recommendations; same house rules as
catalog/api.py, whose router serves the pools themselves."""

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext as _
from ninja import Router
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status

from accounts.policy import scope_of
from core.api import Id, Page, choices

from . import access, recommend, services, workflow
from . import schemas as sc
from .api import NEEDS, RECOMMEND, REFUSED
from .models import Need, NeedResponse, Provider, Scenario, Solution

router = Router(tags=["资源池"])

# ---------------------------------------------------------------- needs


OPEN_NEED = {Need.Status.OPEN, Need.Status.SHORTLISTED}


def _need_detail(user, pk: int) -> dict:
    need = access.get_need_for_user(user, pk)
    scope = scope_of(user)
    own = need.enterprise_id in scope.own_enterprise_ids
    responses = need.responses.select_related("provider")
    if not (own or scope.is_authority):
        responses = responses.filter(provider_id__in=scope.provider_ids)  # a provider sees only its own answer
    provider = access.own_provider(user)
    answered = provider is not None and need.responses.filter(provider=provider).exists()
    need.response_count = need.responses.count()
    data = sc.NeedOut.from_orm(need).model_dump()
    data.update(
        text=need.text,
        scenarios=list(need.scenarios.values_list("code", flat=True)),
        responses=[sc.ResponseOut.from_orm(r).model_dump() for r in responses],
        own=own,
        can_respond=provider is not None and not answered and need.status in OPEN_NEED,
    )
    return data


@router.get("/needs", response=list[sc.NeedOut], tags=[NEEDS], summary="需求列表（按用户权限范围）")
@paginate(Page)
def list_needs(request, status: choices(Need.Status) | None = None):
    needs = Need.objects.visible_to(request.user).select_related("enterprise")
    if status:
        needs = needs.filter(status=status)
    return needs.annotate(response_count=Count("responses", distinct=True)).order_by("-created_at", "-id")


@router.get("/needs/{pk}", response=sc.NeedDetailOut, tags=[NEEDS], summary="需求详情（含响应）")
def get_need(request, pk: Id):
    return _need_detail(request.user, pk)


@router.post("/needs", response={201: sc.NeedDetailOut, **REFUSED}, tags=[NEEDS], summary="发布需求（企业用户）")
def create_need(request, payload: sc.NeedIn):
    user = request.user
    own = scope_of(user).own_enterprise_ids
    if not own:
        raise HttpError(403, _("只有企业用户可以发布需求"))
    enterprise_id = payload.enterprise_id if payload.enterprise_id is not None else min(own)
    if enterprise_id not in own:
        raise HttpError(403, _("只能为本企业发布需求"))
    if bad := sorted(set(payload.deployments) - set(Solution.Deployment.values)):
        raise services.CatalogError({"deployments": _("未知的部署方式：%(codes)s") % {"codes": "、".join(bad)}})
    invited = []
    if payload.visibility == Need.Visibility.INVITED:
        invited = list(Provider.objects.listed().filter(pk__in=payload.invited_ids))
        if not payload.invited_ids:
            raise services.CatalogError({"invited_ids": _("请选择至少一家受邀服务商")})
        if missing := sorted(set(payload.invited_ids) - {p.pk for p in invited}):
            ids = "、".join(map(str, missing))
            raise services.CatalogError({"invited_ids": _("不在服务商名录中：%(ids)s") % {"ids": ids}})
    need = Need(
        enterprise_id=enterprise_id,
        **payload.model_dump(exclude={"enterprise_id", "scenario_codes", "invited_ids"}),
    )
    need = services.need_create(actor=user, need=need, scenario_codes=payload.scenario_codes, invited=invited)
    return Status(201, _need_detail(user, need.pk))


@router.post(
    "/needs/{pk}/responses",
    response={201: sc.ResponseOut, **REFUSED},
    tags=[NEEDS],
    summary="响应需求（服务商，每家一次）",
)
def respond_to_need(request, pk: Id, payload: sc.RespondIn):
    need = access.get_need_for_user(request.user, pk, access.RESPOND)
    provider = access.own_provider(request.user)
    solution = None
    if payload.solution_id is not None:
        solution = provider.solutions.exclude(status=Solution.Status.WITHDRAWN).filter(pk=payload.solution_id).first()
        if solution is None:
            raise services.CatalogError({"solution": _("只能附上本单位的解决方案")})
    response = workflow.response_create(
        actor=request.user, need=need, provider=provider, message=payload.message, solution=solution
    )
    return Status(201, NeedResponse.objects.select_related("provider").get(pk=response.pk))


@router.post(
    "/responses/{pk}/decision",
    response={200: sc.ResponseOut, **REFUSED},
    tags=[NEEDS],
    summary="处理响应：入围、对接、签约、未采纳，及 1–5 星评价（发布需求的企业）",
)
def decide_response(request, pk: Id, payload: sc.DecisionIn):
    response = access.get_response_for_user(request.user, pk)
    if not payload.status and payload.rating is None:
        raise services.CatalogError({"": _("请选择处理状态或评价")})
    workflow.response_decide(actor=request.user, response=response, status=payload.status, rating=payload.rating)
    return NeedResponse.objects.select_related("provider").get(pk=pk)


@router.post("/needs/{pk}/close", response={200: sc.NeedDetailOut, **REFUSED}, tags=[NEEDS], summary="关闭需求")
def close_need(request, pk: Id, payload: sc.CloseIn | None = None):
    need = access.get_need_for_user(request.user, pk, access.DECIDE)
    workflow.need_close(actor=request.user, need=need, reason=payload.reason if payload else "")
    return _need_detail(request.user, pk)


@router.get(
    "/inbox",
    response={200: list[sc.InboxNeedOut], 403: sc.Problem},
    tags=[NEEDS],
    summary="服务商收件箱：匹配或共享给本单位的需求",
)
@paginate(Page)
def inbox(request):
    scope = scope_of(request.user)
    if not scope.provider_ids:
        raise HttpError(403, _("收件箱仅供服务商用户使用"))
    answered = NeedResponse.objects.filter(need=OuterRef("pk"), provider_id__in=scope.provider_ids)
    return (
        Need.objects.visible_to(request.user)
        .exclude(enterprise_id__in=scope.own_enterprise_ids)
        .select_related("enterprise")
        .annotate(responded=Exists(answered), response_count=Count("responses", distinct=True))
        .order_by("-created_at", "-id")
    )


# ---------------------------------------------------------------- recommendations


def _rows(user, ranked) -> list[dict]:
    """Engine results the user may open (the engine ranks the whole directory; scope still applies)."""
    visible = Solution.objects.visible_to(user).select_related("provider").in_bulk([int(r.solution_id) for r in ranked])
    rows = []
    for r in ranked:
        solution = visible.get(int(r.solution_id))
        if solution is None:
            continue
        rows.append(
            {
                "rank": r.rank,
                "solution_id": solution.pk,
                "solution_title": solution.title,
                "provider_id": solution.provider_id,
                "provider_name": solution.provider.name,
                "score": r.score,
                "signals": r.signals,
                "breakdown": r.breakdown,
                "reasons": r.reasons,
                "explanation": r.explanation,
                "relevance": r.relevance,
                "confidence": r.confidence,
                "cautions": list(r.cautions),
            }
        )
    return rows


@router.get(
    "/needs/{pk}/recommendations",
    response={200: list[sc.RecommendationOut], 403: sc.Problem},
    tags=[RECOMMEND],
    summary="为需求推荐解决方案（含得分构成与“为什么推荐”）",
)
def recommend_for_need(request, pk: Id, k: int = 10):
    user = request.user
    need = access.get_need_for_user(user, pk)
    scope = scope_of(user)
    if not (scope.is_authority or need.enterprise_id in scope.own_enterprise_ids):
        raise HttpError(403, _("只有发布需求的企业和主管部门可以查看推荐"))
    return _rows(user, recommend.for_need(need, k=max(1, min(k, 50))))


@router.get(
    "/needs/{pk}/recommendations/details",
    response={200: sc.NeedRecommendationsOut, 403: sc.Problem},
    tags=[RECOMMEND],
    summary="为需求推荐解决方案，附“资源池中暂无匹配的方案”的原因与下一步，以及（按需）落选的相关方案",
)
def recommend_for_need_details(request, pk: Id, k: int = 10, near_misses: bool = False):
    user = request.user
    need = access.get_need_for_user(user, pk)
    scope = scope_of(user)
    if not (scope.is_authority or need.enterprise_id in scope.own_enterprise_ids):
        raise HttpError(403, _("只有发布需求的企业和主管部门可以查看推荐"))
    found = recommend.for_need_ranking(need, k=max(1, min(k, 50)), near_misses=10 if near_misses else 0)
    visible = (
        Solution.objects.visible_to(user)
        .select_related("provider")
        .in_bulk([int(m.solution_id) for m in found.near_misses])
    )
    misses = [
        {
            "solution_id": s.pk, "solution_title": s.title, "provider_id": s.provider_id,
            "provider_name": s.provider.name, "relevance": m.relevance, "reasons": recommend.readable(m.reasons),
        }
        for m in found.near_misses
        if (s := visible.get(int(m.solution_id))) is not None
    ]  # fmt: skip
    nothing = found.abstention
    return {
        "need_id": need.pk,
        "recommendations": _rows(user, found.recommendations),
        "abstention": nothing and vars(nothing),
        "excluded": dict(found.excluded),
        "why_few": found.why_few(),
        "near_misses": misses,
    }  # fmt: skip


@router.get(
    "/assessments/{pk}/recommendations",
    response=sc.AssessmentRecommendationsOut,
    tags=[RECOMMEND],
    summary="按评估结果的差距推荐解决方案",
)
def recommend_for_assessment(request, pk: Id, k: int = 10):
    from assessments.access import get_assessment_for_user
    from assessments.import_results import full_snapshot
    from assessments.services import current_result

    assessment = get_assessment_for_user(request.user, pk)
    result = current_result(assessment)
    if result is None:
        raise HttpError(404, _("评估尚未提交，还没有结果"))
    found = recommend.for_assessment(assessment, full_snapshot(result), k=max(1, min(k, 50)))
    names = dict(Scenario.objects.filter(code__in=[c for c, _w in found.scenarios]).values_list("code", "name"))
    return {
        "assessment_id": assessment.pk,
        "gaps": [{"scenario_code": c, "scenario_name": names.get(c, c), "weight": w} for c, w in found.scenarios],
        "recommendations": _rows(request.user, found.recommendations),
    }
