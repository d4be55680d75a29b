"""core.sheet_layout: the header is found by the column names it holds, whatever sits above, under or below."""

from core.sheet_layout import Candidate, choose_sheet, fill_merged, find_header, layout

NAMES = {"统一社会信用代码": "code", "企业名称": "name", "所在区县": "county", "营业收入": "revenue"}


def known(cell: str) -> str | None:
    return NAMES.get(cell.strip())


HEADER = ["序号", "统一社会信用代码", "企业名称", "所在区县", "营业收入"]


def test_header_is_the_row_naming_most_known_columns_not_the_first():
    rows = [["2025年东湖区规上工业企业名单", "", "", "", ""], ["填报单位：东湖区工信局", "", "", "", ""], HEADER]
    assert find_header(rows, known) == 2


def test_no_known_column_means_no_header():
    assert find_header([["甲", "乙"], ["1", "2"]], known) is None
    assert layout([["甲", "乙"], ["1", "2"]], known) is None


def test_titles_units_totals_blank_rows_and_signatures_are_set_apart_from_the_records():
    rows = [
        ["2025年XX县规上工业企业名单", "", "", "", ""],
        ["", "", "", "", ""],
        HEADER,
        ["", "", "", "", "单位：万元"],
        ["1", "A", "甲公司", "东湖区", "100"],
        ["", "", "", "", ""],
        ["一、高新区", "", "", "", ""],
        ["2", "B", "乙公司", "东湖区", "200"],
        ["小计", "", "", "", "300"],
        ["3", "C", "丙公司", "东湖区", "5"],
        ["合计", "", "", "", "305"],
        ["填表人：张三", "", "审核人：李四", "", ""],
        ["4", "D", "落款后的行", "东湖区", "1"],
    ]
    found = layout(rows, known)
    assert found.header == 2 and found.columns == {1: "code", 2: "name", 3: "county", 4: "revenue"}
    assert found.titles == [0]
    assert found.units == 3
    assert found.data == [4, 7, 9]
    assert found.totals == [8, 10]
    assert found.sections == [6]
    assert found.trailer == 11


def test_a_header_repeated_above_the_next_block_is_not_a_record():
    rows = [HEADER, ["1", "A", "甲", "东湖区", "1"], HEADER, ["2", "B", "乙", "东湖区", "2"]]
    found = layout(rows, known)
    assert found.data == [1, 3] and found.sections == [2]


def test_a_row_of_column_numbers_under_the_header_is_a_units_row():
    rows = [HEADER, ["甲", "乙", "1", "2", "3"], ["1", "A", "甲公司", "东湖区", "1"]]
    assert layout(rows, known).units == 1


def test_a_record_whose_name_looks_numeric_is_not_taken_for_units():
    rows = [HEADER, ["1", "A", "甲公司", "东湖区", "12"]]
    found = layout(rows, known)
    assert found.units is None and found.data == [1]


def test_the_visible_sheet_with_the_best_header_is_chosen_and_hidden_ones_never():
    full = layout([HEADER, ["1", "A", "甲", "东湖区", "1"]], known)
    partial = layout([["企业名称", "所在区县"], ["甲", "东湖区"]], known)
    chosen = choose_sheet(
        [Candidate("说明", False, None), Candidate("旧名单", True, full), Candidate("名单", False, partial)]
    )
    assert chosen.name == "名单"
    assert choose_sheet([Candidate("a", False, partial), Candidate("b", False, full)]).name == "b"
    assert choose_sheet([Candidate("旧名单", True, full)]) is None


def test_merged_cells_in_the_body_are_filled_down_but_not_the_header_or_titles():
    rows = [
        ["标题", "", ""],
        ["所在区县", "企业名称", "营业收入"],
        ["东湖区", "甲", "1"],
        ["", "乙", "2"],
        ["", "丙", "3"],
    ]
    filled = fill_merged(rows, [(0, 0, 0, 2), (2, 0, 4, 0), (2, 2, 2, 2)], below=1)
    assert [r[0] for r in rows] == ["标题", "所在区县", "东湖区", "东湖区", "东湖区"]
    assert rows[0] == ["标题", "", ""]
    assert [(f.column, f.first_row, f.last_row) for f in filled] == [(0, 2, 4)]


def test_a_merged_block_reaching_past_the_last_row_is_bounded_by_the_rows():
    rows = [["所在区县"], ["东湖区"], [""]]
    filled = fill_merged(rows, [(1, 0, 1_048_575, 0)], below=0)
    assert rows == [["所在区县"], ["东湖区"], ["东湖区"]] and filled[0].last_row == 2


GROUPED_NAMES = {**NAMES, "从业人员": "employees", "资产总计": "assets"}


def grouped_known(cell: str) -> str | None:
    return GROUPED_NAMES.get(cell.strip())


def test_a_grouped_header_over_two_rows_gives_one_name_per_column():
    rows = [
        ["2025年东湖区规上工业企业名单", "", "", "", ""],
        ["企业名称", "统一社会信用代码", "2025年经营情况", "", ""],  # the parent merged over C:E, so D and E read blank
        ["", "", "营业收入", "从业人员", "资产总计"],
        ["", "", "万元", "人", "万元"],
        ["甲公司", "A", "100", "10", "300"],
        ["乙公司", "B", "200", "20", "400"],
    ]
    found = layout(rows, grouped_known)
    assert (found.parent, found.header) == (1, 2)
    assert found.names == ["企业名称", "统一社会信用代码", "营业收入", "从业人员", "资产总计"]
    assert found.columns == {0: "name", 1: "code", 2: "revenue", 3: "employees", 4: "assets"}
    assert found.titles == [0]  # the upper header row is no title
    assert found.units == 3 and found.data == [4, 5]
    assert find_header(rows, grouped_known) == 2


def test_a_name_written_only_in_the_lower_row_of_a_grouped_header_counts_too():
    rows = [
        ["", "", "经营情况", ""],
        ["企业名称", "统一社会信用代码", "营业收入", "从业人员"],
        ["甲公司", "A", "1", "2"],
    ]
    found = layout(rows, grouped_known)
    # the lower row names all four already: the upper adds nothing, so it is a title, not part of the header
    assert (found.parent, found.header, found.titles) == (None, 1, [0])


def test_a_title_above_or_units_under_a_one_row_header_is_not_taken_for_a_second_header_row():
    rows = [
        ["2025年XX县规上工业企业名单", "", "", "", ""],
        ["", "统一社会信用代码", "企业名称", "所在区县", "营业收入"],  # A blank under the title's cell
        ["", "", "", "", "万元"],
        ["1", "A", "甲公司", "东湖区", "100"],
    ]
    found = layout(rows, known)
    assert (found.parent, found.header, found.units) == (None, 1, 2)
    assert found.names[0] == "" and found.data == [3]


def test_a_grouped_header_repeated_above_the_next_block_is_skipped_both_rows():
    parent = ["企业名称", "统一社会信用代码", "经营情况", ""]
    child = ["", "", "营业收入", "从业人员"]
    rows = [parent, child, ["甲公司", "A", "1", "2"], parent, child, ["乙公司", "B", "3", "4"]]
    found = layout(rows, grouped_known)
    assert found.data == [2, 5] and found.sections == [3, 4]


def test_a_lower_name_is_read_after_its_group_when_it_names_nothing_by_itself():
    names = {**GROUPED_NAMES, "联系人姓名": "contact_name", "联系人电话": "contact_phone", "电话": "phone"}
    rows = [
        ["企业名称", "统一社会信用代码", "联系人", ""],  # 联系人 merged over C:D
        ["", "", "姓名", "电话"],
        ["甲公司", "A", "张三", "13900000000"],
    ]
    found = layout(rows, lambda cell: names.get(cell.strip()))
    # 姓名 alone names nothing, so it is read as 联系人姓名; 电话 names a column by itself and stays as written
    assert found.names == ["企业名称", "统一社会信用代码", "联系人姓名", "电话"]
    assert found.columns == {0: "name", 1: "code", 2: "contact_name", 3: "phone"}
