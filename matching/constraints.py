"""What each constraint of a need does to a solution: hard filters remove it, graded ones lower it with a reason.

Hard: the provider is suspended or removed (nothing to recommend), the solution does not serve the need's region
(the provider cannot deliver there). Graded: industry, deployment and budget. A provider's industry list says
where it has worked, not where it cannot; a hybrid offer partly fits a need that names one deployment; a price
floor just above the budget is a negotiation, not a refusal. Each graded mismatch multiplies the score and the
relevance by a factor and puts its reason in the explanation; a solution that a factor pushes below the relevance
bar is a near miss (shown on request, with the reason).

``penalties`` is the plain definition for one solution (explanations, the test reference); ``penalty_factors``
computes the same product for every candidate at once with the same floating-point operations.
"""

from __future__ import annotations

from collections import Counter

import numpy as np

from .index import Index
from .model import Need, Solution
from .taxonomy import INDUSTRY_NAMES

INDUSTRY_FACTOR = 0.6  # the solution lists industries and the need's is not among them
DEPLOYMENT_PARTLY = 0.85  # hybrid offered where the need names cloud or on-premise only
DEPLOYMENT_FACTOR = 0.6  # no offered deployment is acceptable
BUDGET_STEPS = ((1.25, 0.85, "略高于"), (2.0, 0.6, "高于"), (float("inf"), 0.2, "远高于"))  # price_min / budget

DEPLOYMENT_NAMES = {"cloud": "云部署（SaaS）", "on_premise": "本地部署", "hybrid": "混合部署"}


def _names(codes: tuple[str, ...] | set[str]) -> str:
    return "、".join(DEPLOYMENT_NAMES.get(c, c) for c in sorted(codes))


def _industry(code: str) -> str:
    name = INDUSTRY_NAMES.get(code, "")
    return f"C{code}{' ' + name if name else ''}"


def _money(value: float) -> str:
    return f"{value:g}"


def penalties(need: Need, solution: Solution) -> list[tuple[str, float, str]]:
    """(constraint, factor, reason) for each graded constraint the solution misses, in a fixed order."""
    out: list[tuple[str, float, str]] = []
    if need.industry and solution.industries and need.industry not in solution.industries:
        listed = "、".join(_industry(c) for c in solution.industries[:3])
        out.append(("industry", INDUSTRY_FACTOR, f"方案标注的适用行业不含您的行业（标注：{listed}）"))
    wanted = set(need.deployments)
    if wanted and solution.deployments and not wanted & set(solution.deployments):
        if "hybrid" in solution.deployments:
            text = f"方案为混合部署，与您要求的{_names(wanted)}不完全一致"
            out.append(("deployment", DEPLOYMENT_PARTLY, text))
        else:
            text = f"部署方式不符：方案提供{_names(set(solution.deployments))}，您要求{_names(wanted)}"
            out.append(("deployment", DEPLOYMENT_FACTOR, text))
    budget = need.budget_max
    if budget is not None and solution.price_min is not None and solution.price_min > budget:
        ratio = solution.price_min / budget if budget > 0 else float("inf")
        limit, factor, words = next(step for step in BUDGET_STEPS if ratio <= step[0])
        text = f"报价下限{words}预算（{_money(solution.price_min)} 万元起，预算 {_money(budget)} 万元）"
        out.append(("budget", factor, text))
    return out


def penalty_factor(need: Need, solution: Solution) -> float:
    factor = 1.0
    for _, f, _ in penalties(need, solution):
        factor = factor * f
    return factor


def penalty_factors(need: Need, kept: np.ndarray, index: Index) -> tuple[np.ndarray, Counter[str]]:
    """The product of the graded factors for each kept row, and how many rows each constraint lowered."""
    factor = np.ones(len(kept))
    counts: Counter[str] = Counter()
    if need.industry:
        bad = ~index.covering(index.industries, index.industries_any, (need.industry,))[kept]
        factor = np.where(bad, factor * INDUSTRY_FACTOR, factor)
        counts["industry"] = int(bad.sum())
    if need.deployments:
        wanted = set(need.deployments)
        bad = ~index.covering(index.deployments, index.deployments_any, wanted)[kept]
        hybrid = np.zeros(index.n, dtype=bool)
        if "hybrid" in index.deployments:
            hybrid[index.deployments["hybrid"]] = True
        partly = bad & hybrid[kept]
        factor = np.where(partly, factor * DEPLOYMENT_PARTLY, np.where(bad, factor * DEPLOYMENT_FACTOR, factor))
        counts["deployment"] = int(bad.sum())
    if need.budget_max is not None:
        price_min = index.price_min[kept]
        budget = need.budget_max
        with np.errstate(invalid="ignore", divide="ignore"):
            over = price_min > budget
            ratio = price_min / budget if budget > 0 else np.where(over, np.inf, 0.0)
        step = np.full(len(kept), 1.0)
        for limit, f, _ in reversed(BUDGET_STEPS):
            step = np.where(over & (ratio <= limit), f, step)
        factor = np.where(over, factor * step, factor)
        counts["budget"] = int(over.sum())
    return factor, +counts
