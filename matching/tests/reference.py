"""A plain-Python reference of the ranking (a port of the engine before it was vectorised): one loop over every
solution, each filter and signal computed for that solution alone. The fast engine must give exactly its results."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from matching.bm25 import BM25
from matching.learning import OutcomeModel
from matching.model import Catalog, Gap, Need, Outcome, Solution, region_covers, region_prefix
from matching.rank import SIGNALS, Ranking, Recommendation, _weight_vector, diversify, explain
from matching.taxonomy import guess_scenarios, scenario_name
from matching.tokenize import tokenize

GRADE_SCORE = {"A": 1.0, "B": 0.7, "C": 0.4, "D": 0.2, "5": 1.0, "4": 0.8, "3": 0.6, "2": 0.4, "1": 0.2}


def solution_text(solution: Solution) -> str:
    return f"{solution.title} {solution.title} {solution.description}"


def _as_need(need_or_gaps: Need | list[Gap] | tuple[Gap, ...]) -> Need:
    if isinstance(need_or_gaps, Need):
        return need_or_gaps
    return Need.from_gaps(list(need_or_gaps))


@dataclass
class _Index:
    bm25: BM25
    position: dict[str, int]


def _index(catalog: Catalog) -> _Index:
    cached = catalog._cache.get("reference_index")
    if cached is None:
        docs = [tokenize(solution_text(s)) for s in catalog.solutions]
        cached = _Index(BM25(docs), {s.id: i for i, s in enumerate(catalog.solutions)})
        catalog._cache["reference_index"] = cached
    return cached  # type: ignore[return-value]


def exclusion_reason(need: Need, solution: Solution, catalog: Catalog) -> str | None:
    provider = catalog.providers.get(solution.provider_id)
    if provider is None or provider.status in ("suspended", "removed"):
        return "provider_inactive"
    served = solution.regions or provider.regions
    if need.region and served and not any(region_covers(r, need.region) for r in served):
        return "region"
    if need.industry and solution.industries and need.industry not in solution.industries:
        return "industry"
    if need.budget_max is not None and solution.price_min is not None and solution.price_min > need.budget_max:
        return "budget"
    if need.deployments and solution.deployments and not set(need.deployments) & set(solution.deployments):
        return "deployment"
    return None


def _fit(need: Need, solution: Solution) -> float:
    parts = []
    if need.size:
        parts.append(1.0 if not solution.sizes or need.size in solution.sizes else 0.2)
    if need.tier:
        parts.append(1.0 if not solution.tiers or need.tier in solution.tiers else 0.3)
    if need.budget_max is not None and solution.price_max is not None:
        # A solution whose top price fits the budget is safer than one that only starts inside it.
        parts.append(1.0 if solution.price_max <= need.budget_max else 0.6)
    return sum(parts) / len(parts) if parts else 0.5


def _cases(need: Need, solution: Solution, catalog: Catalog) -> tuple[float, int, int]:
    same_industry = nearby = 0
    province = region_prefix(need.region)[:2]
    for case in _cases_by_solution(catalog).get(solution.id, []):
        if not case.verified:
            continue
        if need.industry and case.industry == need.industry:
            same_industry += 1
        if province and case.region.startswith(province):
            nearby += 1
    value = 0.7 * (1 - math.exp(-same_industry / 1.5)) + 0.3 * (1 - math.exp(-nearby / 1.5))
    return value, same_industry, nearby


def _cases_by_solution(catalog: Catalog) -> dict[str, list]:
    cached = catalog._cache.get("reference_cases")
    if cached is None:
        cached = {}
        for case in catalog.cases:
            cached.setdefault(case.solution_id, []).append(case)
        catalog._cache["reference_cases"] = cached
    return cached  # type: ignore[return-value]


@dataclass
class Candidates:
    """Signals of every solution that passed the hard filters, as a matrix (rows follow ``solutions``)."""

    need: Need
    solutions: list[Solution]
    matrix: np.ndarray  # len(solutions) × len(SIGNALS)
    details: list[dict]
    excluded: Counter[str]
    query_scenarios: dict[str, float]
    query: list[str]  # the query's tokens


def candidates(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    outcomes: list[Outcome] | OutcomeModel | None = None,
) -> Candidates:
    need = _as_need(need_or_gaps)
    index = _index(catalog)
    query_scenarios = need.scenario_weights()
    query_text = need.text + " " + " ".join(scenario_name(c) for c in query_scenarios)
    query = tokenize(query_text)
    # Free text also tells which scenarios are meant; declared scenarios weigh more than guessed ones.
    for code, weight in guess_scenarios(tokenize(need.text)).items():
        query_scenarios.setdefault(code, 0.5 * weight)
    text_scores = index.bm25.scores(query)
    model = outcomes if isinstance(outcomes, OutcomeModel) else OutcomeModel.from_log(outcomes or [])

    excluded: Counter[str] = Counter()
    kept: list[Solution] = []
    rows: list[list[float]] = []
    details: list[dict] = []
    total_weight = sum(query_scenarios.values()) or 1.0
    for solution in catalog.solutions:
        reason = exclusion_reason(need, solution, catalog)
        if reason:
            excluded[reason] += 1
            continue
        i = index.position[solution.id]
        covered = [c for c in query_scenarios if c in solution.scenarios]
        scenario = sum(query_scenarios[c] for c in covered) / total_weight
        if text_scores[i] <= 0 and not covered:
            excluded["no_match"] += 1
            continue
        case_value, same_industry, nearby = _cases(need, solution, catalog)
        provider = catalog.providers[solution.provider_id]
        grade = GRADE_SCORE.get(provider.grade.upper(), 0.5)
        if provider.status == "warned":
            grade *= 0.5
        kept.append(solution)
        rows.append(
            [
                float(text_scores[i]),
                scenario,
                _fit(need, solution),
                grade,
                case_value,
                model.prior(solution.id, tuple(query_scenarios)),
            ]
        )
        details.append(
            {
                "covered": covered,
                "position": i,  # the document's place in the text index; matched terms are looked up for the top k
                "same_industry": same_industry,
                "nearby": nearby,
            }
        )
    matrix = np.array(rows, dtype=float).reshape(len(rows), len(SIGNALS))
    if len(rows):
        top = matrix[:, 0].max()
        matrix[:, 0] = matrix[:, 0] / top if top > 0 else 0.0
    return Candidates(need, kept, matrix, details, excluded, query_scenarios, query)


def rank_candidates(
    cands: Candidates,
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    max_per_provider: int = 2,
) -> list[Recommendation]:
    if not cands.solutions:
        return []
    w = _weight_vector(weights)
    scores = cands.matrix @ w
    ids = [s.id for s in cands.solutions]
    # Score descending, then id ascending: the same input always gives the same list.
    order = sorted(range(len(ids)), key=lambda i: (-round(float(scores[i]), 12), ids[i]))
    chosen = diversify(order, [s.provider_id for s in cands.solutions], k, max_per_provider)
    result = []
    for position, i in enumerate(chosen, start=1):
        solution = cands.solutions[i]
        signals = dict(zip(SIGNALS, (float(v) for v in cands.matrix[i]), strict=True))
        breakdown = {s: float(w[j] * cands.matrix[i, j]) for j, s in enumerate(SIGNALS)}
        detail = cands.details[i]
        if "terms" not in detail:
            detail["terms"] = _index(catalog).bm25.matched_terms(cands.query, detail["position"])
        reasons = explain(cands.need, solution, catalog, signals, detail)
        result.append(
            Recommendation(
                rank=position,
                solution_id=solution.id,
                provider_id=solution.provider_id,
                score=float(scores[i]),
                signals=signals,
                breakdown=breakdown,
                reasons=reasons,
                explanation="；".join(reasons) + "。" if reasons else "",
            )
        )
    return result


def rank_with_diagnostics(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    outcomes: list[Outcome] | OutcomeModel | None = None,
    max_per_provider: int = 2,
) -> Ranking:
    cands = candidates(need_or_gaps, catalog, outcomes=outcomes)
    recs = rank_candidates(cands, catalog, k=k, weights=weights, max_per_provider=max_per_provider)
    return Ranking(recs, cands.excluded, len(catalog.solutions))


def rank_providers(need_or_gaps, catalog, *, k=10, weights=None, outcomes=None) -> list[tuple[str, float, list[str]]]:
    cands = candidates(need_or_gaps, catalog, outcomes=outcomes)
    recs = rank_candidates(cands, catalog, k=len(cands.solutions), weights=weights, max_per_provider=10**6)
    by_provider: dict[str, list[Recommendation]] = {}
    for rec in recs:
        by_provider.setdefault(rec.provider_id, []).append(rec)
    scored = []
    for pid, items in by_provider.items():
        score = items[0].score + 0.1 * sum(r.score for r in items[1:3])
        scored.append((pid, score, [r.solution_id for r in items]))
    scored.sort(key=lambda x: (-round(x[1], 12), x[0]))
    return scored[:k]
