"""“Find solutions for these gaps” (为什么推荐): recommendations for an assessment the user can see."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from assessments.access import get_assessment_for_user
from assessments.import_results import full_snapshot
from assessments.services import current_result

from . import recommend
from .models import Scenario, Solution


@login_required
def for_assessment(request, pk: int):
    assessment = get_assessment_for_user(request.user, pk)
    result = current_result(assessment)
    if result is None:
        return render(request, "catalog/recommend_assessment.html", {"a": assessment, "result": None})
    found = recommend.for_assessment(assessment, full_snapshot(result))
    scenarios = Scenario.objects.in_bulk([code for code, _ in found.scenarios])
    visible = (
        Solution.objects.visible_to(request.user)
        .select_related("provider")
        .in_bulk([int(r.solution_id) for r in found.recommendations])
    )
    context = {
        "a": assessment,
        "result": result,
        "gaps": [(scenarios[code], weight) for code, weight in found.scenarios],
        "rows": [(r, visible[int(r.solution_id)]) for r in found.recommendations if int(r.solution_id) in visible],
    }
    return render(request, "catalog/recommend_assessment.html", context)
