"""A funding programme as data: who may apply, how much may be granted, in which tranches. Pure: no Django.

A programme file (incentives/programmes/*.yaml, or one a province loads) names the type of funding (voucher,
subsidy, award, interest subsidy), the eligibility rules over an enterprise's facts, the amount rule (a rate of the
eligible cost, a fixed amount by grade, or interest points on a loan), the caps, the application window, the
documents, the approval chain (recognition's review-chain steps, check and decision only) and the tranches released
against milestones. `parse` checks a file and names the field in every error; `eligibility` explains itself rule
by rule; `amount` shows how a grant was reached and which cap bound it; `tranche_amounts` splits a grant to the fen.

Money is in yuan as Decimal. Amounts are rounded *down* to the fen, so a grant never exceeds its rate or a cap.

Caps (all optional, yuan):
- per_project: one application (one project, contract or invoice).
- per_enterprise: one enterprise over the whole programme (the programme runs for one year): the caller passes what
  the enterprise already has committed in this programme (`enterprise_committed`).
- per_provider: all grants served by one provider in this programme (`provider_committed`).
- per_year: one enterprise in one year across every programme of the same `family` (by default the type: all
  vouchers of the year, whoever runs them — province, city or county). The caller passes the enterprise's commitments
  in programmes of the same year and family, this one included (`year_committed`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from decimal import ROUND_DOWN, Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import yaml

from recognition.chain import LEVEL_WIDTH, Step, _step


class SpecError(ValueError):
    """A programme file that cannot be used, with the reason in Chinese naming the field."""


# Type code → name (as incentives.models.Programme.Kind, where the interest subsidy's code is "loan").
TYPES = {"voucher": "服务券", "subsidy": "项目奖补", "award": "认定奖励", "interest": "贷款贴息"}
VOUCHER_KINDS = {"service": "服务券", "scenario": "场景券", "model": "模型券", "corpus": "语料券"}
# Size classes as enterprises.sizing.NAMES (read only: a pure module imports no Django app).
SIZE_CLASSES = {"large": "大型", "medium": "中型", "small": "小型", "micro": "微型"}
# Tier codes as assessments.tiers.TIERS, in order; Facts.tier_rank is the index in TIER_ORDER (0: none).
TIER_ORDER = ["无", "基础级", "先进级", "卓越级", "领航级"]
TIER_CODES = {"basic": 1, "advanced": 2, "excellent": 3, "leading": 4}
# Milestones a tranche waits for, in the order they happen.
MILESTONES = {"contract": "合同签订", "delivery": "服务商确认交付", "acceptance": "企业验收",
              "reassessment": "复评完成"}  # fmt: skip
CHAIN_ACTIONS = frozenset({"check", "decision"})
FEN = Decimal("0.01")

# What each fact means, and the operators it takes.
FACTS = {
    "size_class": "企业规模",
    "above_scale": "规模以上工业企业",
    "industry": "所属行业",
    "county": "所在地区",
    "tier": "智能工厂梯度",
    "level": "评估等级",
    "label": "企业称号",
    "employees": "从业人员",
}
FACT_OPS = {
    "size_class": frozenset({"==", "!=", "in", "not_in"}),
    "above_scale": frozenset({"==", "!="}),
    "industry": frozenset({"==", "!=", "in", "not_in"}),  # GB/T 4754 codes, by prefix: "34" covers 342
    "county": frozenset({"==", "!=", "in", "not_in"}),  # region codes, by subtree: 360100 covers 360102
    "tier": frozenset({"==", "!=", ">=", "<="}),
    "level": frozenset({"==", "!=", ">=", "<="}),
    "label": frozenset({"has", "not_has", "in", "not_in"}),  # in: carries any of them; not_in: none of them
    "employees": frozenset({"==", "!=", ">=", "<="}),
}
OP_NAMES = {"==": "为", "!=": "不为", "in": "属于", "not_in": "不属于", ">=": "不低于", "<=": "不高于",
            "has": "持有", "not_has": "未持有"}  # fmt: skip
NUMERALS = "零一二三四五六七八九"


@dataclass(frozen=True)
class Rule:
    """One eligibility rule over an enterprise's facts: `fact op value`.

    size_class (large/medium/small/micro), above_scale (true/false), industry (GB/T 4754 division codes, by prefix),
    county (region codes; a city or province code covers its subtree), tier (basic … leading, the tier the enterprise
    holds), level (the level of its latest current result in `model`), label (label codes it carries), employees."""

    fact: str
    op: str
    value: Any
    label: str
    model: str = ""  # fact "level": the maturity model code (e.g. "sme-2024", "cmmm")


@dataclass(frozen=True)
class Tranche:
    code: str
    name: str
    share: Decimal  # shares of a programme sum to 1
    milestone: str  # contract | delivery | acceptance | reassessment: what must have happened before release


@dataclass(frozen=True)
class Caps:
    """Ceilings in yuan (None: none). See the module docstring for what each one counts."""

    per_enterprise: Decimal | None = None
    per_project: Decimal | None = None
    per_provider: Decimal | None = None
    per_year: Decimal | None = None


CAP_NAMES = {"per_project": "单个项目上限", "per_enterprise": "单个企业上限", "per_provider": "单个服务商上限",
             "per_year": "单个企业年度同类项目上限", "requested": "申请金额"}  # fmt: skip


@dataclass(frozen=True)
class Document:
    code: str
    name: str
    required: bool = True


def _default_tranches() -> tuple[Tranche, ...]:
    return (Tranche("full", "全额", Decimal(1), "acceptance"),)


@dataclass(frozen=True)
class Spec:
    code: str
    name: str
    type: str  # a key of TYPES
    year: int
    level: str  # province | city | county: who runs it
    voucher_kind: str = ""  # voucher only: a key of VOUCHER_KINDS
    rules: tuple[Rule, ...] = ()
    rate: Decimal | None = None  # voucher/subsidy: share of the eligible cost
    fixed: dict[str, Decimal] = field(default_factory=dict)  # award: grade code → amount (yuan)
    grade_names: dict[str, str] = field(default_factory=dict)  # award: grade code → name
    interest_rate: Decimal | None = None  # interest: subsidy points per year on the principal (0.015 = 1.5 %)
    interest_years: int | None = None
    caps: Caps = field(default_factory=Caps)
    family: str = ""  # per_year counts across programmes of the same year and family; "" = the type
    cost_label: str = ""  # what the rate applies to, shown in the amount steps ("" = by type)
    related_party_forbidden: bool = True  # the enterprise and the provider must not be related parties
    provider_required: bool = False  # vouchers (default true): a listed provider for a listed solution
    opens: dt.date | None = None
    closes: dt.date | None = None
    documents: tuple[Document, ...] = ()
    chain: tuple[Step, ...] = ()
    tranches: tuple[Tranche, ...] = field(default_factory=_default_tranches)
    reassessment_model: str = ""  # the model re-assessed after delivery ("" none)
    description: str = ""
    provisional: bool = True
    note: str = ""
    sources: tuple[str, ...] = ()

    @property
    def type_name(self) -> str:
        return VOUCHER_KINDS[self.voucher_kind] if self.type == "voucher" else TYPES[self.type]

    @property
    def cap_family(self) -> str:
        return self.family or self.type

    def __hash__(self) -> int:  # `fixed` is a dict: hash by what identifies the programme and its rules
        return hash((self.code, self.year, self.type, self.rules))

    def is_open(self, day: dt.date) -> bool:
        """Applications accepted on `day`: both boundary days included; no date means no limit on that side."""
        return (self.opens is None or self.opens <= day) and (self.closes is None or day <= self.closes)


# --- parsing -------------------------------------------------------------------------------------------------------


def _need(data: dict, key: str, where: str) -> Any:
    if data.get(key) in (None, ""):
        raise SpecError(f"{where}缺少“{key}”")
    return data[key]


def _decimal(value, key: str, *, where: str = "", allow_none: bool = False, percent: bool = False) -> Decimal | None:
    """A number from a file: int, float (through its text), or text ("0.3", "30%" where percent)."""
    if value is None or value == "":
        if allow_none:
            return None
        raise SpecError(f"{where}缺少“{key}”")
    if isinstance(value, bool):
        raise SpecError(f"{where}“{key}”应为数值")
    text = str(value).strip()
    scale = Decimal(1)
    if percent and text.endswith("%"):
        text, scale = text[:-1].strip(), Decimal("0.01")
    try:
        number = Decimal(text) * scale
    except InvalidOperation:
        raise SpecError(f"{where}“{key}”应为数值，而不是“{value}”") from None
    if not number.is_finite():
        raise SpecError(f"{where}“{key}”应为有限的数值")
    return number


def _money(value, key: str, where: str = "") -> Decimal | None:
    number = _decimal(value, key, where=where, allow_none=True)
    if number is not None and number <= 0:
        raise SpecError(f"{where}“{key}”应为大于 0 的金额（元）")
    return number


def _date(value, key: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise SpecError(f"“{key}”应为日期（如 2026-03-01），而不是“{value}”") from None


def _bool(data: dict, key: str, default: bool) -> bool:
    value = data.get(key, default)
    if not isinstance(value, bool):
        raise SpecError(f"“{key}”应为 true 或 false")
    return value


def _list(data: dict, key: str) -> list:
    value = data.get(key) or []
    if not isinstance(value, list):
        raise SpecError(f"“{key}”应为列表")
    return value


def _region_prefix(code: str) -> str:
    """A region code's subtree prefix: 360000 → 36, 360100 → 3601, 360102 → 360102."""
    for width in sorted(LEVEL_WIDTH.values()):
        if code[width:].strip("0") == "":
            return code[:width]
    return code


def _rule_value(fact: str, op: str, raw, where: str, models: frozenset[str] | None, model: str) -> Any:
    many = op in {"in", "not_in"}
    if many:
        if not isinstance(raw, list) or not raw:
            raise SpecError(f"{where}的 op“{op}”要求 value 为非空列表")
        values = raw
    else:
        if isinstance(raw, list):
            raise SpecError(f"{where}的 op“{op}”要求 value 为单个值")
        values = [raw]
    out = []
    for v in values:
        if fact == "size_class":
            if v not in SIZE_CLASSES:
                raise SpecError(f"{where}的 value“{v}”不是企业规模，可选：{'、'.join(SIZE_CLASSES)}")
        elif fact == "above_scale":
            if not isinstance(v, bool):
                raise SpecError(f"{where}的 value 应为 true 或 false")
        elif fact == "industry":
            v = str(v).strip().upper().removeprefix("C")
            if not (v.isdigit() and 2 <= len(v) <= 4):
                raise SpecError(f"{where}的 value“{v}”不是国民经济行业分类代码（如 34 或 C34）")
        elif fact == "county":
            v = str(v).strip()
            if not (v.isdigit() and len(v) == 6):
                raise SpecError(f"{where}的 value“{v}”不是 6 位行政区划代码")
        elif fact == "tier":
            if v not in TIER_CODES:
                raise SpecError(f"{where}的 value“{v}”不是梯度代码，可选：{'、'.join(TIER_CODES)}")
        elif fact in {"level", "employees"}:
            if isinstance(v, bool) or not isinstance(v, int) or v < 0:
                raise SpecError(f"{where}的 value 应为不小于 0 的整数")
        elif fact == "label":
            v = str(v).strip()
            if not v:
                raise SpecError(f"{where}的 value 不能为空")
        out.append(v)
    if fact == "level":
        if not model:
            raise SpecError(f"{where}按评估等级判断，须写明 model（评估模型代码，如 sme-2024）")
        if models is not None and model not in models:
            raise SpecError(f"{where}的 model“{model}”不在模型库中")
    elif model:
        raise SpecError(f"{where}只有 fact 为 level 时才能写 model")
    return tuple(out) if many else out[0]


def _rule(raw, i: int, models: frozenset[str] | None) -> Rule:
    where = f"第 {i + 1} 条申报条件（rules）"
    if not isinstance(raw, dict):
        raise SpecError(f"{where}应为键值表")
    fact = _need(raw, "fact", where)
    if fact not in FACTS:
        raise SpecError(f"{where}的 fact“{fact}”不可用，可选：{'、'.join(FACTS)}")
    op = raw.get("op", "has" if fact == "label" else "==")
    if op not in FACT_OPS[fact]:
        raise SpecError(f"{where}的 op“{op}”不能用于 {fact}，可选：{'、'.join(sorted(FACT_OPS[fact]))}")
    if "value" not in raw:
        raise SpecError(f"{where}缺少“value”")
    model = str(raw.get("model") or "")
    value = _rule_value(fact, op, raw["value"], where, models, model)
    return Rule(fact, op, value, str(raw.get("label") or FACTS[fact]), model)


def _tranches(raw_list: list, reassessment_model: str) -> tuple[Tranche, ...]:
    if not raw_list:
        return _default_tranches()
    tranches = []
    for i, raw in enumerate(raw_list):
        where = f"第 {i + 1} 期拨付（tranches）"
        if not isinstance(raw, dict):
            raise SpecError(f"{where}应为键值表")
        share = _decimal(raw.get("share"), "share", where=where, percent=True)
        if not 0 < share <= 1:
            raise SpecError(f"{where}的“share”应在 0 与 1 之间（如 0.3 或 30%）")
        milestone = _need(raw, "milestone", where)
        if milestone not in MILESTONES:
            raise SpecError(f"{where}的 milestone“{milestone}”不可用，可选：{'、'.join(MILESTONES)}")
        if milestone == "reassessment" and not reassessment_model:
            raise SpecError(f"{where}在复评完成后拨付，须写明 reassessment_model")
        tranches.append(Tranche(str(_need(raw, "code", where)), str(_need(raw, "name", where)), share, milestone))
    if len({t.code for t in tranches}) != len(tranches):
        raise SpecError("tranches 的 code 不能重复")
    if sum(t.share for t in tranches) != 1:
        raise SpecError(f"tranches 各期 share 之和应为 1，现为 {sum(t.share for t in tranches)}")
    order = list(MILESTONES)
    ranks = [order.index(t.milestone) for t in tranches]
    if ranks != sorted(ranks):
        raise SpecError("tranches 应按节点先后排列（contract、delivery、acceptance、reassessment）")
    return tuple(tranches)


def _fixed(raw) -> tuple[dict[str, Decimal], dict[str, str]]:
    if not isinstance(raw, dict) or not raw:
        raise SpecError("认定奖励须写明 fixed（等次代码 → 金额，或 {name, amount}）")
    amounts, names = {}, {}
    for code, value in raw.items():
        where = f"fixed 的等次“{code}”"
        if isinstance(value, dict):
            names[str(code)] = str(value.get("name") or code)
            value = value.get("amount")
        else:
            names[str(code)] = str(code)
        amount = _money(value, "amount", where)
        if amount is None:
            raise SpecError(f"{where}缺少“amount”（金额，元）")
        amounts[str(code)] = amount
    return amounts, names


def parse(data: dict, *, models: frozenset[str] | set[str] | None = None) -> Spec:
    """A programme from its file's data, checked: every error names the field. `models`, when given, is the set of
    maturity model codes a level rule or the re-assessment may name."""
    if not isinstance(data, dict):
        raise SpecError("扶持项目文件应为键值表")
    models = frozenset(models) if models is not None else None
    where = "扶持项目"
    type_ = _need(data, "type", where)
    if type_ not in TYPES:
        raise SpecError(f"type“{type_}”不可用，可选：{'、'.join(TYPES)}")
    level = _need(data, "level", where)
    if level not in LEVEL_WIDTH:
        raise SpecError(f"level“{level}”不可用，可选：province、city、county")
    year = data.get("year")
    if isinstance(year, bool) or not isinstance(year, int) or not 2000 <= year <= 2100:
        raise SpecError("year 应为年份（如 2026）")
    status = data.get("status", "provisional")
    if status not in {"provisional", "official"}:
        raise SpecError(f"status“{status}”不可用，可选：provisional、official")

    voucher_kind = str(data.get("voucher_kind") or "")
    if type_ == "voucher" and voucher_kind not in VOUCHER_KINDS:
        raise SpecError(f"服务券类项目须写明 voucher_kind，可选：{'、'.join(VOUCHER_KINDS)}")
    if type_ != "voucher" and voucher_kind:
        raise SpecError("只有 type 为 voucher 的项目才能写 voucher_kind")

    rate = _decimal(data.get("rate"), "rate", allow_none=True, percent=True)
    fixed, grade_names, interest_rate, interest_years = {}, {}, None, None
    if type_ in {"voucher", "subsidy"}:
        if rate is None:
            raise SpecError(f"{TYPES[type_]}须写明 rate（占合格成本的比例，如 0.3 或 30%）")
        if not 0 < rate <= 1:
            raise SpecError("rate 应在 0 与 1 之间（如 0.3 或 30%）")
    elif rate is not None:
        raise SpecError("只有 voucher 与 subsidy 项目按比例计算，不能写 rate")
    if type_ == "award":
        fixed, grade_names = _fixed(data.get("fixed"))
    elif data.get("fixed"):
        raise SpecError("只有 award 项目按等次给予固定金额，不能写 fixed")
    if type_ == "interest":
        interest_rate = _decimal(data.get("interest_rate"), "interest_rate", percent=True)
        if not 0 < interest_rate < 1:
            raise SpecError("interest_rate 应在 0 与 1 之间（年贴息比例，如 0.015 或 1.5%）")
        interest_years = data.get("interest_years")
        if isinstance(interest_years, bool) or not isinstance(interest_years, int) or interest_years < 1:
            raise SpecError("贷款贴息项目须写明 interest_years（贴息年限，不小于 1 的整数）")
    elif data.get("interest_rate") is not None or data.get("interest_years") is not None:
        raise SpecError("只有 interest 项目才能写 interest_rate 和 interest_years")

    raw_caps = data.get("caps") or {}
    if not isinstance(raw_caps, dict):
        raise SpecError("caps 应为键值表")
    if unknown := set(raw_caps) - set(Caps.__dataclass_fields__):
        raise SpecError(f"caps 中的“{'、'.join(sorted(unknown))}”不可用，可选：{'、'.join(Caps.__dataclass_fields__)}")
    caps = Caps(**{k: _money(v, k, "caps 的") for k, v in raw_caps.items()})

    opens, closes = _date(data.get("opens"), "opens"), _date(data.get("closes"), "closes")
    if opens and closes and closes < opens:
        raise SpecError("closes（申报截止）不能早于 opens（申报开始）")

    raw_chain = _need(data, "chain", where)
    if not isinstance(raw_chain, list):
        raise SpecError("chain 应为审核环节的列表")
    chain = []
    for i, raw in enumerate(raw_chain):
        try:
            step = _step(raw, i)
        except ValueError as error:  # recognition's SpecError: its message already names the step and field
            raise SpecError(f"chain：{error}") from None
        if step.action not in CHAIN_ACTIONS:
            raise SpecError(f"chain 第 {i + 1} 个环节的 action“{step.action}”不适用于扶持项目，可选：check（审核）、"
                            f"decision（审批决定）")  # fmt: skip
        chain.append(step)
    if len({s.code for s in chain}) != len(chain):
        raise SpecError("chain 中审核环节的 code 不能重复")

    documents = []
    for i, raw in enumerate(_list(data, "documents")):
        at = f"第 {i + 1} 项申报材料（documents）"
        if not isinstance(raw, dict):
            raise SpecError(f"{at}应为键值表")
        documents.append(Document(str(_need(raw, "code", at)), str(_need(raw, "name", at)),
                                  _bool(raw, "required", True)))  # fmt: skip
    if len({d.code for d in documents}) != len(documents):
        raise SpecError("documents 的 code 不能重复")

    reassessment_model = str(data.get("reassessment_model") or "")
    if reassessment_model and models is not None and reassessment_model not in models:
        raise SpecError(f"reassessment_model“{reassessment_model}”不在模型库中")

    return Spec(
        code=str(_need(data, "code", where)), name=str(_need(data, "name", where)), type=type_, year=year,
        level=level, voucher_kind=voucher_kind,
        rules=tuple(_rule(raw, i, models) for i, raw in enumerate(_list(data, "rules"))),
        rate=rate, fixed=fixed, grade_names=grade_names, interest_rate=interest_rate, interest_years=interest_years,
        caps=caps, family=str(data.get("family") or ""), cost_label=str(data.get("cost_label") or ""),
        related_party_forbidden=_bool(data, "related_party_forbidden", True),
        provider_required=_bool(data, "provider_required", type_ == "voucher"),
        opens=opens, closes=closes, documents=tuple(documents), chain=tuple(chain),
        tranches=_tranches(_list(data, "tranches"), reassessment_model), reassessment_model=reassessment_model,
        description=str(data.get("description") or ""), provisional=status != "official",
        note=str(data.get("note") or ""), sources=tuple(str(s) for s in _list(data, "sources")),
    )  # fmt: skip


EXAMPLES = Path(__file__).parent / "programmes"


def load(path: Path | str, *, models: frozenset[str] | set[str] | None = None) -> Spec:
    """A programme file (YAML) parsed; a file that is not YAML is a SpecError too."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except yaml.YAMLError as error:
        raise SpecError(f"文件不是有效的 YAML：{error}") from None
    return parse(data, models=models)


def examples(*, models: frozenset[str] | set[str] | None = None) -> list[Spec]:
    """The shipped example programmes (synthetic, provisional), by file name."""
    return [load(path, models=models) for path in sorted(EXAMPLES.glob("*.yaml"))]


# --- eligibility ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """What the rules read about one enterprise, as plain, hashable values (a bulk re-check memoises by facts).

    Empty text or None means the record does not say: the rule's outcome is then unknown, not not_met."""

    county_id: str
    industry: str  # GB/T 4754 division code (34), or a finer code
    size_class: str  # large | medium | small | micro | ""
    above_scale: bool | None
    tier_rank: int = 0  # 0 none, 1 基础级 … 4 领航级
    levels: tuple[tuple[str, int], ...] = ()  # (model code, level of the latest current result)
    labels: frozenset[str] = frozenset()  # label codes the enterprise carries
    employees: int | None = None

    def level(self, model: str) -> int | None:
        return next((lv for code, lv in self.levels if code == model), None)


@dataclass(frozen=True)
class Outcome:
    label: str
    outcome: str  # met | not_met | unknown
    actual: str = ""
    required: str = ""
    reason: str = ""


@dataclass
class Eligibility:
    items: list[Outcome] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(i.outcome == "met" for i in self.items)

    @property
    def not_met(self) -> list[str]:
        return [f"{i.label}（{i.reason}）" for i in self.items if i.outcome == "not_met"]

    @property
    def unknown(self) -> list[str]:
        return [f"{i.label}（{i.reason}）" for i in self.items if i.outcome == "unknown"]

    @property
    def outcome(self) -> str:
        """not_met if any rule is not met, else unknown if any is unknown, else met."""
        found = {i.outcome for i in self.items}
        return "not_met" if "not_met" in found else "unknown" if "unknown" in found else "met"

    def as_json(self) -> dict:
        return {"ok": self.ok, "outcome": self.outcome, "items": [asdict(i) for i in self.items]}


def _level_name(n: int) -> str:
    return f"{NUMERALS[n]}级" if 0 < n < 10 else f"{n} 级"


def _show(fact: str, value, names: Mapping[str, str]) -> str:
    if fact == "size_class":
        return SIZE_CLASSES.get(value, value)
    if fact == "above_scale":
        return "是" if value else "否"
    if fact == "tier":
        return TIER_ORDER[TIER_CODES[value]] if isinstance(value, str) else TIER_ORDER[value]
    if fact == "level":
        return _level_name(value)
    if fact == "employees":
        return f"{value} 人"
    if fact == "industry":
        return names.get(value, f"C{value}")
    return names.get(value, str(value))


def _required(rule: Rule, names: Mapping[str, str]) -> str:
    if rule.op in {"in", "not_in"}:
        shown = "、".join(_show(rule.fact, v, names) for v in rule.value)
        if rule.fact == "label":
            return f"持有其中之一：{shown}" if rule.op == "in" else f"不持有：{shown}"
        return f"{shown}之一" if rule.op == "in" else f"不属于：{shown}"
    shown = _show(rule.fact, rule.value, names)
    if rule.fact == "county":
        shown = f"{shown}（含下辖地区）" if _region_prefix(rule.value) != rule.value else shown
    if rule.fact == "level":
        shown = f"{rule.model} {shown}"
    return {"==": shown, "!=": f"不为{shown}", ">=": f"{shown}及以上", "<=": f"{shown}及以下",
            "has": f"持有{shown}", "not_has": f"不持有{shown}"}[rule.op]  # fmt: skip


def _matches(fact: str, actual, wanted) -> bool:
    if fact == "county":
        return actual.startswith(_region_prefix(wanted))
    if fact == "industry":
        return actual.startswith(wanted)
    return actual == wanted


def _check(rule: Rule, facts: Facts, names: Mapping[str, str]) -> Outcome:
    required = _required(rule, names)
    fact, op = rule.fact, rule.op
    if fact == "label":
        held = facts.labels
        carried = [v for v in (rule.value if op in {"in", "not_in"} else (rule.value,)) if v in held]
        actual = "、".join(_show(fact, v, names) for v in carried) or "无"
        met = bool(carried) if op in {"has", "in"} else not carried
        if met:
            return Outcome(rule.label, "met", actual, required, f"{required}，符合")
        wanted = "、".join(_show(fact, v, names) for v in (rule.value if op == "in" else (rule.value,)))
        reason = {"has": f"未持有{wanted}", "in": f"{wanted}均未持有"}.get(op, f"持有{actual}")
        return Outcome(rule.label, "not_met", actual, required, reason)
    value = {"size_class": facts.size_class or None, "above_scale": facts.above_scale,
             "industry": facts.industry or None, "county": facts.county_id or None, "tier": facts.tier_rank,
             "employees": facts.employees}.get(fact) if fact != "level" else facts.level(rule.model)  # fmt: skip
    if value is None:
        missing = {"level": f"没有 {rule.model} 的当前评估结果", "above_scale": "档案中未判定是否规模以上"}
        return Outcome(rule.label, "unknown", "", required, missing.get(fact, f"档案中没有{FACTS[fact]}"))
    actual = _show(fact, value, names)
    wanted = rule.value if op in {"in", "not_in"} else (rule.value,)
    if fact == "tier":
        wanted = tuple(TIER_CODES[w] for w in wanted)
    if op in {">=", "<="}:
        met = value >= wanted[0] if op == ">=" else value <= wanted[0]
    else:
        hit = any(_matches(fact, value, w) for w in wanted)
        met = hit if op in {"==", "in"} else not hit
    if met:
        return Outcome(rule.label, "met", actual, required, f"{FACTS[fact]}为{actual}，符合“{required}”")
    return Outcome(rule.label, "not_met", actual, required, f"{FACTS[fact]}为{actual}，要求{required}")


def eligibility(spec: Spec, facts: Facts, names: Mapping[str, str] | None = None) -> Eligibility:
    """One outcome per rule, in the programme's order, each explained in Chinese. `names` optionally maps region,
    industry and label codes to the names shown (codes are shown otherwise)."""
    names = names or {}
    return Eligibility([_check(rule, facts, names) for rule in spec.rules])


# --- amounts -------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AmountStep:
    label: str
    value: Decimal


@dataclass(frozen=True)
class Amount:
    value: Decimal  # what may be granted, to the fen, never below 0
    steps: tuple[AmountStep, ...]  # how it was reached
    capped_by: str = ""  # the binding cap's name (CAP_NAMES), "" if none


def yuan(value: Decimal) -> str:
    return f"{value:,.2f} 元"


def _pct(rate: Decimal) -> str:
    return f"{(rate * 100).normalize():f}%"


def _arg(value, name: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None:
        if allow_none:
            return None
        raise ValueError(f"缺少{name}")
    if isinstance(value, bool) or not isinstance(value, Decimal | int | str):
        raise ValueError(f"{name}应为金额（Decimal）")
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise ValueError(f"{name}“{value}”不是金额") from None
    if not number.is_finite() or number < 0:
        raise ValueError(f"{name}不能为负数")
    return number


def _fen(value: Decimal) -> Decimal:
    return value.quantize(FEN, rounding=ROUND_DOWN)


def amount(spec: Spec, *, cost: Decimal | None = None, grade: str = "", principal: Decimal | None = None,
           enterprise_committed: Decimal = Decimal(0), provider_committed: Decimal = Decimal(0),
           year_committed: Decimal = Decimal(0), requested: Decimal | None = None) -> Amount:  # fmt: skip
    """What may be granted: the programme's amount rule, then the caps in order (per project, per enterprise less
    its commitments in this programme, per provider less its commitments, per year less the enterprise's
    commitments in the year's programmes of the same family, the amount requested). The binding cap is the first
    that brings the amount to its final value. Bad input raises ValueError with a Chinese message."""
    steps: list[AmountStep] = []
    if spec.type in {"voucher", "subsidy"}:
        label = spec.cost_label or ("合同金额" if spec.type == "voucher" else "核定成本")
        base_cost = _arg(cost, label)
        steps.append(AmountStep(label, base_cost))
        base = _fen(base_cost * spec.rate)
        steps.append(AmountStep(f"{label} × {_pct(spec.rate)}", base))
    elif spec.type == "award":
        if grade not in spec.fixed:
            choices = "、".join(f"{c}（{spec.grade_names.get(c, c)}）" for c in spec.fixed)
            raise ValueError(f"等次“{grade}”不在本项目的奖励等次中，可选：{choices}")
        base = _fen(spec.fixed[grade])
        steps.append(AmountStep(f"{spec.grade_names.get(grade, grade)}奖励（固定金额）", base))
    else:  # interest
        loan = _arg(principal, "贷款本金")
        steps.append(AmountStep("贷款本金", loan))
        base = _fen(loan * spec.interest_rate * spec.interest_years)
        steps.append(AmountStep(f"贷款本金 × 年贴息 {_pct(spec.interest_rate)} × {spec.interest_years} 年", base))

    enterprise_committed = _arg(enterprise_committed, "企业已承诺金额")
    provider_committed = _arg(provider_committed, "服务商已承诺金额")
    year_committed = _arg(year_committed, "企业年度已承诺金额")
    requested = _arg(requested, "申请金额", allow_none=True)
    caps = spec.caps
    limits: list[tuple[str, str, Decimal]] = []  # (cap name, step label, limit)
    if caps.per_project is not None:
        limits.append(("per_project", f"{CAP_NAMES['per_project']} {yuan(caps.per_project)}", caps.per_project))
    for key, cap, committed, whose in (
        ("per_enterprise", caps.per_enterprise, enterprise_committed, "企业在本项目已承诺"),
        ("per_provider", caps.per_provider, provider_committed, "服务商在本项目已承诺"),
        ("per_year", caps.per_year, year_committed, "企业本年度同类项目已承诺"),
    ):
        if cap is not None:
            left = max(cap - committed, Decimal(0))
            limits.append((key, f"{CAP_NAMES[key]} {yuan(cap)} − {whose} {yuan(committed)}", left))
    if requested is not None:
        limits.append(("requested", CAP_NAMES["requested"], requested))

    value, capped_by = base, ""
    for key, label, limit in limits:
        steps.append(AmountStep(label, limit))
        if limit < value:
            value, capped_by = limit, CAP_NAMES[key]
    value = _fen(value)
    steps.append(AmountStep("可核定金额", value))
    return Amount(value, tuple(steps), capped_by)


def tranche_amounts(spec: Spec, total: Decimal) -> list[tuple[Tranche, Decimal]]:
    """The grant split by tranche share, each rounded down to the fen, the remainder on the last: the parts sum to
    `total` exactly."""
    total = _arg(total, "拨付总额")
    if total != total.quantize(FEN):
        raise ValueError("拨付总额应精确到分")
    parts, given = [], Decimal(0)
    for tranche in spec.tranches[:-1]:
        part = _fen(total * tranche.share)
        parts.append((tranche, part))
        given += part
    parts.append((spec.tranches[-1], total - given))
    return parts
