"""What "below the next level in a domain" means, per model, read from the maturity engine's rule of the model's
current version — the input of the tallies' `gap` measure (`cube.rebuild`) and of the top-gaps figure.

The rule: an enterprise whose latest result (on the figure's basis) is at level L has a gap in a node (a domain, or
a sub-domain below it) when the node's stored score (`DomainScore.score`, 0–1 over all its items) is below the
share of the maximum the engine asks of it for level L + 1:

- `cmmm_cumulative` (GB/T 39117): level L + 1 is passed when its own items score the pass threshold (0.8 unless
  the rule overrides that level) and the levels below are passed; the stored node score is over the items of
  every level, so the mark is the node's score with its items up to L + 1 at that threshold and those above unmet
  (`node_marks`: the engine's weighted tree over such answers);
- `score_bands`: the lower bound of level L + 1's band ÷ the scale maximum (SME 2022: level 2 from 40 of 100);
- `score_and_scene_counts`: the minimum score of level L + 1's requirement ÷ the scale maximum (scenes aside);
- `weighted_sum` has no levels, so no gaps; an enterprise at the top level has no next level, so no gaps.

Why a node score against the next level's mark: a CMMM level is passed when the level's score (its items) reaches
the threshold, and a banded total reaches a level when the weighted mean of its nodes does; a node below the
next level's mark is one that holds the enterprise back.

The item rule (条款; the tallies' `item_gap` measure, read from each result's JSON snapshot, where an item's
`normalised` score is its points ÷ its maximum, 0–1): an enterprise at level L has a gap in an item when the item's
normalised score is below what level L + 1 asks of it:

- `cmmm_cumulative`: the items of levels 1 … L + 1 (an item without a level counts as level 1), each against level
  L + 1's pass threshold (`rule.threshold(L + 1)`, 0.8 unless overridden) — the level score is the weighted mean
  of those items, so an item below the threshold is one that pulls it down; items of higher levels are not asked
  for yet;
- `score_bands` / `score_and_scene_counts`: every item, against the same share as the nodes (`next_level_marks`:
  level L + 1's minimum ÷ the scale maximum);
- only items that take part in the score (`ModelSpec.counting_codes`: a scoring kind with a weight; not SME 2024's
  scenes, which its rule keeps out of the score): an item's score is null in the snapshot when it is not
  applicable, excluded by the enterprise's context or of a kind that carries no points, and a null counts no gap;
  an unanswered applicable item scores 0 (the engine's conservative reading), so it counts;
- `weighted_sum` (no levels) and the top level (no next level): no gaps."""

from __future__ import annotations

from assessments.models import ModelVersion
from assessments.specs import parsed_spec
from maturity.scoring import weighted_tree


def next_level_marks(spec) -> dict[int, float]:
    """{current level: the 0–1 share a node needs for the next level} of a parsed model spec."""
    rule = spec.rule
    numbers = sorted(level.number for level in spec.levels)
    if rule.type == "cmmm_cumulative":
        marks = {number: rule.threshold(number) for number in numbers}
    elif rule.type in ("score_bands", "capped_bands"):
        marks = {}
        for band in rule.bands:
            marks[band.level] = min(marks.get(band.level, band.min), band.min) / rule.scale_max
    elif rule.type == "score_and_scene_counts":
        marks = {req.level: req.min_score / rule.scale_max for req in rule.requirements}
    else:
        return {}
    return {number - 1: marks[number] for number in numbers if number in marks}


def node_marks(spec) -> dict[tuple[str | None, int], float]:
    """{(node code — None: every node —, current level): the 0–1 node score the next level asks for}.

    CMMM: a node's stored score is over its items of every level, so the mark is what the node would score with its
    items up to the next level at that level's pass threshold and those above it unmet — the engine's own weighted
    tree over such answers (P at level 1 → 2: 0.8 × the weight of P's level 1–2 items in all of P's)."""
    rule = spec.rule
    if rule.type != "cmmm_cumulative":
        return {(None, level): mark for level, mark in next_level_marks(spec).items()}
    items = []

    def walk(nodes) -> None:
        for node in nodes:
            items.extend(node.items)
            walk(node.children)

    walk(spec.nodes)
    out: dict[tuple[str | None, int], float] = {}
    for number in sorted(level.number for level in spec.levels):
        threshold = rule.threshold(number)
        tree = weighted_tree(spec.nodes, {it.code: threshold if (it.level or 1) <= number else 0.0 for it in items})
        out.update({(code, number - 1): score for code, score in tree.nodes.items() if score is not None})
    return out


def current_marks() -> dict[str, dict[tuple[str | None, int], float]]:
    """{model code: node_marks} for the current version of every model that has levels."""
    out = {}
    for version in ModelVersion.objects.filter(is_current=True).defer("spec").order_by("code"):
        if marks := node_marks(parsed_spec(version)):
            out[version.code] = marks
    return out


def node_names(model_code: str) -> dict[str, tuple[str, int]]:
    """{node code: (its name, with its ancestors' after it — "组织战略（人员）" —, depth)} of the model's current
    version, in the tree's order: the node's own name first, so that a chart's short labels still tell them apart."""
    version = ModelVersion.objects.filter(code=model_code, is_current=True).defer("spec").first()
    if version is None:
        return {}
    out: dict[str, tuple[str, int]] = {}

    def walk(nodes, depth: int, above: list[str]) -> None:
        for node in nodes:
            out[node.code] = (f"{node.name}（{' › '.join(above)}）" if above else node.name, depth)
            walk(node.children, depth + 1, [*above, node.name])

    walk(parsed_spec(version).nodes, 0, [])
    return out


def item_marks(spec) -> dict[tuple[str, int], float]:
    """{(item code, current level): the 0–1 normalised score the next level asks of the item} of a parsed model
    spec, by the item rule above; an item absent for a level has no gap at that level."""
    counting = spec.counting_codes()
    items = [ref.item for ref in spec.iter_items() if ref.item.code in counting]
    rule = spec.rule
    out: dict[tuple[str, int], float] = {}
    if rule.type == "cmmm_cumulative":
        for number in sorted(level.number for level in spec.levels):
            threshold = rule.threshold(number)
            out.update({(item.code, number - 1): threshold for item in items if (item.level or 1) <= number})
        return out
    for level, mark in next_level_marks(spec).items():
        out.update({(item.code, level): mark for item in items})
    return out


def current_item_marks() -> dict[str, dict[tuple[str, int], float]]:
    """{model code: item_marks} for the current version of every model that has levels."""
    out = {}
    for version in ModelVersion.objects.filter(is_current=True).defer("spec").order_by("code"):
        if marks := item_marks(parsed_spec(version)):
            out[version.code] = marks
    return out


def item_names(model_code: str) -> dict[str, tuple[str, str]]:
    """{item code: (its name, the domain or sub-domain it sits in, written as `node_names` does — "组织战略（人员）";
    a node named as its parent, as CMMM's sub-domains below their domains, is named once)} of the model's current
    version, in the tree's order."""
    version = ModelVersion.objects.filter(code=model_code, is_current=True).defer("spec").first()
    if version is None:
        return {}
    out = {}
    for ref in parsed_spec(version).iter_items():
        path = [node.name for i, node in enumerate(ref.path) if i == 0 or node.name != ref.path[i - 1].name]
        out[ref.item.code] = (ref.item.name, f"{path[-1]}（{' › '.join(path[:-1])}）" if len(path) > 1 else path[-1])
    return out
