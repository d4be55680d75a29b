"""Checking and encoding many assessments' answers into item-major blocks that `maturity.batch` folds.

Two inputs, one meaning. A list of answer dicts (what `score` takes) is read one item across all rows with a dict
lookup per cell; anything irregular in a block of rows (an unknown code, a missing required answer, a value the
column path does not recognise) sends that block down the row path, which runs `evaluate` — exactly what `score`
runs — row by row. An `AnswerMatrix` holds the same answers as numbers and is checked column by column in NumPy;
when a block holds a bad row, the first one is decoded back into a dict and run through `evaluate`, so the error
raised is exactly the one `score` raises for that row. Blocks are encoded in row order, so the first bad row of a
batch is always the one reported.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, repeat
from operator import itemgetter
from typing import Any

import numpy as np

from maturity.answers import ScoringError, evaluate, points_for, prepare
from maturity.base import EPS, NA, SCORING_KINDS
from maturity.spec import Item, ModelSpec

NA_VALUE = -np.inf  # the AnswerMatrix cell meaning "not applicable"; never a valid number, as score rejects ±inf
_TABLE_MAX_OPTIONS = 8  # multi_select totals of up to 2**8 subsets are precomputed with fsum, exactly as score sums


@dataclass(frozen=True, eq=False)
class AnswerMatrix:
    """Raw answers of many assessments as numbers: `values[i, j]` answers item `codes[j]` in assessment i.

    Cells by item kind: graded → satisfaction points as `score` accepts them (1, 0.8, 0.5, 0); single_choice →
    option index (0-based, in the spec's order); multi_select → bitmask of the chosen options (bit k = option k,
    0 = none chosen); numeric_bands → the number; scene → the grade; prerequisite → 1 yes, 0 no. NaN means
    unanswered and NA_VALUE (-inf) not applicable. Evidence items cannot be answered here (leave them out).
    Row i means exactly the dict `answers(spec, i)`; that is what `score_many` equals `score` on."""

    codes: tuple[str, ...]
    values: np.ndarray  # (rows, len(codes)) float64

    def __post_init__(self) -> None:
        codes = tuple(self.codes)
        values = np.asarray(self.values, dtype=float)
        if values.ndim != 2 or values.shape[1] != len(codes):
            raise ValueError(f"values must be (rows, {len(codes)}), got shape {values.shape}")
        if len(set(codes)) != len(codes):
            raise ValueError(f"duplicate item codes: {sorted({c for c in codes if codes.count(c) > 1})}")
        object.__setattr__(self, "codes", codes)
        object.__setattr__(self, "values", values)

    @classmethod
    def from_columns(cls, columns: Mapping[str, Sequence[float] | np.ndarray]) -> AnswerMatrix:
        """One array per item code, all of the same length; stored column-major, as the checks read it."""
        arrays = [np.asarray(v, dtype=float) for v in columns.values()]
        n = len(arrays[0]) if arrays else 0
        values = np.empty((n, len(arrays)), order="F")
        for j, a in enumerate(arrays):
            values[:, j] = a
        return cls(tuple(columns), values)

    def __len__(self) -> int:
        return self.values.shape[0]

    def take(self, rows: np.ndarray) -> AnswerMatrix:
        return AnswerMatrix(self.codes, self.values[rows])

    def answers(self, spec: ModelSpec, row: int) -> dict[str, object]:
        """Row `row` as the answers dict `score` takes (the meaning of every cell, see the class docstring)."""
        return _decode_row({r.item.code: r.item for r in spec.iter_items()}, self.codes, self.values[row])


def decode(item: Item | None, x: float) -> object:
    """One AnswerMatrix cell as a `score` answer; a number that names no option stays a number (and is invalid)."""
    if x == NA_VALUE:
        return NA
    if item is None:
        return x
    if item.kind == "single_choice" and x.is_integer() and 0 <= x < len(item.options):
        return item.options[int(x)].code
    if item.kind == "multi_select" and x.is_integer() and 0 <= x < 2 ** len(item.options):
        return [o.code for k, o in enumerate(item.options) if int(x) >> k & 1]
    if item.kind == "prerequisite" and x in (0.0, 1.0):
        return x == 1.0
    return x


def _decode_row(items: Mapping[str, Item], codes: tuple[str, ...], values: np.ndarray) -> dict[str, object]:
    return {code: decode(items.get(code), float(x)) for code, x in zip(codes, values, strict=True) if not math.isnan(x)}


def _getter(codes: list[str]) -> Any:
    """`row → tuple of the answers to codes` in C; raises KeyError when a row lacks one."""
    if len(codes) == 1:
        return lambda row: (row[codes[0]],)
    return itemgetter(*codes) if codes else (lambda row: ())


class Irregular(Exception):
    """Raised inside the dict column path to hand a block to the row path."""


@dataclass(frozen=True)
class Failure:
    """The first bad row of a group (index within the rows given) and the error `score` raises for it."""

    row: int
    error: ScoringError


def _multi_totals(item: Item) -> np.ndarray:
    pts = [o.points for o in item.options]
    table = np.zeros(2 ** len(pts))
    for mask in range(1, len(table)):
        total = math.fsum(p for k, p in enumerate(pts) if mask >> k & 1)
        table[mask] = min(total, item.cap) if item.cap is not None else total
    return table


class _Kind:
    """Vectorised `points_for` of one item: `points(x)` is NaN exactly where `points_for(item, decode(x))` raises."""

    def __init__(self, item: Item) -> None:
        self.item = item
        kind = item.kind
        if kind == "graded":
            self.allowed = np.array(sorted({o.points for o in item.options}))
        elif kind == "single_choice":
            self.by_index = np.array([o.points for o in item.options])
        elif kind == "multi_select":
            self.exclusive = sum(1 << k for k, o in enumerate(item.options) if o.exclusive)
            n = len(item.options)
            self.table = _multi_totals(item) if n <= _TABLE_MAX_OPTIONS else None
            self.totals: dict[int, float] = {}

    def _total(self, mask: int) -> float:
        """points_for's sum of the chosen options (fsum, then the cap), remembered per distinct choice."""
        if mask not in self.totals:
            total = math.fsum(o.points for k, o in enumerate(self.item.options) if mask >> k & 1)
            self.totals[mask] = min(total, self.item.cap) if self.item.cap is not None else total
        return self.totals[mask]

    def points(self, x: np.ndarray) -> np.ndarray:
        item, kind = self.item, self.item.kind
        with np.errstate(invalid="ignore"):
            if kind == "graded":
                ok = np.zeros(x.shape, dtype=bool)
                for p in self.allowed:
                    ok |= x == p
                near = np.flatnonzero(~ok & np.isfinite(x))
                if near.size:  # points within EPS of an allowed value, as points_for accepts them
                    ok[near] = (np.abs(x[near, None] - self.allowed[None, :]) <= EPS).any(axis=1)
                return np.where(ok, x, np.nan)
            if kind in ("single_choice", "multi_select"):
                limit = len(self.by_index) if kind == "single_choice" else 2 ** len(item.options)
                ok = (x >= 0) & (x < limit) & (x == np.floor(x))
                idx = np.where(ok, x, 0).astype(np.int64)
                if kind == "single_choice":
                    return np.where(ok, self.by_index[idx], np.nan)
                if self.exclusive:
                    ok &= ((idx & self.exclusive) == 0) | ((idx & (idx - 1)) == 0)
                if self.table is not None:
                    return np.where(ok, self.table[idx], np.nan)
                masks, back = np.unique(np.where(ok, idx, 0), return_inverse=True)  # too many subsets to tabulate
                totals = np.array([self._total(int(mask)) for mask in masks])
                return np.where(ok, totals[back.reshape(x.shape)], np.nan)
            if kind == "numeric_bands":
                out = np.full(x.shape, np.nan)
                finite = np.isfinite(x)
                for b in reversed(item.bands):  # reversed so the first band that contains x wins, as in points_for
                    hit = finite.copy()
                    if b.lo is not None:
                        hit &= (x > b.lo) | ((x == b.lo) & b.lo_closed)
                    if b.hi is not None:
                        hit &= (x < b.hi) | ((x == b.hi) & b.hi_closed)
                    out = np.where(hit, b.points, out)
                return out
            if kind == "scene":
                ok = (x == np.floor(x)) & (x >= item.min_grade) & (x <= item.max_grade)
                return np.where(ok, x, np.nan)
            if kind == "prerequisite":
                return np.where((x == 0) | (x == 1), x, np.nan)
        return np.full(x.shape, np.nan)  # evidence items take no number


_UNANSWERED, _NA = 254, 255  # byte codes of None and N/A; options are numbered from 0


class _ByteGroup:
    """Applicable graded / single-choice items sharing one option table, encoded without a Python call per cell:
    itemgetter reads the cells, a second itemgetter maps each to a small int (its option's index, or a code for
    None / N/A), `bytes()` packs them and NumPy does the rest."""

    def __init__(self, encoder: Encoder, idx: list[int]) -> None:
        refs = [encoder.refs[i] for i in idx]
        options = refs[0][0].item.options
        self.idx = idx
        self.rows = slice(idx[0], idx[-1] + 1) if idx == list(range(idx[0], idx[-1] + 1)) else idx
        self.getter = _getter([encoder.codes[i] for i in idx])
        # Each answer → a one-character string whose code point is its byte; joining those and encoding them as
        # Latin-1 packs a block ~25 % faster than bytes() of a tuple of ints.
        self.byte_of: dict[object, str] = {None: chr(_UNANSWERED), NA: chr(_NA)}
        self.raw_table = np.full(256, np.nan)  # points by code; unanswered counts 0, N/A and the rest stay NaN
        for k, option in enumerate(options):
            self.byte_of[option.code] = chr(k)  # an option coded like N/A is an option, as points_for reads it
            self.raw_table[k] = option.points
        self.raw_table[_UNANSWERED] = 0.0
        self.vals_table = self.raw_table / refs[0][2]  # one table divided, not every cell: the same division
        self.usable = len(options) < _UNANSWERED
        self.required = np.array([r[0].item.required for r in refs])[:, None]
        self.na_refused = np.array([not r[0].item.not_applicable_allowed for r in refs])[:, None]

    def encode(self, rows: Sequence[Mapping[str, object]], vals: np.ndarray, raw: np.ndarray | None) -> bool:
        """Fill the group's rows of vals (and of raw, unless None); False when some cell is not an option code,
        None or N/A."""
        if not self.usable:
            return False
        m = len(rows)
        cells = tuple(list(chain.from_iterable(map(self.getter, rows))))  # a tuple from a list: the fastest *args
        try:
            picked = itemgetter(*cells)(self.byte_of) if len(cells) > 1 else (self.byte_of[cells[0]],)
        except KeyError:
            return False
        packed = "".join(picked).encode("latin-1")
        codes = np.ascontiguousarray(np.frombuffer(packed, dtype=np.uint8).reshape(m, len(self.idx)).T)
        if codes.max() >= _UNANSWERED and (
            ((codes == _UNANSWERED) & self.required).any() or ((codes == _NA) & self.na_refused).any()
        ):
            raise Irregular  # the row path names the first such row and item
        for table, target in ((self.vals_table, vals), (self.raw_table, raw)):
            if target is None:
                continue
            if isinstance(self.rows, slice):
                np.take(table, codes, out=target[self.rows])  # straight into the rows, no temporary
            else:
                target[self.rows] = table[codes]
        return True


class Encoder:
    """One spec and context, compiled: every item's applicability, full points and vectorised check."""

    def __init__(self, spec: ModelSpec, context: Mapping[str, object] | None = None, *, all_raw: bool = True) -> None:
        self.spec, self.context = spec, context
        # Raw points of graded and single-choice items are read only by `encode` (scoring reads those of scenes
        # and prerequisites): without all_raw the dict path leaves them NaN and saves a pass over every cell.
        self.all_raw = all_raw
        self.prepared = prepare(spec, context)
        self.refs = self.prepared.refs
        self.codes = tuple(r.item.code for r, _, _ in self.refs)
        self.items = {r.item.code: r.item for r, _, _ in self.refs}
        exclude_scenes = spec.rule.type == "score_and_scene_counts" and not spec.rule.scenes_in_score
        self.counts = [
            r.item.kind in SCORING_KINDS and not (exclude_scenes and r.item.kind == "scene") for r, _, _ in self.refs
        ]
        self.kinds = [_Kind(r.item) for r, _, _ in self.refs]
        self.lookups = [
            {o.code: o.points for o in r.item.options} if r.item.kind in ("graded", "single_choice") else None
            for r, _, _ in self.refs
        ]
        # Applicable option items sharing one code → points table are read together, in one pass over the rows.
        shared: dict[tuple, list[int]] = {}
        for i, ((_, applicable, _), lookup) in enumerate(zip(self.refs, self.lookups, strict=True)):
            if applicable and lookup is not None:
                shared.setdefault(tuple(lookup.items()), []).append(i)
        self.option_groups = [
            (self.lookups[idx[0]], idx, _getter([self.codes[i] for i in idx])) for idx in shared.values()
        ]
        self.byte_groups = [_ByteGroup(self, idx) for idx in shared.values()]
        self.blank = dict.fromkeys(self.codes)  # every item unanswered: rows that leave items out are read over it
        grouped = {i for idx in shared.values() for i in idx}
        self.others = [i for i in range(len(self.codes)) if i not in grouped]
        self.others_getter = _getter([self.codes[i] for i in self.others])
        self._scratch: tuple[np.ndarray, np.ndarray] | None = None

    def empty(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        return np.full((len(self.refs), m), np.nan), np.full((len(self.refs), m), np.nan)

    def scratch(self, m: int) -> tuple[np.ndarray, np.ndarray]:
        """`empty(m)` in buffers kept from block to block: the caller folds a block before asking for the next.
        Fresh arrays cost a page fault per 4 KB, ~1.6 GB of them for a million CMMM-shaped rows."""
        size = len(self.refs) * m
        if self._scratch is None or self._scratch[0].size < size:
            self._scratch = (np.empty(size), np.empty(size))
        vals, raw = (b[:size].reshape(len(self.refs), m) for b in self._scratch)
        # Only the other items' rows start as NaN: `dict_block` writes every row of an option group in full (by
        # table, or cell by cell when a cell is irregular), and raises before returning a half-written one.
        vals[self.others] = np.nan
        raw[self.others] = np.nan
        return vals, raw

    def _store(self, vals: np.ndarray, raw: np.ndarray, i: int, points: np.ndarray, unanswered: np.ndarray) -> None:
        """`points` NaN where N/A; unanswered cells count 0 (conservative), as `evaluate`'s "missing" state does."""
        raw[i] = np.where(unanswered, 0.0, points)
        if self.counts[i]:
            np.divide(raw[i], self.refs[i][2], out=vals[i])

    # --- AnswerMatrix ------------------------------------------------------------------------------------------

    def matrix_block(self, codes: tuple[str, ...], block: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """`block` is (len(codes), m): one row per matrix column. Returns item-major values, raw and bad rows."""
        m = block.shape[1]
        vals, raw = self.empty(m)
        bad = np.zeros(m, dtype=bool)
        where = {c: k for k, c in enumerate(codes)}
        for c, k in where.items():
            if c not in self.items:
                bad |= ~np.isnan(block[k])
        for i, (ref, applicable, _) in enumerate(self.refs):
            item = ref.item
            k = where.get(item.code)
            if k is None:
                if applicable and item.required:
                    bad[:] = True
                elif applicable:
                    self._store(vals, raw, i, np.zeros(m), np.ones(m, dtype=bool))
                continue
            x = block[k]
            unanswered = np.isnan(x)
            if not applicable:
                bad |= ~unanswered & (x != NA_VALUE)
                continue
            points = self.kinds[i].points(x)
            fine = unanswered | ~np.isnan(points)
            if item.required:
                fine &= ~unanswered
            if item.not_applicable_allowed:
                fine |= x == NA_VALUE
            bad |= ~fine
            self._store(vals, raw, i, points, unanswered)
        return vals, raw, bad

    def matrix_failure(self, matrix: AnswerMatrix, row: int) -> Failure:
        answers = _decode_row(self.items, matrix.codes, matrix.values[row])
        try:
            evaluate(self.spec, answers, self.context, self.prepared)
        except ScoringError as exc:
            return Failure(row, exc)
        raise AssertionError(f"row {row} failed the vectorised check but evaluate accepts it: {answers!r}")

    # --- answer dicts ------------------------------------------------------------------------------------------

    def dict_block(self, rows: Sequence[Mapping[str, object]]) -> tuple[np.ndarray, np.ndarray]:
        """Item-major values and raw for rows that need no row-by-row look; raises Irregular otherwise.

        Rows that leave items out (unanswered, not applicable) are first laid over `blank`, a C-level merge per row,
        so that every cell is then read by itemgetter; a row with a code that is not an item makes the merge longer
        than `blank` and goes down the row path, which names it. The arrays returned are reused by the next call."""
        m = len(rows)
        vals, raw = self.scratch(m)
        if not m or not self.codes:
            if any(rows):
                raise Irregular
            return vals, raw
        full = rows
        if set(map(len, rows)) != {len(self.codes)}:
            try:
                full = [{**self.blank, **row} for row in rows]
            except TypeError as exc:  # not a mapping of answers
                raise Irregular from exc
            if set(map(len, full)) != {len(self.codes)}:
                raise Irregular  # an unknown item code
        try:
            for group, (lookup, idx, getter) in zip(self.byte_groups, self.option_groups, strict=True):
                if group.encode(full, vals, raw if self.all_raw else None):
                    continue
                # Some answer is neither an option code, None nor N/A: look the cells up one by one.
                cells = chain.from_iterable(map(getter, full))
                flat = np.fromiter(map(lookup.get, cells, repeat(np.nan)), dtype=float, count=m * len(idx))
                for k, points in zip(idx, flat.reshape(m, len(idx)).T, strict=True):
                    self._dict_column(vals, raw, k, full, points.copy())
            if self.others:
                tuples = list(map(self.others_getter, full))
                for k, col in zip(self.others, zip(*tuples, strict=True), strict=True):
                    self._dict_column(vals, raw, k, full, None, col)
        except (KeyError, TypeError) as exc:  # a code missing from a row of full length, or an unhashable answer
            raise Irregular from exc
        return vals, raw

    def _dict_column(
        self, vals, raw, i: int, rows: Sequence[Mapping], points: np.ndarray | None, col: tuple | None = None
    ) -> None:
        """One item across the rows: `points` already looked up (NaN where not an option code), or the raw `col`."""
        ref, applicable, _ = self.refs[i]
        item = ref.item
        m = len(rows)
        try:
            if points is not None:
                todo = np.flatnonzero(np.isnan(points))
                col = tuple(rows[r].get(item.code) for r in todo)
                self._cells(vals, raw, i, points, todo, col)
            elif not applicable:
                if set(col) - {None, NA}:
                    raise Irregular
            elif item.kind in ("numeric_bands", "scene", "prerequisite") and (
                set(map(type, col)) <= ({bool, type(None)} if item.kind == "prerequisite" else {int, float, type(None)})
            ):
                x = np.array(col, dtype=float)
                if np.isinf(x).any() or np.count_nonzero(np.isnan(x)) != col.count(None):
                    raise Irregular  # non-finite numbers are invalid answers, not "unanswered"
                points = self.kinds[i].points(x)
                unanswered = np.isnan(x)
                if (np.isnan(points) & ~unanswered).any() or (item.required and unanswered.any()):
                    raise Irregular
                self._store(vals, raw, i, points, unanswered)
            else:
                self._cells(vals, raw, i, np.full(m, np.nan), range(m), col)
        except Irregular:
            raise
        except Exception as exc:  # an unhashable or odd value: the row path reports it as score does
            raise Irregular from exc

    def _cells(self, vals, raw, i: int, points: np.ndarray, todo, col: tuple) -> None:
        """Cells one by one, as `evaluate` sees them; `col[k]` is the answer of row `todo[k]`."""
        item = self.refs[i][0].item
        unanswered = np.zeros(len(points), dtype=bool)
        for r, v in zip(todo, col, strict=True):
            if v is None:
                if item.required:
                    raise Irregular
                unanswered[r] = True
            elif isinstance(v, str) and v == NA:
                if not item.not_applicable_allowed:
                    raise Irregular
            else:
                p = points_for(item, v)  # raises on a bad answer: the row path then reports it properly
                points[r] = 0.0 if p is None else p
        self._store(vals, raw, i, points, unanswered)

    def rows_block(
        self, rows: Sequence[Mapping[str, object]], errors: dict[int, ScoringError] | None = None
    ) -> tuple[np.ndarray, np.ndarray] | Failure:
        """The row path: `evaluate` on each row, exactly as `score` does; stops at the first bad row, or, given
        `errors`, records each bad row there (its columns stay NaN) and goes on."""
        vals, raw = self.empty(len(rows))
        col = {c: i for i, c in enumerate(self.codes)}
        for r, answers in enumerate(rows):
            try:
                evals = evaluate(self.spec, answers, self.context, self.prepared)
            except ScoringError as exc:
                if errors is None:
                    return Failure(r, exc)
                errors[r] = exc
                continue
            for e in evals:
                i = col[e.ref.item.code]
                if e.state in ("answered", "missing"):
                    raw[i, r] = e.points if e.points is not None else 0.0
                    if self.counts[i]:
                        vals[i, r] = raw[i, r] / self.refs[i][2]
        return vals, raw
