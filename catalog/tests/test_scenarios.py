"""The scenario taxonomy file and what is derived from it; pure data, no database."""

import copy

import pytest
import yaml

from catalog.scenarios import (
    DEFAULT_PATH,
    DIMENSIONS,
    TaxonomyLoadError,
    graph,
    load_default,
    load_taxonomy,
    model_codes,
    model_names,
    scenarios_for_gaps,
)
from maturity import library

# standards.md §9: the 8 groups in order and how many of the 40 scenarios each holds.
LINKS = {
    "工厂建设": 3,
    "产品研发": 2,
    "工艺设计": 2,
    "生产管理": 12,
    "生产作业": 10,
    "运营管理": 3,
    "产品服务": 4,
    "供应链管理": 4,
}

SMALL = {
    "code": "test",
    "name": "测试场景图谱",
    "version": "1",
    "status": "provisional",
    "links": [{"code": "AA", "name": "环节甲"}, {"code": "BB", "name": "环节乙"}],
    "scenarios": [
        {
            "code": "S-AA-01",
            "name": "排产甲",
            "link": "AA",
            "closes": {"cmmm": ["M2.2", "M2.2-L4-1"]},
            "smart_factory_dimension": "生产管理",
        },
        {
            "code": "S-AA-02",
            "name": "计划乙",
            "link": "AA",
            "closes": {"cmmm": ["M2.2"]},
            "industries": [25],
            "smart_factory_dimension": "生产管理",
        },
        {
            "code": "S-BB-01",
            "name": "预测维护",
            "link": "BB",
            "closes": {"cmmm": ["M2.4-L4-1"]},
            "industries": [34],
            "smart_factory_dimension": "生产作业",
            "ai": True,
        },
        {
            "code": "S-BB-02",
            "name": "设备调度",
            "link": "BB",
            "closes": {"cmmm": ["M2.4", "M2.2-L3-1"]},
            "industries": ["34", "35"],
            "smart_factory_dimension": "生产作业",
        },
    ],
}


@pytest.fixture(scope="module")
def cmmm_codes():
    return model_codes(library.load("cmmm-2020"))


@pytest.fixture(scope="module")
def shipped():
    return load_default()


def small(**changes):
    data = copy.deepcopy(SMALL)
    for index, fields in changes.get("scenarios", {}).items():
        data["scenarios"][index].update(fields)
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def load_small(text, cmmm_codes):
    return load_taxonomy(text, known_codes={"cmmm": cmmm_codes})


def test_shipped_file_loads_and_is_provisional(shipped):
    assert shipped.status == "provisional"
    assert "[P]" in shipped.note and "暂定" in shipped.note


def test_shipped_file_has_40_scenarios_in_the_8_links_of_the_catalogue(shipped):
    assert [link.name for link in shipped.links] == list(LINKS)
    names = {link.code: link.name for link in shipped.links}
    counts = {name: 0 for name in LINKS}
    for sc in shipped.scenarios:
        counts[names[sc.link]] += 1
    assert counts == LINKS
    assert len(shipped.scenarios) == 40
    assert len({sc.name for sc in shipped.scenarios}) == 40


def test_shipped_names_keep_the_corrected_carbon_scenario(shipped):
    names = {sc.name for sc in shipped.scenarios}
    assert "碳资产全生命周期管理" in names
    assert "碳资产安全生命周期管理" not in names


def test_every_closes_code_exists_in_the_shipped_cmmm(shipped, cmmm_codes):
    for sc in shipped.scenarios:
        assert set(sc.closes["cmmm"]) <= cmmm_codes, sc.code


def test_every_shipped_scenario_is_described_and_closes_a_cmmm_subdomain(shipped, cmmm_codes):
    subdomains = {c for c in cmmm_codes if "-" not in c and c.count(".") == 1}
    for sc in shipped.scenarios:
        assert sc.description and sc.keywords, sc.code
        assert {c.split("-")[0] for c in sc.closes["cmmm"]} & subdomains, sc.code
        assert sc.smart_factory_dimension in DIMENSIONS


def test_shipped_ai_flags_and_industries_follow_the_brief(shipped):
    by_name = {sc.name: sc for sc in shipped.scenarios}
    assert by_name["设备故障诊断与预测"].ai and by_name["在线智能检测"].ai
    assert by_name["先进过程控制"].industries == ["25", "26", "27", "28", "30", "31", "32"]
    assert by_name["柔性产线快速换产"].industries == [str(d) for d in range(33, 41)]


def test_small_file_loads_from_text_and_path(tmp_path, cmmm_codes):
    path = tmp_path / "s.yaml"
    path.write_text(small(), encoding="utf-8")
    assert load_small(small(), cmmm_codes) == load_small(path, cmmm_codes)
    assert load_taxonomy(DEFAULT_PATH).scenarios[0].code == "S-FB-01"


def test_it_rejects_a_duplicate_scenario_code(cmmm_codes):
    with pytest.raises(TaxonomyLoadError) as exc:
        load_small(small(scenarios={1: {"code": "S-AA-01"}}), cmmm_codes)
    assert exc.value.problems == [("scenarios[1](S-AA-01)", "场景代码重复 duplicate scenario code")]


def test_it_rejects_an_unknown_link(cmmm_codes):
    with pytest.raises(TaxonomyLoadError) as exc:
        load_small(small(scenarios={2: {"link": "ZZ"}}), cmmm_codes)
    assert exc.value.problems == [("scenarios[2](S-BB-01).link", "环节 'ZZ' 未在 links 中定义 unknown link")]


def test_it_reports_every_cross_check_problem_in_its_place(cmmm_codes):
    with pytest.raises(TaxonomyLoadError) as exc:
        load_small(small(scenarios={1: {"code": "S-AA-01", "link": "ZZ"}}), cmmm_codes)
    assert [place for place, _ in exc.value.problems] == ["scenarios[1](S-AA-01)", "scenarios[1](S-AA-01).link"]


def test_it_rejects_an_unknown_cmmm_code(cmmm_codes):
    text = small(scenarios={3: {"closes": {"cmmm": ["M2.4", "M9.9"]}}})
    with pytest.raises(TaxonomyLoadError) as exc:
        load_small(text, cmmm_codes)
    assert exc.value.problems[0][0] == "scenarios[3](S-BB-02)"
    assert "M9.9" in exc.value.problems[0][1] and "M2.4'" not in exc.value.problems[0][1]


def test_unknown_codes_pass_when_no_model_is_given():
    # Structure alone can be checked without any model loaded, e.g. while a province drafts its file.
    text = small(scenarios={3: {"closes": {"cmmm": ["M9.9"]}}})
    assert load_taxonomy(text).scenarios[3].closes == {"cmmm": ["M9.9"]}


def test_it_rejects_a_model_it_cannot_check(cmmm_codes):
    text = small(scenarios={0: {"closes": {"cmmm": ["M2.2"], "dcmm": ["X"]}}})
    with pytest.raises(TaxonomyLoadError, match=r"scenarios\[0\]\(S-AA-01\).*未知的成熟度模型 'dcmm'"):
        load_small(text, cmmm_codes)


def test_it_rejects_industry_99(cmmm_codes):
    with pytest.raises(TaxonomyLoadError) as exc:
        load_small(small(scenarios={1: {"industries": [25, 99]}}), cmmm_codes)
    assert exc.value.problems[0][0] == "scenarios[1](S-AA-02).industries"
    assert "'99'" in exc.value.problems[0][1]


def test_it_rejects_a_dimension_outside_the_five(cmmm_codes):
    with pytest.raises(TaxonomyLoadError) as exc:
        load_small(small(scenarios={0: {"smart_factory_dimension": "产品服务"}}), cmmm_codes)
    assert exc.value.problems[0][0] == "scenarios[0](S-AA-01).smart_factory_dimension"


def test_it_rejects_unknown_fields_and_bad_yaml(cmmm_codes):
    with pytest.raises(TaxonomyLoadError, match=r"scenarios\[0\]\(S-AA-01\)\.colour"):
        load_small(small(scenarios={0: {"colour": "red"}}), cmmm_codes)
    with pytest.raises(TaxonomyLoadError, match="第 2 行"):
        load_taxonomy("code: x\n  name: [\n")


def test_graph_for_an_industry_keeps_only_its_scenarios_and_what_they_reach(cmmm_codes):
    taxonomy = load_small(small(), cmmm_codes)
    g = graph(taxonomy, "2511", names=model_names(library.load("cmmm-2020")))
    assert [n["id"] for n in g["nodes"]] == ["link:AA", "scenario:S-AA-01", "scenario:S-AA-02", "cmmm:M2.2"]
    assert [n["category"] for n in g["nodes"]] == [0, 1, 1, 2]
    assert g["nodes"][3] == {"id": "cmmm:M2.2", "name": "计划与调度", "category": 2, "value": 2}
    assert g["edges"] == [
        {"source": "link:AA", "target": "scenario:S-AA-01"},
        {"source": "scenario:S-AA-01", "target": "cmmm:M2.2"},
        {"source": "link:AA", "target": "scenario:S-AA-02"},
        {"source": "scenario:S-AA-02", "target": "cmmm:M2.2"},
    ]
    assert [c["name"] for c in g["categories"]] == ["环节", "场景", "能力子域"]


def test_graph_without_industry_shows_everything_without_dangling_edges(shipped):
    g = graph(shipped)
    ids = [n["id"] for n in g["nodes"]]
    assert len(ids) == len(set(ids))
    assert {e["source"] for e in g["edges"]} | {e["target"] for e in g["edges"]} == set(ids)
    assert sum(n["category"] == 1 for n in g["nodes"]) == 40
    assert sum(n["category"] == 0 for n in g["nodes"]) == 8


def test_graph_for_a_chemical_firm_has_process_control_but_not_changeovers(shipped):
    names = {n["name"] for n in graph(shipped, 26)["nodes"]}
    assert "先进过程控制" in names
    assert "柔性产线快速换产" not in names


def test_graph_rejects_a_non_manufacturing_industry(shipped):
    with pytest.raises(ValueError, match="行业"):
        graph(shipped, "5011")


def test_scenarios_for_gaps_ranks_exact_matches_above_same_subdomain(cmmm_codes):
    taxonomy = load_small(small(), cmmm_codes)
    gaps = {"M2.2-L4-1": 2.0, "M2.4": 1.0, "M2.7": 3.0, "M2.3": 0.0}
    # S-AA-01 names the gapped item (2); S-BB-02 names M2.4 (1) and another M2.2 item (half of 2);
    # S-AA-02 names only the item's sub-domain (half of 2); S-BB-01 names only an item of M2.4 (half of 1).
    assert scenarios_for_gaps(taxonomy, gaps) == [
        ("S-AA-01", 2.0),
        ("S-BB-02", 2.0),
        ("S-AA-02", 1.0),
        ("S-BB-01", 0.5),
    ]


def test_scenarios_for_gaps_can_keep_to_an_industry(cmmm_codes):
    taxonomy = load_small(small(), cmmm_codes)
    gaps = {"M2.2-L4-1": 2.0, "M2.4": 1.0}
    assert scenarios_for_gaps(taxonomy, gaps, industry="3411") == [("S-AA-01", 2.0), ("S-BB-02", 2.0), ("S-BB-01", 0.5)]


def test_scenarios_for_gaps_points_an_equipment_gap_at_equipment_scenarios(shipped):
    ranked = scenarios_for_gaps(shipped, {"M2.4-L4-1": 1.5})
    assert ranked[0] == ("S-PO-09", 1.5)
    assert {code for code, _ in ranked} == {"S-PO-08", "S-PO-09", "S-PO-10"}


def test_results_do_not_depend_on_gap_order_or_repetition(shipped):
    gaps = {"M2.2": 1.2, "M2.4-L4-1": 0.7, "M5.2": 2.1, "T1.1-L4-1": 0.3, "M2.7": 0.9}
    reversed_gaps = dict(reversed(list(gaps.items())))
    first = scenarios_for_gaps(shipped, gaps)
    assert first == scenarios_for_gaps(shipped, reversed_gaps) == scenarios_for_gaps(load_default(), gaps)
    assert [w for _, w in first] == sorted((w for _, w in first), reverse=True)
    assert graph(shipped, "3611") == graph(load_default(), "3611")
