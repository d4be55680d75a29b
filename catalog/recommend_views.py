"""“Find solutions” pages (为什么推荐): for an assessment's gaps and for a posted need, each with its relevance,
what it misses, "资源池中暂无匹配的方案" when nothing fits, and near misses on request (``?near=1``)."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from assessments.access import get_assessment_for_user
from assessments.import_results import full_snapshot
from assessments.services import current_result

from . import access, recommend
from .models import Scenario, Solution

NEAR_MISSES = 10


def _wants_near_misses(request) -> bool:
    return request.GET.get("near") == "1"


def _visible_rows(user, items) -> list[tuple[object, Solution]]:
    """Engine results paired with the solutions the user may open (the engine ranks the whole pool)."""
    visible = Solution.objects.visible_to(user).select_related("provider").in_bulk([int(r.solution_id) for r in items])
    return [(r, visible[int(r.solution_id)]) for r in items if int(r.solution_id) in visible]


def _near_rows(user, misses) -> list[tuple[dict, Solution]]:
    rows = _visible_rows(user, misses)
    return [({"reasons": recommend.readable(m.reasons), "relevance": m.relevance}, s) for m, s in rows]


@login_required
def for_assessment(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    result = current_result(assessment)
    if result is None:
        return render(request, "catalog/recommend_assessment.html", {"a": assessment, "result": None})
    near = _wants_near_misses(request)
    found = recommend.for_assessment(assessment, full_snapshot(result), near_misses=NEAR_MISSES if near else 0)
    scenarios = Scenario.objects.in_bulk([code for code, _ in found.scenarios])
    context = {
        "a": assessment,
        "result": result,
        "gaps": [(scenarios[code], weight) for code, weight in found.scenarios if code in scenarios],
        "rows": _visible_rows(request.user, found.recommendations),
        "abstention": found.abstention,
        "near": near,
        "near_rows": _near_rows(request.user, found.near_misses),
    }
    return render(request, "catalog/recommend_assessment.html", context)


@login_required
def for_need(request, pk: int):
    user = request.user
    need = access.get_need_for_user(user, pk)
    scope = scope_of(user)
    if not (scope.is_authority or need.enterprise_id in scope.own_enterprise_ids):
        raise PermissionDenied(_("只有发布需求的企业和主管部门可以查看推荐"))
    near = _wants_near_misses(request)
    found = recommend.for_need_ranking(need, near_misses=NEAR_MISSES if near else 0)
    context = {
        "need": need,
        "rows": _visible_rows(user, found.recommendations),
        "abstention": found.abstention,
        "why_few": found.why_few(),
        "near": near,
        "near_rows": _near_rows(user, found.near_misses),
    }
    return render(request, "catalog/recommend_need.html", context)
