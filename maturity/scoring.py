"""`score(spec, answers, context)`: one assessment → Result, following the spec's rule.

Sums use math.fsum so the result does not depend on the order of items in the file (fsum is exactly
rounded, hence order-independent); ties in explanations are broken by code for the same reason.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from types import MappingProxyType

from maturity.answers import Evaluated, evaluate
from maturity.memo import per_spec
from maturity.results import ItemResult, LevelResult, NodeResult, Result
from maturity.spec import EPS, ModelSpec, Node
from maturity.trace import band_level, explain


@dataclass(frozen=True)
class Tree:
    """Weighted-mean scores of every node, and each item's share of the root (what raising it is worth)."""

    root: float | None
    nodes: dict[str, float | None]
    shares: dict[str, float]


def weighted_tree(top: list[Node], values: dict[str, float | None]) -> Tree:
    """Weighted mean per node, renormalised over children that count (not None); zero weights count for nothing.

    A node whose counting weight sums to zero is None and drops out of its parent, like an N/A item."""
    scores: dict[str, float | None] = {}
    dens: dict[str, float] = {}

    def mean(parts: list[tuple[float, float | None]]) -> tuple[float | None, float]:
        den = math.fsum(w for w, s in parts if s is not None)
        if den <= 0:
            return None, 0.0
        return math.fsum(w * s for w, s in parts if s is not None) / den, den

    def rec(node: Node) -> float | None:
        if node.children:
            parts = [(c.weight, rec(c)) for c in node.children]
        else:
            parts = [(it.weight, values.get(it.code)) for it in node.items]
        scores[node.code], dens[node.code] = mean(parts)
        return scores[node.code]

    root, root_den = mean([(n.weight, rec(n)) for n in top])
    shares: dict[str, float] = {}

    def share_down(node: Node, share: float) -> None:
        den = dens[node.code]
        for child in node.children:
            counts = scores[child.code] is not None and den > 0
            share_down(child, share * child.weight / den if counts else 0.0)
        for it in node.items:
            counts = values.get(it.code) is not None and den > 0
            shares[it.code] = share * it.weight / den if counts else 0.0

    for n in top:
        share_down(n, n.weight / root_den if root is not None and scores[n.code] is not None else 0.0)
    return Tree(root, scores, shares)


@dataclass(frozen=True)
class SubdomainAtLevel:
    code: str
    name: str
    score: float
    weight: float  # product of node weights along the path, the sub-domain's weight in its level score
    item_weights: dict[str, float]  # item code → weight share within this sub-domain at this level
    item_scores: dict[str, float]  # item code → normalised score

    def score_of(self, code: str) -> float:
        return self.item_scores[code]


def leaves_with_weights(top: list[Node]) -> list[tuple[Node, float]]:
    """Item-holding nodes (the CMMM sub-domains) with the product of weights along their path."""
    out: list[tuple[Node, float]] = []

    def rec(node: Node, w: float) -> None:
        if node.items:
            out.append((node, w * node.weight))
        for c in node.children:
            rec(c, w * node.weight)

    for n in top:
        rec(n, 1.0)
    return out


def items_by_level(leaves: list[tuple[Node, float]], level: int) -> list[tuple[Node, float, list[tuple[str, float]]]]:
    """Each sub-domain with its path weight and its items (code, weight) at `level`; spec-only, so memoised."""
    out = []
    for node, pw in leaves:
        items = [(it.code, it.weight) for it in node.items if it.level == level]
        if items:
            out.append((node, pw, items))
    return out


def cmmm_level(
    level: int, leaves: list[tuple[Node, float]], values: dict[str, float | None], spec: ModelSpec | None = None
) -> tuple[float | None, list[SubdomainAtLevel]]:
    """Level score = weighted mean over sub-domains of the (weighted) mean of their items at this level."""
    subs: list[SubdomainAtLevel] = []
    grouped = (
        per_spec(spec, ("items_by_level", level), lambda: items_by_level(leaves, level))
        if spec is not None
        else items_by_level(leaves, level)
    )
    for node, pw, items in grouped:
        parts = [(c, w, values.get(c)) for c, w in items]
        parts = [(c, w, v) for c, w, v in parts if v is not None]
        den = math.fsum(w for _, w, _ in parts)
        if den > 0:
            s = math.fsum(w * v for _, w, v in parts) / den
            weights = {c: w / den for c, w, _ in parts}
            subs.append(SubdomainAtLevel(node.code, node.name, s, pw, weights, {c: v for c, _, v in parts}))
    den = math.fsum(s.weight for s in subs)
    if den <= 0:
        return None, subs
    return math.fsum(s.weight * s.score for s in subs) / den, subs


def prerequisite_cap(spec: ModelSpec, evals: list[Evaluated]) -> tuple[int | None, list[Evaluated]]:
    """Highest level allowed by the yes/no prerequisites; unanswered counts as not met, N/A is ignored."""
    failed = [
        e for e in evals if e.ref.item.kind == "prerequisite" and e.state in ("answered", "missing") and e.points != 1.0
    ]
    if not failed:
        return None, []
    return min((e.ref.item.level or 1) - 1 for e in failed), failed


def score(spec: ModelSpec, answers: dict[str, object], context: dict | None = None) -> Result:
    """Score one assessment; raises a ScoringError subclass for any invalid, missing or misplaced answer."""
    evals = evaluate(spec, answers, context)
    rule = spec.rule
    exclude_scenes = rule.type == "score_and_scene_counts" and not rule.scenes_in_score
    values = {e.ref.item.code: (None if exclude_scenes and e.ref.item.kind == "scene" else e.normalised) for e in evals}
    tree = weighted_tree(spec.nodes, values)
    levels: list[LevelResult] = []
    level_details: dict[int, tuple[float | None, list[SubdomainAtLevel]]] = {}
    scene_grades = [
        (e.ref.item.code, e.ref.item.name, e.points or 0.0)
        for e in evals
        if e.ref.item.kind == "scene" and e.state in ("answered", "missing")
    ]
    level: int | None
    caps: list[Cap] = []
    if rule.type == "cmmm_cumulative":
        leaves = per_spec(spec, "leaves", lambda: leaves_with_weights(spec.nodes))
        total_parts: list[float] = []
        counting = True
        for lv in spec.levels:
            ls, subs = cmmm_level(lv.number, leaves, values, spec)
            level_details[lv.number] = (ls, subs)
            thr = rule.threshold(lv.number)
            passed = ls is not None and ls >= thr - EPS
            levels.append(LevelResult(lv.number, lv.name, ls, thr, passed, counting))
            if counting:
                total_parts.append(ls or 0.0)
            counting = counting and passed
        total, scale_max = math.fsum(total_parts), float(len(spec.levels))
        level = band_level(rule.bands, total)
    else:
        scale_max = rule.scale_max
        total = (tree.root or 0.0) * scale_max
        if rule.type == "weighted_sum":
            level = None
        elif rule.type == "score_bands":
            level = band_level(rule.bands, total)
        elif rule.type == "capped_bands":
            caps = item_caps(spec, values)
            level = min([band_level(rule.bands, total), *(c.level for c in caps)])
        else:
            met = [r.level for r in rule.requirements if requirement_met(r, total, scene_grades)]
            level = max(met, default=0)
    cap, failed_prereqs = prerequisite_cap(spec, evals)
    if level is not None and cap is not None:
        level = min(level, cap)
    trace, blockers = explain(
        spec,
        evals=evals,
        tree=tree,
        total=total,
        level=level,
        levels=levels,
        level_details=level_details,
        scene_grades=scene_grades,
        failed_prereqs=failed_prereqs,
        cap=cap,
        caps=caps,
    )
    items = {
        e.ref.item.code: ItemResult(
            e.ref.item.code,
            e.ref.item.name,
            e.ref.item.kind,
            e.ref.item.level,
            e.state,
            e.points,
            e.max_points,
            values[e.ref.item.code],
            e.ref.status,
        )
        for e in evals
    }
    return Result(
        model_code=spec.code,
        model_version=spec.version,
        rule=rule.type,
        score=total,
        scale_max=scale_max,
        level=level,
        level_name="" if level is None else spec.level_name(level),
        items=MappingProxyType(items),
        nodes=MappingProxyType(node_results(spec, tree)),
        levels=tuple(levels),
        trace=tuple(trace),
        blockers=tuple(blockers),
        provisional=is_provisional(spec, evals),
    )


@dataclass(frozen=True)
class Cap:
    """A capping item of a `capped_bands` rule: its normalised score (None counts 0) and the level it allows."""

    code: str
    name: str
    score: float
    level: int


def item_caps(spec: ModelSpec, values: dict[str, float | None]) -> list[Cap]:
    """Each capping item's level: its normalised score × scale_max, banded as the total is (None counts 0)."""
    rule = spec.rule
    names = per_spec(spec, "item_names", lambda: {ref.item.code: ref.item.name for ref in spec.iter_items()})
    out = []
    for code in rule.caps:
        s = values.get(code) or 0.0
        out.append(Cap(code, names[code], s, band_level(rule.bands, s * rule.scale_max)))
    return out


def requirement_met(req, total: float, scene_grades: list[tuple[str, str, float]]) -> bool:
    count = sum(1 for _, _, g in scene_grades if g >= req.scene_level)
    return total >= req.min_score - EPS and count >= req.min_scenes


def node_results(spec: ModelSpec, tree: Tree) -> dict[str, NodeResult]:
    out: dict[str, NodeResult] = {}

    def rec(node: Node, depth: int, status: str) -> None:
        st = node.status or status
        out[node.code] = NodeResult(node.code, node.name, depth, tree.nodes[node.code], st)
        for c in node.children:
            rec(c, depth + 1, st)

    for n in spec.nodes:
        rec(n, 0, spec.status)
    return out


def is_provisional(spec: ModelSpec, evals: list[Evaluated]) -> bool:
    """A result is provisional if the model, its rule, or any item that counted is not official."""
    if spec.status == "provisional" or (spec.rule.status or spec.status) == "provisional":
        return True
    return any(e.ref.status == "provisional" for e in evals if e.state != "excluded")
