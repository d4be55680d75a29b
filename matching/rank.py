"""Ranking of solutions (and providers) for a need or a diagnosis, with a breakdown and an explanation."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from .index import GRADE_SCORE, Index, case_tables, index_of, solution_text  # noqa: F401 (re-exported)
from .learning import OutcomeModel
from .model import Catalog, Gap, Need, Outcome, Solution, region_prefix
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


def build_index(catalog: Catalog) -> Index:
    """Build (or return the cached) text index and per-solution arrays; the first query would otherwise pay it."""
    return index_of(catalog)


def _as_need(need_or_gaps: Need | list[Gap] | tuple[Gap, ...]) -> Need:
    if isinstance(need_or_gaps, Need):
        return need_or_gaps
    return Need.from_gaps(list(need_or_gaps))


def _excluded(need: Need, index: Index) -> tuple[np.ndarray, Counter[str]]:
    """The hard filters as masks over every solution; each excluded one counts under its first failing reason."""
    region = need.region
    bad: list[tuple[str, np.ndarray | None]] = [
        ("provider_inactive", index.inactive),
        (
            "region",
            ~index.covering(index.regions, index.regions_any, (region[:n] for n in range(len(region) + 1)))
            if region
            else None,
        ),
        (
            "industry",
            ~index.covering(index.industries, index.industries_any, (need.industry,)) if need.industry else None,
        ),
        ("budget", index.price_min > need.budget_max if need.budget_max is not None else None),
        (
            "deployment",
            ~index.covering(index.deployments, index.deployments_any, set(need.deployments))
            if need.deployments
            else None,
        ),
    ]
    remaining = np.ones(index.n, dtype=bool)
    excluded: Counter[str] = Counter()
    for reason, mask in bad:
        if mask is None:
            continue
        hit = remaining & mask
        count = int(hit.sum())
        if count:
            excluded[reason] = count
            remaining &= ~hit
    return remaining, excluded


def _covered_sets(kept: np.ndarray, codes: list[str], index: Index) -> tuple[np.ndarray, list[tuple[str, ...]]]:
    """Which query scenarios each kept solution covers, as a group number per row and the groups' code tuples."""
    row_of = np.full(index.n, -1, dtype=np.int64)
    row_of[kept] = np.arange(len(kept))
    if len(codes) <= 62:
        bits = np.zeros(len(kept), dtype=np.int64)
        for j, code in enumerate(codes):
            rows = row_of[index.scenarios.get(code, _EMPTY)]
            bits[rows[rows >= 0]] |= 1 << j
        keys, group = np.unique(bits, return_inverse=True)
        sets = [tuple(c for j, c in enumerate(codes) if int(key) >> j & 1) for key in keys]
        return group, sets
    matrix = np.zeros((len(kept), len(codes)), dtype=bool)
    for j, code in enumerate(codes):
        rows = row_of[index.scenarios.get(code, _EMPTY)]
        matrix[rows[rows >= 0], j] = True
    keys, group = np.unique(np.packbits(matrix, axis=1), axis=0, return_inverse=True)
    sets = [tuple(c for c, on in zip(codes, np.unpackbits(key)[: len(codes)], strict=True) if on) for key in keys]
    return group.reshape(-1), sets


_EMPTY = np.zeros(0, dtype=np.int64)


def _fit(need: Need, kept: np.ndarray, index: Index) -> np.ndarray:
    # Each part is one of two values, so the mean of the parts is taken from a table of every combination; the
    # table is computed as the plain definition computes one solution (the same sum in the same order).
    size_ok = index.covering(index.sizes, index.sizes_any, (need.size,))[kept] if need.size else None
    tier_ok = index.covering(index.tiers, index.tiers_any, (need.tier,))[kept] if need.tier else None
    if need.budget_max is not None:
        price_max = index.price_max[kept]
        budget = np.where(np.isnan(price_max), 0, np.where(price_max <= need.budget_max, 1, 2))
    else:
        budget = None
    table = np.zeros(12)
    for s in (0, 1):
        for t in (0, 1):
            for b in (0, 1, 2):
                parts = []
                if size_ok is not None:
                    parts.append(1.0 if s else 0.2)
                if tier_ok is not None:
                    parts.append(1.0 if t else 0.3)
                if budget is not None and b:
                    parts.append(1.0 if b == 1 else 0.6)
                table[s * 6 + t * 3 + b] = sum(parts) / len(parts) if parts else 0.5
    code = np.zeros(len(kept), dtype=np.int64)
    if size_ok is not None:
        code += 6 * size_ok
    if tier_ok is not None:
        code += 3 * tier_ok
    if budget is not None:
        code += budget
    return table[code]


@dataclass
class Candidates:
    """Signals of every solution that passed the hard filters, as a matrix (rows follow ``rows``, ascending)."""

    need: Need
    rows: np.ndarray  # positions in catalog.solutions
    matrix: np.ndarray  # len(rows) × len(SIGNALS)
    excluded: Counter[str]
    query_scenarios: dict[str, float]
    query: list[str]  # the query's tokens
    covered_group: np.ndarray
    covered_sets: list[tuple[str, ...]]
    same_industry: np.ndarray
    nearby: np.ndarray

    def detail(self, j: int) -> dict:
        """What the explanation of row ``j`` needs (built for the top k only)."""
        return {
            "covered": list(self.covered_sets[int(self.covered_group[j])]),
            "position": int(self.rows[j]),
            "same_industry": int(self.same_industry[j]),
            "nearby": int(self.nearby[j]),
        }


def candidates(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    outcomes: list[Outcome] | OutcomeModel | None = None,
) -> Candidates:
    need = _as_need(need_or_gaps)
    index = index_of(catalog)
    query_scenarios = need.scenario_weights()
    query_text = need.text + " " + " ".join(scenario_name(c) for c in query_scenarios)
    query = tokenize(query_text)
    # Free text also tells which scenarios are meant; declared scenarios weigh more than guessed ones.
    for code, weight in guess_scenarios(tokenize(need.text)).items():
        query_scenarios.setdefault(code, 0.5 * weight)
    text_scores = index.bm25.scores(query)
    model = outcomes if isinstance(outcomes, OutcomeModel) else OutcomeModel.from_log(outcomes or [])

    passed, excluded = _excluded(need, index)
    # Only solutions reached through a text posting or a scenario posting can be candidates.
    reached = text_scores > 0
    for code in query_scenarios:
        posting = index.scenarios.get(code)
        if posting is not None:
            reached[posting] = True
    no_match = int((passed & ~reached).sum())
    if no_match:
        excluded["no_match"] = no_match
    kept = np.flatnonzero(passed & reached)

    codes = list(query_scenarios)
    group, sets = _covered_sets(kept, codes, index)
    total_weight = sum(query_scenarios.values()) or 1.0
    scenario = np.array([sum(query_scenarios[c] for c in covered) / total_weight for covered in sets])[group]
    same_industry = index.case_counts(index.cases_by_industry, need.industry)[kept]
    province = region_prefix(need.region)[:2]
    nearby = index.case_counts(index.cases_by_area, province)[kept]
    first, second = case_tables(same_industry, nearby)
    # Only solutions with recorded outcomes differ from the no-evidence prior.
    outcome = np.full(len(kept), model.prior("\x00", ()))
    scenario_keys = tuple(query_scenarios)
    known = set(model.per_solution) | {sid for _, sid in model.per_scenario}
    if known:
        row_of = np.full(index.n, -1, dtype=np.int64)
        row_of[kept] = np.arange(len(kept))
        for sid in sorted(known):
            p = index.position.get(sid)
            if p is not None and row_of[p] >= 0:
                outcome[row_of[p]] = model.prior(sid, scenario_keys)
    text = text_scores[kept]
    matrix = np.ascontiguousarray(
        np.column_stack([text, scenario, _fit(need, kept, index), index.grade[kept], first + second, outcome]),
        dtype=float,
    ).reshape(len(kept), len(SIGNALS))
    if len(kept):
        top = matrix[:, 0].max()
        matrix[:, 0] = matrix[:, 0] / top if top > 0 else 0.0
    return Candidates(need, kept, matrix, excluded, query_scenarios, query, group, sets, same_industry, nearby)


def _weight_vector(weights: dict[str, float] | None) -> np.ndarray:
    merged = {**DEFAULT_WEIGHTS, **(weights or {})}
    return np.array([merged[s] for s in SIGNALS], dtype=float)


def diversify(
    order: list[int], providers: list[str], k: int, max_per_provider: int, *, settled_only: bool = False
) -> list[int] | None:
    """Take items in score order, at most ``max_per_provider`` per provider; the rest only fill gaps.

    With ``settled_only``, None when ``order`` (a prefix of the full order) runs out before k are picked.
    """
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
    if settled_only:
        return None
    return (picked + deferred)[:k]


def _key(score: float, solution_id: str) -> tuple[float, str]:
    # Score descending, then id ascending: the same input always gives the same list.
    return (-round(score, 12), solution_id)


def _sorted(rows: np.ndarray, scores: np.ndarray, ids: list[str]) -> list[int]:
    return sorted((int(j) for j in rows), key=lambda j: _key(float(scores[j]), ids[j]))


def ranked_order(scores: np.ndarray, ids: list[str], providers: list[str], k: int, max_per_provider: int) -> list[int]:
    """``diversify`` over the full score order, sorting only as much of it as the top ``k`` needs.

    The best ``m`` scores are sorted; rows whose rounded score is above the ``m``-th one's are a prefix of the
    full order (nothing outside can rank before them). If the diversified top k is settled within that prefix,
    it is the answer; otherwise ``m`` grows, and at worst everything is sorted.
    """
    n = len(scores)
    m = max(64, 8 * k * max_per_provider)
    while m < n:
        threshold = float(np.partition(scores, n - m)[n - m])
        pool = _sorted(np.flatnonzero(scores >= threshold), scores, ids)
        cut = round(threshold, 12)
        prefix = [j for j in pool if round(float(scores[j]), 12) > cut]
        picked = diversify(prefix, providers, k, max_per_provider, settled_only=True)
        if picked is not None:
            return picked
        m *= 4
    return diversify(_sorted(np.arange(n), scores, ids), providers, k, max_per_provider)


def rank_candidates(
    cands: Candidates,
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    max_per_provider: int = 2,
) -> list[Recommendation]:
    if not len(cands.rows):
        return []
    index = index_of(catalog)
    w = _weight_vector(weights)
    scores = cands.matrix @ w
    ids = [index.ids[int(p)] for p in cands.rows]
    providers = [index.provider_ids[int(p)] for p in cands.rows]
    chosen = ranked_order(scores, ids, providers, k, max_per_provider)
    result = []
    for position, i in enumerate(chosen, start=1):
        solution = catalog.solutions[int(cands.rows[i])]
        signals = dict(zip(SIGNALS, (float(v) for v in cands.matrix[i]), strict=True))
        breakdown = {s: float(w[j] * cands.matrix[i, j]) for j, s in enumerate(SIGNALS)}
        detail = cands.detail(i)
        detail["terms"] = index.bm25.matched_terms(cands.query, detail["position"])
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
    index = index_of(catalog)
    scores = cands.matrix @ _weight_vector(weights)
    ids = [index.ids[int(p)] for p in cands.rows]
    # Every candidate in score order (no provider cap), without explanations: only the scores are needed.
    by_provider: dict[str, list[tuple[str, float]]] = {}
    for j in _sorted(np.arange(len(ids)), scores, ids):
        by_provider.setdefault(index.provider_ids[int(cands.rows[j])], []).append((ids[j], float(scores[j])))
    scored = []
    for pid, items in by_provider.items():
        score = items[0][1] + 0.1 * sum(s for _, s in items[1:3])
        scored.append((pid, score, [sid for sid, _ in items]))
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
