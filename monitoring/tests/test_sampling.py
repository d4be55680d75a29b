"""Campaign sampling and commissioner assignment by hand-computed cases."""

from decimal import Decimal as D

import pytest
from hypothesis import given
from hypothesis import strategies as st

from monitoring.sampling import assign, sample


def test_the_same_seed_draws_the_same_sample_whatever_the_order():
    groups = {"3601": list(range(1, 101)), "3604": list(range(101, 131))}
    first = sample(groups, D(10), seed=7)
    shuffled = {"3604": list(reversed(groups["3604"])), "3601": groups["3601"][50:] + groups["3601"][:50]}
    assert sample(shuffled, D(10), seed=7) == first
    assert len(first) == 10 + 3  # 10 % of 100 and of 30
    assert sample(groups, D(10), seed=8) != first


def test_every_group_is_represented_and_a_small_one_rounds_up():
    chosen = sample({"a": [1, 2, 3], "b": [4]}, D(10), seed=1)
    assert len(chosen) == 2 and 4 in chosen and {1, 2, 3} & set(chosen)


def test_another_groups_size_does_not_change_a_draw():
    alone = sample({"a": list(range(50))}, D(20), seed=3)
    together = sample({"a": list(range(50)), "b": list(range(100, 180))}, D(20), seed=3)
    assert set(alone) <= set(together)


@given(st.dictionaries(st.text("abc", min_size=1, max_size=2), st.integers(0, 60)), st.integers(1, 100),
       st.integers(0, 99))  # fmt: skip
def test_a_sample_takes_the_share_rounded_up_from_each_group(sizes, percent, seed):
    groups, start = {}, 0
    for key, size in sizes.items():  # disjoint groups of ids, as a region's enterprises are
        groups[key], start = list(range(start, start + size)), start + size
    chosen = set(sample(groups, D(percent), seed))
    for ids in groups.values():
        assert len(chosen & set(ids)) == -(-len(ids) * percent // 100)


def test_a_share_outside_zero_to_a_hundred_is_refused():
    with pytest.raises(ValueError):
        sample({"a": [1]}, D(0), seed=1)
    with pytest.raises(ValueError):
        sample({"a": [1]}, D(101), seed=1)


def test_assignment_balances_load_within_the_counties_covered():
    firms = [(1, "360102"), (2, "360102"), (3, "360102"), (4, "360111"), (5, "360402")]
    commissioners = {10: ("360102",), 11: ("3601",), 12: ("3604",)}
    # 4 (青山湖区) only 11 covers, 5 (九江) only 12: placed first; then 1–3 go to the least loaded of 10 and 11
    assert assign(firms, commissioners) == {1: 10, 2: 10, 3: 11, 4: 11, 5: 12}
    # what a commissioner already carries counts
    assert assign(firms[:2], commissioners, load={10: 5}) == {1: 11, 2: 11}
    assert assign([(6, "360702")], commissioners) == {6: None}  # nobody covers 赣州
