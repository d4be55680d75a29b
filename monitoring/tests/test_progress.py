"""Target arithmetic by hand-computed cases: pro-rata splits, split checks, shares, trajectories, status rules."""

import datetime as dt
from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.progress import (
    AT_RISK,
    BEHIND,
    MET,
    MISSED,
    ON_TRACK,
    Unit,
    check_split,
    expected_on,
    share,
    split_pro_rata,
    standing,
)

START, DUE = dt.date(2026, 1, 1), dt.date(2026, 12, 31)  # 364 days apart


def test_a_count_splits_by_largest_remainder():
    # quotas 3.5, 2.1, 1.4 → floors 3, 2, 1 (6); the one unit left goes to the largest remainder (0.5)
    assert split_pro_rata(7, {"a": 5, "b": 3, "c": 2}) == {"a": 4, "b": 2, "c": 1}
    assert split_pro_rata(100, {"a": 500, "b": 300, "c": 200}) == {"a": 50, "b": 30, "c": 20}


def test_equal_remainders_go_to_the_larger_region_then_by_code():
    assert split_pro_rata(10, {"b": 1, "a": 1, "c": 1}) == {"a": 4, "b": 3, "c": 3}
    # quotas 2.5 and 2.5 of 5 over weights 1, 1 and a zero: the zero-weight region gets nothing
    assert split_pro_rata(5, {"x": 2, "y": 2, "z": 0}) == {"x": 3, "y": 2, "z": 0}


def test_regions_without_any_population_split_evenly():
    assert split_pro_rata(5, {"a": 0, "b": 0}) == {"a": 3, "b": 2}


@given(
    st.integers(0, 10_000), st.dictionaries(st.text("abcdef", min_size=1, max_size=3), st.integers(0, 5000), min_size=1)
)
def test_parts_always_add_up_to_the_whole(total, weights):
    parts = split_pro_rata(total, weights)
    assert sum(parts.values()) == total
    weight_sum = sum(weights.values())
    for key, part in parts.items():  # each part is its quota rounded down or up, never further
        quota = D(total) * weights[key] / weight_sum if weight_sum else D(total) / len(weights)
        assert quota - 1 < part < quota + 1


def test_a_negative_target_is_refused():
    with pytest.raises(ValueError):
        split_pro_rata(-1, {"a": 1})


def test_a_count_split_must_add_up_exactly():
    assert check_split(Unit.COUNT, D(10), {"a": D(6), "b": D(4)}, {}).ok
    short = check_split(Unit.COUNT, D(10), {"a": D(6), "b": D(3)}, {})
    assert not short.ok and short.parts_total == D(9) and short.whole == D(10)


def test_a_share_split_is_checked_by_the_enterprises_it_implies():
    populations = {"a": 100, "b": 50}  # the whole: 10 % of 150 = 15 enterprises
    enough = check_split(Unit.SHARE, D(10), {"a": D(10), "b": D(12)}, populations)  # 10 + 6 = 16
    assert enough.ok and enough.parts_total == D("16.00") and enough.whole == D("15.00")
    short = check_split(Unit.SHARE, D(10), {"a": D(10), "b": D(8)}, populations)  # 10 + 4 = 14
    assert not short.ok and short.parts_total == D("14.00")


def test_a_share_is_per_cent_with_two_decimals_and_none_of_nothing():
    assert share(1, 3) == D("33.33")
    assert share(2, 3) == D("66.67")
    assert share(0, 0) is None


def test_the_trajectory_is_a_straight_line_from_baseline_to_goal():
    assert expected_on(D(10), D(20), START, DUE, dt.date(2026, 7, 2)) == D("15.00")  # day 182 of 364
    assert expected_on(D(10), D(20), START, DUE, dt.date(2025, 12, 1)) == D(10)  # before the start: the baseline
    assert expected_on(D(10), D(20), START, DUE, dt.date(2027, 3, 1)) == D(20)  # after the due date: the goal


@pytest.mark.parametrize(
    "actual, status, shortfall",
    [
        (D(15), ON_TRACK, D(0)),  # on the line
        (D(16), ON_TRACK, D(0)),  # ahead
        (D(14), AT_RISK, D(1)),  # 1 below; the planned rise is 10, 10 % of it is 1
        (D("13.99"), BEHIND, D("1.01")),
    ],
)
def test_status_before_the_due_date(actual, status, shortfall):
    state = standing(actual, D(10), D(20), START, DUE, dt.date(2026, 7, 2), D("0.10"))
    assert (state.status, state.expected, state.shortfall) == (status, D("15.00"), shortfall)


def test_status_after_the_due_date_is_met_or_missed():
    after = dt.date(2027, 1, 5)
    assert standing(D(20), D(10), D(20), START, DUE, after, D("0.1")).status == MET
    missed = standing(D(19), D(10), D(20), START, DUE, after, D("0.1"))
    assert missed.status == MISSED and missed.shortfall == D(1)
