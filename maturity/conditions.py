"""Tier conditions over outside facts: "CMMM ≥ 二级, above scale, no serious accident, AI scenes ≥ 20 %".

The smart-factory tiers (基础级 → 先进级 → 卓越级 → 领航级) are decided by prerequisites about an
enterprise that Tidu already holds (its CMMM level, whether it is above scale, its scene counts), not by a
questionnaire. Thresholds differ by province, so they are data: national defaults plus overrides keyed by
region code, where a province's override also covers its cities and counties.

Expressions come from a small vocabulary (compare a fact, compare a ratio of two facts, require an earlier
tier, all/any groups) and are never `eval`-ed. Logic is three-valued: a missing fact makes a condition
"unknown", never silently met, so an officer sees which fact to collect.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import (
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    StrictStr,
    Tag,
    ValidationError,
    model_validator,
)

from maturity.base import EPS, Status, _Base
from maturity.loaders import _readable_path, read_yaml

__all__ = [
    "ConditionError",
    "ConditionResult",
    "Resolution",
    "TierEvaluation",
    "TierModel",
    "TierResult",
    "evaluate",
    "load_tier_model",
    "parse_tier_model",
    "resolve",
]

Outcome = Literal["met", "not_met", "unknown"]
FactType = Literal["int", "number", "bool", "enum"]
Op = Literal["ge", "gt", "le", "lt", "eq", "ne", "in"]
Scalar = StrictBool | StrictInt | StrictFloat | StrictStr
ORDERED_OPS = frozenset({"ge", "gt", "le", "lt"})
OP_TEXT = {"ge": " ≥ ", "gt": " > ", "le": " ≤ ", "lt": " < ", "eq": "为", "ne": "不为", "in": "为以下之一："}
REGION_CODE = re.compile(r"^\d{6}(\d{3}){0,2}$")  # 6-digit division code, or a 9/12-digit township/village code


class ConditionError(ValueError):
    """A tier-condition file or a facts dict is invalid; `problems` lists (path, message) pairs."""

    def __init__(self, source: str, problems: list[tuple[str, str]]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  - {path or '(根)'}: {msg}" for path, msg in problems)
        super().__init__(f"{source} 无效 (invalid tier conditions):\n{lines}")


# ---------------------------------------------------------------------------------------------------------------
# The file format


class Fact(_Base):
    """A fact about an enterprise that conditions may test; enum `values` are listed lowest first."""

    type: FactType
    label: str = Field(min_length=1)
    unit: str = ""
    values: list[str] = []
    value_labels: dict[str, str] = {}  # display text by str(value), e.g. {"2": "二级"}
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Fact:
        if self.type == "enum" and (not self.values or len(set(self.values)) != len(self.values)):
            raise ValueError("enum 事实须列出不重复的 values (an enum fact needs unique values)")
        if self.type != "enum" and self.values:
            raise ValueError("只有 enum 事实可以有 values (only enum facts take values)")
        return self

    def show(self, value: Any) -> str:
        key = str(value).lower() if isinstance(value, bool) else str(value)
        if key in self.value_labels:
            return self.value_labels[key]
        if isinstance(value, bool):
            return "是" if value else "否"
        text = f"{value:.6g}" if isinstance(value, float) else str(value)
        return f"{text} {self.unit}".strip() if self.unit else text


class Compare(_Base):
    """`fact` `op` `value`, e.g. {fact: cmmm_level, op: ge, value: 2}; enum facts compare by their order."""

    fact: str
    op: Op
    value: Scalar | list[Scalar]


class Ratio(_Base):
    """ratio[0] / ratio[1] `op` `value`; a zero or missing denominator never meets the condition."""

    ratio: tuple[str, str]
    op: Op
    value: StrictInt | StrictFloat
    label: str = ""  # e.g. "AI 场景占比"; defaults to "a/b"
    percent: bool = False  # show the ratio and the value as percentages


class TierRef(_Base):
    """Requires an earlier tier to be met in the same evaluation."""

    tier: str


class AllOf(_Base):
    all: list[Expr] = Field(min_length=1)


class AnyOf(_Base):
    any: list[Expr] = Field(min_length=1)


def _expr_tag(value: Any) -> str | None:
    keys = ("fact", "ratio", "tier", "all", "any")
    if isinstance(value, dict):
        return next((k for k in keys if k in value), None)
    return {Compare: "fact", Ratio: "ratio", TierRef: "tier", AllOf: "all", AnyOf: "any"}.get(type(value))


Expr = Annotated[
    Annotated[Compare, Tag("fact")]
    | Annotated[Ratio, Tag("ratio")]
    | Annotated[TierRef, Tag("tier")]
    | Annotated[AllOf, Tag("all")]
    | Annotated[AnyOf, Tag("any")],
    Discriminator(
        _expr_tag,
        custom_error_type="expression",
        custom_error_message="表达式须含 fact / ratio / tier / all / any 之一 (unknown expression)",
    ),
]
AllOf.model_rebuild()
AnyOf.model_rebuild()


class Condition(_Base):
    """One named condition; provisional conditions must say in `note` why they are not official."""

    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    status: Status
    note: str = ""
    when: Expr

    @model_validator(mode="after")
    def _check(self) -> Condition:
        if self.status == "provisional" and not self.note.strip():
            raise ValueError(f"条件 {self.code}: provisional 条件须有 note 说明依据 (provisional needs a note)")
        return self


class Tier(_Base):
    code: str = Field(min_length=1)
    name: str = Field(min_length=1)
    note: str = ""
    conditions: list[Condition] = []


class Override(_Base):
    """A region's conditions: same code replaces the national one in place, a new code is appended."""

    name: str = Field(min_length=1)
    sources: list[str] = []
    note: str = ""
    tiers: dict[str, list[Condition]] = {}
    remove: dict[str, list[str]] = {}  # condition codes dropped per tier


class TierModel(_Base):
    """Ordered tiers (lowest first) with their conditions, the facts they read, and regional overrides."""

    code: str = Field(min_length=1)
    name: str
    version: str
    sources: list[str] = []
    status: Status
    note: str = ""
    facts: dict[str, Fact]
    tiers: list[Tier] = Field(min_length=1)
    overrides: dict[str, Override] = {}

    @model_validator(mode="after")
    def _check(self) -> TierModel:
        order = {t.code: i for i, t in enumerate(self.tiers)}
        if len(order) != len(self.tiers):
            raise ValueError("tiers: 梯度代码重复 duplicate tier codes")
        for tier in self.tiers:
            self._check_conditions(tier.conditions, tier.code, order, "")
        for region, ov in self.overrides.items():
            if not re.fullmatch(r"\d{6}", region):
                raise ValueError(f"overrides.{region}: 地区代码须为 6 位数字 region code must be 6 digits")
            for tier_code in (*ov.tiers, *ov.remove):
                if tier_code not in order:
                    raise ValueError(f"overrides.{region}: 未知梯度 unknown tier '{tier_code}'")
            for tier_code, conditions in ov.tiers.items():
                self._check_conditions(conditions, tier_code, order, f"overrides.{region}.")
            for tier_code, codes in ov.remove.items():
                known = {c.code for c in self.tiers[order[tier_code]].conditions}
                known |= {c.code for o in self.overrides.values() for c in o.tiers.get(tier_code, [])}
                if missing := sorted(set(codes) - known):
                    raise ValueError(f"overrides.{region}.remove.{tier_code}: 未知条件 unknown conditions {missing}")
        return self

    def _check_conditions(self, conditions: list[Condition], tier: str, order: dict[str, int], where: str) -> None:
        codes = [c.code for c in conditions]
        if dup := sorted({c for c in codes if codes.count(c) > 1}):
            raise ValueError(f"{where}{tier}: 条件代码重复 duplicate condition codes {dup}")
        for cond in conditions:
            for expr in _walk(cond.when):
                problem = self._expr_problem(expr, tier, order)
                if problem:
                    raise ValueError(f"{where}{tier} 条件 {cond.code}: {problem}")

    def _expr_problem(self, expr: Any, tier: str, order: dict[str, int]) -> str | None:
        if isinstance(expr, TierRef):
            if expr.tier not in order:
                return f"引用了未知梯度 unknown tier '{expr.tier}'"
            if order[expr.tier] >= order[tier]:
                return f"只能要求更低的梯度 may only require a lower tier, not '{expr.tier}'"
        elif isinstance(expr, Ratio):
            for name in expr.ratio:
                if name not in self.facts:
                    return f"引用了未声明的事实 unknown fact '{name}'"
                if self.facts[name].type not in ("int", "number"):
                    return f"比值只能用数值事实 ratio needs numeric facts, '{name}' is {self.facts[name].type}"
            if expr.op == "in":
                return "比值不支持 in 运算 (op 'in' is not allowed for ratios)"
        elif isinstance(expr, Compare):
            if expr.fact not in self.facts:
                return f"引用了未声明的事实 unknown fact '{expr.fact}'"
            return _compare_problem(expr, self.facts[expr.fact])
        return None


def _walk(expr: Any) -> Iterator[Any]:
    yield expr
    for child in getattr(expr, "all", None) or getattr(expr, "any", None) or []:
        yield from _walk(child)


def _fits(fact: Fact, value: Any) -> bool:
    if fact.type == "bool":
        return isinstance(value, bool)
    if isinstance(value, bool):
        return False
    if fact.type == "int":
        return isinstance(value, int)
    if fact.type == "number":
        return isinstance(value, int | float) and math.isfinite(value)
    return isinstance(value, str) and value in fact.values


def _compare_problem(expr: Compare, fact: Fact) -> str | None:
    name = expr.fact
    if fact.type == "bool" and expr.op not in ("eq", "ne"):
        return f"布尔事实 '{name}' 只能用 eq / ne (bool facts allow eq/ne only, not '{expr.op}')"
    values = expr.value if isinstance(expr.value, list) else [expr.value]
    if (expr.op == "in") != isinstance(expr.value, list) or not values:
        return f"运算 '{expr.op}' 的 value {'须为非空列表' if expr.op == 'in' else '须为单个值'} (value shape)"
    for v in values:
        if not _fits(fact, v):
            allowed = f"，允许值 {fact.values}" if fact.type == "enum" else ""
            return f"事实 '{name}' 为 {fact.type} 类型，不能与 {v!r} 比较{allowed} (wrong value type)"
    return None


# ---------------------------------------------------------------------------------------------------------------
# Loading


def parse_tier_model(data: Any, source: str = "<data>") -> TierModel:
    if not isinstance(data, dict):
        raise ConditionError(source, [("", "顶层须为映射 top level must be a mapping")])
    try:
        return TierModel.model_validate(data)
    except ValidationError as exc:
        problems = [
            (_readable_path(data, tuple(e["loc"])), str(e["msg"]).removeprefix("Value error, ")) for e in exc.errors()
        ]
        raise ConditionError(source, problems) from exc


def load_tier_model(source: str | Path) -> TierModel:
    """From a path (Path, or a str naming a .yaml/.yml file) or from YAML text."""
    data, name = read_yaml(source, ConditionError)
    return parse_tier_model(data, name)


# ---------------------------------------------------------------------------------------------------------------
# Regional resolution


@dataclass(frozen=True)
class EffectiveCondition:
    condition: Condition
    region: str | None  # the override that supplied it; None for the national default


@dataclass(frozen=True)
class Resolution:
    """The conditions in force for a region, tier by tier; `overrides` are applied broadest first."""

    region_code: str | None
    overrides: tuple[str, ...]
    tiers: tuple[tuple[Tier, tuple[EffectiveCondition, ...]], ...]


def _prefix(region: str) -> str:
    """460000 → 46, 320500 → 3205, 460106 → 460106: the part a sub-division's code starts with."""
    while len(region) > 2 and region.endswith("00"):
        region = region[:-2]
    return region


def resolve(model: TierModel, region_code: str | None = None) -> Resolution:
    """Every override whose code covers `region_code` applies, broadest first, so the longest match wins.

    A province (460000) covers its cities and counties (460106); a city's override (320500) layers on top of
    its province's (320000) rather than discarding it."""
    if region_code is not None and not (isinstance(region_code, str) and REGION_CODE.fullmatch(region_code)):
        raise ConditionError("region_code", [("", f"地区代码须为 6/9/12 位数字 invalid region code {region_code!r}")])
    matching = sorted(
        (r for r in model.overrides if region_code and region_code.startswith(_prefix(r))),
        key=lambda r: len(_prefix(r)),
    )
    tiers = []
    for tier in model.tiers:
        current = [EffectiveCondition(c, None) for c in tier.conditions]
        for region in matching:
            ov = model.overrides[region]
            dropped = set(ov.remove.get(tier.code, []))
            current = [e for e in current if e.condition.code not in dropped]
            for cond in ov.tiers.get(tier.code, []):
                at = next((i for i, e in enumerate(current) if e.condition.code == cond.code), None)
                if at is None:
                    current.append(EffectiveCondition(cond, region))
                else:
                    current[at] = EffectiveCondition(cond, region)
        tiers.append((tier, tuple(current)))
    return Resolution(region_code, tuple(matching), tuple(tiers))


# ---------------------------------------------------------------------------------------------------------------
# Evaluation


@dataclass(frozen=True)
class ConditionResult:
    """One condition: `actual` and `required` as display text, `reason` a plain-Chinese sentence."""

    code: str
    name: str
    outcome: Outcome
    status: str
    note: str
    region: str | None
    actual: str
    required: str
    reason: str
    missing_facts: tuple[str, ...]


@dataclass(frozen=True)
class TierResult:
    code: str
    name: str
    outcome: Outcome
    provisional: bool  # some condition in force is provisional
    conditions: tuple[ConditionResult, ...]

    @property
    def blockers(self) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if c.outcome != "met")


@dataclass(frozen=True)
class TierEvaluation:
    """`highest` is the highest tier whose conditions are all met; `blockers` hold back `next_tier`."""

    model: str
    version: str
    region_code: str | None
    overrides: tuple[str, ...]
    tiers: tuple[TierResult, ...]
    highest: str | None
    highest_name: str | None
    next_tier: str | None
    next_tier_name: str | None
    blockers: tuple[ConditionResult, ...]
    missing_facts: tuple[str, ...]


@dataclass(frozen=True)
class _Verdict:
    outcome: Outcome
    actual: str
    required: str
    reason: str
    missing: tuple[str, ...] = ()


def _check_facts(model: TierModel, facts: Mapping[str, Any]) -> dict[str, Any]:
    """Declared facts with a value, type-checked; None counts as missing. Undeclared keys are ignored."""
    clean: dict[str, Any] = {}
    problems = []
    for name, fact in model.facts.items():
        value = facts.get(name)
        if value is None:
            continue
        if fact.type == "int" and isinstance(value, float) and value.is_integer():
            value = int(value)
        if not _fits(fact, value):
            kind = {"int": "整数", "number": "数值", "bool": "是/否", "enum": f"以下之一 {fact.values}"}[fact.type]
            problems.append((name, f"「{fact.label}」应为{kind}，实为 {value!r} (wrong fact type)"))
            continue
        clean[name] = value
    if problems:
        raise ConditionError("facts", problems)
    return clean


def _order(fact: Fact, value: Any) -> Any:
    return fact.values.index(value) if fact.type == "enum" else value


def _holds(op: str, left: Any, right: Any) -> bool:
    if op == "in":
        return left in right
    tol = EPS if isinstance(left, float) or isinstance(right, float) else 0
    return {
        "ge": left >= right - tol,
        "gt": left > right + tol,
        "le": left <= right + tol,
        "lt": left < right - tol,
        "eq": abs(left - right) <= tol if tol else left == right,
        "ne": abs(left - right) > tol if tol else left != right,
    }[op]


class _Evaluator:
    def __init__(self, model: TierModel, facts: dict[str, Any], done: dict[str, TierResult], tier: Tier) -> None:
        self.model, self.facts, self.done, self.tier = model, facts, done, tier

    def run(self, expr: Any) -> _Verdict:
        if isinstance(expr, Compare):
            return self.compare(expr)
        if isinstance(expr, Ratio):
            return self.ratio(expr)
        if isinstance(expr, TierRef):
            return self.tier_ref(expr)
        return self.group(expr)

    def compare(self, expr: Compare) -> _Verdict:
        fact = self.model.facts[expr.fact]
        shown = "、".join(fact.show(v) for v in expr.value) if isinstance(expr.value, list) else fact.show(expr.value)
        phrase = f"{OP_TEXT[expr.op]}{shown}"
        required = phrase.strip()
        if expr.fact not in self.facts:
            reason = f"缺少「{fact.label}」，无法判断{self.tier.name}要求（{fact.label}{phrase}）"
            return _Verdict("unknown", "（缺）", required, reason, (expr.fact,))
        value = self.facts[expr.fact]
        ok = _holds(expr.op, _order(fact, value), _order(fact, expr.value)) if expr.op != "in" else value in expr.value
        actual = fact.show(value)
        if fact.type == "bool":  # "是否规模以上工业企业：是" reads better than "…为是，满足要求为是"
            wanted = fact.show(expr.value if expr.op == "eq" else not expr.value)
            verdict = "符合" if ok else f"不符合（{self.tier.name}要求为“{wanted}”）"
            reason = (
                f"「{fact.label}」：{actual}，{verdict}{self.tier.name}要求"
                if ok
                else f"「{fact.label}」：{actual}，{verdict}"
            )
        elif ok:
            reason = f"{fact.label}为{actual}，满足{self.tier.name}要求{phrase}"
        else:
            reason = f"{fact.label}为{actual}，{self.tier.name}要求{phrase}"
        return _Verdict("met" if ok else "not_met", actual, required, reason)

    def ratio(self, expr: Ratio) -> _Verdict:
        num, den = (self.model.facts[n] for n in expr.ratio)
        label = expr.label or f"{num.label}/{den.label}"
        phrase = f"{OP_TEXT[expr.op]}{_num(expr.value, expr.percent)}"
        required = phrase.strip()
        missing = tuple(n for n in expr.ratio if n not in self.facts)
        if missing:
            names = "、".join(f"「{self.model.facts[n].label}」" for n in missing)
            reason = f"缺少{names}，无法计算{label}，{self.tier.name}要求{label}{phrase}"
            return _Verdict("unknown", "（缺）", required, reason, missing)
        a, b = (self.facts[n] for n in expr.ratio)
        if b == 0:
            reason = f"{den.label}为 0，无法计算{label}，视为不满足{self.tier.name}要求（{label}{phrase}）"
            return _Verdict("not_met", f"{_num(a, False)}/0", required, reason)
        value = a / b
        actual = f"{_num(value, expr.percent)}（{_num(a, False)}/{_num(b, False)}）"
        if _holds(expr.op, value, expr.value):
            return _Verdict("met", actual, required, f"{label}为{actual}，满足{self.tier.name}要求{phrase}")
        return _Verdict("not_met", actual, required, f"{label}为{actual}，{self.tier.name}要求{phrase}")

    def tier_ref(self, expr: TierRef) -> _Verdict:
        ref = self.done[expr.tier]
        state = {"met": "已满足", "not_met": "未满足", "unknown": "尚无法判断"}[ref.outcome]
        required = f"先达到{ref.name}"
        if ref.outcome == "met":
            reason = f"{ref.name}条件{state}"
        else:
            reason = f"{ref.name}条件{state}，{self.tier.name}须先达到{ref.name}"
        missing = tuple(dict.fromkeys(f for c in ref.conditions for f in c.missing_facts))
        return _Verdict(ref.outcome, f"{ref.name}{state}", required, reason, missing)

    def group(self, expr: AllOf | AnyOf) -> _Verdict:
        is_all = isinstance(expr, AllOf)
        parts = [self.run(e) for e in (expr.all if is_all else expr.any)]
        outcomes = {p.outcome for p in parts}
        decisive = "not_met" if is_all else "met"
        if decisive in outcomes:
            outcome: Outcome = decisive
        elif "unknown" in outcomes:
            outcome = "unknown"
        else:
            outcome = "met" if is_all else "not_met"
        joiner = "；且" if is_all else "；或"
        required = ("全部满足：" if is_all else "任一满足：") + "；".join(p.required for p in parts)
        # Explain only the parts that decide the outcome: the failures of an "all", the success of an "any".
        shown = [p for p in parts if p.outcome == outcome] or parts
        if outcome == "met" and not is_all:
            shown = shown[:1]
        missing = tuple(dict.fromkeys(f for p in parts if p.outcome == "unknown" for f in p.missing))
        return _Verdict(
            outcome,
            "；".join(p.actual for p in parts),
            required,
            joiner.join(p.reason for p in shown),
            missing if outcome == "unknown" else (),
        )


def _num(x: float, percent: bool) -> str:
    return f"{x * 100:.4g}%" if percent else f"{x:.4g}"


def evaluate(model: TierModel, facts: Mapping[str, Any], region_code: str | None = None) -> TierEvaluation:
    """Evaluate every tier in order for one enterprise's facts under the conditions in force in its region."""
    clean = _check_facts(model, facts)
    resolution = resolve(model, region_code)
    done: dict[str, TierResult] = {}
    for tier, conditions in resolution.tiers:
        ev = _Evaluator(model, clean, done, tier)
        results = []
        for eff in conditions:
            v = ev.run(eff.condition.when)
            c = eff.condition
            results.append(
                ConditionResult(
                    c.code, c.name, v.outcome, c.status, c.note, eff.region, v.actual, v.required, v.reason, v.missing
                )
            )
        outcomes = {r.outcome for r in results}
        outcome: Outcome = "not_met" if "not_met" in outcomes else "unknown" if "unknown" in outcomes else "met"
        provisional = any(r.status == "provisional" for r in results)
        done[tier.code] = TierResult(tier.code, tier.name, outcome, provisional, tuple(results))
    tiers = tuple(done.values())
    met = [i for i, t in enumerate(tiers) if t.outcome == "met"]
    top = met[-1] if met else None
    nxt = tiers[0] if top is None else tiers[top + 1] if top + 1 < len(tiers) else None
    # Only facts whose absence leaves a tier undecided; a tier already failing elsewhere does not need them.
    missing = tuple(
        dict.fromkeys(f for t in tiers if t.outcome == "unknown" for c in t.conditions for f in c.missing_facts)
    )
    return TierEvaluation(
        model=model.code,
        version=model.version,
        region_code=region_code,
        overrides=resolution.overrides,
        tiers=tiers,
        highest=tiers[top].code if top is not None else None,
        highest_name=tiers[top].name if top is not None else None,
        next_tier=nxt.code if nxt else None,
        next_tier_name=nxt.name if nxt else None,
        blockers=nxt.blockers if nxt else (),
        missing_facts=missing,
    )
