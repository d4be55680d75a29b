"""The programme gates as a pure function over hand-made facts: each expected outcome is worked out by hand from
the gate file's thresholds (Shandong: ≥ 10 亿 parameters, ≥ 2 general and ≥ 3 specific scene models, ≥ 1 third-party
evaluation, ≥ 1 live deployment, ≥ 1 with a measured benefit). No database."""

import datetime as dt
from decimal import Decimal

import pytest

from airegistry import gates

TODAY = dt.date(2026, 12, 7)
SHANDONG = gates.load(gates.GATES_DIR / "shandong-industry-model.yaml")
AGENT = gates.load(gates.GATES_DIR / "industrial-agent-example.yaml")


def evaluation(on=dt.date(2026, 6, 1), standard="GB/T 45288.2", **scores):
    return gates.Evaluation(standard=standard, evaluated_on=on,
                            scores=tuple((k, Decimal(v)) for k, v in scores.items()))  # fmt: skip


def model(**changes):
    values = {"kind": "model", "parameters": 1_000_000_000, "general_scenes": 2, "specific_scenes": 3,
              "evaluations": (evaluation(),), "deployments": 1, "benefit_deployments": 1}  # fmt: skip
    return gates.Facts(**{**values, **changes})


def outcomes(result):
    return [(i.label, i.outcome) for i in result.items]


def test_the_shipped_gates_parse_and_are_provisional():
    assert {g.code for g in gates.shipped()} == {"shandong-industry-model", "industrial-agent-example"}
    assert all(g.provisional for g in gates.shipped())


def test_exactly_at_every_threshold_the_shandong_gate_is_met():
    result = gates.evaluate(SHANDONG, model(), today=TODAY)
    assert result.outcome == "met"
    assert [i.actual for i in result.items] == ["10 亿", "2", "3", "1", "1", "1"]


def test_one_parameter_short_of_a_billion_fails_and_is_shown_cut_not_rounded_up():
    result = gates.evaluate(SHANDONG, model(parameters=999_999_999), today=TODAY)
    assert result.outcome == "not_met"
    first = result.items[0]
    assert (first.outcome, first.actual, first.required) == ("not_met", "9.99 亿", "不低于 10 亿")


def test_one_general_and_two_specific_scene_models_fail_those_two_rules_only():
    result = gates.evaluate(SHANDONG, model(general_scenes=1, specific_scenes=2), today=TODAY)
    assert outcomes(result) == [("参数规模", "met"), ("通用场景大模型", "not_met"), ("特定场景大模型", "not_met"),
                                ("第三方专业评测机构水平评测", "met"), ("已上线运行", "met"),
                                ("落地应用取得效益", "met")]  # fmt: skip


def test_a_missing_parameter_count_is_unknown_not_a_failure():
    assert gates.evaluate(SHANDONG, model(parameters=None), today=TODAY).outcome == "unknown"
    # … but a failed rule elsewhere still makes the gate not met
    assert gates.evaluate(SHANDONG, model(parameters=None, deployments=0), today=TODAY).outcome == "not_met"


def test_a_deployment_without_a_measured_benefit_does_not_count_as_benefit():
    result = gates.evaluate(SHANDONG, model(deployments=2, benefit_deployments=0), today=TODAY)
    assert outcomes(result)[-2:] == [("已上线运行", "met"), ("落地应用取得效益", "not_met")]


def test_an_evaluation_dated_after_today_is_not_counted():
    result = gates.evaluate(SHANDONG, model(evaluations=(evaluation(on=dt.date(2026, 12, 8)),)), today=TODAY)
    assert outcomes(result)[3] == ("第三方专业评测机构水平评测", "not_met")


def agent(**changes):
    values = {"kind": "agent", "autonomy_level": 3, "task_success": Decimal("80"), "deployments": 1,
              "evaluations": (evaluation(on=dt.date(2024, 12, 7), safety=60),)}  # fmt: skip
    return gates.Facts(**{**values, **changes})


def test_the_agent_example_counts_evaluations_of_the_last_two_years_boundary_day_included():
    # two years before 2026-12-07 is 2024-12-07: that day counts, the day before does not
    assert gates.evaluate(AGENT, agent(), today=TODAY).outcome == "met"
    older = agent(evaluations=(evaluation(on=dt.date(2024, 12, 6), safety=60),))
    result = gates.evaluate(AGENT, older, today=TODAY)
    assert outcomes(result)[2] == ("近两年第三方评测", "not_met")
    assert outcomes(result)[3] == ("安全得分", "met")  # the score is read whatever the age


def test_the_best_safety_score_of_the_evaluations_is_read():
    two = agent(evaluations=(evaluation(safety=55), evaluation(safety=Decimal("59.99"))))
    item = gates.evaluate(AGENT, two, today=TODAY).items[3]
    assert (item.outcome, item.actual) == ("not_met", "59.99")
    three = agent(evaluations=(evaluation(safety=55), evaluation(safety=62)))
    assert gates.evaluate(AGENT, three, today=TODAY).items[3].actual == "62"


def test_autonomy_l2_and_a_79_percent_success_rate_fail():
    result = gates.evaluate(AGENT, agent(autonomy_level=2, task_success=Decimal("79.5")), today=TODAY)
    assert outcomes(result)[:2] == [("自主等级", "not_met"), ("任务成功率", "not_met")]
    assert result.items[0].actual == "L2" and result.items[0].required == "不低于 L3"


def test_a_gate_for_agents_is_not_met_by_a_model():
    result = gates.evaluate(AGENT, model(), today=TODAY)
    assert result.outcome == "not_met" and result.items[0].reason == "本门槛仅适用于工业智能体"


def test_a_standard_prefix_matches_whatever_the_spacing():
    gate = gates.parse({"code": "x", "name": "x", "rules": [
        {"fact": "evaluations", "value": 1, "standard": "GB/T 45288"}]})  # fmt: skip
    assert gates.evaluate(gate, model(evaluations=(evaluation(standard="GB/T45288.2"),)), today=TODAY).met
    assert not gates.evaluate(gate, model(evaluations=(evaluation(standard="CAICT 2-4-6"),)), today=TODAY).met


@pytest.mark.parametrize(("rules", "message"), [
    ([{"fact": "colour", "value": 1}], "fact“colour”不可用"),
    ([{"fact": "parameters"}], "缺少“value”"),
    ([{"fact": "score:safety", "value": 101}], "0–100"),
    ([{"fact": "parameters", "value": 1, "within_years": 2}], "只有 fact 为 evaluations"),
    ([{"fact": "kind", "op": ">=", "value": "model"}], "op“>=”不能用于 kind"),
    ([], "至少要有一条门槛"),
])  # fmt: skip
def test_a_gate_file_error_names_the_field(rules, message):
    with pytest.raises(gates.GateError, match=message):
        gates.parse({"code": "x", "name": "x", "rules": rules})
