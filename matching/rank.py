"""Ranking of solutions (and providers) for a need or a diagnosis, with a breakdown and an explanation."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

import numpy as np

from .constraints import penalties, penalty_factors
from .explain import explain
from .index import GRADE_SCORE, Index, case_tables, index_of, solution_text  # noqa: F401 (re-exported)
from .learning import OutcomeModel
from .model import Catalog, Gap, Need, Outcome, check_region, region_prefix
from .taxonomy import ScenarioSet, shipped
from .tokenize import informative, tokenize

SIGNALS = ("text", "scenario", "fit", "grade", "cases", "outcome")

DEFAULT_WEIGHTS: dict[str, float] = {
    "text": 0.45,
    "scenario": 0.30,
    "fit": 0.06,
    "grade": 0.05,
    "cases": 0.09,
    "outcome": 0.05,
}

# Absolute relevance (0..1, see ``candidates``) decides whether the pool serves a need at all: when no solution
# reaches RELEVANCE_BAR the ranking abstains ("资源池中暂无匹配的方案"). When one does, the list goes on down to
# FLOOR, each result labelled 高 (≥ HIGH), 中 (≥ the bar) or 低. Chosen on the labelled set with unsatisfiable
# needs (python -m matching.evaluation prints the abstention table; matching/README.md has the figures).
RELEVANCE_BAR = 0.30
FLOOR = 0.05
HIGH = 0.5

# Why a solution was left out (hard filters) or lowered (graded constraints), as shown under "为什么结果较少".
EXCLUSION_REASONS = {
    "provider_inactive": "服务商已暂停或退出",
    "region": "不服务您所在地区",
    "no_match": "与需求内容无关",
    "below_bar": "相关度不足",
}
PENALTY_REASONS = {
    "industry": "标注的适用行业不含您的行业",
    "budget": "报价下限高于预算",
    "deployment": "部署方式不完全符合",
}


@dataclass(frozen=True)
class Recommendation:
    """One ranked solution with the evidence behind its place."""

    rank: int
    solution_id: str
    provider_id: str
    score: float
    signals: dict[str, float]  # each in 0..1
    breakdown: dict[str, float]  # weight × signal, and "penalty" (≤ 0) for graded constraints; sums to score
    reasons: list[str]
    explanation: str
    relevance: float = 0.0  # absolute 0..1: share of the need this solution matches, after graded penalties
    confidence: str = ""  # "高", "中" or "低" (relevance ≥ HIGH, ≥ RELEVANCE_BAR, ≥ FLOOR)
    cautions: tuple[str, ...] = ()  # the graded constraints it misses, each with its reason


@dataclass(frozen=True)
class ProviderRecommendation:
    rank: int
    provider_id: str
    score: float
    solution_ids: list[str]


@dataclass
class Ranking:
    recommendations: list[Recommendation]
    excluded: Counter[str] = field(default_factory=Counter)  # hard filters, and candidates below the bar
    candidates: int = 0
    penalised: Counter[str] = field(default_factory=Counter)  # candidates a graded constraint lowered
    abstention: Abstention | None = None  # set when nothing clears the bar
    near_misses: list[NearMiss] = field(default_factory=list)  # only when asked for

    def why_few(self) -> str:
        """A plain-Chinese sentence on what the hard filters and the bar removed, largest first."""
        parts = [
            f"{EXCLUSION_REASONS[r]} {n} 个" for r, n in sorted(self.excluded.items(), key=lambda x: (-x[1], x[0]))
        ]
        return "；".join(parts)


@dataclass(frozen=True)
class NearMiss:
    """A solution that would have been relevant but a hard filter removed it or a graded constraint sank it."""

    solution_id: str
    provider_id: str
    relevance: float  # before the constraint that removed or sank it
    reasons: tuple[str, ...]
    kinds: tuple[str, ...]  # "region", "industry", "deployment", "budget"


@dataclass(frozen=True)
class Abstention:
    """Nothing in the pool clears the bar: what to say, why, and what the enterprise can do next."""

    message: str
    reasons: tuple[str, ...]
    next_steps: tuple[str, ...]


def build_index(catalog: Catalog) -> Index:
    """Build (or return the cached) text index and per-solution arrays; the first query would otherwise pay it."""
    return index_of(catalog)


def _as_need(need_or_gaps: Need | list[Gap] | tuple[Gap, ...]) -> Need:
    if isinstance(need_or_gaps, Need):
        return need_or_gaps
    return Need.from_gaps(list(need_or_gaps))


def _excluded(need: Need, index: Index, *, region: bool = True) -> tuple[np.ndarray, Counter[str]]:
    """The hard filters as masks over every solution; each excluded one counts under its first failing reason."""
    bad: list[tuple[str, np.ndarray | None]] = [
        ("provider_inactive", index.inactive),
        ("region", ~region_mask(need, index) if region and need.region else None),
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


def region_mask(need: Need, index: Index) -> np.ndarray:
    """Solutions that serve the need's region (a served code covers the divisions under it)."""
    code = need.region
    return index.covering(index.regions, index.regions_any, (code[:n] for n in range(len(code) + 1)))


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
class Query:
    """What a need asks, as the engine reads it: informative terms and weighted scenarios."""

    need: Need
    taxonomy: ScenarioSet
    written: list[str]  # informative tokens of the need's own text (the only words named back to the user)
    terms: list[str]  # written + the declared scenarios' names: what BM25 scores
    declared: dict[str, float]  # scenarios the need or diagnosis names, with weights
    scenarios: dict[str, float]  # declared + guessed from the text at half weight


def read_need(need_or_gaps: Need | list[Gap] | tuple[Gap, ...], catalog: Catalog) -> Query:
    """The need's terms and scenarios; a region code that is not a known division raises RegionCodeError."""
    need = _as_need(need_or_gaps)
    if need.region:
        check_region(need.region, catalog.divisions)
    taxonomy = catalog.taxonomy or shipped()
    words = frozenset(taxonomy.word_index)
    written = [t for t in tokenize(need.text) if informative(t, extra=words)]
    declared = need.scenario_weights()
    names = [t for c in declared for t in tokenize(taxonomy.name(c)) if informative(t, extra=words)]
    scenarios = dict(declared)
    # Free text also tells which scenarios are meant; declared scenarios weigh more than guessed ones.
    for code, weight in taxonomy.guess(written).items():
        scenarios.setdefault(code, 0.5 * weight)
    return Query(need, taxonomy, written, written + names, declared, scenarios)


@dataclass
class Candidates:
    """Signals of every solution that passed the hard filters, as a matrix (rows follow ``rows``, ascending)."""

    query: Query
    rows: np.ndarray  # positions in catalog.solutions
    matrix: np.ndarray  # len(rows) × len(SIGNALS)
    excluded: Counter[str]
    penalised: Counter[str]
    factor: np.ndarray  # product of the graded constraints' factors (1 = none missed)
    relevance: np.ndarray  # absolute, before the factor
    covered_group: np.ndarray
    covered_sets: list[tuple[str, ...]]
    same_industry: np.ndarray
    nearby: np.ndarray

    @property
    def need(self) -> Need:
        return self.query.need

    def detail(self, j: int) -> dict:
        """What the explanation of row ``j`` needs (built for the top k only)."""
        covered = self.covered_sets[int(self.covered_group[j])]
        return {
            "declared": [c for c in covered if c in self.query.declared],
            "guessed": [c for c in covered if c not in self.query.declared],
            "position": int(self.rows[j]),
            "same_industry": int(self.same_industry[j]),
            "nearby": int(self.nearby[j]),
        }


def scenario_evidence(weights: dict[str, float], covered: Iterable[str], total: float) -> float:
    """The scenario part of relevance: the covered share of the need's scenario weight (over at least 1, so one
    scenario guessed from a single keyword, weight 0.25, stays weak evidence), or the heaviest scenario covered,
    whichever is larger: a solution that closes a diagnosis's main gap is relevant even if it leaves seven others."""
    values = [weights[c] for c in covered]
    return max(sum(values) / max(1.0, total), max(values, default=0.0))


def candidates(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    outcomes: list[Outcome] | OutcomeModel | None = None,
    region: bool = True,
) -> Candidates:
    """Every solution reached by the need's terms or scenarios that passes the hard filters, with its signals.

    The text signal is absolute: the BM25 score over the query's own weight (``BM25.query_weight``: what an
    average-length document holding every query term once would score), capped at 1, so a need that nothing in
    the pool talks about gets low text signals everywhere instead of a "best hit" at 1. The scenario part of the
    relevance is the covered weight over max(1, total weight): a scenario guessed from one keyword (weight 0.25)
    is weak evidence. Relevance = 1 − (1 − text)(1 − scenario): either kind of evidence can carry a result.
    """
    query = read_need(need_or_gaps, catalog)
    need = query.need
    index = index_of(catalog)
    query_scenarios = query.scenarios
    text_scores = index.bm25.scores(query.terms)
    query_weight = index.bm25.query_weight(query.terms)
    model = outcomes if isinstance(outcomes, OutcomeModel) else OutcomeModel.from_log(outcomes or [])

    passed, excluded = _excluded(need, index, region=region)
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
    scenario_abs = np.array([scenario_evidence(query_scenarios, covered, total_weight) for covered in sets])[group]
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
    text = np.minimum(1.0, text_scores[kept] / query_weight) if query_weight > 0 else np.zeros(len(kept))
    matrix = np.ascontiguousarray(
        np.column_stack([text, scenario, _fit(need, kept, index), index.grade[kept], first + second, outcome]),
        dtype=float,
    ).reshape(len(kept), len(SIGNALS))
    relevance = 1.0 - (1.0 - text) * (1.0 - scenario_abs)
    factor, penalised = penalty_factors(need, kept, index)
    return Candidates(query, kept, matrix, excluded, penalised, factor, relevance, group, sets, same_industry, nearby)


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


def eligible(cands: Candidates) -> np.ndarray:
    """Rows to show: none when no relevance (after the graded factors) reaches the bar, else those above FLOOR."""
    relevance = cands.relevance * cands.factor
    if not len(relevance) or relevance.max() < RELEVANCE_BAR:
        return np.zeros(0, dtype=np.int64)
    return np.flatnonzero(relevance >= FLOOR)


def rank_candidates(
    cands: Candidates,
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    max_per_provider: int = 2,
    outcomes: OutcomeModel | None = None,
) -> list[Recommendation]:
    ok = eligible(cands)
    if not len(ok):
        return []
    index = index_of(catalog)
    w = _weight_vector(weights)
    raw = cands.matrix[ok] @ w
    scores = raw * cands.factor[ok]
    ids = index.id_array[cands.rows[ok]].tolist()
    providers = index.provider_array[cands.rows[ok]].tolist()
    chosen = ranked_order(scores, ids, providers, k, max_per_provider)
    result = []
    for position, i in enumerate(chosen, start=1):
        j = int(ok[i])
        solution = catalog.solutions[int(cands.rows[j])]
        signals = dict(zip(SIGNALS, (float(v) for v in cands.matrix[j]), strict=True))
        breakdown = {s: float(w[n] * cands.matrix[j, n]) for n, s in enumerate(SIGNALS)}
        breakdown["penalty"] = float(scores[i] - raw[i])
        detail = cands.detail(j)
        detail["terms"] = index.bm25.matched_terms(cands.query.written, detail["position"])
        detail["contacts"] = outcomes.contacts.get(solution.id) if outcomes is not None else None
        cautions = tuple(reason for _, _, reason in penalties(cands.need, solution))
        reasons = explain(cands.need, solution, catalog, signals, detail, cands.query.taxonomy)
        relevance = float(cands.relevance[j] * cands.factor[j])
        result.append(
            Recommendation(
                rank=position,
                solution_id=solution.id,
                provider_id=solution.provider_id,
                score=float(scores[i]),
                signals=signals,
                breakdown=breakdown,
                reasons=[*reasons, *cautions],
                explanation="；".join([*reasons, *cautions]) + "。" if reasons or cautions else "",
                relevance=relevance,
                confidence="高" if relevance >= HIGH else "中" if relevance >= RELEVANCE_BAR else "低",
                cautions=cautions,
            )
        )
    return result


def _model(outcomes: list[Outcome] | OutcomeModel | None) -> OutcomeModel:
    return outcomes if isinstance(outcomes, OutcomeModel) else OutcomeModel.from_log(outcomes or [])


def rank_with_diagnostics(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    outcomes: list[Outcome] | OutcomeModel | None = None,
    max_per_provider: int = 2,
    near_misses: int = 0,
) -> Ranking:
    """``rank`` plus what was removed and why; an abstention when nothing clears the bar; with ``near_misses``
    > 0, that many solutions a hard filter removed or a graded constraint sank (each with its reason)."""
    model = _model(outcomes)
    cands = candidates(need_or_gaps, catalog, outcomes=model)
    recs = rank_candidates(cands, catalog, k=k, weights=weights, max_per_provider=max_per_provider, outcomes=model)
    excluded = Counter(cands.excluded)
    below = len(cands.rows) - len(eligible(cands))
    if below:
        excluded["below_bar"] = below
    ranking = Ranking(recs, excluded, len(catalog.solutions), cands.penalised)
    if near_misses or not recs:
        from .abstain import abstention, find_near_misses

        misses = find_near_misses(cands, catalog, model)
        ranking.near_misses = misses[:near_misses]
        if not recs:
            ranking.abstention = abstention(cands, catalog, misses)
    return ranking


def rank(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    outcomes: list[Outcome] | OutcomeModel | None = None,
    max_per_provider: int = 2,
) -> list[Recommendation]:
    """Top ``k`` solutions for a need (or a diagnosis's gaps) that clear the relevance bar, best first."""
    model = _model(outcomes)
    cands = candidates(need_or_gaps, catalog, outcomes=model)
    return rank_candidates(cands, catalog, k=k, weights=weights, max_per_provider=max_per_provider, outcomes=model)


def rank_providers(
    need_or_gaps: Need | list[Gap] | tuple[Gap, ...],
    catalog: Catalog,
    *,
    k: int = 10,
    weights: dict[str, float] | None = None,
    outcomes: list[Outcome] | OutcomeModel | None = None,
) -> list[ProviderRecommendation]:
    """Providers ordered by their best solution (of those clearing the bar), with a small bonus for a second one."""
    cands = candidates(need_or_gaps, catalog, outcomes=outcomes)
    index = index_of(catalog)
    ok = eligible(cands)
    scores = (cands.matrix[ok] @ _weight_vector(weights)) * cands.factor[ok]
    ids = index.id_array[cands.rows[ok]].tolist()
    # Every candidate in score order (no provider cap), without explanations: only the scores are needed.
    by_provider: dict[str, list[tuple[str, float]]] = {}
    for j in _sorted(np.arange(len(ids)), scores, ids):
        by_provider.setdefault(index.provider_ids[int(cands.rows[ok[j]])], []).append((ids[j], float(scores[j])))
    scored = []
    for pid, items in by_provider.items():
        score = items[0][1] + 0.1 * sum(s for _, s in items[1:3])
        scored.append((pid, score, [sid for sid, _ in items]))
    scored.sort(key=lambda x: (-round(x[1], 12), x[0]))
    return [ProviderRecommendation(n, pid, s, ids) for n, (pid, s, ids) in enumerate(scored[:k], start=1)]
