"""What scoring returns: frozen dataclasses of plain values, safe to snapshot as JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any


@dataclass(frozen=True)
class ItemResult:
    """One item: `state` is answered / missing (scored 0) / not_applicable (N/A) / excluded (by context).

    `normalised` is points ÷ max_points (0..1) for items that take part in the score, else None."""

    code: str
    name: str
    kind: str
    level: int | None
    state: str
    points: float | None
    max_points: float | None
    normalised: float | None
    status: str


@dataclass(frozen=True)
class NodeResult:
    """A tree node's weighted score 0..1; None when nothing under it counts (all N/A, excluded or zero weight)."""

    code: str
    name: str
    depth: int
    score: float | None
    status: str


@dataclass(frozen=True)
class LevelResult:
    """A level's own score (cmmm_cumulative only; None when the level has no applicable requirement)."""

    number: int
    name: str
    score: float | None
    threshold: float
    passed: bool
    counted: bool


@dataclass(frozen=True)
class Blocker:
    """Something holding the enterprise below `level`; `gap` is how much is missing or could be gained.

    kind: prerequisite | level | score | node | item | scenes. For node/item, gap is the most the level
    score (cmmm) or total score (bands) would rise if that node/item were fully satisfied."""

    level: int
    kind: str
    code: str | None
    name: str
    current: float
    target: float | None
    gap: float
    message: str


@dataclass(frozen=True)
class Result:
    """The outcome of one assessment; `level` is None for rules without levels, 0 = below the first level."""

    model_code: str
    model_version: str
    rule: str
    score: float
    scale_max: float
    level: int | None
    level_name: str
    items: Mapping[str, ItemResult]
    nodes: Mapping[str, NodeResult]
    levels: tuple[LevelResult, ...]
    trace: tuple[str, ...]
    blockers: tuple[Blocker, ...]
    provisional: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain dict for storing a snapshot (items reduced to state, points and normalised score)."""
        data: dict[str, Any] = {f.name: getattr(self, f.name) for f in fields(self)}
        data["levels"] = [asdict(x) for x in self.levels]
        data["blockers"] = [asdict(x) for x in self.blockers]
        data["trace"] = list(self.trace)
        # Per item only what the answers decided. Name, kind, level, maximum, status and note come from the model
        # version the result was computed with (pinned next to every snapshot); repeating them made a CMMM snapshot
        # ~100 KB, which a province with a million assessments cannot afford.
        data["items"] = {
            k: {"state": item.state, "points": item.points, "normalised": item.normalised}
            for k, item in self.items.items()
        }
        data["nodes"] = {k: asdict(v) for k, v in self.nodes.items()}
        return data
