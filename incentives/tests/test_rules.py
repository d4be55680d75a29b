"""The funding programme rules (pure: no database): parsing with errors that name the field, eligibility explained
rule by rule, amounts with the binding cap, tranche splits and the application window. Synthetic programmes."""

import copy
import datetime as dt
import re
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from incentives import rules
from incentives.rules import Facts, SpecError

PROGRAMMES = sorted((Path(rules.__file__).parent / "programmes").glob("*.yaml"))
LIBRARY = Path(rules.__file__).parents[1] / "maturity" / "library"
MODELS = {m.group(1) for p in LIBRARY.glob("*.yaml") if (m := re.search(r"^code: (\S+)$", p.read_text(), re.M))}

BASE = {
    "code": "t-voucher",
    "name": "测试服务券",
    "type": "voucher",
    "voucher_kind": "service",
    "year": 2026,
    "level": "city",
    "rate": 0.3,
    "chain": [
        {"code": "check", "name": "审核", "action": "check"},
        {"code": "ok", "name": "审批", "action": "decision"},
    ],
}


def spec(**changes):
    data = copy.deepcopy(BASE)
    for key, value in changes.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return rules.parse(data)


def facts(**changes):
    values = {"county_id": "360102", "industry": "34", "size_class": "small", "above_scale": True}
    return Facts(**(values | changes))


# --- shipped examples ----------------------------------------------------------------------------------------------


def test_the_library_codes_the_examples_name_exist():
    assert {"sme-2024", "cmmm"} <= MODELS


@pytest.mark.parametrize("path", PROGRAMMES, ids=lambda p: p.stem)
def test_every_shipped_example_parses_and_is_provisional(path):
    spec = rules.parse(yaml.safe_load(path.read_text()), models=MODELS)
    assert spec.provisional and "示例" in spec.note and spec.sources
    assert spec.chain and all(s.action in {"check", "decision"} for s in spec.chain)
    assert sum(t.share for t in spec.tranches) == 1


def test_the_examples_cover_each_type_and_the_required_figures():
    specs = {s.code: s for s in rules.examples(models=MODELS)}
    assert len(specs) == len(PROGRAMMES) == 5
    assert {s.type for s in specs.values()} == set(rules.TYPES)
    voucher = specs["sme-service-voucher-2026"]
    assert voucher.rate == Decimal("0.3") and voucher.caps.per_enterprise == 200000 and voucher.caps.per_provider
    assert [(t.share, t.milestone) for t in voucher.tranches] == [(Decimal("0.3"), "contract"),
                                                                  (Decimal("0.7"), "acceptance")]  # fmt: skip
    assert voucher.reassessment_model == "sme-2024" and voucher.provider_required and voucher.related_party_forbidden
    assert specs["ai-scenario-voucher-2026"].voucher_kind == "scenario"
    platform = specs["platform-subsidy-2026"]
    assert platform.rate == Decimal("0.3") and platform.caps.per_enterprise == 5_000_000
    assert platform.sources == ("江西省制造业数字化转型实施方案（2023年）",)
    big = rules.amount(platform, cost=Decimal(30_000_000))
    assert big.value == 5_000_000 and big.capped_by == "单个企业上限"


# --- parse errors name the field -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"type": "loan"}, "type"),
        ({"type": None}, "type"),
        ({"level": "town"}, "level"),
        ({"year": "明年"}, "year"),
        ({"status": "draft"}, "status"),
        ({"voucher_kind": "coupon"}, "voucher_kind"),
        ({"type": "subsidy"}, "voucher_kind"),
        ({"rate": None}, "rate"),
        ({"rate": 1.5}, "rate"),
        ({"rate": "三成"}, "rate"),
        ({"caps": {"per_enterprise": -1}}, "per_enterprise"),
        ({"caps": {"per_month": 10}}, "per_month"),
        ({"caps": {"per_project": "十万"}}, "per_project"),
        ({"opens": "2026-05-01", "closes": "2026-04-30"}, "closes"),
        ({"opens": "五月"}, "opens"),
        ({"chain": None}, "chain"),
        ({"chain": [{"code": "n", "name": "公示", "action": "notice", "notice_days": 5}]}, "action"),
        ({"chain": [{"code": "c", "name": "审核", "action": "check", "level": "town"}]}, "level"),
        ({"chain": [{"name": "审核", "action": "check"}]}, "code"),
        ({"rules": [{"fact": "revenue", "value": 1}]}, "fact"),
        ({"rules": [{"fact": "size_class", "op": ">=", "value": "small"}]}, "op"),
        ({"rules": [{"fact": "size_class", "op": "in", "value": "small"}]}, "value"),
        ({"rules": [{"fact": "size_class", "value": "tiny"}]}, "value"),
        ({"rules": [{"fact": "tier", "op": ">=", "value": "gold"}]}, "value"),
        ({"rules": [{"fact": "level", "op": ">=", "value": 2}]}, "model"),
        ({"rules": [{"fact": "county", "value": "36"}]}, "value"),
        ({"rules": [{"fact": "above_scale", "value": "yes"}]}, "value"),
        ({"rules": [{"fact": "size_class"}]}, "value"),
        ({"tranches": [{"code": "a", "name": "一期", "share": 0.3, "milestone": "contract"}]}, "share"),
        ({"tranches": [{"code": "a", "name": "一期", "share": 1, "milestone": "payment"}]}, "milestone"),
        ({"tranches": [{"code": "a", "name": "一期", "share": 1, "milestone": "reassessment"}]}, "reassessment_model"),
        (
            {
                "tranches": [
                    {"code": "a", "name": "一", "share": 0.5, "milestone": "acceptance"},
                    {"code": "b", "name": "二", "share": 0.5, "milestone": "contract"},
                ]
            },
            "tranches",
        ),  # fmt: skip
        ({"documents": [{"code": "c"}]}, "name"),
        ({"provider_required": "是"}, "provider_required"),
        ({"interest_rate": 0.01}, "interest_rate"),
        ({"fixed": {"a": 1}}, "fixed"),
    ],
)
def test_a_bad_file_is_refused_with_the_field_named(changes, named):
    with pytest.raises(SpecError) as error:
        spec(**changes)
    assert named in str(error.value)


def test_type_specific_fields_are_required():
    with pytest.raises(SpecError, match="fixed"):
        spec(type="award", voucher_kind=None, rate=None)
    with pytest.raises(SpecError, match="amount"):
        spec(type="award", voucher_kind=None, rate=None, fixed={"first": {"name": "一等"}})
    with pytest.raises(SpecError, match="interest_years"):
        spec(type="interest", voucher_kind=None, rate=None, interest_rate=0.01)
    with pytest.raises(SpecError, match="interest_rate"):
        spec(type="interest", voucher_kind=None, rate=None, interest_years=2)
    with pytest.raises(SpecError, match="模型库"):
        rules.parse(BASE | {"rules": [{"fact": "level", "model": "nope", "op": ">=", "value": 2}]}, models=MODELS)


def test_defaults_and_percent_text():
    s = spec(rate="30%", opens=dt.date(2026, 3, 1))
    assert s.rate == Decimal("0.30") and s.provisional and s.provider_required and s.related_party_forbidden
    assert s.tranches == (rules.Tranche("full", "全额", Decimal(1), "acceptance"),)
    assert s.opens == dt.date(2026, 3, 1) and s.closes is None and s.type_name == "服务券"
    assert not spec(status="official").provisional
    assert not spec(type="subsidy", voucher_kind=None).provider_required


# --- eligibility ---------------------------------------------------------------------------------------------------

# (rule, facts that meet it, facts that do not, facts that leave it unknown or None)
CASES = [
    ({"fact": "size_class", "op": "==", "value": "small"}, facts(), facts(size_class="large"), facts(size_class="")),
    ({"fact": "size_class", "op": "!=", "value": "large"}, facts(), facts(size_class="large"), facts(size_class="")),
    (
        {"fact": "size_class", "op": "in", "value": ["small", "micro"]},
        facts(),
        facts(size_class="medium"),
        facts(size_class=""),
    ),
    (
        {"fact": "size_class", "op": "not_in", "value": ["large"]},
        facts(),
        facts(size_class="large"),
        facts(size_class=""),
    ),
    ({"fact": "above_scale", "op": "==", "value": True}, facts(), facts(above_scale=False), facts(above_scale=None)),
    ({"fact": "above_scale", "op": "!=", "value": True}, facts(above_scale=False), facts(), facts(above_scale=None)),
    ({"fact": "industry", "op": "==", "value": "C34"}, facts(industry="342"), facts(industry="35"), facts(industry="")),
    ({"fact": "industry", "op": "not_in", "value": ["25", "26"]}, facts(), facts(industry="26"), facts(industry="")),
    ({"fact": "county", "op": "==", "value": "360100"}, facts(), facts(county_id="360402"), facts(county_id="")),
    (
        {"fact": "county", "op": "in", "value": ["360102", "360402"]},
        facts(),
        facts(county_id="360111"),
        facts(county_id=""),
    ),
    ({"fact": "county", "op": "!=", "value": "360000"}, facts(county_id="440305"), facts(), facts(county_id="")),
    ({"fact": "tier", "op": ">=", "value": "advanced"}, facts(tier_rank=3), facts(tier_rank=1), None),
    ({"fact": "tier", "op": "<=", "value": "basic"}, facts(tier_rank=0), facts(tier_rank=2), None),
    ({"fact": "tier", "op": "==", "value": "basic"}, facts(tier_rank=1), facts(tier_rank=2), None),
    (
        {"fact": "level", "model": "sme-2024", "op": ">=", "value": 2},
        facts(levels=(("sme-2024", 2),)),
        facts(levels=(("sme-2024", 1), ("cmmm", 3))),
        facts(levels=(("cmmm", 3),)),
    ),
    (
        {"fact": "level", "model": "cmmm", "op": "<=", "value": 2},
        facts(levels=(("cmmm", 2),)),
        facts(levels=(("cmmm", 3),)),
        facts(),
    ),
    (
        {"fact": "level", "model": "cmmm", "op": "!=", "value": 5},
        facts(levels=(("cmmm", 2),)),
        facts(levels=(("cmmm", 5),)),
        facts(),
    ),
    ({"fact": "label", "op": "has", "value": "srdi"}, facts(labels=frozenset({"srdi"})), facts(), None),
    ({"fact": "label", "op": "not_has", "value": "blacklist"}, facts(), facts(labels=frozenset({"blacklist"})), None),
    (
        {"fact": "label", "op": "in", "value": ["srdi", "giant"]},
        facts(labels=frozenset({"giant", "x"})),
        facts(labels=frozenset({"x"})),
        None,
    ),
    (
        {"fact": "label", "op": "not_in", "value": ["a", "b"]},
        facts(labels=frozenset({"c"})),
        facts(labels=frozenset({"b"})),
        None,
    ),
    ({"fact": "employees", "op": ">=", "value": 20}, facts(employees=20), facts(employees=19), facts()),
    ({"fact": "employees", "op": "<=", "value": 300}, facts(employees=300), facts(employees=301), facts()),
]


@pytest.mark.parametrize(("rule", "yes", "no", "unknown"), CASES, ids=lambda v: str(v)[:40] if isinstance(v, dict)
                         else "")  # fmt: skip
def test_each_rule_is_met_not_met_or_unknown_with_its_reason(rule, yes, no, unknown):
    s = spec(rules=[rule | {"label": "条件"}])
    met = rules.eligibility(s, yes)
    assert [i.outcome for i in met.items] == ["met"] and met.ok and met.not_met == []
    assert met.items[0].required and "符合" in met.items[0].reason
    refused = rules.eligibility(s, no)
    item = refused.items[0]
    assert item.outcome == "not_met" and not refused.ok and item.reason and item.required
    assert refused.not_met == [f"条件（{item.reason}）"]
    if unknown is not None:
        vague = rules.eligibility(s, unknown)
        assert vague.items[0].outcome == "unknown" and not vague.ok and vague.not_met == []
        assert vague.outcome == "unknown" and vague.unknown and vague.items[0].reason


def test_the_explanation_reads_in_chinese_with_names():
    s = spec(rules=[
        {"fact": "size_class", "op": "in", "value": ["medium", "small"], "label": "中小企业"},
        {"fact": "tier", "op": ">=", "value": "advanced", "label": "先进级及以上"},
        {"fact": "county", "op": "==", "value": "360100", "label": "本市企业"},
        {"fact": "level", "model": "sme-2024", "op": ">=", "value": 2, "label": "数字化水平二级及以上"},
        {"fact": "label", "op": "has", "value": "srdi", "label": "专精特新"},
    ])  # fmt: skip
    result = rules.eligibility(
        s, facts(size_class="large", tier_rank=1), names={"360100": "南昌市", "srdi": "专精特新"}
    )
    size, tier, county, level, label = result.items
    assert (size.actual, size.required) == ("大型", "中型、小型之一")
    assert size.reason == "企业规模为大型，要求中型、小型之一"
    assert (tier.actual, tier.required, tier.outcome) == ("基础级", "先进级及以上", "not_met")
    assert county.outcome == "met" and county.required == "南昌市（含下辖地区）"
    assert level.outcome == "unknown" and level.reason == "没有 sme-2024 的当前评估结果"
    assert label.outcome == "not_met" and label.reason == "未持有专精特新"
    assert result.not_met == [
        "中小企业（企业规模为大型，要求中型、小型之一）",
        "先进级及以上（智能工厂梯度为基础级，要求先进级及以上）",
        "专精特新（未持有专精特新）",
    ]
    assert result.outcome == "not_met"
    data = result.as_json()
    assert data["ok"] is False and [i["outcome"] for i in data["items"]] == ["not_met", "not_met", "met", "unknown",
                                                                             "not_met"]  # fmt: skip


def test_no_rules_is_eligible_and_facts_and_specs_are_hashable():
    assert rules.eligibility(spec(), facts()).ok
    memo = {(spec(), facts(labels=frozenset({"a"}))): 1}
    assert memo[(spec(), facts(labels=frozenset({"a"})))] == 1


def test_a_file_that_is_not_yaml_is_a_spec_error(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("code: [unclosed", encoding="utf-8")
    with pytest.raises(SpecError, match="YAML"):
        rules.load(bad)
    bad.write_text("- a list", encoding="utf-8")
    with pytest.raises(SpecError, match="键值表"):
        rules.load(bad)


# --- amounts -------------------------------------------------------------------------------------------------------


def test_voucher_amount_is_the_rate_of_the_contract_with_its_steps():
    result = rules.amount(spec(), cost=Decimal(500_000))
    assert result.value == Decimal("150000.00") and result.capped_by == ""
    assert [(s.label, s.value) for s in result.steps] == [
        ("合同金额", 500_000), ("合同金额 × 30%", 150_000), ("可核定金额", 150_000)]  # fmt: skip


CAPPED = {"per_project": 100_000, "per_enterprise": 200_000, "per_provider": 1_000_000, "per_year": 300_000}


@pytest.mark.parametrize(
    ("kwargs", "value", "capped_by"),
    [
        ({}, 100_000, "单个项目上限"),
        ({"enterprise_committed": Decimal(150_000)}, 50_000, "单个企业上限"),
        ({"provider_committed": Decimal(960_000)}, 40_000, "单个服务商上限"),
        ({"year_committed": Decimal(270_000)}, 30_000, "单个企业年度同类项目上限"),
        ({"requested": Decimal(20_000)}, 20_000, "申请金额"),
        ({"enterprise_committed": Decimal(250_000)}, 0, "单个企业上限"),  # already over: nothing, never negative
        (
            {"enterprise_committed": Decimal(150_000), "year_committed": Decimal(290_000)},
            10_000,
            "单个企业年度同类项目上限",
        ),
        ({"provider_committed": Decimal(990_000), "requested": Decimal(5_000)}, 5_000, "申请金额"),
    ],
)
def test_the_binding_cap_is_named(kwargs, value, capped_by):
    s = spec(caps=CAPPED)
    result = rules.amount(s, cost=Decimal(1_000_000), **kwargs)
    assert result.value == value and result.capped_by == capped_by
    assert result.steps[-1] == rules.AmountStep("可核定金额", result.value)
    assert len(result.steps) == 2 + 4 + (1 if "requested" in kwargs else 0) + 1


def test_a_cap_above_the_amount_does_not_bind_and_a_tie_names_the_first():
    s = spec(caps={"per_project": 150_000, "per_enterprise": 150_000})
    assert rules.amount(s, cost=Decimal(400_000)).capped_by == ""
    result = rules.amount(s, cost=Decimal(600_000))
    assert result.value == 150_000 and result.capped_by == "单个项目上限"
    assert "已承诺" in result.steps[3].label


def test_amounts_round_down_to_the_fen():
    s = spec(rate="0.333")
    assert rules.amount(s, cost=Decimal("100.01")).value == Decimal("33.30")  # 33.30333
    assert rules.amount(spec(rate=0.3), cost=Decimal("0.05")).value == Decimal("0.01")  # 0.015
    assert rules.amount(spec(rate=0.3), cost=Decimal("0")).value == Decimal("0.00")
    assert str(rules.amount(s, cost=Decimal(1)).value) == "0.33"


def test_award_by_grade_and_interest_on_the_principal():
    award = spec(type="award", voucher_kind=None, rate=None, fixed={"first": {"name": "一等", "amount": 1_000_000},
                                                                    "second": 750_000})  # fmt: skip
    result = rules.amount(award, grade="first")
    assert result.value == 1_000_000 and result.steps[0].label == "一等奖励（固定金额）"
    with pytest.raises(ValueError, match="等次“third”不在本项目的奖励等次中"):
        rules.amount(award, grade="third")
    loan = spec(type="interest", voucher_kind=None, rate=None, interest_rate="1.5%", interest_years=2,
                caps={"per_project": 50_000})  # fmt: skip
    result = rules.amount(loan, principal=Decimal(1_000_000))
    assert result.value == 30_000 and result.steps[1].label == "贷款本金 × 年贴息 1.5% × 2 年"
    assert rules.amount(loan, principal=Decimal(2_000_000)).capped_by == "单个项目上限"
    with pytest.raises(ValueError, match="缺少贷款本金"):
        rules.amount(loan)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({}, "缺少合同金额"),
        ({"cost": Decimal(-1)}, "合同金额不能为负数"),
        ({"cost": 1.5}, "合同金额应为金额"),
        ({"cost": Decimal(1), "requested": Decimal(-5)}, "申请金额不能为负数"),
        ({"cost": Decimal(1), "enterprise_committed": Decimal(-5)}, "企业已承诺金额不能为负数"),
    ],
)
def test_bad_amount_input_is_refused_in_chinese(kwargs, message):
    with pytest.raises(ValueError, match=message):
        rules.amount(spec(), **kwargs)


# --- tranches and window -------------------------------------------------------------------------------------------


def test_tranches_split_to_the_fen_and_sum_exactly():
    s = spec(tranches=[{"code": "a", "name": "签约", "share": 0.3, "milestone": "contract"},
                       {"code": "b", "name": "交付", "share": 0.3, "milestone": "delivery"},
                       {"code": "c", "name": "验收", "share": 0.4, "milestone": "acceptance"}])  # fmt: skip
    for total in [Decimal("100000.00"), Decimal("0.01"), Decimal("33333.33"), Decimal("0"), Decimal("1234567.89")]:
        parts = rules.tranche_amounts(s, total)
        assert sum(p for _, p in parts) == total and [t.code for t, _ in parts] == ["a", "b", "c"]
        assert all(p >= 0 and p == p.quantize(Decimal("0.01")) for _, p in parts)
    parts = rules.tranche_amounts(s, Decimal("0.05"))
    assert [p for _, p in parts] == [Decimal("0.01"), Decimal("0.01"), Decimal("0.03")]
    assert [p for _, p in rules.tranche_amounts(spec(), Decimal("7.77"))] == [Decimal("7.77")]
    with pytest.raises(ValueError, match="精确到分"):
        rules.tranche_amounts(s, Decimal("1.001"))


def test_the_window_includes_both_boundary_days():
    s = spec(opens="2026-03-01", closes="2026-10-31")
    assert not s.is_open(dt.date(2026, 2, 28))
    assert s.is_open(dt.date(2026, 3, 1)) and s.is_open(dt.date(2026, 10, 31))
    assert not s.is_open(dt.date(2026, 11, 1))
    assert spec().is_open(dt.date(1999, 1, 1))
    assert spec(closes="2026-01-31").is_open(dt.date(2026, 1, 31))
    assert not spec(opens="2026-01-31").is_open(dt.date(2026, 1, 30))


def test_no_django_was_imported_by_the_rules():
    # Other tests in the same process may load Django; run the import alone in a fresh interpreter.
    out = subprocess.run([sys.executable, "-c", "import sys, incentives.rules; print('django' in sys.modules)"],
                         capture_output=True, text=True, cwd=Path(rules.__file__).parents[1], check=True)  # fmt: skip
    assert out.stdout.strip() == "False"
