"""When nothing clears the bar: near misses (what a hard filter removed or a graded constraint sank) and the
abstention (资源池中暂无匹配的方案) with its reasons and next steps."""

from __future__ import annotations

from collections import Counter

import numpy as np

from .constraints import penalties
from .index import index_of
from .learning import OutcomeModel
from .model import Catalog, Need, Solution
from .rank import PENALTY_REASONS, RELEVANCE_BAR, Abstention, Candidates, NearMiss, candidates

NO_MATCH = "资源池中暂无匹配的方案"


def _served(catalog: Catalog, position: int) -> tuple[str, ...]:
    solution = catalog.solutions[position]
    provider = catalog.providers.get(solution.provider_id)
    return solution.regions or (provider.regions if provider else ())


def find_near_misses(cands: Candidates, catalog: Catalog, model: OutcomeModel) -> list[NearMiss]:
    """Relevant solutions (relevance before constraints ≥ the bar) that a graded constraint sank below the bar or
    the region filter removed, most relevant first. Suspended or removed providers are never near misses."""
    index = index_of(catalog)
    found: list[tuple[float, str, NearMiss]] = []
    need = cands.need
    sunk = np.flatnonzero((cands.relevance >= RELEVANCE_BAR) & (cands.relevance * cands.factor < RELEVANCE_BAR))
    for j in sunk:
        solution = catalog.solutions[int(cands.rows[j])]
        found.append((-float(cands.relevance[j]), solution.id, _miss(need, solution, float(cands.relevance[j]))))
    if need.region:
        wide = candidates(need, catalog, outcomes=model, region=False)
        inside = np.zeros(index.n, dtype=bool)
        inside[cands.rows] = True
        for j in np.flatnonzero((wide.relevance >= RELEVANCE_BAR) & ~inside[wide.rows]):
            position = int(wide.rows[j])
            solution = catalog.solutions[position]
            served = "、".join(_served(catalog, position)[:4])
            region = f"不服务您所在地区（服务区域：{served}）"
            found.append(
                (-float(wide.relevance[j]), solution.id, _miss(need, solution, float(wide.relevance[j]), region))
            )
    found.sort(key=lambda x: (round(x[0], 12), x[1]))
    return [miss for _, _, miss in found]


def _miss(need: Need, solution: Solution, relevance: float, region: str = "") -> NearMiss:
    graded = penalties(need, solution)
    reasons = ((region,) if region else ()) + tuple(reason for _, _, reason in graded)
    kinds = (("region",) if region else ()) + tuple(kind for kind, _, _ in graded)
    return NearMiss(solution.id, solution.provider_id, relevance, reasons, kinds)


def abstention(cands: Candidates, catalog: Catalog, misses: list[NearMiss]) -> Abstention:
    """Why nothing fits, from the data: filters that removed relevant solutions, scenarios no solution declares,
    words of the need no solution uses, or relevance that stayed under the bar."""
    index = index_of(catalog)
    query = cands.query
    reasons: list[str] = []
    steps: list[str] = ["将需求发布到平台，由服务商主动响应"]
    region_misses = sum(1 for m in misses if "region" in m.kinds)
    by_constraint: Counter[str] = Counter(kind for m in misses for kind in m.kinds if kind != "region")
    if region_misses:
        reasons.append(f"有 {region_misses} 个相关方案不服务您所在地区")
        steps.append(f"放宽地区：有 {region_misses} 个相关方案服务其他地区")
    for key, n in sorted(by_constraint.items()):
        reasons.append(f"有 {n} 个相关方案{PENALTY_REASONS[key]}")
    if by_constraint["budget"]:
        steps.append(f"提高预算：有 {by_constraint['budget']} 个相关方案的报价下限高于预算")
    if by_constraint["deployment"]:
        steps.append("放宽部署方式要求")
    active = ~index.inactive
    missing = [
        code for code in query.scenarios if not active[index.scenarios.get(code, np.zeros(0, dtype=np.int64))].any()
    ]
    if missing:
        names = "、".join(f"“{query.taxonomy.name(c)}”" for c in missing[:4])
        reasons.append(f"资源池中没有标注{names}场景的方案")
    unknown = [t for t in dict.fromkeys(query.written) if not index.bm25.knows(t)]
    if unknown:
        reasons.append(f"资源池的方案中没有出现“{'、'.join(unknown[:4])}”")
    if len(cands.rows) and not misses:
        best = float((cands.relevance * cands.factor).max())
        reasons.append(
            f"与需求有关的 {len(cands.rows)} 个方案相关度都不足（最高 {best:.0%}，需要 {RELEVANCE_BAR:.0%}）"
        )
    if not reasons:
        reasons.append("资源池中没有与需求内容相关的方案")
    if not query.written and not query.declared:
        steps.append("补充需求描述：写明要解决的具体问题、场景或设备")
    return Abstention(NO_MATCH, tuple(reasons), tuple(steps))
