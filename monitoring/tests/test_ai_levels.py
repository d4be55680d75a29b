"""Monitoring counts AI levels like any model's: the level distribution of the provisional AI-level model (code
`ai-level`), from results the engine scored (synthetic enterprises and answers)."""

import pytest

from assessments import services as assessment_services
from assessments.models import ModelVersion
from monitoring import cube, figures
from monitoring.figures import View
from regions.models import Region

pytestmark = pytest.mark.django_db


def submit_ai(world, enterprise, scene: int, foundations: list[int]):
    """Every scene at `scene`, F1–F6 as given: the level is what the engine makes of it."""
    version = ModelVersion.objects.get(code="ai-level", is_current=True)
    a = assessment_services.start(actor=world["county"], enterprise=enterprise, version=version, kind="diagnosis")
    answers = {r.item.code: scene for r in version.parsed().iter_items() if r.item.kind == "scene"}
    answers |= {f"F{i}": str(g) for i, g in enumerate(foundations, 1)}
    assessment_services.save_answers(actor=world["county"], assessment=a, updates=answers)
    assessment_services.submit(actor=world["county"], assessment=a)
    return a.results.get(is_current=True)


def test_the_level_distribution_counts_the_ai_level_model(world, make_enterprise):
    nanchang = [make_enterprise("360102", is_above_scale=True) for _ in range(4)]
    jiujiang = make_enterprise("360402", is_above_scale=True)
    # All 2 → 2.0 → L2; all 3 but governance 1 → 2.833 (L2 by score), capped to L1; nothing with AI → L0; all 4 → L4.
    levels = [
        submit_ai(world, nanchang[0], 2, [2] * 6).level,
        submit_ai(world, nanchang[1], 3, [3, 3, 3, 3, 3, 1]).level,
        submit_ai(world, nanchang[2], 0, [0] * 6).level,
        submit_ai(world, jiujiang, 4, [4] * 6).level,
    ]
    assert levels == [2, 1, 0, 4]
    cube.rebuild()
    view = View(region=Region.objects.get(code="360000"), model_code="ai-level", basis="diagnosis")
    figure = figures.level_distribution(view)
    assert figure.headers == ["地区", "未评估", "L0 未起步", "L1 探索起步", "L2 模型辅助", "L3 闭环驱动", "L4 协同智能"]
    rows = {row[0]: row[1:] for row in figure.rows}
    assert rows["南昌市"] == [1, 1, 1, 1, 0, 0]  # unassessed (nanchang[3]), L0, L1, L2, L3, L4
    assert rows["九江市"] == [0, 0, 0, 0, 0, 1]
    # The CMMM figure does not count AI results.
    cmmm = {row[0]: row[1:] for row in figures.level_distribution(View(region=view.region, basis="diagnosis")).rows}
    assert cmmm["南昌市"][0] == 4 and sum(cmmm["南昌市"][1:]) == 0


def test_the_ai_level_model_has_next_level_marks_for_the_gap_tallies():
    """capped_bands reads its bands like score_bands: L1 from a mean of 1 of 4, L2 from 2, L3 from 3, L4 at 4."""
    from pathlib import Path

    import maturity
    from maturity.loaders import load_yaml
    from monitoring.gaps import next_level_marks

    spec = load_yaml(Path(maturity.__file__).parent / "library" / "ai-level-2026.yaml")
    assert next_level_marks(spec) == {0: 0.25, 1: 0.5, 2: 0.75, 3: 1.0}
