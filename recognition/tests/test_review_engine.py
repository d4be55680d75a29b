"""Expert exclusions, assignment and consolidation, without a database (hand-computed cases)."""

import datetime as dt

import pytest

from recognition import review, workdays

CASE = review.CaseCard(id=1, enterprise_code="91360102MA00000001", enterprise_name="申请企业", county_id="360102",
                       served_by=frozenset({"91360100MA0000000X"}), fields=frozenset({"34"}))  # fmt: skip


def expert(i, **kw):
    return review.ExpertCard(id=i, name=f"专家{i}", **kw)


def test_each_exclusion_is_stated_and_only_under_the_programmes_rules():
    own = expert(1, organisation="申请企业", organisation_code=CASE.enterprise_code)
    served = expert(2, organisation="某服务商", organisation_code="91360100MA0000000X")
    neighbour = expert(3, region_path="360102")
    city = expert(4, region_path="3601")  # a city-level expert is not "the same county"
    all_rules = ["own_organisation", "served_by_provider", "same_county"]
    assert review.exclusions(own, CASE, all_rules) == ["专家所在单位即申请单位（申请企业）"]
    assert review.exclusions(served, CASE, all_rules) == ["专家所在单位（某服务商）曾为申请单位提供服务"]
    assert review.exclusions(neighbour, CASE, all_rules) == ["专家与申请单位在同一区县"]
    assert review.exclusions(city, CASE, all_rules) == []
    assert review.exclusions(neighbour, CASE, ["own_organisation"]) == []


def test_assignment_skips_conflicts_balances_load_and_says_what_is_missing():
    experts = [expert(1, organisation_code=CASE.enterprise_code), expert(2, load=5), expert(3, load=0),
               expert(4, load=1, fields=frozenset({"34"})), expert(5, load=1)]  # fmt: skip
    second = review.CaseCard(id=2, enterprise_code="X", enterprise_name="乙", county_id="360402")
    done = review.assign([CASE, second], experts, 3, ["own_organisation"])
    assert done.chosen[1] == [3, 4, 5]  # 1 excluded; least loaded; 4 before 5 (a field in common)
    assert done.chosen[2] == [1, 3, 4]  # loads now 1:0, 3:1, 4:2, 5:2, 2:5
    assert done.excluded[1] == [(1, ["专家所在单位即申请单位（申请企业）"])]
    short = review.assign([CASE], experts[:2], 3, ["own_organisation"])
    assert short.chosen[1] == [2] and short.short == {1: 2}


def test_consolidation_by_mean_trimmed_mean_and_chair():
    scores = {1: 60.0, 2: 70.0, 3: 95.0, 4: 71.0}
    assert review.consolidate(scores, "mean") == pytest.approx(74.0)
    assert review.consolidate(scores, "trimmed_mean", trim=1) == pytest.approx(70.5)  # drop 60 and 95
    assert review.consolidate(scores, "chair", chair=3) == 95.0
    assert review.consolidate(scores, "chair", chair_score=80) == 80.0
    with pytest.raises(review.ConsolidationError, match="至少 3 位"):
        review.consolidate({1: 60.0, 2: 70.0}, "trimmed_mean", trim=1)
    with pytest.raises(review.ConsolidationError):
        review.consolidate({}, "mean")


def test_working_days_skip_weekends_and_holidays_and_count_swapped_workdays():
    cal = workdays.parse({"years": [2026], "holidays": ["2026-10-01", "2026-10-02", "2026-10-05", "2026-10-06",
                                                        "2026-10-07"], "workdays": ["2026-10-10"]})  # fmt: skip
    # Wednesday 30 September + 5 working days: 8 Oct (Thu), 9 Oct (Fri), 10 Oct (Sat, worked), 12, 13
    assert cal.add(dt.date(2026, 9, 30), 5) == dt.date(2026, 10, 13)
    assert cal.between(dt.date(2026, 9, 30), dt.date(2026, 10, 13)) == 5
    assert cal.add(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)  # Friday → Monday
    with pytest.raises(ValueError, match="既是假日又是工作日"):
        workdays.parse({"holidays": ["2026-10-10"], "workdays": ["2026-10-10"]})


def test_a_province_replaces_the_holiday_calendar_by_setting(tmp_path, settings):
    from recognition import calendar

    own = tmp_path / "calendar.yaml"
    own.write_text("status: official\nyears: [2026]\nholidays: [2026-12-07]\n", encoding="utf-8")
    settings.TIDU_HOLIDAY_CALENDAR = str(own)
    calendar.current.cache_clear()
    try:
        assert calendar.add(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 8)  # Friday → Monday is a holiday
        assert not calendar.current().provisional
    finally:
        calendar.current.cache_clear()
    settings.TIDU_HOLIDAY_CALENDAR = ""
    assert calendar.current().provisional and calendar.add(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)
