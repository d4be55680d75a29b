"""The shipped model files load and match the structure recorded in standards.md."""

from pathlib import Path

import pytest

from maturity import score
from maturity.library import load
from maturity.loaders import dump_yaml, load_yaml
from maturity.spec import ModelSpec, Node

LIBRARY = Path(__file__).resolve().parent.parent / "library"
FILES = sorted(LIBRARY.glob("*.yaml"))


# ---------------------------------------------------------------------------------------------------------------
# Every file in the library


def notes(part) -> str | None:
    """A part's own provenance notes (None when it declares no provenance)."""
    return part.provenance.notes if part.provenance is not None else None


def walk(nodes: list[Node], inherited_note: str):
    """(node, provenance notes in force) for every node, depth first; a node's own wins over its ancestors'."""
    for n in nodes:
        note = notes(n) if n.provenance is not None else inherited_note
        yield n, note
        yield from walk(n.children, note)


SHIPPED = ["cmmm-2020", "sme-2022", "sme-2024", "dcmm-2018"]


def test_library_has_the_expected_files():
    assert {f"{name}.yaml" for name in SHIPPED} <= {f.name for f in FILES}


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_model_loads_by_name_with_unique_reachable_items(name: str):
    spec = load(name)
    refs = list(spec.iter_items())
    codes = [r.item.code for r in refs]
    assert refs and len(codes) == len(set(codes))
    # Every item hangs off a top-level node through a chain of parent → child links.
    for ref in refs:
        assert ref.path[0] in spec.nodes, ref.item.code
        for parent, child in zip(ref.path, ref.path[1:], strict=False):
            assert child in parent.children, ref.item.code
        assert ref.item in ref.path[-1].items, ref.item.code


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
def test_provisional_parts_carry_provenance_notes(path: Path):
    spec = load_yaml(path)
    if spec.status == "provisional":
        assert (notes(spec) or "").strip()
    for node, note in walk(spec.nodes, notes(spec)):
        if (node.status or spec.status) == "provisional":
            assert (note or "").strip(), node.code
    for ref in spec.iter_items():
        if ref.status == "provisional":
            assert ref.provenance is not None and ref.provenance.notes.strip(), ref.item.code
    if (spec.rule.status or spec.status) == "provisional":
        assert (notes(spec.rule) or notes(spec) or "").strip()


MARKERS = ("[P]", "[U]", "[NF]", "[V]", "按记忆", "抓取", "未找到", "standards.md")


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_text_shown_to_users_has_no_provenance_markers(path: Path):
    """Names, help, option labels, level descriptions and scene grade meanings reach enterprises; where a fact
    comes from belongs in `provenance` (officers and admins only)."""
    spec = load_yaml(path)
    shown = [spec.name, *(lv.name for lv in spec.levels), *(lv.note for lv in spec.levels)]
    shown += [n.name for n, _ in walk(spec.nodes, "")] + [n.help for n, _ in walk(spec.nodes, "")]
    for ref in spec.iter_items():
        it = ref.item
        shown += [it.name, it.help, *(o.label for o in getattr(it, "options", []))]
        shown += getattr(it, "grade_labels", [])
    leaks = [(text, m) for text in shown for m in MARKERS if m in text]
    assert leaks == []


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
    assert "2024 官方定级规则（分数 + 场景等级）未核实，暂用 2022 分数段" in notes(sme.rule)
    assert [(r.level, r.min_score, r.min_scenes) for r in sme.rule.requirements] == [
        (1, 20, 0),
        (2, 40, 0),
        (3, 60, 0),
        (4, 80, 0),
    ]
    funding = by_code(sme)["M2"].items[1]
    assert funding.name == "资金保障" and "疑似" in (notes(funding) or "")


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
    assert "sceneType" in (notes(scenes) or "")
    assert all(r.item.kind != "scene" for r in sme.iter_items() if r.path[0].code != "O")


def sme_answers(sme: ModelSpec, *, best: bool) -> dict[str, object]:
    out: dict[str, object] = {}
    for ref in sme.iter_items():
        it = ref.item
        if it.kind == "multi_select":
            # Best: every measure (an exclusive "无" cannot be combined); worst: "无" where offered, else nothing.
            exclusive = [o.code for o in it.options if o.exclusive]
            out[it.code] = [o.code for o in it.options if not o.exclusive] if best else exclusive
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
    assert dcmm.status == "provisional" and dcmm.rule.status == "provisional" and notes(dcmm.rule)


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


# ---------------------------------------------------------------------------------------------------------------
# CMMM 2020 with Tidu's own requirement items


@pytest.fixture(scope="module")
def cmmm() -> ModelSpec:
    return load("cmmm-2020")


# Items per sub-domain at levels 1..5. 集成 (T2.1) and 产品服务 (M5.2) start at level 2 (an assumption noted in
# the file); variant-specific items are counted here too, so a discrete or process firm sees fewer.
CMMM_MATRIX = {
    "P1.1": [2, 2, 2, 2, 2],
    "P2.1": [2, 2, 2, 2, 1],
    "T1.1": [2, 2, 2, 2, 2],
    "T2.1": [0, 2, 2, 2, 1],
    "T3.1": [1, 2, 2, 2, 1],
    "R1.1": [2, 2, 2, 2, 2],
    "R2.1": [1, 2, 2, 2, 1],
    "M1.1": [1, 2, 2, 2, 1],
    "M1.2": [1, 3, 2, 2, 1],
    "M2.1": [1, 2, 2, 2, 1],
    "M2.2": [1, 3, 2, 2, 2],
    "M2.3": [1, 3, 4, 3, 1],
    "M2.4": [1, 2, 2, 2, 1],
    "M2.5": [1, 2, 2, 2, 1],
    "M2.6": [1, 3, 2, 2, 1],
    "M2.7": [1, 2, 2, 1, 1],
    "M3.1": [1, 2, 2, 1, 1],
    "M4.1": [1, 2, 2, 2, 1],
    "M5.1": [1, 2, 2, 1, 1],
    "M5.2": [0, 1, 2, 2, 1],
}
DISCRETE_ONLY = ["M1.2-L2-2", "M2.2-L2-2", "M2.3-L2-2", "M2.3-L3-3", "M2.3-L4-2", "M2.6-L2-3"]
PROCESS_ONLY = ["M1.2-L2-3", "M2.2-L2-3", "M2.3-L2-3", "M2.3-L3-4", "M2.3-L4-3", "M2.6-L2-2", "M2.6-L3-2", "M2.6-L4-2"]


def test_cmmm_2020_structure(cmmm):
    assert cmmm.version == "2020-tidu-2"
    assert [n.name for n in cmmm.nodes] == ["人员", "技术", "资源", "制造"]
    domains = [d for e in cmmm.nodes for d in e.children]
    subdomains = [s for d in domains for s in d.children]
    assert len(domains) == 12 and [s.code for s in subdomains] == list(CMMM_MATRIX)
    assert [lv.number for lv in cmmm.levels] == [1, 2, 3, 4, 5]
    assert cmmm.status == "provisional" and cmmm.rule.status == "provisional"
    assert cmmm.rule.type == "cmmm_cumulative" and cmmm.rule.pass_threshold == 0.8
    assert {d.name for d in domains if "未经核实" in (notes(d) or "")} == {"设计", "生产", "服务"}
    # Equal sub-domain weights: the 离散/流程 weight tables are [NF].
    assert all(n.weight == 1 for n, _ in walk(cmmm.nodes, "")) and "等权" in notes(cmmm)


def test_cmmm_2020_requirement_matrix(cmmm):
    counts = {code: [0] * 5 for code in CMMM_MATRIX}
    for ref in cmmm.iter_items():
        counts[ref.path[-1].code][ref.item.level - 1] += 1
    assert counts == CMMM_MATRIX
    assert [sum(row[i] for row in CMMM_MATRIX.values()) for i in range(5)] == [22, 43, 42, 38, 24]
    assert len(list(cmmm.iter_items())) == 169
    # Sub-domains assessed per level: all 20 except T2.1 and M5.2 at level 1.
    assert [sum(1 for row in CMMM_MATRIX.values() if row[i]) for i in range(5)] == [18, 20, 20, 20, 20]


def test_cmmm_2020_items_are_graded_with_readable_codes(cmmm):
    for ref in cmmm.iter_items():
        it, sub = ref.item, ref.path[-1].code
        assert it.kind == "graded" and [(o.code, o.points) for o in it.options] == [
            ("full", 1.0),
            ("most", 0.8),
            ("partial", 0.5),
            ("none", 0.0),
        ]
        assert it.code.startswith(f"{sub}-L{it.level}-"), it.code
        assert it.name and it.help.endswith("。"), it.code
        assert it.weight == 1


def test_cmmm_2020_every_level_has_items_in_every_element(cmmm):
    for element in cmmm.nodes:
        levels = {r.item.level for r in cmmm.iter_items() if r.path[0] is element}
        assert levels == {1, 2, 3, 4, 5}, element.name


def test_cmmm_2020_items_are_provisional_and_say_they_are_tidus_wording(cmmm):
    for ref in cmmm.iter_items():
        assert ref.status == "provisional", ref.item.code
        assert "Tidu" in ref.provenance.notes and "并非标准原文" in ref.provenance.notes, ref.item.code
    for code in ("T2.1", "M5.2"):
        assert "自二级起评" in notes(by_code(cmmm)[code])


def test_cmmm_2020_variant_and_not_applicable_items(cmmm):
    refs = list(cmmm.iter_items())
    assert [r.item.code for r in refs if r.item.applies_to.production_types == ["discrete"]] == DISCRETE_ONLY
    assert [r.item.code for r in refs if r.item.applies_to.production_types == ["process"]] == PROCESS_ONLY
    assert all(not n.applies_to.production_types for n, _ in walk(cmmm.nodes, ""))
    na = {r.item.code for r in refs if r.item.not_applicable_allowed}
    expected = {r.item.code for r in refs if r.path[-1].code in ("M1.1", "M5.2")}
    expected |= {r.item.code for r in refs if r.path[-1].code == "M3.1" and r.item.level >= 2}
    assert na == expected and len(na) == 8 + 6 + 6


# ---------------------------------------------------------------------------------------------------------------
# SME 2022: official bands over a provisional stand-in tree


@pytest.fixture(scope="module")
def sme22() -> ModelSpec:
    return load("sme-2022")


def test_sme_2022_bands_are_official_and_the_tree_is_provisional(sme22):
    assert sme22.status == "provisional" and "官方 2022 指标表未找到" in notes(sme22)
    assert sme22.rule.type == "score_bands" and sme22.rule.status == "official" and sme22.rule.scale_max == 100
    assert [(b.min, b.max, b.level) for b in sme22.rule.bands] == [(20, 40, 1), (40, 60, 2), (60, 80, 3), (80, None, 4)]
    assert sme22.below_level_name == "未达一级"
    assert [lv.name for lv in sme22.levels] == ["一级", "二级", "三级", "四级"]
    assert all(r.status == "provisional" and r.provenance.notes for r in sme22.iter_items())


def test_sme_2022_points_add_up_to_100(sme22):
    assert sum(node_max(n) for n in sme22.nodes) == pytest.approx(100.0, abs=1e-9)
    assert {n.name: node_max(n) for n in sme22.nodes} == pytest.approx(
        {"数字化基础": 25, "数字化经营": 40, "数字化管理": 15, "数字化成效": 20}
    )
    subs = {c.name: node_max(c) for n in sme22.nodes for c in n.children}
    assert subs == pytest.approx(
        {
            "设备系统": 10,  # 网络建设 4 × 1 + 设备数字化 3 + 设备联网 3
            "数据采集": 5,  # 13 × 0.35 + 0.45
            "信息系统": 5,
            "信息安全": 5,  # (4 × 0.625) × 2
            "产品生命周期数字化": 10,  # 4 scenes × 2.5
            "生产执行数字化": 15,  # 6 × 2.5
            "供应链数字化": 5,  # 2 × 2.5
            "管理决策数字化": 10,  # 4 × 2.5
            "规划管理": 7.5,  # 规划实施 3.75 + 管理机制 4 × 0.9375
            "要素保障": 7.5,  # 人才建设 5 × 0.75 + 资金保障 3.75
            "绿色低碳": 7,
            "产品质量": 7,
            "市场效益": 6,  # 3 + 3
        }
    )
    for node, _ in walk(sme22.nodes, ""):
        assert node.weight == pytest.approx(node_max(node)), node.code
        for it in node.items:
            assert it.weight == pytest.approx(item_max(it)), it.code


def test_sme_2022_scenes_score_a_quarter_of_2_5_per_grade(sme22):
    scenes = [it for g in by_code(sme22)["O"].children for it in g.items]
    assert len(scenes) == 16
    for it in scenes:
        assert it.kind == "single_choice"
        assert [(o.code, o.points) for o in it.options] == [
            ("0", 0),
            ("1", 0.625),
            ("2", 1.25),
            ("3", 1.875),
            ("4", 2.5),
        ]


def test_sme_2022_reuses_the_2024_indicators_at_half_points_except_results(sme22, sme):
    old = {r.item.code: r.item for r in sme.iter_items() if r.path[0].code != "O"}
    new = {r.item.code: r.item for r in sme22.iter_items() if r.path[0].code != "O"}
    assert new.keys() == old.keys()
    for code, it in new.items():
        factor = 1.0 if code.startswith("E") else 0.5
        assert item_max(it) == pytest.approx(factor * item_max(old[code])), code
        assert it.name == old[code].name, code
