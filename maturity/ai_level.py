"""The AI-level diagnosis beside its score: the share of AI scenes among the enterprise's scenes, checked against the
smart-factory tier conditions that read it. Pure (no Django), like the rest of the engine.

The model (`library/ai-level-2026.yaml`, code `ai-level`, provisional) grades each scene of the value chain 0–4, the
lowest grade meaning "no AI". Read from a result's items (`Result.to_dict()["items"]`, or a stored snapshot's):

- the enterprise's scenes are the applicable scene items not marked N/A (N/A = it has no such scene); an unanswered
  scene counts as one of its scenes at the lowest grade, as the score counts it 0 (conservative);
- an AI scene is one graded above the lowest grade (provisional: whether 工具辅助 already makes an "AI application
  scene" in the sense of the 要素条件 is not verified);
- the share is AI scenes ÷ scenes, None when the enterprise has no scene.

The tier conditions (`library/tiers/smart-factory-2025.yaml`) read the share as the ratio of two facts,
`ai_scene_count` / `scene_count` (卓越级 ≥ 20 %, 领航级 ≥ 60 %, [P]); `tier_facts` gives those two facts and
`share_thresholds` reads the thresholds in force for a region from the tier model, so the numbers live in one file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from maturity.base import EPS
from maturity.spec import ModelSpec
from maturity.tier_model import Ratio, TierModel, resolve

AI_MODEL = "ai-level"  # the model code a province keeps when it replaces the file (a new version, same code)
SCENE_FACT, AI_SCENE_FACT = "scene_count", "ai_scene_count"  # the tier model's facts the share is the ratio of


@dataclass(frozen=True)
class SceneShare:
    scenes: int  # the enterprise's scenes (answered or unanswered, N/A left out)
    ai_scenes: int  # of which graded above the lowest grade
    unanswered: int  # of the scenes, how many were left unanswered (counted at the lowest grade)
    not_applicable: int  # scenes marked N/A: the enterprise does not have them

    @property
    def share(self) -> float | None:
        return self.ai_scenes / self.scenes if self.scenes else None


@dataclass(frozen=True)
class Threshold:
    """A tier condition on the AI-scene share: `met` is None when the share is unknown (no scene)."""

    tier: str
    tier_name: str
    op: str
    value: float
    provisional: bool
    met: bool | None


def scene_share(spec: ModelSpec, items: Mapping[str, Mapping]) -> SceneShare:
    """The AI-scene count of one result; `items` maps item code → {"state", "points"} as a result snapshot has it."""
    scenes = ai = unanswered = na = 0
    for ref in spec.iter_items():
        item = ref.item
        if item.kind != "scene":
            continue
        row = items.get(item.code) or {}
        state = row.get("state")
        if state == "not_applicable":
            na += 1
        elif state == "missing":
            scenes += 1
            unanswered += 1
        elif state == "answered":
            scenes += 1
            ai += (row.get("points") or 0.0) > item.min_grade + EPS
    return SceneShare(scenes, ai, unanswered, na)


def tier_facts(share: SceneShare) -> dict[str, int]:
    """The two facts the tier conditions read; nothing when the enterprise has no scene (the share is unknown)."""
    if not share.scenes:
        return {}
    return {SCENE_FACT: share.scenes, AI_SCENE_FACT: share.ai_scenes}


_OPS = {
    "ge": lambda a, b: a >= b - EPS,
    "gt": lambda a, b: a > b + EPS,
    "le": lambda a, b: a <= b + EPS,
    "lt": lambda a, b: a < b - EPS,
    "eq": lambda a, b: abs(a - b) <= EPS,
    "ne": lambda a, b: abs(a - b) > EPS,
}


def share_thresholds(model: TierModel, share: float | None, region_code: str | None = None) -> list[Threshold]:
    """The tier conditions in force for the region that test AI scenes ÷ scenes (at any depth of all/any), lowest
    tier first, each with whether `share` meets it on its own (the tier's other conditions aside)."""
    out = []
    for tier, conditions in resolve(model, region_code).tiers:
        for eff in conditions:
            for expr in _ratios(eff.condition.when):
                if tuple(expr.ratio) == (AI_SCENE_FACT, SCENE_FACT) and expr.op in _OPS:
                    met = None if share is None else _OPS[expr.op](share, float(expr.value))
                    out.append(
                        Threshold(
                            tier.code, tier.name, expr.op, float(expr.value), eff.condition.status != "official", met
                        )
                    )
    return out


def _ratios(expr):
    if isinstance(expr, Ratio):
        yield expr
    for part in getattr(expr, "all", None) or getattr(expr, "any", None) or ():
        yield from _ratios(part)
