"""The programme file and the chain's state machine, without a database: every shipped file parses; each step
allows only its own decisions; nothing skips a step; bad files are refused naming the field."""

import pytest

from recognition import chain, library


def basic() -> chain.Spec:
    return chain.parse(library.shipped()["sf-basic-2026"])


def test_every_shipped_programme_parses_and_is_marked_provisional():
    specs = [chain.parse(data) for data in library.shipped().values()]
    assert {s.code for s in specs} == {"sf-basic-2026", "sf-advanced-2026", "sd-industry-model-2025"}
    assert all(s.provisional for s in specs)
    model = next(s for s in specs if s.kind == "model")
    assert [(g.name, g.award) for g in model.grades] == [("一等", 100.0), ("二等", 75.0), ("三等", 50.0)]
    assert model.grade_for(85).name == "二等" and model.grade_for(59.9) is None


def test_an_application_walks_the_chain_one_step_at_a_time_to_recognition():
    spec = basic()
    at = chain.submit(spec, chain.Position(chain.DRAFT))
    assert at == chain.Position(chain.IN_REVIEW, 0)
    seen = []
    while at.status == chain.IN_REVIEW:
        seen.append(spec.step(at.step).code)
        at = chain.decide(spec, at, "pass")
    assert seen == ["county_check", "city_review", "city_decision", "notice", "publish"]
    assert at.status == chain.RECOGNISED


def test_a_returned_application_comes_back_to_the_step_that_returned_it():
    spec = basic()
    at = chain.decide(spec, chain.Position(chain.IN_REVIEW, 1), "return")
    assert at == chain.Position(chain.RETURNED, 1)
    assert chain.submit(spec, at) == chain.Position(chain.IN_REVIEW, 1)


@pytest.mark.parametrize(
    ("step", "decision"),
    [(0, "cultivate"), (2, "return"), (3, "cultivate"), (4, "reject"), (4, "return")],
)
def test_a_step_refuses_decisions_that_are_not_its_own(step, decision):
    with pytest.raises(chain.TransitionError):
        chain.decide(basic(), chain.Position(chain.IN_REVIEW, step), decision)


def test_nothing_moves_an_application_that_is_not_under_review():
    spec = basic()
    for status in (chain.DRAFT, chain.RETURNED, chain.RECOGNISED, chain.REJECTED, chain.WITHDRAWN):
        with pytest.raises(chain.TransitionError):
            chain.decide(spec, chain.Position(status, 0), "pass")
    with pytest.raises(chain.TransitionError):
        chain.submit(spec, chain.Position(chain.IN_REVIEW, 0))
    with pytest.raises(chain.TransitionError):
        chain.withdraw(spec, chain.Position(chain.IN_REVIEW, spec.index_of("notice")))  # public already
    assert chain.withdraw(spec, chain.Position(chain.IN_REVIEW, 1)).status == chain.WITHDRAWN


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"kind": "medal"}, "kind“medal”不可用"),
        ({"level": "town"}, "level“town”不可用"),
        ({"chain": [{"code": "a", "name": "审核", "action": "vote"}]}, "action“vote”不可用"),
        ({"chain": [{"code": "a", "name": "评审", "action": "expert_review"}]}, "experts ≥ 1"),
        ({"chain": [{"code": "n", "name": "公示", "action": "notice"}]}, "notice_days ≥ 1"),
        ({"chain": [{"code": "a", "name": "审核", "action": "check", "deadline_days": -3}]}, "不小于 0 的整数"),
        (
            {"chain": [{"code": "a", "name": "甲", "action": "check"}, {"code": "a", "name": "乙", "action": "check"}]},
            "code 不能重复",
        ),
        ({"review": {"consolidation": "median"}}, "consolidation“median”不可用"),
        ({"review": {"exclusions": ["same_family"]}}, "same_family"),
        ({"year": "明年"}, "year 应为年份"),
        ({"name": ""}, "缺少“name”"),
    ],
)
def test_a_bad_programme_file_is_refused_naming_the_field(change, message):
    data = {**library.shipped()["sf-basic-2026"], **change}
    with pytest.raises(chain.SpecError, match=message):
        chain.parse(data)
