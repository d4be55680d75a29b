"""Expert review, pure: who may not review whom (each exclusion stated), a balanced assignment that respects
them, and the consolidation of several experts' scores. No Django: the services pass plain records in."""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class ExpertCard:
    id: int
    name: str
    organisation: str = ""
    organisation_code: str = ""  # the credit code of the expert's own organisation, when known
    region_path: str = ""  # where the expert works (a division code prefix)
    fields: frozenset[str] = frozenset()
    load: int = 0  # open review tasks already carried


@dataclass(frozen=True)
class CaseCard:
    id: int
    enterprise_code: str  # the applicant's credit code
    enterprise_name: str
    county_id: str
    served_by: frozenset[str] = frozenset()  # credit codes of providers that served the applicant
    fields: frozenset[str] = frozenset()  # what the application is about (industry, scenario codes)
    already: frozenset[int] = frozenset()  # experts already assigned to it


def exclusions(expert: ExpertCard, case: CaseCard, rules: Iterable[str]) -> list[str]:
    """Why `expert` may not review `case` under the programme's rules (empty: they may)."""
    reasons = []
    rules = set(rules)
    if "own_organisation" in rules and expert.organisation_code and expert.organisation_code == case.enterprise_code:
        reasons.append(f"专家所在单位即申请单位（{case.enterprise_name}）")
    if "served_by_provider" in rules and expert.organisation_code and expert.organisation_code in case.served_by:
        reasons.append(f"专家所在单位（{expert.organisation}）曾为申请单位提供服务")
    if "same_county" in rules and expert.region_path and case.county_id.startswith(expert.region_path) \
            and len(expert.region_path) >= 6:  # fmt: skip
        reasons.append("专家与申请单位在同一区县")
    return reasons


@dataclass
class Assignment:
    chosen: dict[int, list[int]] = field(default_factory=dict)  # case id → expert ids
    short: dict[int, int] = field(default_factory=dict)  # case id → experts still missing
    excluded: dict[int, list[tuple[int, list[str]]]] = field(default_factory=dict)  # case → (expert, reasons)


def assign(cases: Sequence[CaseCard], experts: Sequence[ExpertCard], per_case: int,
           rules: Iterable[str]) -> Assignment:  # fmt: skip
    """`per_case` experts for each case, none excluded, the least loaded first (ties: more fields in common, then
    the lower id, so the result is reproducible). A case with too few eligible experts says how many are missing."""
    rules = frozenset(rules)
    load = {e.id: e.load for e in experts}
    result = Assignment()
    for case in cases:
        eligible, excluded = [], []
        for expert in experts:
            if expert.id in case.already:
                continue
            reasons = exclusions(expert, case, rules)
            if reasons:
                excluded.append((expert.id, reasons))
            else:
                eligible.append(expert)
        need = per_case - len(case.already)
        best = heapq.nsmallest(max(need, 0), eligible, key=lambda e: (load[e.id], -len(e.fields & case.fields), e.id))
        for expert in best:
            load[expert.id] += 1
        result.chosen[case.id] = [e.id for e in best]
        if len(best) < need:
            result.short[case.id] = need - len(best)
        if excluded:
            result.excluded[case.id] = excluded
    return result


class ConsolidationError(ValueError):
    pass


def consolidate(scores: Mapping[int, float], method: str, *, trim: int = 1, chair: int | None = None,
                chair_score: float | None = None) -> float:  # fmt: skip
    """One score from several experts': their mean; the mean without the `trim` lowest and highest (needs more than
    2·trim scores); or the chair's decision (the chair's own score, or the score the chair sets)."""
    values = sorted(scores.values())
    if not values:
        raise ConsolidationError("尚无专家评分")
    if method == "mean":
        return sum(values) / len(values)
    if method == "trimmed_mean":
        if len(values) <= 2 * trim:
            raise ConsolidationError(f"去掉最高、最低各 {trim} 个分数需要至少 {2 * trim + 1} 位专家的评分")
        kept = values[trim : len(values) - trim]
        return sum(kept) / len(kept)
    if method == "chair":
        if chair_score is not None:
            return float(chair_score)
        if chair is not None and chair in scores:
            return float(scores[chair])
        raise ConsolidationError("由组长决定：请组长给出分数")
    raise ConsolidationError(f"未知的汇总方法：{method}")
