"""Finding the table in an uploaded file: which sheet, which row is the header, which rows are records, and what was
skipped or filled on the way, in sentences for the preview. The rules live in core.sheet_layout (pure); each import
passes its own `known` (header cell → the column it names, or None), so every import reads real lists alike."""

from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from core import sheet_layout
from core.spreadsheets import Sheet, SpreadsheetError, read_sheets


@dataclass
class Located:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row number, cells aligned to the headers)
    notes: list[str] = field(default_factory=list)  # what was skipped or filled, for the preview
    header_row: int = 1


def rows_text(indexes: list[int]) -> str:
    """0-based row indexes as the spreadsheet's row numbers, runs joined: [0, 1, 4] → "1–2、5"."""
    runs: list[list[int]] = []
    for number in sorted(index + 1 for index in indexes):
        if runs and number == runs[-1][1] + 1:
            runs[-1][1] = number
        else:
            runs.append([number, number])
    return _("、").join(f"{a}" if a == b else f"{a}–{b}" for a, b in runs)


def _fallback(sheet: Sheet) -> sheet_layout.Layout:
    """No row names a known column: take the first filled row as the header, so the message about missing columns
    can list what the file does have."""
    first = next((i for i, row in enumerate(sheet.rows) if any(c.strip() for c in row)), None)
    if first is None:
        raise SpreadsheetError(_("文件中没有数据"))
    data = [i for i in range(first + 1, len(sheet.rows)) if any(c.strip() for c in sheet.rows[i])]
    return sheet_layout.Layout(header=first, columns={}, data=data, titles=[])


def locate(path: Path, filename: str, known: sheet_layout.Known) -> Located:
    kind, sheets = read_sheets(path, filename)
    candidates = [
        sheet_layout.Candidate(sheet.name, sheet.hidden, sheet_layout.layout(sheet.rows, known)) for sheet in sheets
    ]
    chosen = sheet_layout.choose_sheet(candidates)
    visible = [s for s in sheets if not s.hidden]
    if not visible:
        raise SpreadsheetError(_("工作簿中没有可见的工作表"))
    if chosen is None:
        sheet, lay = visible[0], _fallback(visible[0])
    else:
        sheet = next(s for s in sheets if s.name == chosen.name)
        lay = chosen.layout
    notes: list[str] = []
    if kind == "xlsx" and len(sheets) > 1:
        notes.append(
            _("工作簿有 %(n)s 个工作表，已读取“%(name)s”（表头识别出 %(m)s 列）")
            % {"n": len(sheets), "name": sheet.name, "m": lay.matched}
        )
        hidden = [s.name for s in sheets if s.hidden]
        if hidden:
            notes.append(_("已忽略隐藏的工作表：%(names)s") % {"names": _("、").join(f"“{n}”" for n in hidden)})
    if sheet.formulas:
        raise SpreadsheetError(
            _("文件含有公式（单元格 %(cells)s），请将公式复制后“粘贴为数值”再导入")
            % {"cells": _("、").join(sheet.formulas)}
        )
    for first_row, first_col, last_row, last_col in sheet.merged:
        if first_row <= lay.header <= last_row and last_col > first_col:
            raise SpreadsheetError(
                _("表头含有合并单元格（第 %(row)s 行第 %(first)s–%(last)s 列），请取消合并，每列一个列名")
                % {"row": lay.header + 1, "first": first_col + 1, "last": last_col + 1}
            )
    rows = sheet.rows
    headers = lay.names or [cell.strip() for cell in rows[lay.header]]  # names: both rows of a grouped header
    for filled in sheet_layout.fill_merged(rows, sheet.merged, lay.header):
        name = headers[filled.column] if filled.column < len(headers) else str(filled.column + 1)
        notes.append(
            _("第 %(rows)s 行的“%(column)s”为合并单元格，已按合并区域填充")
            % {"rows": rows_text(list(range(filled.first_row, filled.last_row + 1))), "column": name}
        )
    if lay.titles:
        notes.append(_("第 %(rows)s 行为标题，已跳过") % {"rows": rows_text(lay.titles)})
    if lay.parent is not None:
        rows_of_header = rows_text([lay.parent, lay.header])
        notes.append(_("第 %(rows)s 行为两行表头，已合并为每列一个列名") % {"rows": rows_of_header})
    elif lay.header and not lay.titles:
        notes.append(_("表头在第 %(row)s 行") % {"row": lay.header + 1})
    if lay.units is not None:
        notes.append(_("第 %(row)s 行为单位行，已跳过") % {"row": lay.units + 1})
    if lay.totals:
        notes.append(_("第 %(rows)s 行为合计或小计，已跳过") % {"rows": rows_text(lay.totals)})
    if lay.sections:
        notes.append(_("第 %(rows)s 行为分组标题或重复的表头，已跳过") % {"rows": rows_text(lay.sections)})
    if lay.trailer is not None:
        notes.append(_("第 %(row)s 行起为落款或说明，已忽略") % {"row": lay.trailer + 1})
    width = len(headers)
    data = [(index + 1, (list(rows[index]) + [""] * width)[:width]) for index in lay.data]
    if not data:
        raise SpreadsheetError(_("文件只有表头，没有数据行"))
    return Located(headers=headers, rows=data, notes=notes, header_row=lay.header + 1)
