"""Encoding many assessments' answers into the (rows × items) matrices that `score_encoded` folds.

Two paths give identical matrices. The column path reads one item across all rows with a dict lookup per cell;
the row path runs `evaluate` (exactly what `score` runs) row by row. Any irregularity at all — an unknown code, a
missing required answer, a value the column path does not recognise — sends the whole batch down the row path,
so a bad batch raises exactly the error, for exactly the row, that scoring the rows one by one would raise."""

from __future__ import annotations

import numpy as np

from maturity.answers import evaluate, points_for, prepare
from maturity.base import NA, SCORING_KINDS
from maturity.spec import ModelSpec

_MISSING = object()


class _Irregular(Exception):
    """Raised inside the column path to hand the batch to the row path."""


def encode(
    spec: ModelSpec, answers_list: list[dict[str, object]], context: dict | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """`values`: each counted item's 0–1 score (NaN where it does not count); `raw`: points as answered (NaN where
    unanswered and not counted as 0). Columns follow `spec.iter_items()`."""
    try:
        return _encode_columns(spec, answers_list, context)
    except _Irregular:
        return _encode_rows(spec, answers_list, context)


def _exclude_scenes(spec: ModelSpec) -> bool:
    return spec.rule.type == "score_and_scene_counts" and not spec.rule.scenes_in_score


def _encode_rows(spec, answers_list, context):
    n = len(answers_list)
    exclude_scenes = _exclude_scenes(spec)
    refs = list(spec.iter_items())
    col = {r.item.code: i for i, r in enumerate(refs)}
    values = np.full((n, len(refs)), np.nan)
    raw = np.full((n, len(refs)), np.nan)  # points as answered; unanswered scenes/prerequisites count 0
    prep = prepare(spec, context)
    for row, answers in enumerate(answers_list):
        for e in evaluate(spec, answers, context, prep):
            j = col[e.ref.item.code]
            norm = e.normalised
            if norm is not None and not (exclude_scenes and e.ref.item.kind == "scene"):
                values[row, j] = norm
            if e.state in ("answered", "missing"):
                raw[row, j] = e.points if e.points is not None else 0.0
    return values, raw


def _encode_columns(spec, answers_list, context):
    prep = prepare(spec, context)
    seen: set[str] = set()
    for answers in answers_list:
        seen.update(answers)
    if seen - prep.known:
        raise _Irregular
    n = len(answers_list)
    exclude_scenes = _exclude_scenes(spec)
    values = np.full((n, len(prep.refs)), np.nan)
    raw = np.full((n, len(prep.refs)), np.nan)
    for j, (ref, applicable, mp) in enumerate(prep.refs):
        item = ref.item
        cells = [answers.get(item.code, _MISSING) for answers in answers_list]
        if not applicable:
            if any(v is not _MISSING and v is not None and v != NA for v in cells):
                raise _Irregular
            continue  # excluded: NaN in both matrices
        lookup = {o.code: o.points for o in item.options} if item.kind in ("graded", "single_choice") else {}
        # Option codes resolve in C (map + dict.get); only cells that did not resolve are looked at one by one.
        # Unhashable answers (a multi-select list) cannot be option codes, so such columns skip the fast lookup.
        hashable = item.kind != "multi_select"
        try:
            points = np.array(list(map(lookup.get, cells)) if lookup and hashable else [None] * n, dtype=float)
        except TypeError as exc:  # an unhashable answer where a code belongs: invalid, reported by the row path
            raise _Irregular from exc
        answered = ~np.isnan(points)
        missing = np.zeros(n, dtype=bool)
        for i in np.flatnonzero(~answered):
            v = cells[i]
            if v is _MISSING or v is None:
                if item.required:
                    raise _Irregular
                missing[i] = True
            elif isinstance(v, str) and v == NA:
                if not item.not_applicable_allowed:
                    raise _Irregular
            else:
                try:
                    p = points_for(item, v)
                except Exception as exc:  # any problem: the row path raises it properly
                    raise _Irregular from exc
                points[i] = 0.0 if p is None else p
                answered[i] = True
        raw[:, j] = np.where(answered, points, np.where(missing, 0.0, np.nan))
        if item.kind in SCORING_KINDS and not (exclude_scenes and item.kind == "scene"):
            values[:, j] = np.where(answered, points / mp, np.where(missing, 0.0, np.nan))
    return values, raw
