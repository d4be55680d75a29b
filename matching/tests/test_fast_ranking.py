"""The vectorised engine against the plain per-solution reference (matching/tests/reference.py): same ranked ids,
scores, signals, exclusion counts and explanations, on the labelled catalog and on seeded random catalogs and needs.
All data here is SYNTHETIC."""

import random

import pytest

from matching import rank as fast
from matching.evaluation import load_catalog, load_needs
from matching.model import Case, Catalog, Gap, Need, Outcome, Provider, Solution
from matching.taxonomy import scenarios

from . import reference

# Served regions include codes that are not divisions ("000000", "3205", "32", ""): the engine must refuse them
# the same way as the reference. A need's region is always a division (an unknown one raises RegionCodeError).
REGIONS = ["", "000000", "320000", "320500", "320583", "330000", "3205", "32", "440300", "370000"]
NEED_REGIONS = ["", "320000", "320500", "320583", "330000", "440300", "370000", "110000"]
INDUSTRIES = ["13", "17", "26", "29", "33", "34", "36", "39"]


def assert_same(need, catalog, **options):
    got = fast.rank_with_diagnostics(need, catalog, **options)
    want = reference.rank_with_diagnostics(need, catalog, **options)
    assert [r.solution_id for r in got.recommendations] == [r.solution_id for r in want.recommendations]
    for a, b in zip(got.recommendations, want.recommendations, strict=True):
        assert a.score == pytest.approx(b.score, abs=1e-9)
        assert a.signals == pytest.approx(b.signals, abs=1e-9)
        assert a.breakdown == pytest.approx(b.breakdown, abs=1e-9)
        assert (a.rank, a.provider_id, a.reasons, a.explanation) == (b.rank, b.provider_id, b.reasons, b.explanation)
    assert got.excluded == want.excluded and got.why_few() == want.why_few()
    return got


def random_catalog(rng: random.Random, n_solutions: int, n_providers: int) -> Catalog:
    """Solutions recombined from the labelled catalog's texts, with every field drawn at random (edge cases too:
    unknown providers, odd region codes, repeated scenarios, missing prices, identical texts that tie)."""
    base = load_catalog().solutions
    codes = sorted(scenarios())
    providers = {
        f"P{i}": Provider(
            f"P{i}",
            f"服务商{i}",
            grade=rng.choice(["A", "b", "C", "D", "", "5", "3", "x"]),
            status=rng.choice(["active"] * 6 + ["warned", "suspended", "removed"]),
            regions=tuple(rng.sample(REGIONS, rng.randint(0, 2))),
        )
        for i in range(n_providers)
    }
    solutions = []
    for i in range(n_solutions):
        a, b = rng.choice(base), rng.choice(base)
        low = rng.choice([None, 1.0, 5.0, 20.0, 60.0, 150.0])
        solutions.append(
            Solution(
                f"S{i:05d}",
                f"P{rng.randrange(n_providers + 3)}",  # a few point at providers not in the catalog
                a.title if rng.random() < 0.8 else "通用方案",
                b.description if rng.random() < 0.9 else "",
                scenarios=tuple(rng.choices(codes, k=rng.randint(0, 4))),
                industries=tuple(rng.sample(INDUSTRIES, rng.choice([0, 0, 1, 2]))),
                regions=tuple(rng.sample(REGIONS, rng.choice([0, 0, 0, 1]))),
                sizes=tuple(rng.sample(["micro", "small", "medium", "large"], rng.randint(0, 3))),
                tiers=tuple(rng.sample(["基础级", "先进级", "卓越级", "领航级"], rng.choice([0, 0, 1, 2]))),
                deployments=tuple(rng.sample(["cloud", "on_premise", "hybrid"], rng.randint(0, 2))),
                price_min=low,
                price_max=None if low is None or rng.random() < 0.2 else low * rng.choice([1.5, 3.0]),
                lightweight=rng.random() < 0.2,
            )
        )
    cases = [
        Case(
            rng.choice(solutions).id if rng.random() < 0.95 else "S-unknown",
            "",
            rng.choice(INDUSTRIES),
            rng.choice(["320583", "330106", "440305", "3", "32"]),
            verified=rng.random() < 0.7,
        )
        for _ in range(n_solutions // 2)
    ]
    return Catalog(solutions, providers, cases)


def random_need(rng: random.Random, texts: list[str]) -> Need:
    codes = sorted(scenarios())
    kind = rng.randrange(3)
    fields = dict(
        industry=rng.choice(["", *INDUSTRIES]),
        region=rng.choice(NEED_REGIONS),
        size=rng.choice(["", "micro", "small", "medium", "large"]),
        tier=rng.choice(["", "", "先进级"]),
    )
    if kind == 2:
        gaps = [Gap(c, rng.choice([0.2, 0.35, 0.5, 0.8, 1.0])) for c in rng.sample(codes, rng.randint(1, 8))]
        return Need.from_gaps(gaps, **fields)
    return Need(
        text=rng.choice(texts) if kind == 0 or rng.random() < 0.8 else "",
        scenarios=tuple(rng.sample(codes, rng.choice([0, 0, 1, 3]))),
        budget_max=rng.choice([None, 5.0, 30.0, 100.0]),
        deployments=tuple(rng.sample(["cloud", "on_premise", "hybrid"], rng.choice([0, 0, 1, 2]))),
        **fields,
    )


def test_fast_engine_equals_the_reference_on_the_labelled_catalog():
    catalog = load_catalog()
    for need, _ in load_needs():
        assert_same(need, catalog)
        assert_same(need, catalog, k=5, max_per_provider=1)


def test_fast_engine_equals_the_reference_on_seeded_random_needs():
    rng = random.Random(20261202)
    catalog = random_catalog(rng, 1500, 120)
    texts = [need.text for need, _ in load_needs()] + ["排产", "能耗", "AI质检", "仓库", "设备联网 数据采集"]
    log = [
        Outcome(
            rng.choice(catalog.solutions).id,
            rng.choice(["shown", "contacted", "contracted", "rated"]),
            need_id=f"n{i}",
            scenarios=tuple(rng.sample(sorted(scenarios()), 2)),
            stars=rng.randint(1, 5),
        )
        for i in range(300)
    ]
    full = 0
    for i in range(300):
        need = random_need(rng, texts)
        options = {"k": rng.choice([3, 10, 25]), "max_per_provider": rng.choice([1, 2, 3])}
        if i % 4 == 0:
            options.update(outcomes=log, weights={"outcome": 0.3})
        full += len(assert_same(need, catalog, **options).recommendations) == options["k"]
    assert full > 150  # most needs fill their list, so the comparison covers the diversity cap


def test_many_identical_solutions_tie_break_by_id_across_the_partial_sort():
    # 400 equal scores: the top k must come from the id order, not from where NumPy's partition put them.
    providers = {f"P{i}": Provider(f"P{i}", f"服务商{i}") for i in range(40)}
    solutions = [Solution(f"S{(i * 37) % 400:03d}", f"P{i % 40}", "智能排产APS", "插单排程") for i in range(400)]
    catalog = Catalog(solutions, providers)
    ranked = assert_same(Need(text="排产"), catalog)
    assert [r.solution_id for r in ranked.recommendations][:3] == ["S000", "S001", "S002"]


def test_provider_ranking_equals_the_reference():
    rng = random.Random(7)
    catalog = random_catalog(rng, 600, 50)
    for need, _ in load_needs()[:15]:
        got = fast.rank_providers(need, catalog, k=8)
        want = reference.rank_providers(need, catalog, k=8)
        assert [(p.provider_id, p.solution_ids) for p in got] == [(pid, ids) for pid, _, ids in want]
        assert [p.score for p in got] == pytest.approx([s for _, s, _ in want], abs=1e-9)
