"""XLSX import/export of model specs: authored in a spreadsheet, round trips, and bad cells named."""

import io
from pathlib import Path

import pytest
from openpyxl import Workbook, load_workbook

from maturity.loaders import SpecLoadError, dump_yaml, load_yaml
from maturity.spec import Option, Provenance
from maturity.tests.specs import bands, cmmm, scenes
from maturity.xlsx import XlsxImportError, export_xlsx, import_xlsx, template_xlsx

LIBRARY = Path(__file__).resolve().parent.parent / "library"

MODEL_ROWS = [
    ["字段 field", "值 value"],
    ["代码 code", "toy-xlsx"],
    ["名称 name", "表格编写的玩具模型"],
    ["版本 version", 2025],
    ["来源 sources", "某省通知（2025），附件一、附件二"],
    ["来源 sources", "合成数据"],
    ["状态 status", "暂定"],
    ["备注 note", "合成测试模型"],
    ["规则类型 rule.type", "score_bands"],
    ["满分 rule.scale_max", 100],
]
LEVEL_ROWS = [["序号 number", "名称 name"], [1, "一级"], [2, "二级"]]
TREE_ROWS = [
    [
        "行类型 row",
        "代码 code",
        "上级代码 parent",
        "名称 name",
        "题型 kind",
        "权重 weight",
        "适用行业 applies_to.industries",
    ]
    + ["得分上限 cap", "单位 unit", "允许不适用 not_applicable_allowed", "状态 status", "备注 note"],
    ["节点", "B", None, "基础", None, 3],
    ["条目", "net", "B", "联网率", "numeric_bands", 2, None, None, "%", None, "official", "[V] 某省通知"],
    ["条目", "sys", "B", "系统", "multi_select", 1, "34，35", 1.5, None, "是"],
    ["节点", "G", None, "管理", None, 1],
    ["条目", "plan", "G", "规划", "single_choice"],
    ["条目", "org", "G", "组织", "graded"],
]
OPTION_ROWS = [
    ["条目代码 item", "代码 code", "选项文字 label", "分值 points"],
    ["sys", "erp", "ERP", 1],
    ["sys", "mes", "MES", 1],
    ["plan", "yes", "有", 1],
    ["plan", "no", "无", 0],
]
BAND_ROWS = [
    ["条目代码 item", "下限 lo", "上限 hi", "含下限 lo_closed", "含上限 hi_closed", "分值 points"],
    ["net", None, 10, "是", "否", 0],
    ["net", 10, 50, "是", "否", 0.5],
    ["net", 50, None, "是", "否", 1],
]
RULE_BAND_ROWS = [["最低分 min", "最高分 max", "等级 level"], [20, 60, 1], [60, None, 2]]


def workbook(**replace) -> Workbook:
    """An official's workbook, written cell by cell; `replace` swaps a sheet's rows (None drops the sheet)."""
    sheets = {
        "模型": MODEL_ROWS,
        "等级": LEVEL_ROWS,
        "结构": TREE_ROWS,
        "选项": OPTION_ROWS,
        "分段": BAND_ROWS,
        "规则分段": RULE_BAND_ROWS,
    } | replace
    wb = Workbook()
    wb.remove(wb.active)
    for title, rows in sheets.items():
        if rows is None:
            continue
        ws = wb.create_sheet(title)
        for r, row in enumerate(rows, start=1):
            for c, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=r, column=c, value=value)
    return wb


def to_bytes(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def bad(**replace) -> str:
    with pytest.raises(XlsxImportError) as exc:
        import_xlsx(to_bytes(workbook(**replace)))
    assert isinstance(exc.value, SpecLoadError)
    return str(exc.value)


def with_row(rows: list, index: int, new: list) -> list:
    return rows[:index] + [new] + rows[index + 1 :]


# ---------------------------------------------------------------------------------------------------------------
# Authoring in a spreadsheet


def test_a_model_authored_in_xlsx_imports_as_the_official_wrote_it():
    spec = import_xlsx(to_bytes(workbook()))
    assert (spec.code, spec.version, spec.status) == ("toy-xlsx", "2025", "provisional")
    assert spec.sources == ["某省通知（2025），附件一、附件二", "合成数据"]
    assert [(n.code, n.weight) for n in spec.nodes] == [("B", 3.0), ("G", 1.0)]
    items = {r.item.code: r.item for r in spec.iter_items()}
    assert list(items) == ["net", "sys", "plan", "org"]
    assert items["sys"].applies_to.industries == ["34", "35"]
    assert (items["sys"].cap, items["sys"].not_applicable_allowed) == (1.5, True)
    assert [o.code for o in items["sys"].options] == ["erp", "mes"]
    assert [(b.lo, b.hi, b.points) for b in items["net"].bands] == [(None, 10, 0), (10, 50, 0.5), (50, None, 1)]
    assert [o.points for o in items["org"].options] == [1.0, 0.8, 0.5, 0.0]  # graded default scale
    # The legacy "备注 note" column is read as provenance notes; an official item's provenance is verified.
    net = items["net"]
    assert (net.status, net.provenance.status, net.unit) == ("official", "verified", "%")
    assert net.provenance.notes == "[V] 某省通知"
    assert [(b.min, b.max, b.level) for b in spec.rule.bands] == [(20, 60, 1), (60, None, 2)]


def test_xlsx_to_yaml_to_xlsx_gives_the_same_spec_and_the_same_yaml():
    first = import_xlsx(to_bytes(workbook()))
    text = dump_yaml(first)
    again = import_xlsx(export_xlsx(load_yaml(text)))
    assert again == first
    assert dump_yaml(again) == text


@pytest.mark.parametrize("path", sorted(LIBRARY.glob("*.yaml")), ids=lambda p: p.name)
def test_every_shipped_model_round_trips_through_xlsx(path: Path):
    spec = load_yaml(path)
    assert import_xlsx(export_xlsx(spec)) == spec


def test_the_test_specs_round_trip_including_cmmm_thresholds():
    spec = cmmm()
    spec = spec.model_copy(update={"rule": spec.rule.model_copy(update={"thresholds": {2: 0.9}})})
    for s in (spec, bands(), scenes()):
        assert import_xlsx(export_xlsx(s)) == s


def test_text_that_looks_like_a_formula_is_exported_as_text_and_round_trips():
    formula = '=HYPERLINK("http://x")'
    spec = bands().model_copy(update={"provenance": Provenance(status="verified", notes=formula), "name": "-玩具"})
    content = export_xlsx(spec)
    ws = load_workbook(io.BytesIO(content))["模型"]
    cells = [row[1] for row in ws.iter_rows(min_row=2) if row[1].value == formula]
    assert cells and cells[0].data_type == "s"
    assert import_xlsx(content) == spec


def test_the_template_has_every_sheet_and_a_column_for_every_option_field():
    wb = load_workbook(io.BytesIO(template_xlsx()))
    assert wb.sheetnames == ["模型", "等级", "结构", "选项", "分段", "规则分段", "规则要求", "规则阈值", "说明"]
    keys = {str(c.value).split()[-1] for c in wb["选项"][1]}
    assert set(Option.model_fields) <= keys  # a new field on Option (e.g. exclusive) becomes a column
    fields = {str(row[0].value).split()[-1] for row in wb["模型"].iter_rows(min_row=2)}
    assert {"code", "status", "sources", "below_level_name", "rule.type", "rule.pass_threshold"} <= fields


def test_an_empty_template_is_rejected_for_its_missing_rule_type():
    with pytest.raises(XlsxImportError, match="规则类型"):
        import_xlsx(template_xlsx())


# ---------------------------------------------------------------------------------------------------------------
# Bad input


def test_an_unknown_kind_names_sheet_row_and_column():
    msg = bad(结构=with_row(TREE_ROWS, 5, ["条目", "plan", "G", "规划", "ranking"]))
    assert "工作表「结构」第 6 行 E 列（题型 kind）" in msg and "ranking" in msg


def test_a_duplicate_code_names_both_rows():
    msg = bad(结构=with_row(TREE_ROWS, 6, ["条目", "plan", "G", "组织", "graded"]))
    assert "工作表「结构」第 7 行 B 列" in msg and "第 6 行" in msg


def test_an_orphan_parent_is_named():
    msg = bad(结构=with_row(TREE_ROWS, 5, ["条目", "plan", "X", "规划", "single_choice"]))
    assert "工作表「结构」第 6 行 C 列" in msg and "X" in msg


def test_non_numeric_points_are_named():
    msg = bad(选项=with_row(OPTION_ROWS, 3, ["plan", "yes", "有", "一分"]))
    assert "工作表「选项」第 4 行 D 列（分值 points）" in msg and "不是数字" in msg


def test_a_formula_cell_is_rejected_not_evaluated():
    msg = bad(选项=with_row(OPTION_ROWS, 3, ["plan", "yes", "有", "=1+1"]))
    assert "工作表「选项」第 4 行 D 列" in msg and "公式" in msg


def test_a_missing_sheet_is_named():
    assert "工作表「结构」" in bad(结构=None) and "缺少工作表" in bad(结构=None)


def test_a_column_the_kind_does_not_use_must_be_empty():
    msg = bad(结构=with_row(TREE_ROWS, 6, ["条目", "org", "G", "组织", "graded", 1, None, 2]))
    assert "工作表「结构」第 7 行 H 列（得分上限 cap）" in msg


def test_an_unknown_column_is_rejected():
    assert "工作表「等级」第 1 行 C 列" in bad(等级=[[*LEVEL_ROWS[0], "颜色 colour"], *LEVEL_ROWS[1:]])


def test_spec_validation_errors_point_back_to_the_cell():
    msg = bad(分段=with_row(BAND_ROWS, 2, ["net", 5, 50, "是", "否", 0.5]))  # overlaps the first band
    assert "工作表「结构」第 3 行" in msg and "不重叠" in msg
    msg = bad(选项=with_row(OPTION_ROWS, 2, ["sys", "erp", "MES", 1]))
    assert "工作表「结构」第 4 行" in msg and "duplicate option codes" in msg
    msg = bad(选项=with_row(OPTION_ROWS, 4, ["plan", "no", "无", -1]))
    assert "工作表「选项」第 5 行 D 列（points）" in msg


def test_options_for_an_item_that_takes_none_are_rejected():
    msg = bad(选项=[*OPTION_ROWS, ["net", "x", "X", 1]])
    assert "工作表「选项」第 6 行 A 列" in msg and "numeric_bands" in msg


def test_a_file_that_is_not_a_workbook_is_rejected():
    with pytest.raises(XlsxImportError, match="不是有效的 Excel"):
        import_xlsx(b"code,name\n")
