"""The tier-condition file format: facts, tiers, conditions, regional overrides and the tier ladder.

Loading and regional resolution live here; evaluating a model over an enterprise's facts lives in
`maturity.conditions`, which re-exports everything below.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
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

from maturity.base import Status, _Base
from maturity.loaders import _readable_path, read_yaml

FactType = Literal["int", "number", "bool", "enum"]
# Where a fact comes from: records Tidu keeps itself (an assessment, the archive, a recognition label), or a
# declaration by the enterprise that an officer or commissioner must confirm before it counts.
FactSource = Literal["platform", "declared"]
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
    source: FactSource = "platform"
    evidence: str = ""  # for a declared fact: what evidence the enterprise should attach

    @model_validator(mode="after")
    def _check(self) -> Fact:
        if self.type == "enum" and (not self.values or len(set(self.values)) != len(self.values)):
            raise ValueError("enum 事实须列出不重复的 values (an enum fact needs unique values)")
        if self.type != "enum" and self.values:
            raise ValueError("只有 enum 事实可以有 values (only enum facts take values)")
        return self

    def accepts(self, value: Any) -> bool:
        """Whether `value` has this fact's type (an enum value must be one of `values`)."""
        return _fits(self, value)

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


class Ladder(_Base):
    """Whether the tiers form a cumulative ladder: a tier is reached only once every lower tier is.

    When `cumulative`, a higher tier's verdict is capped by the verdict of the tier below it, so the check never
    says "满足" for 先进级 while 基础级 is still undecided or failing. A provisional ladder must say why in `note`."""

    cumulative: bool
    status: Status
    note: str = ""

    @model_validator(mode="after")
    def _check(self) -> Ladder:
        if self.status == "provisional" and not self.note.strip():
            raise ValueError("ladder: provisional 须有 note 说明依据 (a provisional ladder needs a note)")
        return self


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
    ladder: Ladder | None = None  # None: each tier is judged on its own conditions only
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


def facts_in_force(
    model: TierModel, region_code: str | None = None, source: FactSource | None = None
) -> tuple[str, ...]:
    """The facts the conditions in force for a region read, in the model's order (optionally of one source).

    A page asks this to offer only the declarations that can change the region's verdict (Jiangsu's own
    self-test is asked of Jiangsu enterprises only)."""
    used: set[str] = set()
    for _tier, conditions in resolve(model, region_code).tiers:
        for eff in conditions:
            for expr in _walk(eff.condition.when):
                if isinstance(expr, Compare):
                    used.add(expr.fact)
                elif isinstance(expr, Ratio):
                    used.update(expr.ratio)
    return tuple(n for n, f in model.facts.items() if n in used and (source is None or f.source == source))
