"""The model spec: a maturity model described as data (pydantic v2), validated when it is loaded.

A province must be able to replace a model's tables by importing a file, so everything a rule needs
(tree, weights, options, bands, thresholds) lives here and nothing about a particular model is in code.
Validation happens at load time so that a bad file is rejected before any enterprise is scored with it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Literal

from pydantic import Field, model_validator

from maturity.base import EPS, NA, PROVISIONAL_SENTENCE, SCORING_KINDS, Provenance, Status, _Base, _WithProvenance
from maturity.rules import Rule

__all__ = ["EPS", "NA", "PROVISIONAL_SENTENCE", "SCORING_KINDS", "ModelSpec", "Node", "Provenance", "Rule", "Status"]


class Level(_Base):
    """One maturity level; `number` is ordinal (1 = lowest) and is what items and bands refer to."""

    number: int = Field(ge=1)
    name: str
    note: str = ""


class Option(_Base):
    """An answer option worth `points`; points are never negative so more capability never scores less.

    `exclusive` (multi_select only) marks an option such as "无" (none) that cannot be chosen with any other."""

    code: str = Field(min_length=1)
    label: str = ""
    points: float = Field(ge=0)
    exclusive: bool = False


class Band(_Base):
    """A numeric interval → points; `lo`/`hi` of None mean unbounded, the *_closed flags say whether ends belong."""

    lo: float | None = None
    hi: float | None = None
    lo_closed: bool = True
    hi_closed: bool = False
    points: float = Field(ge=0)

    def contains(self, x: float) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        return not (self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)))


class Applicability(_Base):
    """Who an item or node applies to; an empty list means everyone on that dimension.

    Industries match by prefix, so "34" covers a context industry of "3411"."""

    production_types: list[str] = []
    industries: list[str] = []
    sizes: list[str] = []

    def applies(self, context: dict | None) -> bool:
        """Unknown context values count as applicable: the engine must not silently drop items for missing facts."""
        if not context:
            return True
        pt, ind, size = context.get("production_type"), context.get("industry"), context.get("size")
        if self.production_types and pt is not None and pt not in self.production_types:
            return False
        if self.industries and ind is not None and not any(str(ind).startswith(c) for c in self.industries):
            return False
        return not (self.sizes and size is not None and size not in self.sizes)


class _ItemBase(_WithProvenance):
    code: str = Field(min_length=1)
    name: str
    level: int | None = None
    weight: float = Field(default=1.0, ge=0)
    applies_to: Applicability = Applicability()
    not_applicable_allowed: bool = False
    required: bool = False
    status: Status | None = None
    provenance: Provenance | None = None
    help: str = ""


def _check_options(options: list[Option], what: str) -> None:
    codes = [o.code for o in options]
    if len(set(codes)) != len(codes):
        raise ValueError(
            f"{what}: 选项代码重复 duplicate option codes {sorted(c for c in codes if codes.count(c) > 1)}"
        )
    if NA in codes:
        raise ValueError(f"{what}: 选项代码 {NA!r} 为保留值 reserved")
    if not options or max(o.points for o in options) <= 0:
        raise ValueError(f"{what}: 至少一个选项须大于 0 分 at least one option must carry points")
    if what != "multi_select" and (exclusive := [o.code for o in options if o.exclusive]):
        raise ValueError(f"{what}: 互斥选项 {exclusive} 仅适用于多选题 exclusive options belong to multi_select only")


_GRADED_DEFAULT = [
    Option(code="full", label="全部满足", points=1.0),
    Option(code="most", label="大部分满足", points=0.8),
    Option(code="partial", label="部分满足", points=0.5),
    Option(code="none", label="不满足", points=0.0),
]


class GradedItem(_ItemBase):
    """A requirement rated on a satisfaction scale (default 1 / 0.8 / 0.5 / 0, the [U] GB/T 39117 reading)."""

    kind: Literal["graded"]
    options: list[Option] = Field(default_factory=lambda: list(_GRADED_DEFAULT))

    @model_validator(mode="after")
    def _check(self) -> GradedItem:
        _check_options(self.options, "graded")
        if any(o.points > 1 for o in self.options):
            raise ValueError("graded: 满足度须在 0–1 之间 satisfaction points must be within 0..1")
        return self


class SingleChoiceItem(_ItemBase):
    kind: Literal["single_choice"]
    options: list[Option]

    @model_validator(mode="after")
    def _check(self) -> SingleChoiceItem:
        _check_options(self.options, "single_choice")
        return self


class MultiSelectItem(_ItemBase):
    """Selected options add up; `cap` limits the total (e.g. a 10-point indicator with 14 × 0.7 options)."""

    kind: Literal["multi_select"]
    options: list[Option]
    cap: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _check(self) -> MultiSelectItem:
        _check_options(self.options, "multi_select")
        if self.cap is not None and self.cap > sum(o.points for o in self.options) + EPS:
            raise ValueError("multi_select: cap 大于全部选项分值之和 cap exceeds the sum of all option points")
        return self


class NumericBandsItem(_ItemBase):
    """A raw number (e.g. a networking rate in %) mapped to points by ordered, non-overlapping bands."""

    kind: Literal["numeric_bands"]
    unit: str = ""
    bands: list[Band] = Field(min_length=1)

    @model_validator(mode="after")
    def _check(self) -> NumericBandsItem:
        for i, b in enumerate(self.bands):
            if (
                b.lo is not None
                and b.hi is not None
                and (b.lo > b.hi or (b.lo == b.hi and not (b.lo_closed and b.hi_closed)))
            ):
                raise ValueError(f"bands[{i}]: 区间为空 empty interval")
            if b.lo is None and i > 0 or b.hi is None and i < len(self.bands) - 1:
                raise ValueError(f"bands[{i}]: 只有首/末区间可无界 only the first/last band may be unbounded")
        for i, (a, b) in enumerate(zip(self.bands, self.bands[1:], strict=False)):
            if a.hi is None or b.lo is None or a.hi > b.lo or (a.hi == b.lo and a.hi_closed and b.lo_closed):
                raise ValueError(f"bands[{i}]–bands[{i + 1}]: 区间须升序且不重叠 bands must be ordered and not overlap")
        if max(b.points for b in self.bands) <= 0:
            raise ValueError("numeric_bands: 至少一个区间须大于 0 分 at least one band must carry points")
        return self


class SceneItem(_ItemBase):
    """A scene graded min_grade..max_grade (SME 2024: 1–4); the grade is its points.

    `grade_labels` says what each grade means, lowest first (one per grade), so a page can say "三级：系统间协同"
    instead of a bare number — these scenes often count in no score, and the grade is all the reader gets."""

    kind: Literal["scene"]
    min_grade: int = Field(default=1, ge=0)
    max_grade: int = Field(default=4, ge=1)
    grade_labels: list[str] = []

    @model_validator(mode="after")
    def _check(self) -> SceneItem:
        if self.min_grade >= self.max_grade:
            raise ValueError("scene: min_grade 须小于 max_grade")
        if self.grade_labels and len(self.grade_labels) != self.max_grade - self.min_grade + 1:
            raise ValueError(
                f"scene: grade_labels 须为每个等级各一条（{self.min_grade}–{self.max_grade}）one label per grade"
            )
        return self

    def grade_label(self, grade: float) -> str:
        """The meaning of a grade, or "" when the file gives none (or the grade is not a whole grade)."""
        k = int(grade) - self.min_grade if float(grade).is_integer() else -1
        return self.grade_labels[k] if 0 <= k < len(self.grade_labels) else ""


class PrerequisiteItem(_ItemBase):
    """Yes/no gate without points: answering no (or nothing) caps the level below `level` (or at 0 if unset)."""

    kind: Literal["prerequisite"]


class EvidenceFileItem(_ItemBase):
    kind: Literal["evidence_file"]


class EvidenceTextItem(_ItemBase):
    kind: Literal["evidence_text"]


Item = Annotated[
    GradedItem
    | SingleChoiceItem
    | MultiSelectItem
    | NumericBandsItem
    | SceneItem
    | PrerequisiteItem
    | EvidenceFileItem
    | EvidenceTextItem,
    Field(discriminator="kind"),
]


class Node(_WithProvenance):
    """A tree node (element, domain, sub-domain, …) holding either child nodes or items, never both.

    `help` is plain text for everyone; `provenance` is for officers and admins (see maturity.base.Provenance)."""

    code: str = Field(min_length=1)
    name: str
    weight: float = Field(default=1.0, ge=0)
    applies_to: Applicability = Applicability()
    status: Status | None = None
    provenance: Provenance | None = None
    help: str = ""
    children: list[Node] = []
    items: list[Item] = []

    @model_validator(mode="after")
    def _check(self) -> Node:
        if self.children and self.items:
            raise ValueError(f"节点 {self.code}: 不能同时含 children 和 items (children or items, not both)")
        return self


@dataclass(frozen=True)
class ItemRef:
    """An item with its place in the tree and its inherited status and provenance, as the scorers need it."""

    item: Item
    path: tuple[Node, ...]
    status: Status
    provenance: Provenance | None


class ModelSpec(_WithProvenance):
    """A whole maturity model: identity, official documents (`sources`), status, provenance, levels, tree and rule."""

    code: str = Field(min_length=1)
    name: str
    version: str
    sources: list[str] = []
    status: Status
    provenance: Provenance | None = None
    below_level_name: str = "一级以下"
    levels: list[Level] = []
    nodes: list[Node] = Field(min_length=1)
    rule: Rule

    @model_validator(mode="after")
    def _check(self) -> ModelSpec:
        numbers = [lv.number for lv in self.levels]
        if numbers != sorted(set(numbers)):
            raise ValueError("levels: 等级序号须唯一且升序 level numbers must be unique and ascending")
        seen: set[str] = set()
        for code in _all_codes(self.nodes):
            if code in seen:
                raise ValueError(f"代码重复 duplicate code: {code}")
            seen.add(code)
        known = set(numbers)
        for ref in self.iter_items():
            if ref.item.level is not None and ref.item.level not in known:
                raise ValueError(f"条目 {ref.item.code}: 等级 {ref.item.level} 未在 levels 中定义 unknown level")
            if self.rule.type == "cmmm_cumulative" and ref.item.kind in SCORING_KINDS and ref.item.level is None:
                raise ValueError(f"条目 {ref.item.code}: cmmm_cumulative 要求每个计分条目有 level")
        if self.rule.type == "capped_bands":
            scored = {ref.item.code for ref in self.iter_items() if ref.item.kind in SCORING_KINDS}
            if bad := [c for c in self.rule.caps if c not in scored]:
                raise ValueError(f"rule.caps: {bad} 不是计分条目的代码 capping codes must name scored items")
        rule_levels = [b.level for b in getattr(self.rule, "bands", [])]
        rule_levels += [r.level for r in getattr(self.rule, "requirements", [])]
        rule_levels += list(getattr(self.rule, "thresholds", {}))
        if bad := sorted(set(rule_levels) - known):
            raise ValueError(f"rule: 引用了未定义的等级 references unknown levels {bad}")
        return self

    def iter_items(self) -> Iterator[ItemRef]:
        """Items in tree order with their inherited status and provenance (nearest explicit value wins)."""

        def walk(
            nodes: list[Node], path: tuple[Node, ...], status: Status, prov: Provenance | None
        ) -> Iterator[ItemRef]:
            for node in nodes:
                st, pv = node.status or status, node.provenance or prov
                here = (*path, node)
                yield from walk(node.children, here, st, pv)
                for item in node.items:
                    yield ItemRef(item, here, item.status or st, item.provenance or pv)

        yield from walk(self.nodes, (), self.status, self.provenance)

    @property
    def is_provisional(self) -> bool:
        """Whether any part is provisional: the model, its rule, a node or an item."""
        if self.status == "provisional" or self.rule.status == "provisional":
            return True
        return any(ref.status == "provisional" for ref in self.iter_items())

    def counting_codes(self) -> frozenset[str]:
        """Codes of the nodes and items that take part in the score: a scoring kind, a non-zero weight all the way
        up, and not a scene the rule keeps out of the score (SME 2024's 数字化经营, graded 1–4 beside the 100
        points). Pages plot only these; the rest is shown as answered, with what each answer means."""
        from maturity.memo import per_spec

        def build() -> frozenset[str]:
            rule = self.rule
            no_scenes = rule.type == "score_and_scene_counts" and not getattr(rule, "scenes_in_score", False)
            out: set[str] = set()

            def rec(node: Node) -> bool:
                if node.weight <= 0:
                    return False
                counts = [rec(c) for c in node.children]  # every child visited, so each is marked on its own
                counts += [
                    it.weight > 0 and it.kind in SCORING_KINDS and not (no_scenes and it.kind == "scene")
                    for it in node.items
                ]
                out.update(it.code for it, c in zip(node.items, counts[len(node.children) :], strict=True) if c)
                if any(counts):
                    out.add(node.code)
                return any(counts)

            for top in self.nodes:
                rec(top)
            return frozenset(out)

        return per_spec(self, "counting_codes", build)

    def level_name(self, number: int) -> str:
        return next((lv.name for lv in self.levels if lv.number == number), self.below_level_name)


def _all_codes(nodes: list[Node]) -> Iterator[str]:
    for node in nodes:
        yield node.code
        yield from _all_codes(node.children)
        yield from (item.code for item in node.items)
