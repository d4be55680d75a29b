"""Ranking of solutions (and providers) for a need or a diagnosis, with a breakdown and an explanation."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .bm25 import BM25
from .learning import OutcomeModel
from .model import Catalog, Gap, Need, Outcome, Solution, region_covers, region_prefix
from .taxonomy import INDUSTRY_NAMES, guess_scenarios, scenario_name
from .tokenize import tokenize

SIGNALS = ("text", "scenario", "fit", "grade", "cases", "outcome")

DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 0.45,
    "scenario": 0.30,
    "fit": 0.06,
    "grade": 0.05,
    "cases": 0.09,
    "outcome": 0.05,
}

GRADE_SCORE = {"A": 1.0, "B": 0.7, "C": 0.4, "D": 0.2, "5": 1.0, "4": 0.8, "3": 0.6, "2": 0.4, "1": 0.2}
SIZE_NAMES = {"micro": "微型", "small": "小型", "medium": "中型", "large": "大型"}

# Why a solution was left out, in the words shown under "为什么结果较少".
EXCLUSION_REASONS = {
    "provider_inactive": "服务商已暂停或退出",
    "region": "不服务您所在地区",
    "industry": "不适用于您的行业",
    "budget": "起步价格超出预算",
    "deployment": "部署方式不符合要求",
    "no_match": "与需求内容无关",
}


@dataclass(frozen=True)
class Recommendation:
    """One ranked solution with the evidence behind its place."""

    rank: int
    solution_id: str
    provider_id: str
    score: float
    signals: dict[str, float]  # each in 0..1
    breakdown: dict[str, float]  # weight × signal, sums to score
    reasons: list[str]
    explanation: str


@dataclass(frozen=True)
class ProviderRecommendation:
    rank: int
    provider_id: str
    score: float
    solution_ids: list[str]


@dataclass
class Ranking:
    recommendations: list[Recommendation]
    excluded: Counter[str] = field(default_factory=Counter)
    candidates: int = 0

    def why_few(self) -> str:
        """A plain-Chinese sentence on what the hard filters removed, largest first."""
        parts = [
            f"{EXCLUSION_REASONS[r]} {n} 个" for r, n in sorted(self.excluded.items(), key=lambda x: (-x[1], x[0]))
        ]
        return "；".join(parts)


@dataclass
class _Index:
    bm25: BM25
    position: dict[str, int]


def _index(catalog: Catalog) -> _Index:
    cached = catalog._cache.get("index")
    if cached is None:
        docs = [tokenize(solution_text(s)) for s in catalog.solutions]
        cached = _Index(BM25(docs), {s.id: i for i, s in enumerate(catalog.solutions)})
        catalog._cache["index"] = cached
    return cached  # type: ignore[return-value]


def solution_text(solution: Solution) -> str:
    # The title counts twice: it is the provider's own summary of what the solution is.
    return f"{solution.title} {solution.title} {solution.description}"


def _as_need(need_or_gaps: Need | list[Gap] | tuple[Gap, ...]) -> Need:
    if isinstance(need_or_gaps, Need):
        return need_or_gaps
    return Need.from_gaps(list(need_or_gaps))


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
    cached = catalog._cache.get("cases")
    if cached is None:
        cached = {}
        for case in catalog.cases:
            cached.setdefault(case.solution_id, []).append(case)
        catalog._cache["cases"] = cached
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


def _weight_vector(weights: dict[str, float] | None) -> np.ndarray:
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    return np.array([merged[s] for s in SIGNALS], dtype=float)


def diversify(order: list[int], providers: list[str], k: int, max_per_provider: int) -> list[int]:
    """Take items in score order, at most ``max_per_provider`` per provider; the rest only fill gaps."""
    picked: list[int] = []
    deferred: list[int] = []
    per: Counter[str] = Counter()
    for i in order:
        if per[providers[i]] < max_per_provider:
            picked.append(i)
            per[providers[i]] += 1
        else:
            deferred.append(i)
        if len(picked) == k:
            return picked
    return (picked + deferred)[:k]


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


def rank(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    outcomes: list[Outcome] | OutcomeModel | None = None,
    max_per_provider: int = 2,
) -> list[Recommendation]:
    """Top ``k`` solutions for a need (or a diagnosis's gaps), best first."""
    return rank_with_diagnostics(
        need_or_gaps, catalog, k=k, weights=weights, outcomes=outcomes, max_per_provider=max_per_provider
    ).recommendations


def rank_providers(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    outcomes: list[Outcome] | OutcomeModel | None = None,
) -> list[ProviderRecommendation]:
    """Providers ordered by their best solution, with a small bonus for a second fitting one."""
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
    return [ProviderRecommendation(n, pid, s, ids) for n, (pid, s, ids) in enumerate(scored[:k], start=1)]


def explain(need: Need, solution: Solution, catalog: Catalog, signals: dict[str, float], detail: dict) -> list[str]:
    """Plain-Chinese reasons, strongest first ("为什么推荐")."""
    reasons: list[tuple[float, str]] = []
    if detail["covered"]:
        names = "、".join(scenario_name(c) for c in detail["covered"][:4])
        reasons.append((1.0 + signals["scenario"], f"覆盖您的需求场景：{names}"))
    if need.text and detail["terms"] and signals["text"] > 0.3:
        terms = "、".join(t.upper() if t.isascii() else t for t in detail["terms"][:3])
        reasons.append((0.9 + signals["text"], f"方案内容与您描述的“{terms}”相符"))
    if detail["same_industry"]:
        name = INDUSTRY_NAMES.get(need.industry, "")
        label = f"C{need.industry}{' ' + name if name else ''}"
        reasons.append(
            (0.8 + detail["same_industry"] / 10, f"在同行业（{label}）有 {detail['same_industry']} 个已验证案例")
        )
    if detail["nearby"]:
        reasons.append((0.6, f"在本省有 {detail['nearby']} 个已验证案例"))
    provider = catalog.providers[solution.provider_id]
    if provider.grade and signals["grade"] >= 0.7:
        reasons.append((0.5, f"服务商评级 {provider.grade}"))
    if need.size and need.size in solution.sizes:
        reasons.append((0.4, f"适合{SIZE_NAMES.get(need.size, need.size)}企业"))
    if solution.lightweight:
        reasons.append((0.35, "轻量化、见效快（小快轻准）"))
    if signals["outcome"] >= 0.5:
        reasons.append((0.3, "同类需求的企业联系、签约较多"))
    if provider.status == "warned":
        reasons.append((0.1, "提示：该服务商近期被警示"))
    reasons.sort(key=lambda r: -r[0])
    return [text for _, text in reasons[:4]]
