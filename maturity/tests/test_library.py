"""The shipped model files load and match the structure recorded in standards.md."""

from pathlib import Path

import pytest

from maturity import score
from maturity.library import load
from maturity.loaders import dump_yaml, load_yaml
from maturity.spec import ModelSpec, Node

LIBRARY = Path(__file__).resolve().parent.parent / "library"
FILES = sorted(LIBRARY.glob("*.yaml"))


def test_cmmm_2020_skeleton_loads_with_4_elements_and_20_subdomains():
    spec = load("cmmm-2020")
    assert [n.name for n in spec.nodes] == ["人员", "技术", "资源", "制造"]
    domains = [d for e in spec.nodes for d in e.children]
    subdomains = [s for d in domains for s in d.children]
    assert len(domains) == 12 and len(subdomains) == 20
    assert [lv.number for lv in spec.levels] == [1, 2, 3, 4, 5]
    assert spec.status == "provisional" and spec.rule.status == "provisional"
    assert {d.name for d in domains if "未经核实" in (d.note or "")} == {"设计", "生产", "服务"}


def test_cmmm_2020_skeleton_scores_without_items():
    r = score(load("cmmm-2020"), {})
    assert r.level == 0 and r.provisional and all(lv.score is None for lv in r.levels)


# ---------------------------------------------------------------------------------------------------------------
# Every file in the library


def walk(nodes: list[Node], inherited_note: str):
    """(node, note in force) for every node, depth first; a node's own note wins over its ancestors'."""
    for n in nodes:
        note = n.note if n.note is not None else inherited_note
        yield n, note
        yield from walk(n.children, note)


def test_library_has_the_expected_files():
    assert {"sme-2024.yaml", "dcmm-2018.yaml"} <= {f.name for f in FILES}


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_loads_and_codes_are_unique(path: Path):
    spec = load_yaml(path)
    codes = [n.code for n, _ in walk(spec.nodes, "")] + [r.item.code for r in spec.iter_items()]
    assert len(codes) == len(set(codes))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_item_is_reachable_from_the_root(path: Path):
    spec = load_yaml(path)
    in_tree = [it.code for n, _ in walk(spec.nodes, "") for it in n.items]
    assert [r.item.code for r in spec.iter_items()] == in_tree
    assert all(r.path and r.path[0] in spec.nodes for r in spec.iter_items())


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_provisional_parts_carry_a_note(path: Path):
    spec = load_yaml(path)
    if spec.status == "provisional":
        assert spec.note.strip()
    for node, note in walk(spec.nodes, spec.note):
        if (node.status or spec.status) == "provisional":
            assert (note or "").strip(), node.code
    for ref in spec.iter_items():
        if ref.status == "provisional":
            assert ref.note.strip(), ref.item.code
    if (spec.rule.status or spec.status) == "provisional":
        assert (spec.rule.note or spec.note).strip()


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_dump_then_load_round_trips(path: Path):
    spec = load_yaml(path)
    assert load_yaml(dump_yaml(spec)) == spec


# ---------------------------------------------------------------------------------------------------------------
# SME 2024 (manufacturing table)


def item_max(item) -> float | None:
    """Maximum points of a scored item, read from the spec (not from the engine); None for scenes."""
    if item.kind in ("single_choice", "graded"):
        return max(o.points for o in item.options)
    if item.kind == "multi_select":
        total = sum(o.points for o in item.options)
        return min(total, item.cap) if item.cap is not None else total
    if item.kind == "numeric_bands":
        return max(b.points for b in item.bands)
    return None


def node_max(node: Node) -> float:
    if node.children:
        return sum(node_max(c) for c in node.children)
    return sum(m for it in node.items if (m := item_max(it)) is not None)


def by_code(spec: ModelSpec) -> dict[str, Node]:
    return {n.code: n for n, _ in walk(spec.nodes, "")}


@pytest.fixture(scope="module")
def sme() -> ModelSpec:
    return load("sme-2024")


def test_sme_status_and_level_rule_are_provisional(sme):
    assert sme.status == "provisional"
    assert sme.rule.type == "score_and_scene_counts" and sme.rule.status == "provisional"
    assert "2024 官方定级规则（分数 + 场景等级）未核实，暂用 2022 分数段" in sme.rule.note
    assert [(r.level, r.min_score, r.min_scenes) for r in sme.rule.requirements] == [
        (1, 20, 0),
        (2, 40, 0),
        (3, 60, 0),
        (4, 80, 0),
    ]
    funding = by_code(sme)["M2"].items[1]
    assert funding.name == "资金保障" and "疑似" in (funding.note or "")


def test_sme_scored_part_maxima(sme):
    nodes = by_code(sme)
    scored = [n for n in sme.nodes if n.code != "O"]
    # 50 + 30 + 20 = 100
    assert sum(node_max(n) for n in scored) == pytest.approx(100.0, abs=1e-9)
    assert {n.name: node_max(n) for n in scored} == pytest.approx(
        {"数字化基础": 50, "数字化管理": 30, "数字化成效": 20}
    )
    subs = {c.name: node_max(c) for n in scored for c in n.children}
    assert subs == pytest.approx(
        {
            "设备系统": 20,  # 网络建设 4 × 2 + 设备数字化 6 + 设备联网 6
            "数据采集": 10,  # 13 × 0.7 + 0.9
            "信息系统": 10,
            "信息安全": 10,  # (4 × 1.25) × 2
            "规划管理": 15,  # 规划实施 7.5 + 管理机制 4 × 1.875
            "要素保障": 15,  # 人才建设 5 × 1.5 + 资金保障 7.5
            "绿色低碳": 7,
            "产品质量": 7,
            "市场效益": 6,  # 3 + 3
        }
    )
    indicators = {it.name: item_max(it) for n in scored for c in n.children for it in c.items}
    assert indicators == pytest.approx(
        {
            "网络建设": 8,
            "设备数字化": 6,
            "设备联网": 6,
            "数据采集": 10,
            "信息系统": 10,
            "网络安全": 5,
            "数据安全": 5,
            "规划实施": 7.5,
            "管理机制": 7.5,
            "人才建设": 7.5,
            "资金保障": 7.5,
            "绿色低碳": 7,
            "产品质量": 7,
            "市场表现": 3,
            "价值效益": 3,
        }
    )
    # Points are encoded as weights: each item weighs its maximum, each node the sum of its children.
    for n in scored:
        for node, _ in walk([n], ""):
            assert node.weight == pytest.approx(node_max(node)), node.code
            for it in node.items:
                assert it.weight == pytest.approx(item_max(it)), it.code
    assert nodes["O"].weight == 0


def test_sme_scenes(sme):
    scenes = by_code(sme)["O"]
    assert [g.name for g in scenes.children] == [
        "产品生命周期数字化",
        "生产执行数字化",
        "供应链数字化",
        "管理决策数字化",
    ]
    assert [len(g.items) for g in scenes.children] == [4, 6, 2, 4]
    items = [it for g in scenes.children for it in g.items]
    assert len(items) == 16 and all(it.kind == "scene" and (it.min_grade, it.max_grade) == (1, 4) for it in items)
    assert "sceneType" in (scenes.note or "")
    assert all(r.item.kind != "scene" for r in sme.iter_items() if r.path[0].code != "O")


def sme_answers(sme: ModelSpec, *, best: bool) -> dict[str, object]:
    out: dict[str, object] = {}
    for ref in sme.iter_items():
        it = ref.item
        if it.kind == "multi_select":
            out[it.code] = [o.code for o in it.options] if best else []
        elif it.kind == "single_choice":
            pick = max if best else min
            out[it.code] = pick(it.options, key=lambda o: o.points).code
        elif it.kind == "numeric_bands":
            out[it.code] = 100 if best else 0
        elif it.kind == "scene":
            out[it.code] = it.max_grade if best else it.min_grade
    return out


def test_sme_all_max_and_all_min(sme):
    top = score(sme, sme_answers(sme, best=True))
    assert top.score == pytest.approx(100.0) and top.level == 4 and top.level_name == "四级" and top.provisional
    bottom = score(sme, sme_answers(sme, best=False))
    assert bottom.score == pytest.approx(0.0) and bottom.level == 0 and bottom.level_name == "一级以下"


# Hand-computed golden example (points):
#   数字化基础: 网络建设 4 × 2 = 8; 设备数字化 50% → (40,60] = 4.5; 设备联网 50% → 4.5; 数据采集 none = 0;
#               信息系统 ≥ 2 环节 = 5; 网络安全 4 × 1.25 = 5; 数据安全 4 × 1.25 = 5            → 32
#   数字化管理: 规划实施 见效 = 6; 管理机制 4 × 1.875 = 7.5; 人才建设 5 × 1.5 = 7.5; 资金保障 [0,10%] = 0 → 21
#   数字化成效: 绿色低碳 持平 3.5; 产品质量 持平 3.5; 市场表现 降低 0; 价值效益 增加 0          → 7
#   total 32 + 21 + 7 = 60.0 → 三级 (2022 band 60–80)
# Variant: drop one 人才建设 measure (−1.5) and add two 数据采集 环节 (+2 × 0.7 = +1.4) → 59.9 → 二级.
GOLDEN_60 = {
    "B1.1": ["ot-net", "it-net", "5g", "coverage"],
    "B1.2": 50,
    "B1.3": 50,
    "B2.1": [],
    "B3.1": "several",
    "B4.1": ["policy", "products", "risk", "access"],
    "B4.2": ["policy", "protection", "risk", "inventory"],
    "M1.1": "effective",
    "M1.2": ["process", "systems", "data", "incentives"],
    "M2.1": ["staff", "unit", "training", "pay", "pipeline"],
    "M2.2": "0-10",
    "E1.1": "flat",
    "E2.1": "flat",
    "E3.1": "down",
    "E3.2": "up",
}


def test_sme_golden_60_is_level_3(sme):
    r = score(sme, GOLDEN_60)
    assert r.score == pytest.approx(60.0, abs=1e-9) and r.level == 3 and r.level_name == "三级"


def test_sme_golden_59_9_is_level_2(sme):
    answers = {**GOLDEN_60, "M2.1": ["staff", "unit", "training", "pay"], "B2.1": ["quality", "equipment"]}
    r = score(sme, answers)
    assert r.score == pytest.approx(59.9, abs=1e-9) and r.level == 2 and r.level_name == "二级"


def test_sme_band_edges_and_scenes_do_not_count(sme):
    base = score(sme, GOLDEN_60).score
    with_scenes = score(sme, {**GOLDEN_60, "O2.2": 4, "O4.4": 3}).score
    assert with_scenes == pytest.approx(base)
    # 设备数字化 bands: 10% is still the 0-point band, just above 10% is not; 60% is 4.5, above is 6.
    for pct, pts in [(0, 0), (10, 0), (10.01, 1.5), (20, 1.5), (40, 3), (60, 4.5), (60.5, 6), (100, 6)]:
        r = score(sme, {**GOLDEN_60, "B1.2": pct})
        assert r.score == pytest.approx(60.0 - 4.5 + pts, abs=1e-9), pct


# ---------------------------------------------------------------------------------------------------------------
# DCMM


@pytest.fixture(scope="module")
def dcmm() -> ModelSpec:
    return load("dcmm-2018")


def test_dcmm_structure(dcmm):
    assert [(lv.number, lv.name) for lv in dcmm.levels] == [
        (1, "初始级"),
        (2, "受管理级"),
        (3, "稳健级"),
        (4, "量化管理级"),
        (5, "优化级"),
    ]
    assert [n.name for n in dcmm.nodes] == [
        "数据战略",
        "数据治理",
        "数据架构",
        "数据应用",
        "数据安全",
        "数据质量",
        "数据标准",
        "数据生存周期",
    ]
    assert [len(n.items) for n in dcmm.nodes] == [3, 3, 4, 3, 3, 4, 4, 4]
    assert len(list(dcmm.iter_items())) == 28
    assert dcmm.status == "provisional" and dcmm.rule.status == "provisional" and dcmm.rule.note


def dcmm_answers(dcmm: ModelSpec, default: int, **areas: list[int]) -> dict[str, object]:
    """Every item at `default`, except areas given by node code (e.g. D3=[5, 5, 5, 5])."""
    out: dict[str, object] = {}
    for node in dcmm.nodes:
        grades = areas.get(node.code, [default] * len(node.items))
        out.update({it.code: str(g) for it, g in zip(node.items, grades, strict=True)})
    return out


def test_dcmm_all_max_and_all_min(dcmm):
    top = score(dcmm, dcmm_answers(dcmm, 5))
    assert top.score == pytest.approx(5.0) and top.level == 5 and top.level_name == "优化级"
    bottom = score(dcmm, dcmm_answers(dcmm, 1))
    assert bottom.score == pytest.approx(1.0) and bottom.level == 1 and bottom.level_name == "初始级"


def test_dcmm_overall_is_mean_of_area_means(dcmm):
    # 数据架构 (4 items) all 5, everything else 1: mean of areas = (5 + 7 × 1) / 8 = 1.5,
    # whereas the plain mean of the 28 items would be (4 × 5 + 24 × 1) / 28 ≈ 1.571.
    r = score(dcmm, dcmm_answers(dcmm, 1, D3=[5, 5, 5, 5]))
    assert r.score == pytest.approx(1.5) and r.level == 1


def test_dcmm_provisional_floor_bands(dcmm):
    assert score(dcmm, dcmm_answers(dcmm, 3)).level == 3  # exactly 3.0 → 稳健级
    # 数据架构 = (2 + 3 + 3 + 3) / 4 = 2.75; overall = (7 × 3 + 2.75) / 8 = 2.96875 → 受管理级
    r = score(dcmm, dcmm_answers(dcmm, 3, D3=[2, 3, 3, 3]))
    assert r.score == pytest.approx(2.96875) and r.level == 2
    # 4.96875 is still 量化管理级: only all items at 5 reach 优化级 under the floor assumption
    assert score(dcmm, dcmm_answers(dcmm, 5, D3=[4, 5, 5, 5])).level == 4
