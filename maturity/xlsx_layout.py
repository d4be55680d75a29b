"""The XLSX layout of a model spec shared by export and import: sheet names, column labels, words accepted for
yes/no and status, and which columns each pydantic model contributes."""

from __future__ import annotations

import types
import typing
from typing import Any, Literal, Union, get_args, get_origin

from pydantic import BaseModel

from maturity.loaders import SpecLoadError
from maturity.rules import Rule
from maturity.spec import Band, Item, Level, ModelSpec, Node, Option

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
    "provenance.status": "出处状态",
    "provenance.sources": "出处",
    "provenance.notes": "出处说明",
    "grade_labels": "各级含义",
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
    "rule.provenance.status": "规则出处状态",
    "rule.provenance.sources": "规则出处",
    "rule.provenance.notes": "规则出处说明",
    "rule.scale_max": "满分",
    "rule.pass_threshold": "通过阈值",
    "rule.scenes_in_score": "场景计入总分",
    "rule.caps": "封顶条目",
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
