"""Scoring rules as data: which aggregation turns item scores into a total and a level."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from maturity.base import EPS, Provenance, Status, _Base, _WithProvenance


class ScoreBand(_Base):
    """[min, max) → level; `max` None means unbounded, `max_inclusive` closes the top (CMMM: 4.8 ≤ S ≤ 5)."""

    min: float
    max: float | None = None
    max_inclusive: bool = False
    level: int

    def contains(self, x: float) -> bool:
        if x < self.min - EPS:
            return False
        if self.max is None:
            return True
        return x <= self.max + EPS if self.max_inclusive else x < self.max - EPS


def _check_bands(bands: list[ScoreBand]) -> None:
    for i, b in enumerate(bands):
        if b.max is not None and b.max <= b.min:
            raise ValueError(f"bands[{i}]: max 须大于 min")
    for i, (a, b) in enumerate(zip(bands, bands[1:], strict=False)):
        if a.max is None or a.max > b.min or (a.max == b.min and a.max_inclusive):
            raise ValueError(f"bands[{i}]–bands[{i + 1}]: 分数段须升序且不重叠 bands must be ordered and not overlap")
        if b.level <= a.level:
            raise ValueError(f"bands[{i + 1}]: 等级须随分数段递增 levels must rise with the bands")


class _RuleBase(_WithProvenance):
    status: Status | None = None
    provenance: Provenance | None = None


class WeightedSumRule(_RuleBase):
    """Weighted sum over the tree, renormalised within each parent over applicable children, × scale_max."""

    type: Literal["weighted_sum"]
    scale_max: float = Field(default=100.0, gt=0)


class ScoreBandsRule(_RuleBase):
    """A weighted sum mapped to a level by score bands (SME 2022: 20–40 一级 … ≥ 80 四级)."""

    type: Literal["score_bands"]
    scale_max: float = Field(default=100.0, gt=0)
    bands: list[ScoreBand] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> ScoreBandsRule:
        _check_bands(self.bands)
        return self


_CMMM_BANDS = [
    ScoreBand(min=0.8, max=1.8, level=1),
    ScoreBand(min=1.8, max=2.8, level=2),
    ScoreBand(min=2.8, max=3.8, level=3),
    ScoreBand(min=3.8, max=4.8, level=4),
    ScoreBand(min=4.8, max=5.0, max_inclusive=True, level=5),
]


class CmmmCumulativeRule(_RuleBase):
    """GB/T 39117 as remembered ([U]): level scores summed up to and including the first failed level."""

    type: Literal["cmmm_cumulative"]
    pass_threshold: float = Field(default=0.8, gt=0, le=1)
    thresholds: dict[int, float] = {}  # per-level overrides of pass_threshold
    bands: list[ScoreBand] = Field(default_factory=lambda: list(_CMMM_BANDS))

    @model_validator(mode="after")
    def _check(self) -> CmmmCumulativeRule:
        _check_bands(self.bands)
        return self

    def threshold(self, level: int) -> float:
        return self.thresholds.get(level, self.pass_threshold)


class LevelRequirement(_Base):
    """To reach `level`: score ≥ min_score and at least `min_scenes` scenes graded ≥ `scene_level`."""

    level: int
    min_score: float = 0.0
    scene_level: int = 1
    min_scenes: int = Field(default=0, ge=0)


class ScoreAndSceneCountsRule(_RuleBase):
    """A score (over non-scene items unless scenes_in_score) combined with scene counts per level (SME 2024 style)."""

    type: Literal["score_and_scene_counts"]
    scale_max: float = Field(default=100.0, gt=0)
    scenes_in_score: bool = False
    requirements: list[LevelRequirement] = Field(min_length=1)


class CappedBandsRule(_RuleBase):
    """A weighted mean banded into levels, the level capped by the level of each item in `caps` (the AI-level model:
    the weighted mean of 0–4 answers on an AIRI-style scale L0–L4, no higher than its safety-and-governance answer).

    A capping item's own level is its normalised score × `scale_max` banded by the same `bands`; an unanswered,
    not-applicable or excluded capping item counts 0 (nothing undecided lifts the cap). `ModelSpec` checks that
    every code in `caps` is a scored item."""

    type: Literal["capped_bands"]
    scale_max: float = Field(default=100.0, gt=0)
    bands: list[ScoreBand] = Field(min_length=1)
    caps: list[str] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> CappedBandsRule:
        _check_bands(self.bands)
        if len(set(self.caps)) != len(self.caps):
            raise ValueError("caps: 封顶条目重复 duplicate capping items")
        return self


Rule = Annotated[
    WeightedSumRule | ScoreBandsRule | CmmmCumulativeRule | ScoreAndSceneCountsRule | CappedBandsRule,
    Field(discriminator="type"),
]
