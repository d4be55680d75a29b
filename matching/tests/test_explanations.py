"""为什么推荐: each sentence type appears only when its evidence exists (and does appear when it does).

Every catalog here is SYNTHETIC. ``evidence_holds`` re-derives each sentence's fact from the data without the
engine's code, and is run over every explanation of the labelled set and of seeded random needs."""

import random
import re

import pytest

from matching.evaluation import load_catalog, load_needs
from matching.learning import OutcomeModel
from matching.model import Case, Catalog, Need, Outcome, Provider, Solution
from matching.rank import rank, read_need, solution_text
from matching.taxonomy import INDUSTRY_NAMES, shipped
from matching.tokenize import tokenize

from .test_fast_ranking import random_catalog, random_need


def _pool(solution: Solution, *, grade: str = "", status: str = "active", cases=()) -> Catalog:
    return Catalog([solution], {"P": Provider("P", "甲", grade=grade, status=status)}, list(cases))


def _reasons(need: Need, catalog: Catalog, outcomes=None) -> list[str]:
    found = rank(need, catalog, outcomes=outcomes)
    assert found, "the test solution should be recommended"
    return found[0].reasons


BASE = dict(id="S", provider_id="P", title="智能排产APS", description="插单重排")
NEED = Need(text="排产 插单", industry="36", region="320500", size="medium", budget_max=50)


@pytest.mark.parametrize(
    ("sentence", "with_evidence", "without_evidence"),
    [
        ("覆盖您的需求场景", dict(need=Need(scenarios=("S-PM-02",)), solution=dict(scenarios=("S-PM-02",))),
         dict(need=Need(scenarios=("S-PM-02",), text="排产"), solution={})),
        ("覆盖您描述中涉及的场景", dict(solution=dict(scenarios=("S-PM-02",))), dict(solution={})),
        ("方案名称或介绍中有您写到的", dict(solution={}),
         dict(need=Need(scenarios=("S-PM-02",)), solution=dict(scenarios=("S-PM-02",), title="计划", description=""))),
        ("在同行业", dict(cases=[Case("S", "P", "36", "440300", True)]),
         dict(cases=[Case("S", "P", "36", "440300", False), Case("S", "P", "39", "440300", True)])),
        ("在本省有", dict(cases=[Case("S", "P", "39", "320583", True)]),
         dict(cases=[Case("S", "P", "39", "440300", True)])),
        ("服务商评级", dict(grade="A"), dict(grade="C")),
        ("标注适合中型企业", dict(solution=dict(sizes=("medium",))), dict(solution=dict(sizes=("small",)))),
        ("报价上限在预算内", dict(solution=dict(price_max=40.0)), dict(solution=dict(price_max=60.0))),
        ("标注为小快轻准方案", dict(solution=dict(lightweight=True)), dict(solution={})),
        ("该方案在平台上有", dict(outcomes=[Outcome("S", "contracted", need_id=f"n{i}") for i in range(3)]),
         dict(outcomes=[Outcome("S", "shown", need_id=f"n{i}") for i in range(3)])),
        ("提示：该服务商近期被警示", dict(status="warned"), dict(status="active")),
    ],
)  # fmt: skip
def test_each_sentence_appears_only_with_its_evidence(sentence, with_evidence, without_evidence):
    for case, expected in ((with_evidence, True), (without_evidence, False)):
        solution = Solution(**{**BASE, **case.get("solution", {})})
        catalog = _pool(solution, grade=case.get("grade", ""), status=case.get("status", "active"),
                        cases=case.get("cases", ()))  # fmt: skip
        reasons = _reasons(case.get("need", NEED), catalog, case.get("outcomes"))
        assert any(r.startswith(sentence) for r in reasons) is expected, (sentence, expected, reasons)


def test_without_outcome_history_no_result_claims_contacts_or_contracts():
    catalog = load_catalog()
    for need, _ in load_needs():
        for rec in rank(need, catalog):
            assert "签约" not in rec.explanation and "联系" not in rec.explanation


def evidence_holds(sentence: str, need: Need, solution: Solution, catalog: Catalog, model: OutcomeModel) -> bool:
    """The fact behind one sentence, checked against the data directly."""
    query = read_need(need, catalog)
    names = {query.taxonomy.name(c): c for c in solution.scenarios}
    if m := re.fullmatch(r"覆盖您的需求场景：(.+)", sentence):
        return all(names.get(n) in need.scenario_weights() for n in m[1].split("、"))
    if m := re.fullmatch(r"覆盖您描述中涉及的场景：(.+)（按描述推断）", sentence):
        guessed = shipped().guess(tokenize(need.text))
        return all(names.get(n) in guessed for n in m[1].split("、"))
    if m := re.fullmatch(r"方案名称或介绍中有您写到的“(.+)”", sentence):
        mine, theirs = set(tokenize(need.text)), set(tokenize(solution_text(solution)))
        return all(t.lower() in mine and t.lower() in theirs for t in m[1].split("、"))
    if m := re.fullmatch(r"在同行业（C(\d+)[^）]*）有 (\d+) 个已验证案例", sentence):
        n = sum(c.verified and c.solution_id == solution.id and c.industry == need.industry for c in catalog.cases)
        return m[1] == need.industry and int(m[2]) == n > 0 and m[1] in INDUSTRY_NAMES | {need.industry: ""}
    if m := re.fullmatch(r"在本省有 (\d+) 个已验证案例", sentence):
        province = need.region[:2]
        n = sum(c.verified and c.solution_id == solution.id and c.region.startswith(province) for c in catalog.cases)
        return bool(province) and int(m[1]) == n > 0
    if m := re.fullmatch(r"服务商评级 (.+)", sentence):
        return catalog.providers[solution.provider_id].grade == m[1]
    if m := re.fullmatch(r"标注适合(.+)企业", sentence):
        return need.size in solution.sizes
    if m := re.fullmatch(r"报价上限在预算内（最高 (.+) 万元）", sentence):
        return solution.price_max is not None and need.budget_max is not None and solution.price_max <= need.budget_max
    if sentence == "标注为小快轻准方案":
        return solution.lightweight
    if m := re.fullmatch(r"该方案在平台上有 (\d+) 次对接记录，其中 (\d+) 次签约", sentence):
        return model.contacts.get(solution.id) == (int(m[1]), int(m[2])) and int(m[1]) > 0
    if sentence == "提示：该服务商近期被警示":
        return catalog.providers[solution.provider_id].status == "warned"
    # Cautions: their wording is checked in test_matching against the constraint definitions. A sentence of no
    # known type has no evidence.
    return sentence.startswith(("方案标注的适用行业不含您的行业", "部署方式不符", "方案为混合部署", "报价下限"))


def test_every_sentence_of_every_explanation_is_backed_by_the_data():
    catalog = load_catalog()
    by_id = {s.id: s for s in catalog.solutions}
    empty = OutcomeModel.from_log([])
    checked = 0
    for need, _ in load_needs():
        for rec in rank(need, catalog):
            for sentence in rec.reasons:
                assert evidence_holds(sentence, need, by_id[rec.solution_id], catalog, empty), (need.id, sentence)
                checked += 1
    rng = random.Random(18)
    pool = random_catalog(rng, 800, 60)
    pool_ids = {s.id: s for s in pool.solutions}
    log = [Outcome(rng.choice(pool.solutions).id, rng.choice(["contacted", "contracted", "shown"]), need_id=f"n{i}")
           for i in range(400)]  # fmt: skip
    model = OutcomeModel.from_log(log)
    texts = [need.text for need, _ in load_needs()]
    for _ in range(120):
        need = random_need(rng, texts)
        for rec in rank(need, pool, outcomes=model, weights={"outcome": 0.3}):
            for sentence in rec.reasons:
                assert evidence_holds(sentence, need, pool_ids[rec.solution_id], pool, model), sentence
                checked += 1
    assert checked > 1000
