"""Builders for the enterprise lists offices actually keep, for import tests: titles above the header, a units row,
a 序号 column, subtotals and signatures below, several sheets, merged cells. All names and codes are synthetic."""

import io
from dataclasses import dataclass, field

import openpyxl


@dataclass
class SheetSpec:
    name: str
    rows: list[list]
    hidden: bool = False
    merges: list[str] = field(default_factory=list)  # "A1:F1"


def workbook(*sheets: SheetSpec) -> bytes:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for spec in sheets:
        sheet = book.create_sheet(spec.name)
        for row in spec.rows:
            sheet.append(row)
        for merge in spec.merges:
            sheet.merge_cells(merge)
        if spec.hidden:
            sheet.sheet_state = "hidden"
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


TITLE = "2025年东湖区规上工业企业名单"
# The header of a county statistics office's list: 序号, synonyms for every column, units in brackets.
COUNTY_HEADER = [
    "序号",
    "企业（单位）名称",
    "社会信用代码",
    "行政区划",
    "所属行业代码",
    "年末从业人数",
    "主营业务收入（万元）",
]


def county_list(records: list[list], *, title: str = TITLE) -> list[list]:
    """A list as a county office sends it: title, the issuing office, the header, a units row, numbered records,
    a total, and the signatures. `records` are rows without the 序号 (name, code, county, industry, staff, revenue).
    Record i is spreadsheet row 5 + i."""
    width = len(COUNTY_HEADER)
    rows: list[list] = [
        [title] + [None] * (width - 1),
        ["填报单位：东湖区工业和信息化局", None, None, None, None, "填报日期：2026年1月", None],
        COUNTY_HEADER,
        [None, None, None, None, None, "人", "万元"],
    ]
    for number, record in enumerate(records, start=1):
        rows.append([number, *record])
    rows.append(["合计", None, None, None, None, sum(int(r[4] or 0) for r in records), None])
    rows.append(["填表人：张三", None, "审核人：李四", None, "联系电话：0791-00000000", None, None])
    return rows
