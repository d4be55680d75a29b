"""The per-catalog index: the BM25 text index plus one NumPy array (or posting list) per filter and signal input.

Built once per catalog (cached on it) so that a query never loops over the solutions in Python: hard filters are
boolean masks over every solution, and signals are computed only for the solutions a query reaches through the
text postings or the scenario postings. Every value is computed with the same floating-point operations, in the
same order, as the plain per-solution definitions (see matching/tests/reference.py), so rankings are identical.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property

import numpy as np

from .bm25 import BM25
from .model import Catalog, Solution, is_division, region_prefix
from .tokenize import tokenize

GRADE_SCORE = {"A": 1.0, "B": 0.7, "C": 0.4, "D": 0.2, "5": 1.0, "4": 0.8, "3": 0.6, "2": 0.4, "1": 0.2}


def solution_text(solution: Solution) -> str:
    # The title counts twice: it is the provider's own summary of what the solution is.
    return f"{solution.title} {solution.title} {solution.description}"


def _postings(values: Iterable[Iterable[str]]) -> dict[str, np.ndarray]:
    """value → ascending solution positions (each position once per value): a CSR matrix kept as a dict of rows."""
    lists: dict[str, list[int]] = {}
    for i, items in enumerate(values):
        for item in dict.fromkeys(items):
            lists.setdefault(item, []).append(i)
    return {key: np.array(ids, dtype=np.int64) for key, ids in lists.items()}


def _counts(pairs: Iterable[tuple[str, int]]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """key → (positions, counts) for counted (key, position) pairs."""
    table: dict[str, dict[int, int]] = {}
    for key, i in pairs:
        row = table.setdefault(key, {})
        row[i] = row.get(i, 0) + 1
    return {
        key: (np.fromiter(row.keys(), dtype=np.int64), np.fromiter(row.values(), dtype=np.int64))
        for key, row in table.items()
    }


@dataclass
class Index:
    bm25: BM25
    position: dict[str, int]
    ids: list[str]
    provider_ids: list[str]
    inactive: np.ndarray  # provider missing, suspended or removed
    grade: np.ndarray  # the grade signal (halved for a warned provider)
    regions_any: np.ndarray  # serves everywhere (no regions on the solution nor its provider)
    regions: dict[str, np.ndarray]  # served-region prefix → positions
    industries_any: np.ndarray
    industries: dict[str, np.ndarray]
    deployments_any: np.ndarray
    deployments: dict[str, np.ndarray]
    sizes_any: np.ndarray
    sizes: dict[str, np.ndarray]
    tiers_any: np.ndarray
    tiers: dict[str, np.ndarray]
    price_min: np.ndarray  # NaN where unknown
    price_max: np.ndarray
    scenarios: dict[str, np.ndarray]  # scenario code → positions
    cases_by_industry: dict[str, tuple[np.ndarray, np.ndarray]]  # verified cases per (industry, solution)
    cases_by_area: dict[str, tuple[np.ndarray, np.ndarray]]  # verified cases per (region's first 1 or 2 digits)
    refused_regions: list[tuple[str, str]]  # (solution id, served code) pairs that are not known divisions

    @property
    def n(self) -> int:
        return len(self.ids)

    @cached_property
    def id_array(self) -> np.ndarray:
        """``ids`` as an object array: a query takes the ids of thousands of candidates by one fancy index."""
        return np.array(self.ids, dtype=object)

    @cached_property
    def provider_array(self) -> np.ndarray:
        return np.array(self.provider_ids, dtype=object)

    def covering(self, prefixes: dict[str, np.ndarray], any_: np.ndarray, keys: Iterable[str]) -> np.ndarray:
        """Mask of solutions that accept any of ``keys`` (or accept everything)."""
        ok = any_.copy()
        for key in keys:
            posting = prefixes.get(key)
            if posting is not None:
                ok[posting] = True
        return ok

    def case_counts(self, table: dict[str, tuple[np.ndarray, np.ndarray]], key: str) -> np.ndarray:
        out = np.zeros(self.n, dtype=np.int64)
        if key and key in table:
            ids, counts = table[key]
            out[ids] = counts
        return out


def build(catalog: Catalog) -> Index:
    solutions = catalog.solutions
    n = len(solutions)
    position = {s.id: i for i, s in enumerate(solutions)}
    providers = [catalog.providers.get(s.provider_id) for s in solutions]
    inactive = np.array([p is None or p.status in ("suspended", "removed") for p in providers], dtype=bool)
    grade = np.zeros(n)
    for i, p in enumerate(providers):
        if p is not None:
            value = GRADE_SCORE.get(p.grade.upper(), 0.5)
            grade[i] = value * 0.5 if p.status == "warned" else value
    served = [s.regions or (p.regions if p is not None else ()) for s, p in zip(solutions, providers, strict=True)]
    # A served code that is not a known division is refused, never read as a prefix (a made-up "3" would cover
    # seven provinces); a solution whose every code is refused serves nowhere rather than everywhere.
    refused = sorted(
        {(s.id, code) for s, codes in zip(solutions, served, strict=True) for code in codes}
        - {(s.id, code) for s, codes in zip(solutions, served, strict=True) for code in codes
           if is_division(code, catalog.divisions)}
    )  # fmt: skip
    bad = {(sid, code) for sid, code in refused}

    def flags(values: list[tuple[str, ...]]) -> np.ndarray:
        return np.array([not v for v in values], dtype=bool)

    def prices(attr: str) -> np.ndarray:
        return np.array([np.nan if getattr(s, attr) is None else getattr(s, attr) for s in solutions], dtype=float)

    verified = [c for c in catalog.cases if c.verified and c.solution_id in position]
    area_pairs = [
        (c.region[:length], position[c.solution_id]) for c in verified for length in (1, 2) if len(c.region) >= length
    ]
    return Index(
        bm25=BM25([tokenize(solution_text(s)) for s in solutions]),
        position=position,
        ids=[s.id for s in solutions],
        provider_ids=[s.provider_id for s in solutions],
        inactive=inactive,
        grade=grade,
        regions_any=flags(served),
        regions=_postings(
            [region_prefix(r) for r in regions if (s.id, r) not in bad]
            for s, regions in zip(solutions, served, strict=True)
        ),
        refused_regions=refused,
        industries_any=flags([s.industries for s in solutions]),
        industries=_postings(s.industries for s in solutions),
        deployments_any=flags([s.deployments for s in solutions]),
        deployments=_postings(s.deployments for s in solutions),
        sizes_any=flags([s.sizes for s in solutions]),
        sizes=_postings(s.sizes for s in solutions),
        tiers_any=flags([s.tiers for s in solutions]),
        tiers=_postings(s.tiers for s in solutions),
        price_min=prices("price_min"),
        price_max=prices("price_max"),
        scenarios=_postings(s.scenarios for s in solutions),
        cases_by_industry=_counts((c.industry, position[c.solution_id]) for c in verified),
        cases_by_area=_counts(area_pairs),
    )


def index_of(catalog: Catalog) -> Index:
    cached = catalog._cache.get("index")
    if cached is None:
        cached = catalog._cache["index"] = build(catalog)
    return cached  # type: ignore[return-value]


def case_tables(same_industry: np.ndarray, nearby: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """0.7·(1 − e^(−s/1.5)) and 0.3·(1 − e^(−n/1.5)) by count, with math.exp (as the per-solution definition)."""
    top = int(max(same_industry.max(initial=0), nearby.max(initial=0)))
    first = np.array([0.7 * (1 - math.exp(-s / 1.5)) for s in range(top + 1)])
    second = np.array([0.3 * (1 - math.exp(-s / 1.5)) for s in range(top + 1)])
    return first[same_industry], second[nearby]
