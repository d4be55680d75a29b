"""Stored results of imported assessments, built from one `maturity.score_many` run instead of a `score` per row.

A row of a BatchResult carries the score, level, level scores and node scores `score` would give; these build the
same LevelResult and NodeResult values. What it cannot give cheaply — per-item results, the trace and blockers —
is left out of the snapshot (marked "compact") and recomputed on demand by `full_snapshot`: scoring one CMMM row
costs ~5 ms and its full snapshot is ~100 KB, so 50,000 full snapshots would take minutes and gigabytes."""

from __future__ import annotations

from dataclasses import dataclass

import maturity
from maturity.results import LevelResult, NodeResult
from maturity.spec import EPS, ModelSpec, Node

from .models import AssessmentResult


def is_provisional(spec: ModelSpec, refs) -> bool:
    """As `maturity.scoring.is_provisional`: the model, its rule, or any item that counts is provisional."""
    if spec.status == "provisional" or (spec.rule.status or spec.status) == "provisional":
        return True
    return any(ref.status == "provisional" for ref, applicable, _mp in refs if applicable)


@dataclass
class _BatchRow:
    """The parts of a `maturity.Result` that a stored result needs, read from one row of a BatchResult."""

    score: float
    scale_max: float
    level: int | None
    level_name: str
    provisional: bool
    nodes: dict[str, NodeResult]
    levels: list[LevelResult]
    spec: ModelSpec

    def to_dict(self) -> dict:
        return {
            "compact": True,  # no per-item results, trace or blockers: see full_snapshot()
            "model_code": self.spec.code,
            "model_version": self.spec.version,
            "rule": self.spec.rule.type,
            "score": self.score,
            "scale_max": self.scale_max,
            "level": self.level,
            "level_name": self.level_name,
            "items": {},
            "nodes": {code: n.__dict__ for code, n in self.nodes.items()},
            "levels": [lv.__dict__ for lv in self.levels],
            "trace": [],
            "blockers": [],
            "provisional": self.provisional,
        }


def _node_meta(spec: ModelSpec) -> list[tuple[str, str, int, str]]:
    out = []

    def rec(node: Node, depth: int, status: str) -> None:
        st = node.status or status
        out.append((node.code, node.name, depth, st))
        for child in node.children:
            rec(child, depth + 1, st)

    for top in spec.nodes:
        rec(top, 0, spec.status)
    return out


def batch_rows(spec: ModelSpec, batch: maturity.BatchResult, provisional: list[bool]) -> list[_BatchRow]:
    meta = _node_meta(spec)
    column = {code: k for k, code in enumerate(batch.node_codes)}
    cmmm = spec.rule.type == "cmmm_cumulative"
    scale_max = float(len(spec.levels)) if cmmm else spec.rule.scale_max
    thresholds = [spec.rule.threshold(lv.number) for lv in spec.levels] if cmmm else []
    node_scores = batch.node_scores.tolist()
    level_scores = batch.level_scores.tolist()
    out = []
    for r in range(len(batch.scores)):
        scores = node_scores[r]
        nodes = {}
        for code, name, depth, status in meta:
            value = scores[column[code]]
            nodes[code] = NodeResult(code, name, depth, None if value != value else value, status)
        levels = []
        if cmmm:
            counting = True
            for lv, thr, ls in zip(spec.levels, thresholds, level_scores[r], strict=True):
                ls = None if ls != ls else ls
                passed = ls is not None and ls >= thr - EPS
                levels.append(LevelResult(lv.number, lv.name, ls, thr, passed, counting))
                counting = counting and passed
        level = int(batch.levels[r])
        level_value = None if level < 0 else level
        out.append(
            _BatchRow(
                float(batch.scores[r]),
                scale_max,
                level_value,
                "" if level_value is None else spec.level_name(level_value),
                provisional[r],
                nodes,
                levels,
                spec,
            )
        )
    return out


def full_snapshot(result: AssessmentResult) -> dict:
    """The one reader of a stored result's snapshot, whatever its shape — pages, reports, recommendations and the
    API all read through it: a full snapshot as stored; a compact one (large imports) recomputed from the
    assessment's frozen answers and pinned model version, which give the same Result."""
    snapshot = result.snapshot
    if not snapshot.get("compact"):
        return snapshot
    assessment = result.assessment
    return maturity.score(result.model_version.parsed(), assessment.answers, assessment.context).to_dict()
