"""Choosing a campaign's enterprises and sharing them among commissioners, with no Django: the same seed gives the
same sample on any machine, and every commissioner ends with as even a load as their counties allow."""

from __future__ import annotations

import math
import random
from collections.abc import Iterable
from decimal import Decimal


def sample(groups: dict[str, list[int]], share: Decimal, seed: int) -> list[int]:
    """From each group (e.g. a city's above-scale enterprises) the share asked, rounded up (a group of 3 at 10 %
    gives 1: every group is represented), drawn with a generator seeded by the seed and the group's key after
    sorting the ids, so that neither the order the database returned nor another group's size changes a draw."""
    if not 0 < share <= 100:
        raise ValueError("the share is a percentage above 0 and at most 100")
    chosen: list[int] = []
    for key in sorted(groups):
        ids = sorted(set(groups[key]))
        take = min(len(ids), math.ceil(len(ids) * share / 100))
        chosen += random.Random(f"{seed}:{key}").sample(ids, take)
    return sorted(chosen)


def assign(
    enterprises: Iterable[tuple[int, str]],
    commissioners: dict[int, tuple[str, ...]],
    load: dict[int, int] | None = None,
) -> dict[int, int | None]:
    """{enterprise: commissioner} for (enterprise, county code) pairs. A commissioner covers the counties under any
    of their region paths; each enterprise goes to the least loaded commissioner covering it (ties to the lower
    id), counting what they already carry (`load`), the enterprises with fewest choices first. An enterprise no
    commissioner covers gets None."""
    load = dict(load or {})
    for commissioner in commissioners:
        load.setdefault(commissioner, 0)
    result: dict[int, int | None] = {}
    covering = {
        enterprise: [c for c, paths in commissioners.items() if any(county.startswith(p) for p in paths)]
        for enterprise, county in enterprises
    }
    # The most constrained first: an enterprise only one commissioner covers must go to them, and the others then
    # fill around it (taking ids in order would load the widely covering commissioner before the rest arrive).
    for enterprise in sorted(covering, key=lambda e: (len(covering[e]), e)):
        if not covering[enterprise]:
            result[enterprise] = None
            continue
        best = min(covering[enterprise], key=lambda c: (load[c], c))
        result[enterprise] = best
        load[best] += 1
    return result
