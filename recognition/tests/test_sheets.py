"""Scoring sheets: the shipped example review form is a maturity-model file scored by the maturity engine, on 0–100,
checked by hand-computed answers; bad answers are refused with the item named in Chinese. No database."""

import copy

import pytest
from django.core.exceptions import ValidationError

from recognition import chain, library, sheets

FULL = {"P1": "done", "P2": "full", "S1": "many", "S2": "integrated", "S3": "high", "D1": "auto", "D2": "decide",
        "A1": ["zoning", "backup", "access", "rules"], "E1": "marked", "E2": "high"}  # fmt: skip


@pytest.fixture
def rules():
    return chain.parse(library.shipped()["sf-basic-2026"])


def test_the_basic_programme_names_a_provisional_example_sheet_that_says_so(rules):
    spec = sheets.sheet_for(rules)
    assert spec.code == "sf-review-2026" and spec.status == "provisional"
    assert "示例" in spec.name
    assert [q.domain for q in sheets.questions(spec)][::2] == ["建设规划与组织", "场景建设", "场景建设", "数据与网络",
                                                                "建设成效"]  # fmt: skip
    assert sum(q.max_points for q in sheets.questions(spec)) == 100


def test_full_marks_score_100_and_a_mixed_sheet_scores_its_points(rules):
    assert sheets.score(rules, FULL) == (100.0, FULL)
    mixed = {"P1": "written", "P2": "partial", "S1": "several", "S2": "stable", "S3": "medium", "D1": "partial",
             "D2": "some", "A1": ["zoning", "backup"], "E1": "clear", "E2": "some"}  # fmt: skip
    # 5 + 4 + 10 + 6 + 6 + 6 + 6 + 2.5 × 2 + 8 + 4 = 60
    assert sheets.score(rules, mixed)[0] == 60.0
    nothing = {**{k: "none" for k in FULL}, "A1": "none"}  # a single multi-select code is read as a list
    assert sheets.score(rules, nothing) == (0.0, {**nothing, "A1": ["none"]})


def test_a_sheet_on_another_scale_is_put_on_0_to_100(rules, tmp_path, monkeypatch):
    spec = sheets.load("sf-review-2026")
    data = spec.model_dump(mode="json", exclude_defaults=True)
    data["code"], data["rule"]["scale_max"] = "ten-point", 10
    (tmp_path / "ten-point.yaml").write_text(__import__("yaml").safe_dump(data, allow_unicode=True), "utf-8")
    monkeypatch.setattr(sheets, "FOLDER", tmp_path)
    sheets.load.cache_clear()
    try:
        ten = chain.parse(
            {**copy.deepcopy(library.shipped()["sf-basic-2026"]), "review": {"scoring_model": "ten-point"}}
        )
        assert sheets.score(ten, {**FULL, "E2": "some"})[0] == 96.0  # 96 of 100 points → 9.6 of 10 → 96
    finally:
        sheets.load.cache_clear()


def test_missing_unknown_and_invalid_answers_are_refused_naming_the_item(rules):
    with pytest.raises(ValidationError, match="请为“示范与推广价值”作出选择"):
        sheets.score(rules, {k: v for k, v in FULL.items() if k != "E2"})
    with pytest.raises(ValidationError, match="“场景应用深度”的选择无效"):
        sheets.score(rules, {**FULL, "S2": "excellent"})
    with pytest.raises(ValidationError, match="评审表中没有条目“X9”"):
        sheets.score(rules, {**FULL, "X9": "done"})
    with pytest.raises(ValidationError, match="“网络与数据安全措施”中的“无”不能与其他选项同时选择"):
        sheets.score(rules, {**FULL, "A1": ["none", "backup"]})


def test_a_programme_without_a_sheet_takes_a_plain_score():
    data = copy.deepcopy(library.shipped()["sf-basic-2026"])
    data["review"].pop("scoring_model")
    rules = chain.parse(data)
    assert sheets.sheet_for(rules) is None
    with pytest.raises(ValidationError, match="没有评审表"):
        sheets.score(rules, FULL)
