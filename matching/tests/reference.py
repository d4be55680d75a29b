"""A plain-Python reference of the ranking (a port of the engine before it was vectorised): one loop over every
solution, each filter and signal computed for that solution alone. The fast engine must give exactly its results."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass

import numpy as np

from matching import rank as engine
from matching.bm25 import BM25
from matching.constraints import penalties, penalty_factor
from matching.explain import explain
from matching.learning import OutcomeModel
from matching.model import Catalog, Gap, Need, Outcome, Solution, is_division, region_covers, region_prefix
from matching.rank import SIGNALS, Ranking, Recommendation, _weight_vector, diversify, read_need
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
    known = [r for r in served if is_division(r, catalog.divisions)]  # unknown codes serve nowhere
    if need.region and served and not any(region_covers(r, need.region) for r in known):
        return "region"
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

    query: engine.Query
    solutions: list[Solution]
    matrix: np.ndarray  # len(solutions) × len(SIGNALS)
    details: list[dict]
    excluded: Counter[str]
    factor: list[float]
    relevance: list[float]

    @property
    def need(self) -> Need:
        return self.query.need


def candidates(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    outcomes: list[Outcome] | OutcomeModel | None = None,
) -> Candidates:
    query = read_need(need_or_gaps, catalog)
    need = query.need
    index = _index(catalog)
    query_scenarios = query.scenarios
    text_scores = index.bm25.scores(query.terms)
    query_weight = index.bm25.query_weight(query.terms)
    model = outcomes if isinstance(outcomes, OutcomeModel) else OutcomeModel.from_log(outcomes or [])

    excluded: Counter[str] = Counter()
    kept: list[Solution] = []
    rows: list[list[float]] = []
    details: list[dict] = []
    factors: list[float] = []
    relevance: list[float] = []
    total_weight = sum(query_scenarios.values()) or 1.0
    for solution in catalog.solutions:
        reason = exclusion_reason(need, solution, catalog)
        if reason:
            excluded[reason] += 1
            continue
        i = index.position[solution.id]
        covered = [c for c in query_scenarios if c in solution.scenarios]
        scenario = sum(query_scenarios[c] for c in covered) / total_weight
        scenario_abs = engine.scenario_evidence(query_scenarios, covered, total_weight)
        if text_scores[i] <= 0 and not covered:
            excluded["no_match"] += 1
            continue
        text = min(1.0, float(text_scores[i]) / query_weight) if query_weight > 0 else 0.0
        case_value, same_industry, nearby = _cases(need, solution, catalog)
        provider = catalog.providers[solution.provider_id]
        grade = GRADE_SCORE.get(provider.grade.upper(), 0.5)
        if provider.status == "warned":
            grade *= 0.5
        kept.append(solution)
        rows.append(
            [text, scenario, _fit(need, solution), grade, case_value, model.prior(solution.id, tuple(query_scenarios))]
        )
        factors.append(penalty_factor(need, solution))
        relevance.append(1.0 - (1.0 - text) * (1.0 - scenario_abs))
        details.append(
            {
                "declared": [c for c in covered if c in query.declared],
                "guessed": [c for c in covered if c not in query.declared],
                "position": i,  # the document's place in the text index; matched terms are looked up for the top k
                "same_industry": same_industry,
                "nearby": nearby,
                "contacts": model.contacts.get(solution.id),
            }
        )
    matrix = np.array(rows, dtype=float).reshape(len(rows), len(SIGNALS))
    return Candidates(query, kept, matrix, details, excluded, factors, relevance)


def _shown(cands: Candidates) -> list[int]:
    values = [r * f for r, f in zip(cands.relevance, cands.factor, strict=True)]
    if not values or max(values) < engine.RELEVANCE_BAR:
        return []
    return [i for i, v in enumerate(values) if v >= engine.FLOOR]


def rank_candidates(
    cands: Candidates,
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    max_per_provider: int = 2,
) -> list[Recommendation]:
    shown = _shown(cands)
    if not shown:
        return []
    w = _weight_vector(weights)
    raw = {i: float(cands.matrix[i] @ w) for i in shown}
    scores = {i: raw[i] * cands.factor[i] for i in shown}
    # Score descending, then id ascending: the same input always gives the same list.
    order = sorted(shown, key=lambda i: (-round(scores[i], 12), cands.solutions[i].id))
    providers = {i: cands.solutions[i].provider_id for i in shown}
    chosen = diversify(order, providers, k, max_per_provider)  # type: ignore[arg-type]
    result = []
    for position, i in enumerate(chosen, start=1):
        solution = cands.solutions[i]
        signals = dict(zip(SIGNALS, (float(v) for v in cands.matrix[i]), strict=True))
        breakdown = {s: float(w[j] * cands.matrix[i, j]) for j, s in enumerate(SIGNALS)}
        breakdown["penalty"] = scores[i] - raw[i]
        detail = dict(cands.details[i])
        detail["terms"] = _index(catalog).bm25.matched_terms(cands.query.written, detail["position"])
        reasons = explain(cands.need, solution, catalog, signals, detail, cands.query.taxonomy)
        cautions = tuple(text for _, _, text in penalties(cands.need, solution))
        relevance = cands.relevance[i] * cands.factor[i]
        confidence = "高" if relevance >= engine.HIGH else "中" if relevance >= engine.RELEVANCE_BAR else "低"
        result.append(
            Recommendation(
                rank=position,
                solution_id=solution.id,
                provider_id=solution.provider_id,
                score=scores[i],
                signals=signals,
                breakdown=breakdown,
                reasons=[*reasons, *cautions],
                explanation="；".join([*reasons, *cautions]) + "。" if reasons or cautions else "",
                relevance=relevance,
                confidence=confidence,
                cautions=cautions,
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
    model = outcomes if isinstance(outcomes, OutcomeModel) else OutcomeModel.from_log(outcomes or [])
    cands = candidates(need_or_gaps, catalog, outcomes=model)
    recs = rank_candidates(cands, catalog, k=k, weights=weights, max_per_provider=max_per_provider)
    excluded = Counter(cands.excluded)
    below = len(cands.solutions) - len(_shown(cands))
    if below:
        excluded["below_bar"] = below
    return Ranking(recs, excluded, len(catalog.solutions))


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
