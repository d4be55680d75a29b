"""A recognition programme as data, and its review chain as a state machine. Pure: no Django.

A programme file (recognition/programmes/*.yaml, or one a province loads) says what is recognised, who may apply,
the prerequisites, the evidence, the chain of steps, quotas, outcomes and validity. Each step names the action it
takes, which role acts and at which level of the division tree, and its deadline in working days. `transition`
is the only place that says what may follow what: an application moves one step at a time, never skipping one."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

LEVEL_WIDTH = {"province": 2, "city": 4, "county": 6}  # a region code prefix of this many digits
LEVEL_NAMES = {"province": "省级", "city": "市级", "county": "区县级"}

# What each kind of step lets its actor decide. "pass" moves to the next step (after the last: recognised).
ACTIONS: dict[str, frozenset[str]] = {
    "check": frozenset({"pass", "return", "reject"}),  # authenticity and completeness (真实性审核)
    "expert_review": frozenset({"pass", "return", "reject", "cultivate"}),  # experts score; the officer concludes
    "decision": frozenset({"pass", "reject", "cultivate"}),
    "recommend": frozenset({"pass", "reject", "cultivate"}),  # upward, within a quota
    "notice": frozenset({"pass", "reject"}),  # public notice with objections; pass once it has ended
    "publish": frozenset({"pass"}),
}
ACTION_NAMES = {"check": "审核", "expert_review": "专家评审", "decision": "认定决定", "recommend": "推荐上报",
                "notice": "公示", "publish": "公布"}  # fmt: skip
CONSOLIDATION = frozenset({"mean", "trimmed_mean", "chair"})
EXCLUSIONS = frozenset({"own_organisation", "served_by_provider", "same_county"})
KINDS = frozenset({"tier", "case", "scenario", "model", "other"})

# Application states. An application under review sits at a step (index into the chain).
DRAFT, IN_REVIEW, RETURNED = "draft", "in_review", "returned"
RECOGNISED, REJECTED, CULTIVATION, WITHDRAWN, REVOKED = "recognised", "rejected", "cultivation", "withdrawn", "revoked"
OPEN_STATES = frozenset({DRAFT, IN_REVIEW, RETURNED})
FINAL_STATES = frozenset({RECOGNISED, REJECTED, CULTIVATION, WITHDRAWN, REVOKED})


class SpecError(ValueError):
    """A programme file that cannot be used, with the reason in Chinese."""


class TransitionError(ValueError):
    """A move the chain does not allow from where the application stands."""


@dataclass(frozen=True)
class Step:
    code: str
    name: str
    action: str
    level: str = "city"  # whose officers act (experts too are assigned by this level's officers)
    deadline_days: int | None = None  # working days from reaching the step
    experts: int = 0  # expert_review: how many experts score each application
    visit: bool = False  # expert_review: an on-site visit whose report the experts record
    notice_days: int = 0  # notice: working days the notice runs

    @property
    def decisions(self) -> frozenset[str]:
        return ACTIONS[self.action]


@dataclass(frozen=True)
class Criterion:
    """A prerequisite the applicant declares (a programme without a tier model): `key op value`."""

    key: str
    label: str
    type: str = "bool"  # bool | int | number
    op: str = "=="
    value: Any = True
    unit: str = ""


@dataclass(frozen=True)
class Evidence:
    code: str
    name: str
    required: bool = True


@dataclass(frozen=True)
class Grade:
    code: str
    name: str
    min_score: float
    award: float | None = None  # 万元


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    kind: str
    year: int
    level: str  # the recognising level: where the final decision is taken
    chain: tuple[Step, ...]
    subject: str = ""  # for a tier programme: the tier code (basic, advanced …)
    description: str = ""
    above_scale_only: bool = False
    requires_tier: str = ""  # a tier the applicant must already hold (先进级 asks for 基础级)
    tier_conditions: bool = False  # prerequisites: the tier conditions of the maturity library for `subject`
    criteria: tuple[Criterion, ...] = ()
    ai_gates: tuple[str, ...] = ()  # AI registry gates the applicant's reviewed models/agents must pass (airegistry)
    evidence: tuple[Evidence, ...] = ()
    scoring_model: str = ""  # a maturity model code the experts' scoring sheet is
    consolidation: str = "mean"
    trim: int = 1  # trimmed_mean: how many lowest and highest scores are dropped
    pass_score: float | None = None
    grades: tuple[Grade, ...] = ()
    quota: dict[str, int] = field(default_factory=dict)  # recommend: {"default": n, "<region code>": n}
    exclusions: frozenset[str] = frozenset({"own_organisation", "served_by_provider"})
    validity_years: int | None = None
    rereview_years: int | None = None
    provisional: bool = True
    note: str = ""
    sources: tuple[str, ...] = ()

    def step(self, index: int) -> Step:
        return self.chain[index]

    def index_of(self, code: str) -> int:
        for i, step in enumerate(self.chain):
            if step.code == code:
                return i
        raise KeyError(code)

    def quota_for(self, region_code: str) -> int | None:
        return self.quota.get(region_code, self.quota.get("default"))

    def grade_for(self, score: float | None) -> Grade | None:
        if score is None:
            return None
        fitting = [g for g in self.grades if score >= g.min_score]
        return max(fitting, key=lambda g: g.min_score) if fitting else None


def _need(data: dict, key: str, where: str) -> Any:
    if data.get(key) in (None, ""):
        raise SpecError(f"{where}缺少“{key}”")
    return data[key]


def _step(raw: dict, i: int) -> Step:
    where = f"第 {i + 1} 个审核环节"
    if not isinstance(raw, dict):
        raise SpecError(f"{where}应为键值表")
    action = _need(raw, "action", where)
    if action not in ACTIONS:
        raise SpecError(f"{where}的 action“{action}”不可用，可选：{'、'.join(sorted(ACTIONS))}")
    level = raw.get("level", "city")
    if level not in LEVEL_WIDTH:
        raise SpecError(f"{where}的 level“{level}”不可用，可选：province、city、county")
    step = Step(
        code=str(_need(raw, "code", where)), name=str(_need(raw, "name", where)), action=action, level=level,
        deadline_days=_count(raw.get("deadline_days"), where, "deadline_days", allow_none=True),
        experts=_count(raw.get("experts", 0), where, "experts"), visit=bool(raw.get("visit", False)),
        notice_days=_count(raw.get("notice_days", 0), where, "notice_days"),
    )  # fmt: skip
    if action == "expert_review" and step.experts < 1:
        raise SpecError(f"{where}是专家评审，须写明每份申请的专家人数（experts ≥ 1）")
    if action == "notice" and step.notice_days < 1:
        raise SpecError(f"{where}是公示，须写明公示的工作日数（notice_days ≥ 1）")
    return step


def _count(value, where: str, key: str, *, allow_none: bool = False) -> int | None:
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise SpecError(f"{where}的“{key}”应为不小于 0 的整数")
    return value


def _evidence(raw: dict) -> Evidence:
    return Evidence(str(_need(raw, "code", "材料")), str(_need(raw, "name", "材料")), bool(raw.get("required", True)))


def parse(data: dict) -> Spec:
    """A programme from its file's data, checked: every error names the field."""
    if not isinstance(data, dict):
        raise SpecError("认定项目文件应为键值表")
    kind = _need(data, "kind", "认定项目")
    if kind not in KINDS:
        raise SpecError(f"kind“{kind}”不可用，可选：{'、'.join(sorted(KINDS))}")
    level = _need(data, "level", "认定项目")
    if level not in LEVEL_WIDTH:
        raise SpecError(f"level“{level}”不可用，可选：province、city、county")
    raw_chain = _need(data, "chain", "认定项目")
    if not isinstance(raw_chain, list):
        raise SpecError("chain 应为审核环节的列表")
    chain = tuple(_step(raw, i) for i, raw in enumerate(raw_chain))
    codes = [s.code for s in chain]
    if len(set(codes)) != len(codes):
        raise SpecError("审核环节的 code 不能重复")
    review = data.get("review", {}) or {}
    consolidation = review.get("consolidation", "mean")
    if consolidation not in CONSOLIDATION:
        raise SpecError(f"review.consolidation“{consolidation}”不可用，可选：mean、trimmed_mean、chair")
    exclusions = frozenset(review.get("exclusions", ["own_organisation", "served_by_provider"]))
    if unknown := exclusions - EXCLUSIONS:
        raise SpecError(f"review.exclusions 中的“{'、'.join(sorted(unknown))}”不可用")
    prerequisites = data.get("prerequisites", {}) or {}
    criteria = tuple(
        Criterion(
            key=str(_need(c, "key", "条件")),
            label=str(_need(c, "label", "条件")),
            type=c.get("type", "bool"),
            op=c.get("op", "=="),
            value=c.get("value", True),
            unit=c.get("unit", ""),
        )  # fmt: skip
        for c in prerequisites.get("criteria", [])
    )
    for c in criteria:
        if c.type not in {"bool", "int", "number"} or c.op not in {"==", ">=", "<=", ">", "<"}:
            raise SpecError(f"条件“{c.label}”的 type 或 op 不可用")
    ai_gates = tuple(str(code) for code in prerequisites.get("ai_gates", []) or [])
    if ai_gates:
        from airegistry.gates import shipped  # pure: the gate files, no Django

        unknown = sorted(set(ai_gates) - {g.code for g in shipped()})
        if unknown:
            raise SpecError(f"prerequisites.ai_gates 中的“{'、'.join(unknown)}”不是已有的模型与智能体门槛")
    try:
        year = int(_need(data, "year", "认定项目"))
    except (TypeError, ValueError):
        raise SpecError("year 应为年份") from None
    return Spec(
        code=str(_need(data, "code", "认定项目")), name=str(_need(data, "name", "认定项目")), kind=kind, year=year,
        level=level, chain=chain, subject=str(data.get("subject", "")), description=str(data.get("description", "")),
        above_scale_only=bool(prerequisites.get("above_scale_only", False)),
        requires_tier=str(prerequisites.get("requires_tier", "")),
        tier_conditions=bool(prerequisites.get("tier_conditions", False)), criteria=criteria,
        ai_gates=ai_gates,
        evidence=tuple(_evidence(e) for e in data.get("evidence", [])),
        scoring_model=str(review.get("scoring_model", "")), consolidation=consolidation,
        trim=_count(review.get("trim", 1), "review", "trim"),
        pass_score=float(review["pass_score"]) if review.get("pass_score") is not None else None,
        grades=tuple(Grade(str(g["code"]), str(g["name"]), float(g["min_score"]),
                           float(g["award"]) if g.get("award") is not None else None)
                     for g in data.get("grades", [])),
        quota={str(k): int(v) for k, v in (data.get("quota") or {}).items()},
        exclusions=exclusions,
        validity_years=data.get("validity_years"), rereview_years=data.get("rereview_years"),
        provisional=data.get("status", "provisional") != "official", note=str(data.get("note", "")),
        sources=tuple(str(s) for s in data.get("sources", [])),
    )  # fmt: skip


@dataclass(frozen=True)
class Position:
    status: str
    step: int | None = None  # the chain index while under review or returned


def submit(spec: Spec, at: Position) -> Position:
    """The applicant submits a draft (to the first step) or a returned application (back to the step that
    returned it)."""
    if at.status == DRAFT:
        return Position(IN_REVIEW, 0)
    if at.status == RETURNED:
        return Position(IN_REVIEW, at.step)
    raise TransitionError("只有草稿或被退回的申请可以提交")


def withdraw(spec: Spec, at: Position) -> Position:
    """The applicant withdraws, before any decision is public (not once the notice has begun)."""
    if at.status not in OPEN_STATES:
        raise TransitionError("申请已有结果，不能撤回")
    if at.status == IN_REVIEW and spec.chain[at.step].action in {"notice", "publish"}:
        raise TransitionError("已进入公示，不能撤回")
    return Position(WITHDRAWN, None)


def decide(spec: Spec, at: Position, decision: str) -> Position:
    """The acting step's decision: pass (next step, after the last: recognised), return (to the applicant, the
    same step again after resubmission), reject, cultivate (the cultivation pool)."""
    if at.status != IN_REVIEW or at.step is None:
        raise TransitionError("申请不在审核中")
    step = spec.chain[at.step]
    if decision not in step.decisions:
        raise TransitionError(f"“{step.name}”环节不能作出“{DECISION_NAMES.get(decision, decision)}”的决定")
    if decision == "pass":
        return Position(IN_REVIEW, at.step + 1) if at.step + 1 < len(spec.chain) else Position(RECOGNISED, None)
    return Position({"return": RETURNED, "reject": REJECTED, "cultivate": CULTIVATION}[decision], at.step)


DECISION_NAMES = {"pass": "通过", "return": "退回修改", "reject": "不予通过", "cultivate": "纳入培育库"}
