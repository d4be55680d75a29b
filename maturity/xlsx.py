"""A model spec as an XLSX workbook, so officials can edit a model in a spreadsheet and import it back.

Sheets: 模型 (identity and rule as field/value rows), 等级, 结构 (one row per node or item, parent by code),
选项, 分段 (item bands), 规则分段 / 规则要求 / 规则阈值 (the rule's tables) and 说明 (ignored on import).
Each header reads "中文名 field_key"; import matches on the key, so officials may reword the Chinese.

Columns come from the pydantic models' fields, so a new optional field on Option, Band or an item class shows up
as a column without changes here. Uploads are untrusted: formula cells are rejected (never evaluated, and their
cached values may be stale), and every bad cell is reported with its sheet, row and column in Chinese.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

from pydantic import BaseModel

from maturity.spec import _GRADED_DEFAULT, ModelSpec, Node
from maturity.xlsx_import import import_xlsx
from maturity.xlsx_layout import (
    BAND_FIELDS,
    BANDS,
    FORMULA_TRIGGERS,
    HELP,
    LEVEL_FIELDS,
    LEVELS,
    MODEL,
    MODEL_FIELDS,
    OPTION_FIELDS,
    OPTIONS,
    RULE_FIELDS,
    RULE_SHEETS,
    RULE_TABLES,
    TREE,
    TREE_FIELDS,
    XlsxImportError,
    _header,
    _hint,
)

__all__ = ["XlsxImportError", "export_xlsx", "import_xlsx", "template_xlsx"]


# ---------------------------------------------------------------------------------------------------------------
# Export


def _cell_value(value: Any) -> Any:
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return value


def _dump(obj: BaseModel, keys: Iterator[str] | list[str]) -> dict[str, Any]:
    data = obj.model_dump(mode="json")
    out = {}
    for key in keys:
        head, _, sub = key.partition(".")
        if head not in data or (sub and data[head] is None):
            continue
        value = data[head][sub] if sub else data[head]
        if value is not None:
            out[key] = value
    return out


def _tree_rows(nodes: list[Node], parent: str | None) -> Iterator[dict[str, Any]]:
    for node in nodes:
        yield {"row": "node", "parent": parent, **_dump(node, TREE_FIELDS)}
        yield from _tree_rows(node.children, node.code)
        for item in node.items:
            yield {"row": "item", "parent": node.code, **_dump(item, TREE_FIELDS)}


class _Writer:
    def __init__(self) -> None:
        from openpyxl import Workbook

        self.wb = Workbook()
        self.wb.remove(self.wb.active)

    def table(self, title: str, fields: dict[str, Any], rows: list[dict[str, Any]]) -> None:
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        ws = self.wb.create_sheet(title)
        keys = list(fields)
        ws.append([_header(k) for k in keys])
        for cell in ws[1]:
            cell.font = Font(bold=True)
        for row in rows:
            ws.append([None] * len(keys))
            for col, key in enumerate(keys, start=1):
                self.put(ws.cell(row=ws.max_row, column=col), row.get(key))
        ws.freeze_panes = "A2"
        for col, key in enumerate(keys, start=1):
            ws.column_dimensions[get_column_letter(col)].width = max(10, min(40, len(_header(key)) + 4))

    @staticmethod
    def put(cell: Any, value: Any) -> None:
        cell.value = _cell_value(value)
        if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
            # Text that Excel would run as a formula stays text, and stays text when an official edits it.
            cell.data_type = "s"
            cell.quotePrefix = True

    def save(self) -> bytes:
        buf = io.BytesIO()
        self.wb.save(buf)
        return buf.getvalue()


def _build(spec: ModelSpec | None) -> bytes:
    w = _Writer()
    rule = spec.rule if spec else None
    kv: list[dict[str, Any]] = []
    top = _dump(spec, MODEL_FIELDS) if spec else {}
    for key, ann in {**MODEL_FIELDS, **RULE_FIELDS}.items():
        if key.startswith("rule."):
            value = _dump(rule, [key[5:]]).get(key[5:]) if rule else None
            if rule is not None and key[5:].partition(".")[0] not in type(rule).model_fields:
                continue
        else:
            value = top.get(key)
        values = value if key.endswith("sources") and value else [value]  # one source per row
        kv += [{"field": _header(key), "value": v, "hint": _hint(ann)} for v in values]
    w.table(MODEL, {"field": str, "value": str, "hint": str}, kv)
    w.table(LEVELS, LEVEL_FIELDS, [lv.model_dump() for lv in spec.levels] if spec else [])
    w.table(TREE, TREE_FIELDS, list(_tree_rows(spec.nodes, None)) if spec else [])
    options, bands = [], []
    for ref in spec.iter_items() if spec else []:
        item = ref.item
        if getattr(item, "options", None) and not (item.kind == "graded" and item.options == _GRADED_DEFAULT):
            options += [{"item": item.code, **_dump(o, OPTION_FIELDS)} for o in item.options]
        bands += [{"item": item.code, **_dump(b, BAND_FIELDS)} for b in getattr(item, "bands", [])]
    w.table(OPTIONS, OPTION_FIELDS, options)
    w.table(BANDS, BAND_FIELDS, bands)
    for field, columns in RULE_TABLES.items():
        value = getattr(rule, field, None)
        if isinstance(value, dict):
            rows = [{"level": k, "threshold": v} for k, v in value.items()]
        else:
            rows = [_dump(r, columns) for r in value or []]
        w.table(RULE_SHEETS.get(field, f"规则_{field}"), columns, rows)
    w.table(HELP, {"hint": str}, [{"hint": line} for line in _HELP_TEXT])
    return w.save()


_HELP_TEXT = [
    "每张表第一行为列名，格式为“中文名 字段名”；导入时按字段名识别，中文名可修改。",
    "模型：每行一个字段；来源 sources 可占多行，每行一条。规则类型决定使用哪张规则表。",
    "结构：每行一个节点（node）或条目（item），用“上级代码”指明所属节点，行的先后即显示顺序。",
    "节点下只能放子节点或条目之一。条目的题型 kind 决定可填的列，不适用的列须留空。",
    "选项：按条目代码列出选项；graded 条目不列选项时使用默认满足度（1 / 0.8 / 0.5 / 0）。",
    "分段：numeric_bands 条目的数值区间，须升序且不重叠；下限/上限留空表示无界。",
    "是/否 列填“是”或“否”；多个值用逗号分隔。请勿使用公式，含公式的文件会被拒绝。",
]


def export_xlsx(spec: ModelSpec) -> bytes:
    """The spec as an XLSX workbook that `import_xlsx` reads back to an equal spec."""
    return _build(spec)


def template_xlsx() -> bytes:
    """An empty workbook with every sheet, column and model field, for authoring a model from scratch."""
    return _build(None)
