"""The questionnaire: which items a page shows, how posted fields become engine answers, and back.

Field names: `a:<code>` carries the answer (radio/checkbox/number/text), `m:<code>` marks the item as on the page
(so an empty field clears its answer, and items of other pages are never touched), `na:<code>` is the
not-applicable box, `f:<code>` an evidence file, `r:<code>` a reviewer's reason for a changed answer."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from maturity.answers import applies
from maturity.spec import NA, ItemRef, ModelSpec, Node

from .specs import item_refs

TEXT_LIMIT = 2000


@dataclass
class Choice:
    value: str
    label: str
    points: str
    checked: bool
    exclusive: bool = False  # a multi-select's "无": cannot be combined with the other options


@dataclass
class Question:
    ref: ItemRef
    code: str
    name: str
    kind: str
    level: int | None
    help: str
    provisional: bool
    na_allowed: bool
    is_na: bool
    value: object
    choices: list[Choice] = field(default_factory=list)
    unit: str = ""
    text: str = ""
    error: str = ""
    reason: str = ""
    before: object = None
    before_display: str = ""
    changed: bool = False
    evidence: list = field(default_factory=list)

    @property
    def answered(self) -> bool:
        return self.value is not None


@dataclass
class Section:
    node: Node
    path: str
    questions: list[Question]
    html: list = field(default_factory=list)  # the questions' markup, filled in by the view (widgets.py)


@dataclass
class Group:
    node: Node
    total: int
    answered: int


def groups(spec: ModelSpec, context: dict, answers: dict) -> list[Group]:
    """The questionnaire's pages: one per top-level node (a CMMM element, an SME dimension)."""
    counts = {top.code: [0, 0] for top in spec.nodes}  # one pass over the items: [applicable, answered]
    for r in spec.iter_items():
        if applies(r, context):
            count = counts[r.path[0].code]
            count[0] += 1
            count[1] += r.item.code in answers
    return [Group(top, *counts[top.code]) for top in spec.nodes]


def applicable_codes(spec: ModelSpec, context: dict, top: Node | None = None) -> list[str]:
    return [r.item.code for r in spec.iter_items() if (top is None or r.path[0] is top) and applies(r, context)]


def _fmt_points(x: float) -> str:
    return f"{x:g}"


def _choices(item, value) -> list[Choice]:
    if item.kind in ("graded", "single_choice"):
        return [Choice(o.code, o.label or o.code, _fmt_points(o.points), value == o.code) for o in item.options]
    if item.kind == "multi_select":
        chosen = set(value or []) if isinstance(value, list) else set()
        return [
            Choice(o.code, o.label or o.code, _fmt_points(o.points), o.code in chosen, exclusive=o.exclusive)
            for o in item.options
        ]
    if item.kind == "scene":
        return [
            Choice(str(g), scene_text(item, g), str(g), value == g) for g in range(item.min_grade, item.max_grade + 1)
        ]
    if item.kind == "prerequisite":
        return [Choice("yes", _("是"), "", value is True), Choice("no", _("否"), "", value is False)]
    return []


def sections(
    spec: ModelSpec,
    context: dict,
    answers: dict,
    top: Node,
    *,
    errors: dict | None = None,
    raw: dict | None = None,
    before: dict | None = None,
    reasons: dict | None = None,
    evidence: dict | None = None,
) -> list[Section]:
    """The questions of one page grouped by the node that holds them, with current values and problems."""
    errors, raw, reasons, evidence = errors or {}, raw or {}, reasons or {}, evidence or {}
    by_node: dict[str, Section] = {}
    for ref in spec.iter_items():
        if ref.path[0] is not top or not applies(ref, context):
            continue
        item, value = ref.item, answers.get(ref.item.code)
        holder = ref.path[-1]
        section = by_node.get(holder.code)
        if section is None:
            section = by_node[holder.code] = Section(
                holder, " › ".join(n.name for n in ref.path[1:]) or holder.name, []
            )
        q = Question(
            ref=ref,
            code=item.code,
            name=item.name,
            kind=item.kind,
            level=item.level,
            help=item.help,
            provisional=ref.status == "provisional",
            na_allowed=item.not_applicable_allowed,
            is_na=value == NA,
            value=value,
            choices=_choices(item, value),
            unit=getattr(item, "unit", ""),
            text=raw.get(item.code, "" if value in (None, NA) or isinstance(value, list) else str(value)),
            error=errors.get(item.code, ""),
            reason=reasons.get(item.code, ""),
            evidence=evidence.get(item.code, []),
        )
        if before is not None:
            q.before = before.get(item.code)
            q.before_display = display(item, q.before)
            q.changed = q.before != value
        section.questions.append(q)
    return list(by_node.values())


def parse(spec: ModelSpec, context: dict, post, codes: list[str]) -> tuple[dict, dict, dict]:
    """Posted fields of the given items → (updates for save_answers, raw texts to echo back, format problems).

    Only items whose fields are on the page are touched, so saving one page never clears another."""
    refs = item_refs(spec)
    updates: dict[str, object] = {}
    raw: dict[str, str] = {}
    problems: dict[str, str] = {}
    for code in codes:
        item = refs[code].item
        name = f"a:{code}"
        if f"m:{code}" not in post:
            continue  # not on this page
        if post.get(f"na:{code}"):
            updates[code] = NA
            continue
        if item.kind == "evidence_file":
            if post.get(f"was_na:{code}"):
                updates[code] = None  # N/A unticked; uploads set the answer again
            continue  # otherwise set by uploads, never by the form
        if item.kind == "multi_select":
            updates[code] = post.getlist(name) or None
            continue
        text = post.get(name, "").strip()
        if text == "":
            updates[code] = None
        elif item.kind in ("graded", "single_choice"):
            updates[code] = text
        elif item.kind == "prerequisite":
            updates[code] = {"yes": True, "no": False}.get(text, text)
        elif item.kind in ("numeric_bands", "scene"):
            raw[code] = text
            try:
                number = float(text.replace(",", "").replace("，", "").rstrip("%％"))
            except ValueError:
                problems[code] = _("请输入数字")
                continue
            if not math.isfinite(number):
                problems[code] = _("请输入数字")
                continue
            updates[code] = int(number) if item.kind == "scene" and number.is_integer() else number
        elif item.kind == "evidence_text":
            raw[code] = text
            if len(text) > TEXT_LIMIT:
                problems[code] = _("文字说明不能超过 %(n)d 字") % {"n": TEXT_LIMIT}
                continue
            updates[code] = text
    return updates, raw, problems


def parse_reasons(post, codes: list[str]) -> dict[str, str]:
    return {code: post.get(f"r:{code}", "") for code in codes if f"r:{code}" in post}


def display(item, value) -> str:
    """An answer as a reader sees it (option labels, 是/否, numbers with unit)."""
    if value is None:
        return _("未作答")
    if value == NA:
        return _("不适用")
    if item.kind in ("graded", "single_choice"):
        return next((o.label or o.code for o in item.options if o.code == value), str(value))
    if item.kind == "multi_select":
        labels = {o.code: o.label or o.code for o in item.options}
        return "、".join(labels.get(v, v) for v in value) if value else _("未选择")
    if item.kind == "prerequisite":
        return _("是") if value else _("否")
    if item.kind == "numeric_bands":
        return f"{value:g}{getattr(item, 'unit', '')}"
    if item.kind == "evidence_file":
        return _("%(n)d 个文件") % {"n": len(value)}
    if item.kind == "scene" and isinstance(value, int | float):
        return scene_text(item, value)
    return str(value)


def scene_text(item, grade) -> str:
    """A scene grade with what it means where the model says: "3 级：系统间协同或集成…", else "3 级"."""
    text = _("%(g)s 级") % {"g": f"{grade:g}"}
    label = item.grade_label(grade)
    return f"{text}：{label}" if label else text
