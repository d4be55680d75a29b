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
import math
import re
import types
import typing
from collections.abc import Iterator
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel, ValidationError

from maturity.loaders import SpecLoadError
from maturity.rules import Rule
from maturity.spec import _GRADED_DEFAULT, Band, Item, Level, ModelSpec, Node, Option

__all__ = ["XlsxImportError", "export_xlsx", "import_xlsx", "template_xlsx"]

MODEL, LEVELS, TREE, OPTIONS, BANDS, HELP = "模型", "等级", "结构", "选项", "分段", "说明"
RULE_SHEETS = {"bands": "规则分段", "requirements": "规则要求", "thresholds": "规则阈值"}
MAX_ROWS = 20_000  # per sheet; far above any real model, it bounds the work a hostile upload can cause
FORMULA_TRIGGERS = ("=", "+", "-", "@")

LABELS = {
    "field": "字段",
    "value": "值",
    "hint": "填写说明",
    "code": "代码",
    "name": "名称",
    "version": "版本",
    "sources": "来源",
    "status": "状态",
    "note": "备注",
    "below_level_name": "未达一级名称",
    "number": "序号",
    "row": "行类型",
    "parent": "上级代码",
    "kind": "题型",
    "level": "等级",
    "weight": "权重",
    "help": "填写帮助",
    "applies_to.production_types": "适用生产类型",
    "applies_to.industries": "适用行业",
    "applies_to.sizes": "适用规模",
    "not_applicable_allowed": "允许不适用",
    "required": "必答",
    "unit": "单位",
    "min_grade": "最低等级",
    "max_grade": "最高等级",
    "cap": "得分上限",
    "item": "条目代码",
    "label": "选项文字",
    "points": "分值",
    "exclusive": "互斥",
    "lo": "下限",
    "hi": "上限",
    "lo_closed": "含下限",
    "hi_closed": "含上限",
    "rule.type": "规则类型",
    "rule.status": "规则状态",
    "rule.note": "规则备注",
    "rule.scale_max": "满分",
    "rule.pass_threshold": "通过阈值",
    "rule.scenes_in_score": "场景计入总分",
    "min": "最低分",
    "max": "最高分",
    "max_inclusive": "含最高分",
    "min_score": "最低得分",
    "scene_level": "场景等级",
    "min_scenes": "最少场景数",
    "threshold": "阈值",
}
TRUE_WORDS = {"是", "true", "yes", "y", "1", "对", "√"}
FALSE_WORDS = {"否", "false", "no", "n", "0", "不", "×"}
STATUS_WORDS = {"正式": "official", "暂定": "provisional"}
ROW_WORDS = {"node": "node", "节点": "node", "item": "item", "条目": "item"}


class XlsxImportError(SpecLoadError):
    """An uploaded workbook is not a valid model; each problem names the sheet, row and column."""


# ---------------------------------------------------------------------------------------------------------------
# Field introspection: which columns a pydantic model contributes


def _members(annotated: Any) -> tuple[type[BaseModel], ...]:
    return get_args(get_args(annotated)[0])


ITEM_CLASSES = {get_args(c.model_fields["kind"].annotation)[0]: c for c in _members(Item)}
RULE_CLASSES = {get_args(c.model_fields["type"].annotation)[0]: c for c in _members(Rule)}


def _base_type(annotation: Any) -> Any:
    """`float | None` → float; `Literal[...]` stays; `list[str]` stays."""
    if get_origin(annotation) in (Union, types.UnionType):
        args = [a for a in get_args(annotation) if a is not type(None)]
        return args[0] if len(args) == 1 else annotation
    return annotation


def _model_list(annotation: Any) -> bool:
    """list[SomeModel] or list[Item]: a table of its own, not a column."""
    if get_origin(annotation) is not list:
        return False
    (arg,) = get_args(annotation)
    return get_origin(arg) is typing.Annotated or (isinstance(arg, type) and issubclass(arg, BaseModel))


def _scalar_fields(cls: type[BaseModel], skip: set[str] = frozenset()) -> dict[str, Any]:
    """Column key → annotation; nested models (applies_to) are flattened as `applies_to.industries`."""
    out: dict[str, Any] = {}
    for name, info in cls.model_fields.items():
        ann = _base_type(info.annotation)
        if name in skip or _model_list(ann) or get_origin(ann) is dict:
            continue
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            for sub, sub_info in ann.model_fields.items():
                out[f"{name}.{sub}"] = _base_type(sub_info.annotation)
        else:
            out[name] = ann
    return out


_TREE_SKIP = {"code", "name", "kind"}
TREE_FIELDS: dict[str, Any] = {"row": str, "code": str, "parent": str, "name": str, "kind": str}
for _cls in (Node, *ITEM_CLASSES.values()):
    for _key, _ann in _scalar_fields(_cls, _TREE_SKIP).items():
        TREE_FIELDS.setdefault(_key, _ann)
_NODE_KEYS = set(_scalar_fields(Node))
_ITEM_KEYS = {kind: set(_scalar_fields(cls)) for kind, cls in ITEM_CLASSES.items()}
OPTION_FIELDS = {"item": str, **_scalar_fields(Option)}
BAND_FIELDS = {"item": str, **_scalar_fields(Band)}
LEVEL_FIELDS = _scalar_fields(Level)
MODEL_FIELDS = _scalar_fields(ModelSpec, {"rule"})
RULE_FIELDS: dict[str, Any] = {}
RULE_TABLES: dict[str, dict[str, Any]] = {}
RULE_FIELDS["rule.type"] = Literal[tuple(RULE_CLASSES)]  # each class allows only its own tag
for _cls in RULE_CLASSES.values():
    for _key, _ann in _scalar_fields(_cls).items():
        RULE_FIELDS.setdefault(f"rule.{_key}", _ann)  # first class wins; "type" was set above
    for _key, _info in _cls.model_fields.items():
        _ann = _base_type(_info.annotation)
        if _model_list(_ann):
            RULE_TABLES.setdefault(_key, _scalar_fields(get_args(_ann)[0]))
        elif get_origin(_ann) is dict:
            RULE_TABLES.setdefault(_key, {"level": int, "threshold": float})
_order = [*RULE_SHEETS, *RULE_TABLES]
RULE_TABLES = {k: RULE_TABLES[k] for k in sorted(RULE_TABLES, key=_order.index)}


def _header(key: str) -> str:
    return f"{LABELS[key]} {key}" if key in LABELS else key


def _hint(ann: Any) -> str:
    if get_origin(ann) is Literal:
        return " / ".join(map(str, get_args(ann)))
    if ann is bool:
        return "是 / 否"
    if get_origin(ann) is list:
        return "多个值用逗号分隔"
    return {int: "整数", float: "数字", str: "文字"}.get(ann, "")


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
        if head not in data:
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
            if rule is not None and key[5:] not in type(rule).model_fields:
                continue
        else:
            value = top.get(key)
        values = value if key == "sources" and value else [value]
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


# ---------------------------------------------------------------------------------------------------------------
# Import


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
    fields = {**MODEL_FIELDS, **RULE_FIELDS}
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
            value = _convert(row["value"], str if key == "sources" else fields[key])
        except ValueError as exc:
            r.problems.add(MODEL, row.number, cell, _header(key), str(exc))
            continue
        target, cells, name = (rule, rule_cells, key[5:]) if key.startswith("rule.") else (top, top_cells, key)
        if key == "sources":
            target.setdefault("sources", []).append(value)
            cells.setdefault(name, f"{cell}{row.number}")
        elif name in target:
            r.problems.add(MODEL, row.number, cell, _header(key), "字段重复 field given twice")
        else:
            target[name] = value
            cells[name] = f"{cell}{row.number}"
    return top, rule, top_cells, rule_cells


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
            allowed = _NODE_KEYS
        else:
            kind = str(row.get("kind", "")).strip()
            if kind not in ITEM_CLASSES:
                col = row.columns.get("kind")
                r.problems.add(
                    TREE, row.number, col, _header("kind"), f"未知题型 {kind!r}；可用：{', '.join(ITEM_CLASSES)}"
                )
                continue
            allowed = _ITEM_KEYS[kind] | {"kind"}
        for key in sorted(set(row) - allowed - {"row", "parent"}, key=list(TREE_FIELDS).index):
            what = "节点" if row_type == "node" else f"题型 {row['kind']}"
            r.problems.add(TREE, row.number, row.columns[key], _header(key), f"{what}不使用此列，请留空")
        data = r.record(row, TREE_FIELDS, allowed)
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
    tree_rows = r.sheet(TREE, TREE_FIELDS)
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
