"""Whether an enterprise may apply, checked against the records and shown to it before it applies: the
programme's population (above scale), a tier it must already hold, the tier conditions of the maturity library
(for a tier programme: the same evaluation as the enterprise's tier page, with the facts it declared and an
officer confirmed), and the criteria the applicant declares (programmes without a tier model).

Outcomes as the tier engine's: met, pending (declared, awaiting confirmation), undeclared, unknown, not_met. Only
not_met refuses a submission; the others are shown and travel with the application to the first step."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from django.utils.translation import gettext as _

from assessments import tiers
from maturity.conditions import VERDICTS

from . import chain

PARSE = {"bool": lambda v: v in (True, "true", "1", "on", "是"), "int": int, "number": float}
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
    def ok(self) -> bool:
        return not self.not_met

    def as_json(self) -> dict:
        return {"items": [asdict(i) for i in self.items], "provisional": self.provisional}


def held_tier_rank(enterprise) -> int:
    """The highest tier the enterprise holds now (0: none), from its labels — which recognitions keep."""
    names = [tiers.TIER_LABELS[link.label_id] for link in enterprise.label_links.all()
             if link.label_id in tiers.TIER_LABELS]  # fmt: skip
    return max((tiers.ORDER.index(n) for n in names), default=0)


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


def check(rules: chain.Spec, enterprise, declared: dict | None = None) -> Check:
    result = Check(provisional=rules.provisional)
    if rules.above_scale_only:
        result.items.append(Item(
            _("规模以上工业企业"), "met" if enterprise.is_above_scale else "not_met",
            _("是") if enterprise.is_above_scale else _("否"), _("是"),
        ))  # fmt: skip
    if rules.requires_tier:
        need = tiers.ORDER.index(tiers.TIERS[rules.requires_tier])
        held = held_tier_rank(enterprise)
        result.items.append(Item(
            _("已获认定的梯度"), "met" if held >= need else "not_met", tiers.ORDER[held],
            _("%(tier)s及以上") % {"tier": tiers.ORDER[need]},
        ))  # fmt: skip
    if rules.tier_conditions and rules.subject in tiers.TIERS:
        evaluation, _result = tiers.check(enterprise)
        tier = next((t for t in evaluation.tiers if t.code == rules.subject), None)
        if tier is None:
            result.items.append(Item(_("梯度条件"), "unknown", reason=_("条件库中没有该梯度")))
        else:
            result.provisional = result.provisional or tier.provisional
            for c in tier.conditions:
                result.items.append(Item(c.name, c.outcome, c.actual, c.required, c.reason))
    for criterion in rules.criteria:
        result.items.append(_declared(criterion, declared or {}))
    return result
