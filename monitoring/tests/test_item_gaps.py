"""The items (条款) that hold most enterprises below their next level: the rule (`gaps.item_marks`), the tallies
written from the results' snapshots (`cube.rebuild`, in SQL on both engines) and the top-gaps items figure in the
page, the XLSX export and the JSON table, with its scope. The results are made by the real scoring services (answers
saved and submitted), so the snapshots are the engine's own; the expected counts are worked out by hand below."""

import io
import json
from decimal import Decimal as D

import pytest
from django.utils import timezone
from openpyxl import load_workbook

import maturity
from accounts.models import User
from assessments import services
from assessments.import_results import batch_rows
from assessments.models import Assessment, ModelVersion
from maturity.answers import applies
from maturity.base import NA
from monitoring import cube, figures, gaps
from monitoring.figures import View
from monitoring.models import CubeRefresh, ExpandedResult, ResultItemGap, Tally, TallyItem
from regions.models import Region

pytestmark = pytest.mark.django_db


def submit(enterprise, code: str, answers: dict) -> Assessment:
    """A self-assessment of the current version of model `code`, answered and submitted through the services."""
    version = ModelVersion.objects.get(code=code, is_current=True)
    actor = User.objects.get(username="enterprise")
    assessment = services.start(actor=actor, enterprise=enterprise, version=version, kind=Assessment.Kind.SELF)
    assert services.save_answers(actor=actor, assessment=assessment, updates=answers) == {}
    services.submit(actor=actor, assessment=assessment)
    return assessment


def cmmm_answers(enterprise, by_level: dict[int, str], exceptions: dict | None = None) -> dict:
    """An answer for every CMMM item that applies to the enterprise: by the item's level ("full" 1.0, "most" 0.8 —
    exactly the pass threshold —, "partial" 0.5, "none" 0), with some items answered otherwise."""
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    context = services.default_context(enterprise)
    answers = {
        ref.item.code: by_level[ref.item.level] for ref in version.parsed().iter_items() if applies(ref, context)
    }
    answers.update(exceptions or {})
    return answers


# SME 2022 (score_bands, 20 / 40 / 60 / 80 of 100): each item at about half its points, so the total is about 50,
# level 2, whose next level asks 60 % of each item's points.
SME_HALF = {
    "B1.1": ["ot-net", "it-net"], "B1.2": 30, "B1.3": 30, "B2.1": ["product-design", "process-design", "marketing",
    "after-sales", "scheduling", "production-control", "hr"], "B3.1": "several", "B4.1": ["policy", "products"],
    "B4.2": ["policy", "protection"], "O1.1": "2", "O1.2": "2", "O1.3": "2", "O1.4": "2", "O2.1": "2", "O2.2": "2",
    "O2.3": "2", "O2.4": "2", "O2.5": "2", "O2.6": "2", "O3.1": "2", "O3.2": "2", "O4.1": "2", "O4.2": "2",
    "O4.3": "2", "O4.4": "2", "M1.1": "planned", "M1.2": ["process", "systems"], "M2.1": ["staff", "unit"],
    "M2.2": "20-40", "E1.1": "flat", "E2.1": "flat", "E3.1": "flat", "E3.2": "flat",
}  # fmt: skip
# About a quarter of each item's points (the E items have no such option: half), a total of about 30: level 1, whose
# next level asks 40 %.
SME_QUARTER = {
    **SME_HALF, "B1.1": ["ot-net"], "B1.2": 15, "B1.3": 15, "B2.1": ["product-design", "process-design", "hr"],
    "B3.1": "single", "B4.1": ["policy"], "B4.2": ["policy"], "M1.1": "aware", "M1.2": ["process"],
    "M2.1": ["staff"], "M2.2": "10-20", **{code: "1" for code in SME_HALF if code.startswith("O")},
}  # fmt: skip


@pytest.fixture
def assessed(world, make_enterprise):
    """CMMM in 东湖区 (360102), levels from the engine (a level passes when its items average 0.8):

    - one: level 1 — level 1 all "full" but P1.1-L1-2 "partial" (0.5); level 2 all "most" but P1.1-L2-1 "partial"
      (its average falls below 0.8) and M1.1-L2-1 not applicable; levels 3–5 "none" (not asked of level 1 → 2);
      gaps: P1.1-L1-2, P1.1-L2-1;
    - zero: level 0 — level 1 "most" but P1.1-L1-1 "none", M1.1-L1-1 not applicable; levels 2–5 "none" (not asked
      of level 0 → 1); gaps: P1.1-L1-1;
    - three: level 1 — level 1 "full" but M1.1-L1-1 "partial"; level 2 "most" but P1.1-L2-1 "none"; gaps: M1.1-L1-1,
      P1.1-L2-1;
    - top: level 5 — everything "full" but P1.1-L1-1 "partial": no next level, no gaps;
    - lake: 青山湖区 (360111), answered as `one`: gaps P1.1-L1-2, P1.1-L2-1.

    SME 2022 in 东湖区: half (level 2, mark 0.6): every item but M1.1 (1.5 of 3.75 = 0.4 → "retrofitted" 0.6, at the
    mark) and O1.1 ("4", full); quarter (level 1, mark 0.4): every item but the E items (0.5) and B3.1 ("several",
    0.5); full (level 4, the top): O1.2 at 0.5 but no next level."""
    east = [make_enterprise("360102", is_above_scale=True) for _ in range(6)]
    lake = make_enterprise("360111", is_above_scale=True)
    full, most, partial, none = "full", "most", "partial", "none"
    as_one = {1: full, 2: most, 3: none, 4: none, 5: none}
    made = {
        "one": submit(east[0], "cmmm", cmmm_answers(
            east[0], as_one, {"P1.1-L1-2": partial, "P1.1-L2-1": partial, "M1.1-L2-1": NA})),
        "zero": submit(east[1], "cmmm", cmmm_answers(
            east[1], {1: most, 2: none, 3: none, 4: none, 5: none}, {"P1.1-L1-1": none, "M1.1-L1-1": NA})),
        "three": submit(east[2], "cmmm", cmmm_answers(east[2], as_one, {"M1.1-L1-1": partial, "P1.1-L2-1": none})),
        "top": submit(east[3], "cmmm", cmmm_answers(east[3], dict.fromkeys(range(1, 6), full), {"P1.1-L1-1": partial})),
        "lake": submit(lake, "cmmm", cmmm_answers(lake, as_one, {"P1.1-L1-2": partial, "P1.1-L2-1": partial})),
        "half": submit(east[0], "sme-2022", {**SME_HALF, "M1.1": "retrofitted", "O1.1": "4"}),
        "quarter": submit(east[1], "sme-2022", {**SME_QUARTER, "B3.1": "several"}),
        "full": submit(east[4], "sme-2022", {
            "B1.1": ["ot-net", "it-net", "5g", "coverage"], "B1.2": 80, "B1.3": 80, "B2.1": [
                "product-design", "process-design", "marketing", "after-sales", "scheduling", "production-control",
                "quality", "equipment", "safety", "energy", "procurement", "warehousing", "finance", "hr"],
            "B3.1": "all", "B4.1": ["policy", "products", "risk", "access"],
            "B4.2": ["policy", "protection", "risk", "inventory"], **{c: "4" for c in SME_HALF if c.startswith("O")},
            "O1.2": "2", "M1.1": "benchmarking", "M1.2": ["process", "systems", "data", "incentives"],
            "M2.1": ["staff", "unit", "training", "pay", "pipeline"], "M2.2": "60-100", "E1.1": "down",
            "E2.1": "up", "E3.1": "up", "E3.2": "down",
        }),
    }  # fmt: skip
    levels = {key: assessment.results.get(is_current=True).level for key, assessment in made.items()}
    assert levels == {"one": 1, "zero": 0, "three": 1, "top": 5, "lake": 1, "half": 2, "quarter": 1, "full": 4}
    cube.rebuild()
    return made


def items_of(figure) -> dict[str, list]:
    """{item code: [domain, enterprises, share]} of the items figure."""
    return {row[1]: [row[2], *row[3:]] for row in figure.rows}


def test_the_item_rule_per_model():
    specs = {v.code: v.parsed() for v in ModelVersion.objects.filter(is_current=True)}
    cmmm = gaps.item_marks(specs["cmmm"])
    # Level 0 → 1 asks the level-1 items (22) at 0.8; level 4 → 5 every item (169); none above level 5.
    assert len([key for key in cmmm if key[1] == 0]) == 22 and len([key for key in cmmm if key[1] == 4]) == 169
    assert cmmm[("P1.1-L1-1", 0)] == cmmm[("P1.1-L5-1", 4)] == 0.8
    assert ("P1.1-L2-1", 0) not in cmmm and ("P1.1-L2-1", 1) in cmmm and ("P1.1-L1-1", 5) not in cmmm
    sme = gaps.item_marks(specs["sme-2022"])
    assert sme[("O1.1", 0)] == 0.2 and sme[("O1.1", 2)] == 0.6 and sme[("O1.1", 3)] == 0.8
    assert ("O1.1", 4) not in sme and len(sme) == 31 * 4
    # SME 2024's scenes stay out of its score (scenes_in_score: false), so out of its item gaps.
    sme_2024 = gaps.item_marks(specs["sme-2024"])
    assert {code for code, _level in sme_2024} == {
        ref.item.code for ref in specs["sme-2024"].iter_items() if ref.item.kind != "scene"
    }
    assert gaps.item_names("cmmm")["P1.1-L2-1"] == ("规划分解落实", "组织战略（人员）")


def test_item_gaps_are_counted_per_item_by_hand(assessed):
    county = View(region=Region.objects.get(code="360102"), min_group=3)
    figure = figures.top_gap_items(county)
    # P1.1-L2-1: one (0.5) and three (0). P1.1-L1-1: zero (0); top's 0.5 has no next level. P1.1-L1-2: one.
    # M1.1-L1-1: three (0.5); zero's is not applicable. Items at exactly 0.8 and the higher levels' "none" count not.
    m11_name, m11_domain = gaps.item_names("cmmm")["M1.1-L1-1"]
    assert figure.rows == [
        ["规划分解落实", "P1.1-L2-1", "组织战略（人员）", 2, D("66.67")],
        ["智能制造规划", "P1.1-L1-1", "组织战略（人员）", 1, D("33.33")],
        ["核心业务流程化", "P1.1-L1-2", "组织战略（人员）", 1, D("33.33")],
        [m11_name, "M1.1-L1-1", m11_domain, 1, D("33.33")],
    ]
    assert figure.covers == 3  # one, zero, three: the top-level firm has no next level
    city = items_of(figures.top_gap_items(View(region=Region.objects.get(code="360100"), min_group=5)))
    assert city["P1.1-L2-1"][1:] == [3, None] and city["P1.1-L1-2"][1] == 2  # 青山湖区's firm too; under 5: no share
    tallied = dict(
        Tally.objects.filter(measure="item_gap", model_code="cmmm", basis="self", county_id="360102")
        .values_list("node_code", "n")
    )  # fmt: skip
    assert tallied == {"P1.1-L2-1": 2, "P1.1-L1-1": 1, "P1.1-L1-2": 1, "M1.1-L1-1": 1}
    # The diagnosis basis has no results; the node gaps are still there beside the items.
    assert figures.top_gap_items(View(region=county.region, basis="diagnosis")).rows == []
    assert Tally.objects.filter(measure="gap", model_code="cmmm", county_id="360102").exists()


def test_item_gaps_of_a_score_band_model(assessed):
    view = View(region=Region.objects.get(code="360102"), model_code="sme-2022", min_group=1)
    tallied = dict(
        Tally.objects.filter(measure="item_gap", model_code="sme-2022", basis="self").values_list("node_code", "n")
    )
    # half (level 2, below 0.6): all but M1.1 (0.6) and O1.1 (1.0); quarter (level 1, below 0.4): all but E1.1–E3.2
    # and B3.1 (0.5); full (level 4): none.
    once = {"O1.1", "M1.1", "B3.1", "E1.1", "E2.1", "E3.1", "E3.2"}
    assert tallied == {code: 1 if code in once else 2 for code in SME_HALF}
    figure = figures.top_gap_items(view)
    # The top 20: the 24 items of both firms, in the model's order (B1.1 … O4.3), each 2 of the 2 with a next level.
    twice = [code for code in SME_HALF if code not in once]
    assert [row[1] for row in figure.rows] == twice[:20] and figure.rows[-1][1] == "O4.3"
    assert {row[3] for row in figure.rows} == {2} and figure.rows[0][4] == D("100.00") and figure.covers == 2
    assert figure.rows[6][:3] == ["工艺设计", "O1.2", gaps.node_names("sme-2022")["O1"][0]]


def test_a_county_officer_gets_only_their_countys_items(assessed, login, world):
    client = login(world["county"])  # 东湖区
    table = json.loads(client.get("/monitoring/r/360102/figures/?export=gap_items&format=json").content)
    assert table["headers"][:3] == ["条款", "条款编号", "所属能力域/子域"]
    assert {row[1]: row[3] for row in table["rows"]} == {"P1.1-L2-1": 2, "P1.1-L1-1": 1, "P1.1-L1-2": 1,
                                                         "M1.1-L1-1": 1}  # fmt: skip
    exported = client.get("/monitoring/r/360102/figures/?export=gap_items").content
    values = list(load_workbook(io.BytesIO(exported)).active.values)
    assert values[0][0].startswith("江西省 南昌市 东湖区 · 短板条款")
    assert ("规划分解落实", "P1.1-L2-1", "组织战略（人员）", 2) in [row[:4] for row in values]
    for path in ["/monitoring/r/360111/figures/?export=gap_items&format=json",
                 "/monitoring/r/360100/figures/?export=gap_items"]:  # fmt: skip
        assert client.get(path).status_code == 404, path
    city = json.loads(login(world["city"]).get("/monitoring/r/360100/figures/?export=gap_items&format=json").content)
    assert {row[1]: row[3] for row in city["rows"]}["P1.1-L2-1"] == 3


def test_the_page_draws_the_items_figure(assessed, login, world):
    page = login(world["city"]).get("/monitoring/r/360100/figures/").content.decode()
    assert 'data-testid="figure-gap_items"' in page and 'data-testid="export-gap_items"' in page
    assert 'id="chart-gap_items"' in page and "规划分解落实" in page and 'data-testid="table-gap_items"' in page


def test_a_result_imported_without_item_scores_is_left_out_and_said_so(assessed, world, make_enterprise):
    """A large import stores compact snapshots (no per-item results: `assessments.import_results`), as here through
    the batch scorer: the enterprise counts in the node gaps but not among those the items figure covers."""
    firm = make_enterprise("360102", is_above_scale=True)
    version = ModelVersion.objects.get(code="cmmm", is_current=True)
    draft = services.start(actor=world["enterprise"], enterprise=firm, version=version, kind=Assessment.Kind.SELF)
    answers = cmmm_answers(firm, {1: "full", 2: "most", 3: "none", 4: "none", 5: "none"}, {"P1.1-L2-1": "none"})
    assert services.save_answers(actor=world["enterprise"], assessment=draft, updates=answers) == {}
    spec = version.parsed()
    row = batch_rows(spec, maturity.score_many(spec, [draft.answers], draft.context), [True])[0]
    Assessment.objects.filter(pk=draft.pk).update(status=Assessment.Status.SUBMITTED, submitted_at=timezone.now())
    assert services.store_result(draft, version, row, reason="导入").snapshot["items"] == {} and row.level == 1
    cube.rebuild()
    county = View(region=Region.objects.get(code="360102"), min_group=3)
    items = figures.top_gap_items(county)
    assert items.covers == 3 and items.rows[0][1:4] == ["P1.1-L2-1", "组织战略（人员）", 2]
    assert "另有 1 家企业的最新结果来自批量导入" in items.note
    assert figures.top_gaps(county).covers == 4


def item_tallies() -> set[tuple]:
    """Every item tally row (gaps and the enterprises with item scores), as comparable tuples."""
    return set(
        Tally.objects.filter(measure__in=["item_gap", "item_scored"]).values_list(
            "year", "measure", "model_code", "basis", "node_code", "level", "n", "county_id", "above_scale"
        )
    )


def east_items() -> dict[str, int]:
    return dict(
        Tally.objects.filter(measure="item_gap", model_code="cmmm", basis="self", county_id="360102")
        .values_list("node_code", "n")
    )  # fmt: skip


def test_results_written_after_a_rebuild_count_and_superseded_ones_stop(assessed, world, make_enterprise):
    """The item gaps are read once per result into narrow rows (`ResultItemGap`) and kept between rebuilds: a result
    submitted after a rebuild counts at the next one, a result rescored (a new current result) or superseded by a
    newer assessment of its enterprise stops counting, and the kept rows are exactly those of the chosen results."""
    assert east_items() == {"P1.1-L2-1": 2, "P1.1-L1-1": 1, "P1.1-L1-2": 1, "M1.1-L1-1": 1}
    as_one = {1: "full", 2: "most", 3: "none", 4: "none", 5: "none"}
    # (a) A new firm in 东湖区 answered as `one`: level 1, gaps P1.1-L1-2 and P1.1-L2-1.
    newcomer = make_enterprise("360102", is_above_scale=True)
    submit(newcomer, "cmmm", cmmm_answers(newcomer, as_one, {"P1.1-L1-2": "partial", "P1.1-L2-1": "partial"}))
    # (b) `three`'s enterprise assesses again, everything "full": level 5, no next level, so its old gaps
    # (M1.1-L1-1, P1.1-L2-1) go although the old result is still that assessment's current one.
    firm = assessed["three"].enterprise
    submit(firm, "cmmm", cmmm_answers(firm, dict.fromkeys(range(1, 6), "full")))
    # (b) `one` is rescored with P1.1-L1-2 now "full" (a new current result, the old one kept as history): still
    # level 1 (P1.1-L2-1 keeps level 2 out of reach), its only gap P1.1-L2-1.
    one = assessed["one"]
    old = one.results.get(is_current=True)
    answers = {**one.answers, "P1.1-L1-2": "full"}
    Assessment.objects.filter(pk=one.pk).update(answers=answers)
    spec = one.model_version.parsed()
    rescored = services.store_result(one, one.model_version, maturity.score(spec, answers, one.context), reason="重评")
    assert rescored.level == 1 and not one.results.get(pk=old.pk).is_current
    assert east_items() == {"P1.1-L2-1": 2, "P1.1-L1-1": 1, "P1.1-L1-2": 1, "M1.1-L1-1": 1}  # until the rebuild
    cube.rebuild()
    # P1.1-L2-1: one (rescored) and the newcomer; P1.1-L1-2: the newcomer; P1.1-L1-1: zero; M1.1-L1-1: nobody.
    assert east_items() == {"P1.1-L2-1": 2, "P1.1-L1-1": 1, "P1.1-L1-2": 1}
    scored = Tally.objects.filter(measure="item_scored", model_code="cmmm", basis="self", county_id="360102")
    assert dict(scored.values_list("level", "n")) == {0: 1, 1: 2, 5: 2}  # zero; one, newcomer; top, three's firm
    # The kept rows: the latest current result of each enterprise and model (here every basis chooses the same).
    chosen = {
        a.results.get(is_current=True).pk
        for a in Assessment.objects.filter(status=Assessment.Status.SUBMITTED).exclude(pk=assessed["three"].pk)
    }
    assert set(ExpandedResult.objects.values_list("result_id", flat=True)) == chosen
    assert not ResultItemGap.objects.filter(result_id__in=[old.pk, assessed["three"].results.get().pk]).exists()
    numbers = dict(TallyItem.objects.filter(model_code="cmmm").values_list("id", "code"))
    assert {numbers[n] for n in ResultItemGap.objects.filter(result_id=rescored.pk).values_list("item_id", flat=True)
            } == {"P1.1-L2-1"}  # fmt: skip


def test_the_kept_rows_give_the_tallies_of_a_derivation_from_scratch(assessed, world, make_enterprise):
    """After rebuilds that each read only the new results, the item tallies are those of reading every snapshot
    again: with the kept rows dropped, and when the marks change (their digest no longer matches)."""
    first = item_tallies()
    cube.rebuild()  # nothing new to read
    assert item_tallies() == first
    firm = make_enterprise("360111", is_above_scale=True)
    submit(firm, "cmmm", cmmm_answers(firm, {1: "most", 2: "none", 3: "none", 4: "none", 5: "none"},
                                      {"P1.1-L1-1": "partial"}))  # fmt: skip
    submit(assessed["zero"].enterprise, "sme-2022", {**SME_HALF, "M1.1": "retrofitted", "O1.1": "4"})
    cube.rebuild()
    incremental = item_tallies()
    assert incremental != first
    kept = set(ResultItemGap.objects.values_list("result_id", "item_id"))
    ExpandedResult.objects.all().delete()
    ResultItemGap.objects.all().delete()
    cube.rebuild()
    assert item_tallies() == incremental
    assert set(ResultItemGap.objects.values_list("result_id", "item_id")) == kept
    CubeRefresh.objects.update(item_marks="another version's marks")
    ResultItemGap.objects.create(
        result_id=assessed["one"].results.get().pk,
        item_id=TallyItem.objects.get(model_code="cmmm", code="P1.1-L5-1").pk,
    )  # a row derived with other marks: dropped with the rest
    cube.rebuild()
    assert item_tallies() == incremental and set(ResultItemGap.objects.values_list("result_id", "item_id")) == kept
