"""Working-day arithmetic and the clock rules, against cases counted by hand on the calendar (the shipped 2025 and
2026 files: holidays on weekdays, and the weekend days worked instead, 调休)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from datasecurity import clocks, grading, workdays

D = dt.date
SH = ZoneInfo("Asia/Shanghai")
CAL = workdays.load()


def test_the_shipped_calendars_cover_2025_and_2026_and_say_they_are_provisional():
    assert sorted(CAL.years) == [2025, 2026]
    assert CAL.provisional
    assert all(y.source for y in CAL.years.values())


@pytest.mark.parametrize(
    "day, working",
    [
        (D(2026, 10, 1), False),  # 国庆, a Thursday
        (D(2026, 10, 10), True),  # Saturday worked (调休)
        (D(2026, 2, 14), True),  # Saturday worked before 春节
        (D(2026, 2, 23), False),  # Monday off (春节)
        (D(2025, 1, 26), True),  # Sunday worked
        (D(2025, 6, 2), False),  # 端午 Monday
        (D(2026, 12, 7), True),  # an ordinary Monday
        (D(2026, 12, 6), False),  # an ordinary Sunday
    ],
)
def test_working_days(day, working):
    assert CAL.is_working_day(day) is working


def test_one_working_day_after_the_eve_of_the_national_day_is_the_8th():
    assert CAL.add(D(2026, 9, 30), 1) == D(2026, 10, 8)


def test_twenty_working_days_across_mid_autumn_and_the_national_day():
    # From Fri 2026-09-18: 9-20 (Sunday worked) 1, 9-21..24 2–5, 9-25 中秋 off, 9-28..30 6–8, 10-01..07 off,
    # 10-08/09 9–10, 10-10 (Saturday worked) 11, 10-12..16 12–16, 10-19..22 17–20.
    assert CAL.add(D(2026, 9, 18), 20) == D(2026, 10, 22)


def test_fifteen_working_days_across_the_spring_festival():
    # From Thu 2026-02-12: 2-13 1, 2-14 (Saturday worked) 2, 2-16..20 and 2-23 off, 2-24..27 3–6,
    # 2-28 (Saturday worked) 7, 3-02..06 8–12, 3-09..11 13–15.
    assert CAL.add(D(2026, 2, 12), 15) == D(2026, 3, 11)


def test_a_worked_sunday_before_the_2025_spring_festival_counts():
    assert CAL.add(D(2025, 1, 24), 1) == D(2025, 1, 26)
    # 1-26 1, 1-27 2, 1-28..2-04 off, 2-05..07 3–5
    assert CAL.add(D(2025, 1, 24), 5) == D(2025, 2, 7)


def test_across_the_new_year():
    # 2026-01-01/02 off, 01-03 Saturday off, 01-04 Sunday worked, 01-05 Monday
    assert CAL.add(D(2025, 12, 31), 2) == D(2026, 1, 5)


def test_working_days_between_over_the_may_day_holiday():
    # after 4-30: 5-01..05 off, 5-06..08 1–3, 5-09 (Saturday worked) 4, 5-10 Sunday, 5-11 5
    assert CAL.between(D(2026, 4, 30), D(2026, 5, 11)) == 5
    assert CAL.between(D(2026, 5, 11), D(2026, 4, 30)) == -5
    assert CAL.between(D(2026, 5, 1), D(2026, 5, 1)) == 0


def test_add_and_between_agree():
    start = D(2025, 9, 1)
    for n in (1, 7, 15, 20, 60):
        assert CAL.between(start, CAL.add(start, n)) == n


def test_outside_the_calendar_only_weekends_are_off():
    assert not CAL.covers(D(2027, 1, 1))
    assert CAL.add(D(2027, 1, 1), 1) == D(2027, 1, 4)  # Friday + 1 → Monday


def test_a_deadline_ends_with_its_day():
    start = dt.datetime(2026, 9, 30, 15, 0, tzinfo=SH)
    assert CAL.deadline(start, 1) == dt.datetime(2026, 10, 8, 23, 59, 59, 999999, tzinfo=SH)


@pytest.mark.parametrize(
    "day, months, expected",
    [(D(2026, 11, 30), 3, D(2027, 2, 28)), (D(2027, 11, 30), 3, D(2028, 2, 29)), (D(2026, 1, 31), 1, D(2026, 2, 28)),
     (D(2026, 3, 15), 3, D(2026, 6, 15)), (D(2026, 10, 8), 12, D(2027, 10, 8))],
)  # fmt: skip
def test_months(day, months, expected):
    assert workdays.add_months(day, months) == expected


def test_a_calendar_with_a_day_both_off_and_worked_is_refused():
    with pytest.raises(ValueError, match="既是假日又是工作日"):
        workdays.parse_year({"year": 2026, "holidays": ["2026-10-10"], "workdays": ["2026-10-10"]})
    with pytest.raises(ValueError, match="其他年份"):
        workdays.parse_year({"year": 2026, "holidays": ["2025-10-01"]})


def test_a_province_calendar_replaces_the_shipped_one(tmp_path):
    (tmp_path / "2026.yaml").write_text("year: 2026\nstatus: official\nholidays: [2026-12-07]\n", encoding="utf-8")
    cal = workdays.load(tmp_path)
    assert not cal.provisional
    assert cal.add(D(2026, 12, 4), 1) == D(2026, 12, 8)
    assert cal.add(D(2026, 10, 1), 1) == D(2026, 10, 2)  # the shipped national day is no longer there


# --- clock rules --------------------------------------------------------------------------------------------------

RULES = clocks.shipped()


def test_the_filing_clocks_are_the_2022_rules():
    assert (RULES.review_working_days, RULES.resubmit_working_days, RULES.refile_months) == (20, 15, 3)
    assert RULES.risk_filing_working_days == 10
    assert RULES.scale_change_ratio == 0.30


def test_review_resubmission_refiling_and_risk_deadlines():
    submitted = dt.datetime(2026, 9, 18, 9, 30, tzinfo=SH)
    assert clocks.review_due(CAL, RULES, submitted) == dt.datetime(2026, 10, 22, 23, 59, 59, 999999, tzinfo=SH)
    returned = dt.datetime(2026, 2, 12, 16, 0, tzinfo=SH)
    assert clocks.resubmit_due(CAL, RULES, returned).date() == D(2026, 3, 11)
    assert clocks.refile_due(RULES, dt.datetime(2026, 11, 30, 8, 0, tzinfo=SH)).date() == D(2027, 2, 28)
    # 10 working days from Wed 2026-09-30: 10-08/09 1–2, 10-10 3, 10-12..16 4–8, 10-19/20 9–10
    assert clocks.risk_filing_due(CAL, RULES, dt.datetime(2026, 9, 30, 12, tzinfo=SH)).date() == D(2026, 10, 20)


def test_both_incident_clocks_side_by_side():
    found = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)
    other = {c.code: c for c in clocks.incident_clocks(RULES, found, cii=False)}
    assert other["miit"].due_at == dt.datetime(2026, 12, 7, 11, 0, tzinfo=SH) and other["miit"].provisional
    assert other["cac"].due_at == dt.datetime(2026, 12, 7, 14, 0, tzinfo=SH) and not other["cac"].provisional
    cii = {c.code: c.due_at for c in clocks.incident_clocks(RULES, found, cii=True)}
    one_hour = dt.datetime(2026, 12, 7, 11, 0, tzinfo=SH)
    assert cii == {"miit": one_hour, "cac": one_hour}


@pytest.mark.parametrize(
    "filed, now, changed",
    [(100, 130, True), (100, 129, False), (100, 70, True), (100, 71, False), (None, 5, True), (0, None, False),
     (1000, 1300.0, True)],
)  # fmt: skip
def test_a_change_of_scale_of_30_percent_or_more(filed, now, changed):
    assert clocks.scale_changed(RULES, filed, now) is changed


# --- grading ------------------------------------------------------------------------------------------------------

SPEC = grading.shipped()


def test_the_five_categories_and_three_levels():
    assert list(SPEC.categories.values())[:5] == ["研发数据", "生产运行数据", "管理数据", "运维数据", "业务服务数据"]
    assert set(SPEC.levels) == {"general", "important", "core"}


def test_the_check_suggests_the_highest_level_any_criterion_reaches():
    assert grading.suggest(SPEC, set()).level == "general"
    imp = grading.suggest(SPEC, {"imp_sector"})
    assert imp.level == "important" and not imp.provisional and "严重影响" in imp.reasons[0]
    assert grading.suggest(SPEC, {"imp_sector", "core_stoppage"}).level == "core"


def test_the_impact_matrix_is_provisional():
    s = grading.suggest(SPEC, set(), {"economy": "serious"})
    assert s.level == "important" and s.provisional
    assert grading.suggest(SPEC, set(), {"organisation": "grave"}).level == "general"
    with pytest.raises(ValueError, match="未知的判定条件"):
        grading.suggest(SPEC, {"nonsense"})


def test_incident_levels_from_the_thresholds():
    assert grading.suggest_incident_level(outage_hours=12).code == "serious"
    assert grading.suggest_incident_level(outage_hours=8).code == "major"
    assert grading.suggest_incident_level(people=20_000_000).code == "serious"
    assert grading.suggest_incident_level(data_level="core").code == "extreme"
    assert grading.suggest_incident_level(loss_yuan=5_000).code == "minor"


def test_one_calendar_for_recognition_and_data_security(settings):
    """Both modules count on the same data: the same days off and worked, and a province's file given by either
    setting replaces it for both."""
    import datetime as dt

    from datasecurity import calendar as ds_calendar
    from recognition import calendar as rec_calendar

    ds_calendar.current.cache_clear()
    rec_calendar.current.cache_clear()
    shared, recog = ds_calendar.current(), rec_calendar.current()
    assert recog.holidays == shared.holidays and recog.covers == (2025, 2026) and recog.provisional
    day = dt.date(2025, 1, 1)
    while day < dt.date(2027, 1, 1):
        assert recog.is_working_day(day) == shared.is_working_day(day), day
        day += dt.timedelta(days=1)
    assert rec_calendar.add(dt.date(2026, 9, 30), 1) == dt.date(2026, 10, 8) == shared.add(dt.date(2026, 9, 30), 1)


def test_a_combined_province_file_replaces_the_calendar_of_both(tmp_path, settings):
    import datetime as dt

    from datasecurity import calendar as ds_calendar
    from recognition import calendar as rec_calendar

    own = tmp_path / "calendar.yaml"
    own.write_text("status: official\nyears: [2026, 2027]\nholidays: [2026-12-07, 2027-01-01]\n"
                   "workdays: [2026-12-12]\n", encoding="utf-8")  # fmt: skip
    settings.TIDU_HOLIDAY_CALENDAR = str(own)
    ds_calendar.current.cache_clear()
    rec_calendar.current.cache_clear()
    try:
        for cal in (ds_calendar.current(), rec_calendar.current()):
            assert not cal.provisional
            assert cal.add(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 8)  # Monday the 7th off
            assert cal.is_working_day(dt.date(2026, 12, 12))  # a worked Saturday
            assert cal.is_working_day(dt.date(2026, 10, 1))  # the shipped holidays are gone: the file replaces them
    finally:
        settings.TIDU_HOLIDAY_CALENDAR = ""
        ds_calendar.current.cache_clear()
        rec_calendar.current.cache_clear()
