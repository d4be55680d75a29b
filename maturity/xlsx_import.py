"""Reading a model spec from an uploaded XLSX workbook (see maturity/xlsx.py for the layout)."""

from __future__ import annotations

import io
import math
import re
from typing import Any, Literal, get_args, get_origin

from pydantic import ValidationError

from maturity.spec import ModelSpec
from maturity.xlsx_layout import (
    _ITEM_KEYS,
    _NODE_KEYS,
    BAND_FIELDS,
    BANDS,
    FALSE_WORDS,
    ITEM_CLASSES,
    LABELS,
    LEVEL_FIELDS,
    LEVELS,
    MAX_ROWS,
    MODEL,
    MODEL_FIELDS,
    OPTION_FIELDS,
    OPTIONS,
    ROW_WORDS,
    RULE_CLASSES,
    RULE_FIELDS,
    RULE_SHEETS,
    RULE_TABLES,
    STATUS_WORDS,
    TREE,
    TREE_FIELDS,
    TRUE_WORDS,
    XlsxImportError,
    _header,
    _hint,
)

# ---------------------------------------------------------------------------------------------------------------
# Import

# Workbooks written before provenance existed carry a free-text "备注 note" column (model, rule, node, item); it is
# still read, and the spec turns it into provenance notes (maturity.base._WithProvenance). Export no longer writes it.
_LEGACY: dict[str, Any] = {"note": str}
_TREE_READ: dict[str, Any] = {**TREE_FIELDS, **_LEGACY}


class _Problems(list):
    def add(self, sheet: str, row: int | None, col: str | None, header: str | None, msg: str) -> None:
        where = f"工作表「{sheet}」"
        if row is not None:
            where += f"第 {row} 行"
        if col is not None:
            where += f" {col} 列"
        if header:
            where += f"（{header}）"
        self.append((where, msg))


class _Row(dict):
    """Cell values by field key, with where each came from."""

    def __init__(self, sheet: str, number: int, cells: dict[str, tuple[str, Any]]) -> None:
        super().__init__((k, v) for k, (_, v) in cells.items())
        self.sheet, self.number, self.columns = sheet, number, {k: c for k, (c, _) in cells.items()}


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_sheet(ws: Any, fields: dict[str, Any], problems: _Problems) -> list[_Row]:
    from openpyxl.utils import get_column_letter

    rows = ws.iter_rows()
    header = next(rows, None)
    if header is None:
        return []
    by_label = {LABELS.get(k, k): k for k in fields}
    keys: dict[int, str] = {}
    for i, cell in enumerate(header):
        if _is_blank(cell.value):
            continue
        text = str(cell.value).strip()
        key = text.split()[-1]
        key = key if key in fields else by_label.get(text)
        col = get_column_letter(i + 1)
        if key is None:
            problems.add(ws.title, 1, col, text, f"未知列 unknown column；可用的列：{', '.join(fields)}")
        elif key in keys.values():
            problems.add(ws.title, 1, col, text, f"列 {key} 重复 duplicate column")
        else:
            keys[i] = key
    out = []
    for number, cells in enumerate(rows, start=2):
        if number > MAX_ROWS:
            problems.add(ws.title, number, None, None, f"行数超过 {MAX_ROWS} too many rows")
            break
        values: dict[str, tuple[str, Any]] = {}
        for i, cell in enumerate(cells):
            if _is_blank(cell.value):
                continue
            col = get_column_letter(i + 1)
            if cell.data_type == "f" or not isinstance(cell.value, str | int | float | bool):
                problems.add(ws.title, number, col, None, "单元格含公式或非文本/数字内容，请“粘贴为数值”后再导入")
            elif i not in keys:
                problems.add(ws.title, number, col, None, "该列没有列名，数据无法识别 (value under a blank header)")
            else:
                values[keys[i]] = (col, cell.value)
        if values:
            out.append(_Row(ws.title, number, values))
    return out


def _convert(value: Any, ann: Any) -> Any:
    """A cell value as the field's type; raises ValueError with a Chinese message."""
    if ann is bool:
        word = str(value).strip().lower() if not isinstance(value, bool) else None
        if isinstance(value, bool):
            return value
        if word in TRUE_WORDS:
            return True
        if word in FALSE_WORDS:
            return False
        raise ValueError(f"应填“是”或“否”，实为 {value!r}")
    if isinstance(value, bool):
        raise ValueError(f"应为{_hint(ann) or '文字'}，实为 {value!r}")
    if ann in (int, float):
        if isinstance(value, str):
            try:
                value = float(value.strip().replace("，", "").replace(",", ""))
            except ValueError:
                raise ValueError(f"不是数字 not a number: {value!r}") from None
        if not math.isfinite(value):
            raise ValueError(f"不是有限数字 not a finite number: {value!r}")
        if ann is int:
            if not float(value).is_integer():
                raise ValueError(f"应为整数 not an integer: {value!r}")
            return int(value)
        return float(value)
    text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)
    if get_origin(ann) is list:
        return [p.strip() for p in re.split(r"[,，、;；\n]", text) if p.strip()]
    text = text.strip()
    if get_origin(ann) is Literal:
        text = STATUS_WORDS.get(text, text)
        if text not in get_args(ann):
            raise ValueError(f"应为 {' / '.join(map(str, get_args(ann)))} 之一，实为 {text!r}")
    return text


class _Reader:
    def __init__(self, content: bytes, source: str) -> None:
        from openpyxl import load_workbook

        self.source = source
        self.problems = _Problems()
        self.origins: dict[int, tuple[str, int | None, dict[str, str]]] = {}
        try:
            self.wb = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
        except Exception as exc:  # openpyxl raises zip, XML and KeyError types for damaged files
            raise XlsxImportError(source, [("", "不是有效的 Excel（.xlsx）文件 not a valid workbook")]) from exc

    def sheet(self, title: str, fields: dict[str, Any], required: bool = True) -> list[_Row]:
        if title not in self.wb.sheetnames:
            if required:
                self.problems.add(title, None, None, None, "缺少工作表 missing sheet；请使用导入模板")
            return []
        return _read_sheet(self.wb[title], fields, self.problems)

    def record(self, row: _Row, fields: dict[str, Any], keys: set[str] | None = None) -> dict[str, Any]:
        """Row → dict for pydantic (applies_to.x nested), converting cells and remembering their origin."""
        data: dict[str, Any] = {}
        for key, value in row.items():
            if keys is not None and key not in keys:
                continue
            try:
                converted = _convert(value, fields[key])
            except ValueError as exc:
                self.problems.add(row.sheet, row.number, row.columns[key], _header(key), str(exc))
                continue
            head, _, sub = key.partition(".")
            if sub:
                data.setdefault(head, {})[sub] = converted
            else:
                data[head] = converted
        self.origins[id(data)] = (row.sheet, row.number, row.columns)
        for key, nested in data.items():
            if isinstance(nested, dict):
                cols = {k.partition(".")[2]: c for k, c in row.columns.items() if k.startswith(f"{key}.")}
                self.origins[id(nested)] = (row.sheet, row.number, cols)
        return data

    def fail_if_any(self) -> None:
        if self.problems:
            raise XlsxImportError(self.source, list(self.problems))


def _model_sheet(r: _Reader) -> tuple[dict[str, Any], dict[str, Any], dict[str, str], dict[str, str]]:
    fields = {**MODEL_FIELDS, **RULE_FIELDS, **_LEGACY, **{f"rule.{k}": v for k, v in _LEGACY.items()}}
    rows = r.sheet(MODEL, {"field": str, "value": str, "hint": str})
    top: dict[str, Any] = {}
    rule: dict[str, Any] = {}
    top_cells: dict[str, str] = {}
    rule_cells: dict[str, str] = {}
    for row in rows:
        if "field" not in row:
            r.problems.add(MODEL, row.number, row.columns.get("value"), None, "缺少字段名 field name missing")
            continue
        text = str(row["field"]).strip()
        key = text.split()[-1]
        if key not in fields:
            key = next((k for k in fields if LABELS.get(k) == text), key)
        if key not in fields:
            r.problems.add(MODEL, row.number, row.columns["field"], text, "未知字段 unknown field")
            continue
        if "value" not in row:
            continue
        cell = row.columns["value"]
        try:
            # One source per row: a source's title may itself contain commas.
            value = _convert(row["value"], str if key.endswith("sources") else fields[key])
        except ValueError as exc:
            r.problems.add(MODEL, row.number, cell, _header(key), str(exc))
            continue
        target, cells, name = (rule, rule_cells, key[5:]) if key.startswith("rule.") else (top, top_cells, key)
        if key.endswith("sources"):
            target.setdefault(name, []).append(value)
            cells.setdefault(name, f"{cell}{row.number}")
        elif name in target:
            r.problems.add(MODEL, row.number, cell, _header(key), "字段重复 field given twice")
        else:
            target[name] = value
            cells[name] = f"{cell}{row.number}"
    return _nest(top, top_cells), _nest(rule, rule_cells), top_cells, rule_cells


def _nest(flat: dict[str, Any], cells: dict[str, str]) -> dict[str, Any]:
    """`provenance.notes` → {"provenance": {"notes": …}}; the nested dict's cell is its first field's."""
    out: dict[str, Any] = {}
    for key, value in flat.items():
        head, _, sub = key.partition(".")
        if sub:
            out.setdefault(head, {})[sub] = value
            cells.setdefault(head, cells[key])
        else:
            out[key] = value
    return out


def _tree(r: _Reader, rows: list[_Row]) -> tuple[list[dict[str, Any]], dict[str, dict[str, Any]]]:
    roots: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    items: dict[str, dict[str, Any]] = {}
    seen: dict[str, int] = {}
    pending: list[tuple[_Row, dict[str, Any], str]] = []
    for row in rows:
        code = str(_convert(row["code"], str)) if "code" in row else None
        row_type = ROW_WORDS.get(str(row.get("row", "")).strip().lower()) if "row" in row else None
        if row_type is None:
            if "row" in row:
                r.problems.add(TREE, row.number, row.columns["row"], _header("row"), "应为 node（节点）或 item（条目）")
                continue
            row_type = "item" if "kind" in row else "node"
        if not code:
            r.problems.add(TREE, row.number, None, _header("code"), "缺少代码 code missing")
            continue
        if code in seen:
            r.problems.add(
                TREE, row.number, row.columns["code"], _header("code"), f"代码重复，与第 {seen[code]} 行相同"
            )
            continue
        seen[code] = row.number
        if row_type == "node":
            allowed = _NODE_KEYS | set(_LEGACY)
        else:
            kind = str(row.get("kind", "")).strip()
            if kind not in ITEM_CLASSES:
                col = row.columns.get("kind")
                r.problems.add(
                    TREE, row.number, col, _header("kind"), f"未知题型 {kind!r}；可用：{', '.join(ITEM_CLASSES)}"
                )
                continue
            allowed = _ITEM_KEYS[kind] | {"kind"} | set(_LEGACY)
        for key in sorted(set(row) - allowed - {"row", "parent"}, key=list(_TREE_READ).index):
            what = "节点" if row_type == "node" else f"题型 {row['kind']}"
            r.problems.add(TREE, row.number, row.columns[key], _header(key), f"{what}不使用此列，请留空")
        data = r.record(row, _TREE_READ, allowed)
        (nodes if row_type == "node" else items)[code] = data
        pending.append((row, data, row_type))
    for row, data, row_type in pending:
        parent = str(_convert(row["parent"], str)) if "parent" in row else None
        if parent is None:
            if row_type == "item":
                r.problems.add(
                    TREE, row.number, None, _header("parent"), "条目须有上级节点 an item needs a parent node"
                )
            else:
                roots.append(data)
        elif parent in nodes:
            nodes[parent].setdefault("children" if row_type == "node" else "items", []).append(data)
        elif parent in items:
            msg = f"上级 {parent} 是条目，不能含下级 parent is an item"
            r.problems.add(TREE, row.number, row.columns["parent"], _header("parent"), msg)
        else:
            msg = f"上级代码 {parent} 不存在 orphan: unknown parent"
            r.problems.add(TREE, row.number, row.columns["parent"], _header("parent"), msg)
    return roots, items


def _attach(r: _Reader, sheet: str, fields: dict[str, Any], field: str, items: dict[str, dict[str, Any]]) -> None:
    for row in r.sheet(sheet, fields, required=False):
        code = str(_convert(row["item"], str)) if "item" in row else ""
        item = items.get(code)
        if item is None:
            msg = f"条目 {code} 不在「{TREE}」中 unknown item" if code else "缺少条目代码 item code missing"
            r.problems.add(sheet, row.number, row.columns.get("item"), _header("item"), msg)
            continue
        if field not in ITEM_CLASSES[item["kind"]].model_fields:
            msg = f"题型 {item['kind']} 的条目 {code} 不使用「{sheet}」"
            r.problems.add(sheet, row.number, row.columns["item"], _header("item"), msg)
            continue
        item.setdefault(field, []).append(r.record(row, fields, set(fields) - {"item"}))


def import_xlsx(content: bytes, source: str = "<xlsx>") -> ModelSpec:
    """Read a workbook written by `export_xlsx` / `template_xlsx` (or edited from one) into a validated spec."""
    r = _Reader(content, source)
    top, rule, top_cells, rule_cells = _model_sheet(r)
    levels = [r.record(row, LEVEL_FIELDS) for row in r.sheet(LEVELS, LEVEL_FIELDS)]
    tree_rows = r.sheet(TREE, _TREE_READ)
    r.fail_if_any()
    nodes, items = _tree(r, tree_rows)
    _attach(r, OPTIONS, OPTION_FIELDS, "options", items)
    _attach(r, BANDS, BAND_FIELDS, "bands", items)
    rule_cls = RULE_CLASSES.get(rule.get("type", ""))
    if rule_cls is None:
        where = rule_cells.get("type")
        msg = f"规则类型须为 {' / '.join(RULE_CLASSES)} 之一，实为 {rule.get('type')!r}"
        r.problems.append((f"工作表「{MODEL}」{where or ''}（{_header('rule.type')}）", msg))
    for key in set(rule) - set(rule_cls.model_fields if rule_cls else rule):
        r.problems.append((f"工作表「{MODEL}」{rule_cells[key]}", f"规则类型 {rule['type']} 不使用字段 rule.{key}"))
    for field, columns in RULE_TABLES.items():
        sheet = RULE_SHEETS.get(field, f"规则_{field}")
        rows = r.sheet(sheet, columns, required=False)
        if not rows:
            continue
        if rule_cls is not None and field not in rule_cls.model_fields:
            r.problems.add(sheet, rows[0].number, None, None, f"规则类型 {rule.get('type')} 不使用此表，请清空")
        elif field == "thresholds":
            rule[field] = {}
            for row in rows:
                d = r.record(row, columns)
                if set(columns) - set(row):
                    r.problems.add(sheet, row.number, None, None, "等级和阈值都须填写 level and threshold required")
                elif "level" in d and "threshold" in d:
                    rule[field][d["level"]] = d["threshold"]
        else:
            rule[field] = [r.record(row, columns) for row in rows]
    r.fail_if_any()
    data = {**top, "levels": levels, "nodes": nodes, "rule": rule}
    r.origins[id(data)] = (MODEL, None, {k: v for k, v in top_cells.items()})
    r.origins[id(rule)] = (MODEL, None, rule_cells)
    try:
        return ModelSpec.model_validate(data)
    except ValidationError as exc:
        raise XlsxImportError(source, [_locate(r, data, e) for e in exc.errors()]) from exc


def _locate(r: _Reader, data: dict[str, Any], error: Any) -> tuple[str, str]:
    """A pydantic error location → the sheet, row and column the offending value came from."""
    cur: Any = data
    origin = r.origins[id(data)]
    rest: list[str] = []
    for key in error["loc"]:
        if (isinstance(cur, dict) and key in cur) or (
            isinstance(cur, list) and isinstance(key, int) and key < len(cur)
        ):
            cur = cur[key]
            rest.append(str(key))
        elif isinstance(cur, dict) and (key in ITEM_CLASSES or key in RULE_CLASSES):
            continue  # a discriminated-union tag, not a field
        else:
            rest.append(str(key))
            cur = None
        if id(cur) in r.origins and isinstance(cur, dict):
            origin, rest = r.origins[id(cur)], []
    sheet, row, columns = origin
    field = rest[0] if rest else None
    col = columns.get(field) if field else None
    where = f"工作表「{sheet}」"
    if row is not None:
        where += f"第 {row} 行"
    if col:
        where += f" {col} 列" if row is not None else f" {col}"
    if field:
        where += f"（{'.'.join(rest)}）"
    return where, str(error["msg"]).removeprefix("Value error, ")
