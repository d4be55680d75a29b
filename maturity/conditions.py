"""Tier conditions over outside facts: "CMMM ≥ 二级, above scale, no serious accident, AI scenes ≥ 20 %".

The smart-factory tiers (基础级 → 先进级 → 卓越级 → 领航级) are decided by prerequisites about an
enterprise, not by a questionnaire. Some facts Tidu holds itself (its CMMM level, whether it is above scale, a
recognised tier); others only the enterprise can state (the abnormal-operation list, accidents, scene counts), so
it declares them and an officer or commissioner confirms them. Thresholds differ by province, so they are data:
national defaults plus overrides keyed by region code (the file format is in `maturity.tier_model`).

Expressions come from a small vocabulary and are never `eval`-ed. A condition has one of five outcomes, best
first: met (满足), pending (待确认: resting on a declaration not yet confirmed), undeclared (待申报: a
declared fact missing or its declaration sent back), unknown (待补充: a fact Tidu should hold is missing) and
not_met (不满足). Nothing undecided is ever silently met, and each undecided condition names the facts to
collect or confirm.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from maturity.base import EPS
from maturity.tier_model import (
    OP_TEXT,
    AllOf,
    AnyOf,
    Compare,
    ConditionError,
    Fact,
    Ladder,
    Ratio,
    Resolution,
    Tier,
    TierModel,
    TierRef,
    _fits,
    facts_in_force,
    load_tier_model,
    parse_tier_model,
    resolve,
)

__all__ = [
    "PENDING_TEXT",
    "VERDICTS",
    "ConditionError",
    "ConditionResult",
    "Ladder",
    "Resolution",
    "TierEvaluation",
    "TierModel",
    "TierResult",
    "evaluate",
    "facts_in_force",
    "load_tier_model",
    "parse_tier_model",
    "resolve",
]

Outcome = Literal["met", "pending", "undeclared", "unknown", "not_met"]
# Best to worst: an "all" takes the worst of its parts, an "any" the best, a tier the worst of its conditions.
SEVERITY: dict[str, int] = {"met": 0, "pending": 1, "undeclared": 2, "unknown": 3, "not_met": 4}
VERDICTS = {"met": "满足", "pending": "待确认", "undeclared": "待申报", "unknown": "待补充", "not_met": "不满足"}
STATE_TEXT = {
    "met": "已满足",
    "pending": "尚待确认",
    "undeclared": "尚待申报",
    "unknown": "尚无法判断",
    "not_met": "未满足",
}
PENDING_TEXT = "企业已申报，待主管部门/数字专员确认"
DECLARATION_STATUSES = ("declared", "confirmed", "rejected")


def _worst(outcomes: list[str]) -> Outcome:
    return max(outcomes, key=SEVERITY.__getitem__)  # type: ignore[return-value]


def _best(outcomes: list[str]) -> Outcome:
    return min(outcomes, key=SEVERITY.__getitem__)  # type: ignore[return-value]


@dataclass(frozen=True)
class ConditionResult:
    """One condition: `actual` and `required` as display text, `reason` a plain-Chinese sentence.

    `missing_facts` must still be supplied or declared (again, after a rejection); `pending_facts` are declared
    and wait for confirmation."""

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
    pending_facts: tuple[str, ...] = ()

    @property
    def verdict(self) -> str:
        return VERDICTS[self.outcome]


@dataclass(frozen=True)
class TierResult:
    """A tier's verdict. `own_outcome` is what its own conditions give; `outcome` is lower when the ladder is
    cumulative and a lower tier is not met (`capped_by` names that lowest tier, `cap_reason` says so)."""

    code: str
    name: str
    outcome: Outcome
    provisional: bool  # some condition in force, or the cap that decided it, is provisional
    conditions: tuple[ConditionResult, ...]
    own_outcome: Outcome = "met"
    capped_by: str | None = None
    cap_reason: str = ""

    @property
    def verdict(self) -> str:
        return VERDICTS[self.outcome]

    @property
    def blockers(self) -> tuple[ConditionResult, ...]:
        return tuple(c for c in self.conditions if c.outcome != "met")


@dataclass(frozen=True)
class TierEvaluation:
    """`highest` is the highest tier that is met; `blockers` hold back `next_tier`."""

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
    pending_facts: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Verdict:
    outcome: Outcome
    actual: str
    required: str
    reason: str
    missing: tuple[str, ...] = ()
    pending: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Facts:
    """Fact values split by how far they can be trusted."""

    known: dict[str, Any]  # held by Tidu, or declared and confirmed
    pending: dict[str, Any]  # declared, awaiting confirmation
    rejected: dict[str, str]  # declared and sent back: fact → the reviewer's reason


def _type_problem(fact: Fact, name: str, value: Any) -> tuple[str, str] | None:
    if _fits(fact, value):
        return None
    kind = {"int": "整数", "number": "数值", "bool": "是/否", "enum": f"以下之一 {fact.values}"}[fact.type]
    return (name, f"「{fact.label}」应为{kind}，实为 {value!r} (wrong fact type)")


def _int_if_whole(fact: Fact, value: Any) -> Any:
    if fact.type == "int" and isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _check_facts(model: TierModel, facts: Mapping[str, Any], declarations: Mapping[str, Mapping[str, Any]]) -> _Facts:
    """Type-checked facts; None counts as missing, keys the model does not declare are ignored.

    A declaration is {"value": v, "status": "declared" | "confirmed" | "rejected", "reason": "..."}; only facts of
    source `declared` take one, and a fact may not come both as a plain value and as a declaration."""
    known: dict[str, Any] = {}
    pending: dict[str, Any] = {}
    rejected: dict[str, str] = {}
    problems = []
    for name, fact in model.facts.items():
        value = _int_if_whole(fact, facts.get(name))
        if value is not None:
            if problem := _type_problem(fact, name, value):
                problems.append(problem)
            else:
                known[name] = value
    for name, decl in declarations.items():
        fact = model.facts.get(name)
        if fact is None or fact.source != "declared":
            problems.append((name, f"「{name}」不是企业申报事项 (not a declared fact)"))
            continue
        if name in known:
            problems.append((name, f"「{fact.label}」既有平台数据又有申报 (given twice)"))
            continue
        status = decl.get("status")
        if status not in DECLARATION_STATUSES:
            problems.append((name, f"「{fact.label}」的申报状态 {status!r} 无效 (bad declaration status)"))
            continue
        if status == "rejected":
            rejected[name] = str(decl.get("reason") or "")
            continue
        value = _int_if_whole(fact, decl.get("value"))
        if problem := _type_problem(fact, name, value):
            problems.append(problem)
        else:
            (known if status == "confirmed" else pending)[name] = value
    if problems:
        raise ConditionError("facts", problems)
    return _Facts(known, pending, rejected)


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


def _num(x: float, percent: bool) -> str:
    return f"{x * 100:.4g}%" if percent else f"{x:.4g}"


class _Evaluator:
    def __init__(self, model: TierModel, facts: _Facts, done: dict[str, TierResult], tier: Tier) -> None:
        self.model, self.facts, self.done, self.tier = model, facts, done, tier

    def run(self, expr: Any) -> _Verdict:
        if isinstance(expr, Compare):
            return self.compare(expr)
        if isinstance(expr, Ratio):
            return self.ratio(expr)
        if isinstance(expr, TierRef):
            return self.tier_ref(expr)
        return self.group(expr)

    def _absent(self, name: str) -> tuple[Outcome, str] | None:
        """Why a fact has no usable value: the outcome it gives and a phrase naming it; None if it has one."""
        fact = self.model.facts[name]
        if name in self.facts.known or name in self.facts.pending:
            return None
        if name in self.facts.rejected:
            why = self.facts.rejected[name]
            return "undeclared", f"「{fact.label}」的申报已退回{f'（{why}）' if why else ''}，须重新申报"
        if fact.source == "declared":
            return "undeclared", f"尚未申报「{fact.label}」"
        return "unknown", f"缺少「{fact.label}」"

    def _value(self, name: str) -> Any:
        return self.facts.known[name] if name in self.facts.known else self.facts.pending[name]

    def compare(self, expr: Compare) -> _Verdict:
        fact = self.model.facts[expr.fact]
        shown = "、".join(fact.show(v) for v in expr.value) if isinstance(expr.value, list) else fact.show(expr.value)
        phrase = f"{OP_TEXT[expr.op]}{shown}"
        required = phrase.strip()
        if absent := self._absent(expr.fact):
            outcome, why = absent
            reason = f"{why}，无法判断{self.tier.name}要求（{fact.label}{phrase}）"
            return _Verdict(outcome, "（缺）", required, reason, (expr.fact,))
        value = self._value(expr.fact)
        ok = _holds(expr.op, _order(fact, value), _order(fact, expr.value)) if expr.op != "in" else value in expr.value
        actual = fact.show(value)
        if expr.fact in self.facts.pending:
            reason = f"企业已申报「{fact.label}」：{actual}，待主管部门/数字专员确认"
            if not ok:
                reason += f"；按申报值不符合{self.tier.name}要求（{fact.label}{phrase}）"
            return _Verdict("pending", f"{actual}（待确认）", required, reason, (), (expr.fact,))
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
        absent = {n: a for n in expr.ratio if (a := self._absent(n))}
        pending = tuple(n for n in expr.ratio if n in self.facts.pending)
        if absent:
            outcome = _worst([o for o, _ in absent.values()])
            names = "、".join(why for _, why in absent.values())
            reason = f"{names}，无法计算{label}，{self.tier.name}要求{label}{phrase}"
            return _Verdict(outcome, "（缺）", required, reason, tuple(absent), pending)
        a, b = (self._value(n) for n in expr.ratio)
        if b == 0:
            ok, actual = False, f"{_num(a, False)}/0"
        else:
            ok = _holds(expr.op, a / b, expr.value)
            actual = f"{_num(a / b, expr.percent)}（{_num(a, False)}/{_num(b, False)}）"
        if pending:
            reason = f"企业已申报的{label}为{actual}，待主管部门/数字专员确认"
            if not ok:
                reason += f"；按申报值不符合{self.tier.name}要求（{label}{phrase}）"
            return _Verdict("pending", f"{actual}（待确认）", required, reason, (), pending)
        if b == 0:
            reason = f"{den.label}为 0，无法计算{label}，视为不满足{self.tier.name}要求（{label}{phrase}）"
            return _Verdict("not_met", actual, required, reason)
        if ok:
            return _Verdict("met", actual, required, f"{label}为{actual}，满足{self.tier.name}要求{phrase}")
        return _Verdict("not_met", actual, required, f"{label}为{actual}，{self.tier.name}要求{phrase}")

    def tier_ref(self, expr: TierRef) -> _Verdict:
        ref = self.done[expr.tier]
        state = STATE_TEXT[ref.outcome]
        required = f"先达到{ref.name}"
        if ref.outcome == "met":
            reason = f"{ref.name}条件{state}"
        else:
            reason = f"{ref.name}条件{state}，{self.tier.name}须先达到{ref.name}"
        missing = tuple(dict.fromkeys(f for c in ref.conditions for f in c.missing_facts))
        pending = tuple(dict.fromkeys(f for c in ref.conditions for f in c.pending_facts))
        return _Verdict(ref.outcome, f"{ref.name}{state}", required, reason, missing, pending)

    def group(self, expr: AllOf | AnyOf) -> _Verdict:
        is_all = isinstance(expr, AllOf)
        parts = [self.run(e) for e in (expr.all if is_all else expr.any)]
        outcome = (_worst if is_all else _best)([p.outcome for p in parts])
        joiner = "；且" if is_all else "；或"
        required = ("全部满足：" if is_all else "任一满足：") + "；".join(p.required for p in parts)
        # Explain only the parts that decide the outcome: the worst of an "all", the best of an "any".
        shown = [p for p in parts if p.outcome == outcome] or parts
        if outcome == "met" and not is_all:
            shown = shown[:1]
        # What is still to collect: for an "all" everything undecided, for an "any" the most promising branch.
        undecided = [] if outcome in ("met", "not_met") else parts if is_all else shown
        return _Verdict(
            outcome,
            "；".join(p.actual for p in parts),
            required,
            joiner.join(p.reason for p in shown),
            tuple(dict.fromkeys(f for p in undecided for f in p.missing)),
            tuple(dict.fromkeys(f for p in undecided for f in p.pending)),
        )


def _cap(tier: TierResult, below: TierResult | None, ladder: Ladder | None, done: dict[str, TierResult]) -> TierResult:
    """On a cumulative ladder a tier is never better than the tier below it; the reason names the lowest tier
    that holds it back (基础级 for a 领航级 held back by 基础级 through the tiers in between)."""
    if ladder is None or not ladder.cumulative or below is None:
        return tier
    if SEVERITY[below.outcome] <= SEVERITY[tier.outcome]:
        return tier
    # The tiers are monotone once capped, so the lowest tier already at this verdict is the one holding it back.
    origin = next(t for t in done.values() if t.outcome == below.outcome)
    reason = f"{VERDICTS[below.outcome]}：{origin.name}条件{STATE_TEXT[below.outcome]}，须逐级达到"
    return TierResult(
        tier.code,
        tier.name,
        below.outcome,
        tier.provisional or ladder.status == "provisional",
        tier.conditions,
        own_outcome=tier.own_outcome,
        capped_by=origin.code,
        cap_reason=reason,
    )


def evaluate(
    model: TierModel,
    facts: Mapping[str, Any],
    region_code: str | None = None,
    declarations: Mapping[str, Mapping[str, Any]] | None = None,
) -> TierEvaluation:
    """Evaluate every tier in order for one enterprise under the conditions in force in its region.

    `facts` are values the caller vouches for (held by Tidu); `declarations` are the enterprise's current
    declarations with their review status (see `_check_facts`)."""
    clean = _check_facts(model, facts, declarations or {})
    resolution = resolve(model, region_code)
    done: dict[str, TierResult] = {}
    below: TierResult | None = None
    for tier, conditions in resolution.tiers:
        ev = _Evaluator(model, clean, done, tier)
        results = []
        for eff in conditions:
            v = ev.run(eff.condition.when)
            c = eff.condition
            results.append(
                ConditionResult(
                    c.code,
                    c.name,
                    v.outcome,
                    c.status,
                    c.note,
                    eff.region,
                    v.actual,
                    v.required,
                    v.reason,
                    v.missing,
                    v.pending,
                )
            )
        own = _worst([r.outcome for r in results]) if results else "met"
        provisional = any(r.status == "provisional" for r in results)
        result = TierResult(tier.code, tier.name, own, provisional, tuple(results), own_outcome=own)
        below = done[tier.code] = _cap(result, below, model.ladder, done)
    tiers = tuple(done.values())
    met = [i for i, t in enumerate(tiers) if t.outcome == "met"]
    top = met[-1] if met else None
    nxt = tiers[0] if top is None else tiers[top + 1] if top + 1 < len(tiers) else None
    # Only facts whose absence leaves a tier undecided; a tier already failing elsewhere does not need them.
    undecided = [t for t in tiers if t.outcome not in ("met", "not_met")]
    missing = tuple(dict.fromkeys(f for t in undecided for c in t.conditions for f in c.missing_facts))
    pending = tuple(dict.fromkeys(f for t in undecided for c in t.conditions for f in c.pending_facts))
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
        pending_facts=pending,
    )
