"""Whether an enterprise may apply, checked against the records and shown to it before it applies: the
programme's population (above scale), a tier it must already hold, the tier conditions of the maturity library
(for a tier programme: the same evaluation as the enterprise's tier page, with the facts it declared and an
officer confirmed), and the criteria the applicant declares (programmes without a tier model).

Outcomes as the tier engine's: met, pending (declared, awaiting confirmation), undeclared, unknown, not_met. Only
not_met refuses a submission; the others are shown and travel with the application to the first step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from airegistry.facts import gate_item, gate_labels_of
from assessments import tiers
from maturity.conditions import VERDICTS, evaluate

from . import chain

PARSE = {"bool": lambda v: v in (True, "true", "1", "on", "是"), "int": int, "number": float}
RANK = {"not_met": 0, "unknown": 1, "undeclared": 2, "pending": 3, "met": 4}  # worst first
OPS = {"==": lambda a, b: a == b, ">=": lambda a, b: a >= b, "<=": lambda a, b: a <= b,
       ">": lambda a, b: a > b, "<": lambda a, b: a < b}  # fmt: skip


@dataclass(frozen=True)
class Item:
    name: str
    outcome: str  # met | pending | undeclared | unknown | not_met
    actual: str = ""
    required: str = ""
    reason: str = ""

    @property
    def verdict(self) -> str:
        return VERDICTS[self.outcome]


@dataclass
class Check:
    items: list[Item] = field(default_factory=list)
    provisional: bool = False

    @property
    def not_met(self) -> list[str]:
        return [f"{i.name}（{i.reason or i.actual}）" for i in self.items if i.outcome == "not_met"]

    @property
    def outcome(self) -> str:
        """The worst item's outcome (met when there are none)."""
        return min((i.outcome for i in self.items), key=RANK.__getitem__, default="met")

    @property
    def ok(self) -> bool:
        return not self.not_met

    def as_json(self) -> dict:
        return {"items": [asdict(i) for i in self.items], "provisional": self.provisional}


def held_tier_rank(enterprise) -> int:
    """The highest tier the enterprise holds now (0: none), from its labels — which recognitions keep."""
    names = [tiers.TIER_LABELS[link.label_id] for link in enterprise.label_links.all()
             if link.label_id in tiers.TIER_LABELS]  # fmt: skip
    return max((tiers.ORDER.index(n) for n in names), default=0)


@dataclass(frozen=True)
class Facts:
    """What the check reads about one enterprise, as plain values (one query set for one enterprise, or bulk)."""

    county_id: str
    above_scale: bool
    held_rank: int = 0  # 0 none, 1 基础级 … 4 领航级
    cmmm_level: int | None = None
    declarations: tuple = ()  # ((key, value, status, reason), …) of the current declarations in force
    ai_gate_labels: frozenset[str] = frozenset()  # `ai-gate:<code>` the enterprise's reviewed AI entries pass

    def tier_inputs(self) -> tuple[dict, dict]:
        facts = {"above_scale": self.above_scale, "recognised_tier": tiers.ORDER[self.held_rank]}
        if self.cmmm_level is not None:
            facts["cmmm_level"] = self.cmmm_level
        return facts, {k: {"value": v, "status": st, "reason": r} for k, v, st, r in self.declarations}


def facts_of(enterprise) -> Facts:
    result = tiers.cmmm_result(enterprise)
    keys = tiers.declared_keys(enterprise)
    current = tiers.declarations(tiers.current_facts(enterprise), keys)
    declared = tuple(sorted((k, _hashable(d["value"]), d["status"], d["reason"]) for k, d in current.items()))
    level = result.level if result is not None else None
    return Facts(enterprise.county_id, enterprise.is_above_scale, held_tier_rank(enterprise), level, declared,
                 frozenset(gate_labels_of(enterprise.pk)))


def _hashable(value):
    return tuple(value) if isinstance(value, list) else value


def _declared(criterion: chain.Criterion, declared: dict) -> Item:
    required = f"{criterion.op} {criterion.value}{criterion.unit}" if criterion.type != "bool" else _("是")
    raw = declared.get(criterion.key)
    if raw in (None, ""):
        return Item(criterion.label, "undeclared", "", required, _("请在申报表中填写"))
    try:
        value = PARSE[criterion.type](raw)
    except (TypeError, ValueError):
        return Item(criterion.label, "undeclared", str(raw), required, _("填写的值无法识别"))
    shown = (_("是") if value else _("否")) if criterion.type == "bool" else f"{value}{criterion.unit}"
    target = criterion.value if criterion.type != "int" else int(criterion.value)
    if not OPS[criterion.op](value, target):
        return Item(criterion.label, "not_met", shown, required, _("申报值不满足要求"))
    return Item(criterion.label, "pending", shown, required, _("企业申报，待审核环节核实"))


def _tier_items(rules: chain.Spec, facts: Facts) -> tuple[list[Item], bool]:
    platform, declarations = facts.tier_inputs()
    evaluation = evaluate(tiers.tier_model(), platform, region_code=facts.county_id, declarations=declarations)
    tier = next((t for t in evaluation.tiers if t.code == rules.subject), None)
    if tier is None:
        return [Item(_("梯度条件"), "unknown", reason=_("条件库中没有该梯度"))], False
    return [Item(c.name, c.outcome, c.actual, c.required, c.reason) for c in tier.conditions], tier.provisional


def items_for(rules: chain.Spec, facts: Facts, declared: dict | None = None, memo: dict | None = None) -> Check:
    """The check over plain facts. `memo` (a dict the caller keeps) shares the tier evaluation between enterprises
    with the same facts: a province has a few thousand distinct combinations among 300,000 enterprises."""
    result = Check(provisional=rules.provisional)
    if rules.above_scale_only:
        result.items.append(Item(
            _("规模以上工业企业"), "met" if facts.above_scale else "not_met",
            _("是") if facts.above_scale else _("否"), _("是"),
        ))  # fmt: skip
    if rules.requires_tier:
        need = tiers.ORDER.index(tiers.TIERS[rules.requires_tier])
        result.items.append(Item(
            _("已获认定的梯度"), "met" if facts.held_rank >= need else "not_met", tiers.ORDER[facts.held_rank],
            _("%(tier)s及以上") % {"tier": tiers.ORDER[need]},
        ))  # fmt: skip
    if rules.tier_conditions and rules.subject in tiers.TIERS:
        if memo is None:
            items, provisional = _tier_items(rules, facts)
        else:
            if facts not in memo:
                memo[facts] = _tier_items(rules, facts)
            items, provisional = memo[facts]
        result.items.extend(items)
        result.provisional = result.provisional or provisional
    for code in rules.ai_gates:
        result.items.append(Item(*gate_item(code, facts.ai_gate_labels)))
    for criterion in rules.criteria:
        result.items.append(_declared(criterion, declared or {}))
    return result


def check(rules: chain.Spec, enterprise, declared: dict | None = None) -> Check:
    """The check for one enterprise, from its records now (what the applicant sees before applying)."""
    return items_for(rules, facts_of(enterprise), declared)
