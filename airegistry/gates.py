"""Programme gates over a registered industrial model or agent, as data. Pure: no Django.

A gate file (airegistry/gates/*.yaml) names a programme's thresholds (Shandong's 行业大模型: ≥ 1 B parameters, ≥ 2
general-scene and ≥ 3 specific-scene models, a third-party evaluation, a live deployment with measured benefits …)
as rules `fact op value`. `parse` checks a file and names the field in every error; `evaluate` explains itself rule
by rule over the plain `Facts` of one registry entry, which the app computes from its reviewed records.

Tidu records evaluation results from accredited third parties and checks them; it runs no benchmark itself.
Every shipped gate file is provisional: a province replaces it when the official notice's text is in hand."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

GATES_DIR = Path(__file__).resolve().parent / "gates"

# Score dimensions of an evaluation record (0–100 each), after ai-layer.md §2.3.
DIMENSIONS = {"performance": "性能", "industry_fit": "行业适配", "safety": "安全", "efficiency": "效率",
              "reliability": "可靠性"}  # fmt: skip
KINDS = {"model": "工业模型", "agent": "工业智能体"}

# What each fact means. score:<dimension> reads the best reviewed third-party score in that dimension.
FACTS = {
    "kind": "登记类型",
    "parameters": "参数量",
    "general_scenes": "通用场景模型数",
    "specific_scenes": "专用场景模型数",
    "evaluations": "第三方评测记录数",
    "deployments": "实际部署数",
    "benefit_deployments": "有量化效益的部署数",
    "autonomy_level": "智能体自主等级",
    "task_success": "任务成功率（%）",
    "base_origin": "基座模型来源",
}
NUMERIC = frozenset(FACTS) - {"kind", "base_origin"}
OPS = {">=": "不低于", "<=": "不高于", "==": "为", "!=": "不为"}
BASE_ORIGINS = {"own": "自研基座", "third_party": "成熟第三方基座"}


class GateError(ValueError):
    """A gate file that cannot be used, with the reason in Chinese naming the field."""


@dataclass(frozen=True)
class Rule:
    fact: str  # a key of FACTS, or score:<dimension>
    op: str
    value: Any
    label: str
    standard: str = ""  # evaluations: count only those under a standard starting with this (e.g. "GB/T 45288")
    within_years: int | None = None  # evaluations: count only those dated within this many years of `today`


@dataclass(frozen=True)
class Gate:
    code: str
    name: str
    kind: str = ""  # model | agent | "" (either)
    rules: tuple[Rule, ...] = ()
    provisional: bool = True
    note: str = ""
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class Evaluation:
    """One reviewed evaluation record, as the gates read it."""

    standard: str
    evaluated_on: dt.date
    third_party: bool = True
    scores: tuple[tuple[str, Decimal], ...] = ()


@dataclass(frozen=True)
class Facts:
    """What the gates read about one registry entry. None means the record does not say (the rule is unknown)."""

    kind: str
    parameters: int | None = None
    general_scenes: int = 0
    specific_scenes: int = 0
    evaluations: tuple[Evaluation, ...] = ()
    deployments: int = 0
    benefit_deployments: int = 0
    autonomy_level: int | None = None
    task_success: Decimal | None = None
    base_origin: str = ""


@dataclass(frozen=True)
class Outcome:
    label: str
    outcome: str  # met | not_met | unknown
    actual: str = ""
    required: str = ""
    reason: str = ""


@dataclass
class Result:
    gate: Gate
    items: list[Outcome] = field(default_factory=list)

    @property
    def outcome(self) -> str:
        """not_met if any rule fails, else unknown if any is unknown, else met."""
        kinds = {i.outcome for i in self.items}
        return "not_met" if "not_met" in kinds else "unknown" if "unknown" in kinds else "met"

    @property
    def met(self) -> bool:
        return self.outcome == "met"


# --- parsing -------------------------------------------------------------------------------------------------------


def _number(value, where: str) -> Decimal:
    if isinstance(value, bool):
        raise GateError(f"{where}的 value 应为数值")
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise GateError(f"{where}的 value 应为数值，而不是“{value}”") from None
    if not number.is_finite() or number < 0:
        raise GateError(f"{where}的 value 应为不小于 0 的数值")
    return number


def _rule(raw, i: int) -> Rule:
    where = f"第 {i + 1} 条门槛（rules）"
    if not isinstance(raw, dict):
        raise GateError(f"{where}应为键值表")
    fact = str(raw.get("fact") or "")
    dimension = fact.removeprefix("score:") if fact.startswith("score:") else None
    if fact not in FACTS and dimension not in DIMENSIONS:
        raise GateError(f"{where}的 fact“{fact}”不可用，可选：{'、'.join(FACTS)}，或 score:{'/'.join(DIMENSIONS)}")
    op = str(raw.get("op") or (">=" if fact in NUMERIC or dimension else "=="))
    if op not in OPS or (fact in {"kind", "base_origin"} and op not in {"==", "!="}):
        raise GateError(f"{where}的 op“{op}”不能用于 {fact}")
    if "value" not in raw:
        raise GateError(f"{where}缺少“value”")
    value = raw["value"]
    if fact == "kind":
        if value not in KINDS:
            raise GateError(f"{where}的 value“{value}”不是登记类型，可选：{'、'.join(KINDS)}")
    elif fact == "base_origin":
        if value not in BASE_ORIGINS:
            raise GateError(f"{where}的 value“{value}”不是基座来源，可选：{'、'.join(BASE_ORIGINS)}")
    else:
        value = _number(value, where)
        if dimension and value > 100:
            raise GateError(f"{where}的得分门槛应在 0–100 之间")
    standard = str(raw.get("standard") or "").strip()
    within = raw.get("within_years")
    if (standard or within is not None) and fact != "evaluations":
        raise GateError(f"{where}只有 fact 为 evaluations 时才能写 standard 或 within_years")
    if within is not None and (isinstance(within, bool) or not isinstance(within, int) or within < 1):
        raise GateError(f"{where}的 within_years 应为正整数")
    default_label = f"{DIMENSIONS[dimension]}得分" if dimension else FACTS[fact]
    return Rule(fact, op, value, str(raw.get("label") or default_label), standard, within)


def parse(data: dict) -> Gate:
    if not isinstance(data, dict):
        raise GateError("门槛文件应为键值表")
    for key in ("code", "name"):
        if not data.get(key):
            raise GateError(f"门槛文件缺少“{key}”")
    kind = str(data.get("kind") or "")
    if kind and kind not in KINDS:
        raise GateError(f"门槛文件的 kind“{kind}”不可用，可选：{'、'.join(KINDS)}")
    raw_rules = data.get("rules") or []
    if not isinstance(raw_rules, list) or not raw_rules:
        raise GateError("门槛文件至少要有一条门槛（rules）")
    sources = data.get("sources") or []
    return Gate(code=str(data["code"]), name=str(data["name"]), kind=kind,
                rules=tuple(_rule(r, i) for i, r in enumerate(raw_rules)),
                provisional=data.get("provisional", True) is not False, note=str(data.get("note") or ""),
                sources=tuple(str(s) for s in sources))  # fmt: skip


def load(path: Path | str) -> Gate:
    try:
        return parse(yaml.safe_load(Path(path).read_text(encoding="utf-8")))
    except GateError as error:
        raise GateError(f"{Path(path).name}：{error}") from None


def shipped() -> list[Gate]:
    """The gate files shipped with Tidu, by file name."""
    return [load(p) for p in sorted(GATES_DIR.glob("*.yaml"))]


# --- evaluation ----------------------------------------------------------------------------------------------------


def _years_before(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _show(fact: str, value) -> str:
    if fact == "parameters":  # in 亿 (10^8) as the programmes write it, cut (never rounded up) to two decimals
        yi = (Decimal(value) / Decimal(10**8)).quantize(Decimal("0.01"), rounding=ROUND_DOWN)
        return f"{yi.normalize():f} 亿"
    if fact == "kind":
        return KINDS.get(value, str(value))
    if fact == "base_origin":
        return BASE_ORIGINS.get(value, str(value) or "未填写")
    if fact == "autonomy_level":
        return f"L{int(value)}"
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value)


def _required(rule: Rule) -> str:
    text = f"{OPS[rule.op]} {_show(rule.fact, rule.value)}"
    if rule.fact == "evaluations":
        limits = [f"标准 {rule.standard}" if rule.standard else "", f"近 {rule.within_years} 年内" if
                  rule.within_years else ""]  # fmt: skip
        extra = "，".join(x for x in limits if x)
        return f"{text}（{extra}）" if extra else text
    return text


def _value(rule: Rule, facts: Facts, today: dt.date):
    if rule.fact.startswith("score:"):
        dimension = rule.fact.removeprefix("score:")
        scores = [s for e in facts.evaluations if e.third_party for d, s in e.scores if d == dimension]
        return max(scores) if scores else None
    if rule.fact == "evaluations":
        since = _years_before(today, rule.within_years) if rule.within_years else None
        wanted = rule.standard.replace(" ", "").upper()
        return sum(1 for e in facts.evaluations if e.third_party and e.evaluated_on <= today
                   and (since is None or e.evaluated_on >= since)
                   and e.standard.replace(" ", "").upper().startswith(wanted))  # fmt: skip
    value = getattr(facts, rule.fact)
    return None if value in (None, "") else value


def _check(rule: Rule, facts: Facts, today: dt.date) -> Outcome:
    required = _required(rule)
    value = _value(rule, facts, today)
    if value is None:
        return Outcome(rule.label, "unknown", "", required, "登记信息中未填写")
    actual = _show(rule.fact, value)
    target = rule.value
    met = {">=": lambda: value >= target, "<=": lambda: value <= target, "==": lambda: value == target,
           "!=": lambda: value != target}[rule.op]()  # fmt: skip
    if met:
        return Outcome(rule.label, "met", actual, required, f"{rule.label}为{actual}，符合“{required}”")
    return Outcome(rule.label, "not_met", actual, required, f"{rule.label}为{actual}，要求{required}")


def evaluate(gate: Gate, facts: Facts, *, today: dt.date) -> Result:
    """One outcome per rule, in the file's order; a gate for the other kind (model vs agent) is not met."""
    result = Result(gate)
    if gate.kind and gate.kind != facts.kind:
        result.items.append(Outcome(FACTS["kind"], "not_met", KINDS.get(facts.kind, facts.kind), KINDS[gate.kind],
                                    f"本门槛仅适用于{KINDS[gate.kind]}"))  # fmt: skip
        return result
    result.items.extend(_check(rule, facts, today) for rule in gate.rules)
    return result
