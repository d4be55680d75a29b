"""Checking answers against a spec and turning each into points.

Kept apart from the rules so that `score` and `score_many` validate answers in exactly the same way: a
batch must reject what a single assessment rejects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

from maturity.memo import per_spec
from maturity.spec import EPS, NA, SCORING_KINDS, Item, ItemRef, ModelSpec


class ScoringError(ValueError):
    """Base of every answer problem; `code` names the item concerned (None when it is not an item)."""

    def __init__(self, code: str | None, message: str) -> None:
        self.code = code
        super().__init__(message)


class UnknownItemError(ScoringError):
    """An answer names a code that is not an item of the model."""


class InvalidAnswerError(ScoringError):
    """The value does not fit the item's kind: wrong type, out of range, unknown option."""


class MissingAnswerError(ScoringError):
    """A required, applicable item has no answer."""


class NotApplicableNotAllowedError(ScoringError):
    """The answer is N/A but the model does not let this item be marked not applicable."""


class ItemDoesNotApplyError(ScoringError):
    """An item that does not apply to this enterprise (by production type, industry or size) was answered."""


State = Literal["answered", "missing", "not_applicable", "excluded"]


@dataclass(frozen=True)
class Evaluated:
    """One item after checking: `excluded` = does not apply by context; points None unless answered."""

    ref: ItemRef
    state: State
    points: float | None
    max_points: float | None

    @property
    def normalised(self) -> float | None:
        """0..1 for scoring kinds that take part in the score; unanswered counts as 0 (conservative)."""
        if self.ref.item.kind not in SCORING_KINDS or self.state in ("not_applicable", "excluded"):
            return None
        return 0.0 if self.points is None else self.points / self.max_points  # type: ignore[operator]


def max_points(item: Item) -> float | None:
    """The points an item is worth when fully satisfied; None for kinds that carry no points."""
    match item.kind:
        case "graded" | "single_choice":
            return max(o.points for o in item.options)
        case "multi_select":
            return item.cap if item.cap is not None else sum(o.points for o in item.options)
        case "numeric_bands":
            return max(b.points for b in item.bands)
        case "scene":
            return float(item.max_grade)
        case "prerequisite":
            return 1.0
    return None


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def points_for(item: Item, value: object) -> float | None:
    """Points earned by a (non-N/A) answer; raises InvalidAnswerError naming the item when it does not fit."""

    def bad(why: str) -> InvalidAnswerError:
        return InvalidAnswerError(item.code, f"条目 {item.code}「{item.name}」的答案 {value!r} 无效：{why}")

    match item.kind:
        case "graded":
            by_code = {o.code: o.points for o in item.options}
            if isinstance(value, str) and value in by_code:
                return by_code[value]
            num = _number(value)
            if num is not None and any(abs(num - p) <= EPS for p in by_code.values()):
                return num
            raise bad(f"须为选项 {list(by_code)} 或其分值 {sorted(set(by_code.values()))}")
        case "single_choice":
            by_code = {o.code: o.points for o in item.options}
            if isinstance(value, str) and value in by_code:
                return by_code[value]
            raise bad(f"须为选项之一 {list(by_code)}")
        case "multi_select":
            by_code = {o.code: o.points for o in item.options}
            if not isinstance(value, list | tuple | set | frozenset) or not all(isinstance(v, str) for v in value):
                raise bad("须为选项代码列表")
            chosen = list(value)
            if unknown := sorted(set(chosen) - set(by_code)):
                raise bad(f"未知选项 {unknown}")
            if len(set(chosen)) != len(chosen):
                raise bad("选项重复")
            if len(chosen) > 1 and (alone := next((o for o in item.options if o.exclusive and o.code in chosen), None)):
                raise bad(f"选项「{alone.label or alone.code}」（{alone.code}）与其他选项互斥，不能同时选择")
            total = math.fsum(by_code[c] for c in set(chosen))
            return min(total, item.cap) if item.cap is not None else total
        case "numeric_bands":
            num = _number(value)
            if num is None:
                raise bad("须为数值")
            for band in item.bands:
                if band.contains(num):
                    return band.points
            raise bad("超出分段范围 out of range")
        case "scene":
            num = _number(value)
            if num is None or not num.is_integer() or not item.min_grade <= num <= item.max_grade:
                raise bad(f"须为 {item.min_grade}–{item.max_grade} 的整数等级")
            return num
        case "prerequisite":
            if not isinstance(value, bool):
                raise bad("须为 true/false（是/否）")
            return 1.0 if value else 0.0
        case "evidence_file":
            files = [value] if isinstance(value, str) else value
            if not isinstance(files, list | tuple) or not files or not all(isinstance(f, str) and f for f in files):
                raise bad("须为文件标识或其列表")
            return None
        case "evidence_text":
            if not isinstance(value, str):
                raise bad("须为文本")
            return None
    raise bad(f"未知条目类型 {item.kind}")  # unreachable: the spec only admits known kinds


def applies(ref: ItemRef, context: dict | None) -> bool:
    return all(n.applies_to.applies(context) for n in ref.path) and ref.item.applies_to.applies(context)


@dataclass(frozen=True)
class Prepared:
    """The per-context facts about every item, computed once so a batch does not redo them per row."""

    refs: tuple[tuple[ItemRef, bool, float | None], ...]  # (ref, applies, max_points) in tree order
    known: frozenset[str]


def prepare(spec: ModelSpec, context: dict | None = None) -> Prepared:
    refs = tuple((r, applies(r, context), max_points(r.item)) for r in spec.iter_items())
    return Prepared(refs, frozenset(r.item.code for r, _, _ in refs))


def prepared_for(spec: ModelSpec, context: dict | None) -> Prepared:
    """`prepare`, memoised per spec and context: it was 40 % of one CMMM `score`."""
    key = ("prepared", tuple(sorted((context or {}).items())))
    return per_spec(spec, key, lambda: prepare(spec, context))


def evaluate(
    spec: ModelSpec, answers: dict[str, object], context: dict | None = None, prepared: Prepared | None = None
) -> list[Evaluated]:
    """Check every answer and evaluate every item, in tree order; raises the first problem found.

    Problems are checked in a fixed order (unknown codes sorted, then tree order) so the same answers
    always produce the same error. `prepared` must come from prepare(spec, context) when given."""
    prep = prepared or prepared_for(spec, context)
    if unknown := sorted(set(answers) - prep.known):
        raise UnknownItemError(unknown[0], f"未知条目代码 unknown item code(s): {', '.join(map(str, unknown))}")
    out: list[Evaluated] = []
    for ref, applicable, mp in prep.refs:
        item, value = ref.item, answers.get(ref.item.code)
        if not applicable:
            if value is not None and value != NA:
                raise ItemDoesNotApplyError(item.code, f"条目 {item.code}「{item.name}」不适用于该企业，不应作答")
            out.append(Evaluated(ref, "excluded", None, mp))
        elif value is None:
            if item.required:
                raise MissingAnswerError(item.code, f"必答条目 {item.code}「{item.name}」未作答")
            out.append(Evaluated(ref, "missing", None, mp))
        elif value == NA:
            if not item.not_applicable_allowed:
                raise NotApplicableNotAllowedError(item.code, f"条目 {item.code}「{item.name}」不允许选择“不适用”")
            out.append(Evaluated(ref, "not_applicable", None, mp))
        else:
            out.append(Evaluated(ref, "answered", points_for(item, value), mp))
    return out
