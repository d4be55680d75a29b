"""Spec validation and YAML round trips, on the small synthetic specs in specs.py."""

import subprocess
import sys

import pytest

from maturity import SpecLoadError, dump_yaml, load_yaml
from maturity.tests.specs import BANDS_YAML, CMMM_YAML, bands, cmmm, scenes


def test_dump_then_load_gives_the_same_spec():
    for spec in (cmmm(), bands(), scenes()):
        assert load_yaml(dump_yaml(spec)) == spec


def test_dump_is_stable():
    assert dump_yaml(cmmm()) == dump_yaml(load_yaml(dump_yaml(cmmm())))


def test_load_from_path(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(CMMM_YAML, encoding="utf-8")
    assert load_yaml(path) == cmmm()
    assert load_yaml(str(path)) == cmmm()


def test_graded_items_get_the_default_satisfaction_scale():
    item = cmmm().nodes[0].children[0].items[0]
    assert [o.points for o in item.options] == [1.0, 0.8, 0.5, 0.0]


def test_status_is_inherited_unless_set():
    refs = {r.item.code: r for r in scenes().iter_items()}
    assert refs["q"].status == "provisional"
    assert {r.status for r in bands().iter_items()} == {"official"}


def _bad(old: str, new: str, src: str = BANDS_YAML) -> str:
    assert old in src
    with pytest.raises(SpecLoadError) as exc:
        load_yaml(src.replace(old, new, 1))
    return str(exc.value)


def test_unknown_kind_is_rejected_with_the_item_path():
    msg = _bad("kind: single_choice", "kind: ranking")
    assert "nodes[1](G).items[0](plan)" in msg


def test_duplicate_codes_are_rejected():
    assert "duplicate code" in _bad("code: plan", "code: rate")


def test_overlapping_bands_are_rejected():
    assert "不重叠" in _bad("{lo: 10, hi: 50, lo_closed: false", "{lo: 10, hi: 50, lo_closed: true")


def test_negative_weight_is_rejected():
    assert "weight" in _bad("weight: 3", "weight: -1")


def test_duplicate_option_codes_are_rejected():
    assert "重复" in _bad("{code: b, points: 2}", "{code: a, points: 2}")


def test_multi_select_cap_above_total_is_rejected():
    assert "cap" in _bad("cap: 4", "cap: 7")


def test_score_bands_must_be_ordered():
    assert "不重叠" in _bad("{min: 20, max: 60, level: 1}", "{min: 20, max: 70, level: 1}")


def test_unknown_level_in_an_item_is_rejected():
    assert "未在 levels" in _bad("kind: graded, level: 1}", "kind: graded, level: 9}", CMMM_YAML)


def test_node_with_both_children_and_items_is_rejected():
    bad = CMMM_YAML.replace(
        "    name: 人员\n", "    name: 人员\n    items: [{code: X, name: x, kind: graded, level: 1}]\n"
    )
    with pytest.raises(SpecLoadError, match="children"):
        load_yaml(bad)


def test_yaml_syntax_error_names_the_line():
    with pytest.raises(SpecLoadError, match="line"):
        load_yaml("code: [unclosed\nname: x\n")


def test_engine_does_not_import_django():
    code = "import sys, maturity, maturity.batch, maturity.scoring; assert 'django' not in sys.modules"
    subprocess.run([sys.executable, "-c", code], check=True)
