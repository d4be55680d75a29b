"""The assessment import file: its fixed columns, one column per item, what each cell may hold, and the template.

Cells are read a column at a time: every distinct text of a column is parsed once (a 50,000-row file holds a
handful of distinct answers per item), so validating millions of cells costs a dictionary lookup each."""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.utils.translation import gettext as _

from core.exports import SheetOut, write_workbook
from core.sheet_locate import locate
from core.spreadsheets import normalise_header, read_table
from maturity.answers import points_for
from maturity.encoding import NA_VALUE
from maturity.spec import NA, Item, ModelSpec

CREDIT_CODE, NAME, KIND, PRODUCTION_TYPE = "统一社会信用代码", "企业名称", "评估类型", "生产类型"
FIXED = {
    "credit_code": (CREDIT_CODE, ("信用代码", "社会信用代码", "统一代码")),
    "name": (NAME, ("名称", "单位名称")),
    "kind": (KIND, ("类型",)),
    "production_type": (PRODUCTION_TYPE, ("生产方式",)),
}
FIXED_KEYS = {normalise_header(alias): key for key, (h, aliases) in FIXED.items() for alias in (h, *aliases)}
KINDS = {
    "自评估": "self",
    "企业自评估": "self",
    "self": "self",
    "诊断评估": "diagnosis",
    "专员诊断评估": "diagnosis",
    "诊断": "diagnosis",
    "diagnosis": "diagnosis",
}
KIND_LABELS = {"self": "自评估", "diagnosis": "诊断评估"}
PRODUCTION_TYPES = {
    "离散型": "discrete",
    "离散": "discrete",
    "discrete": "discrete",
    "流程型": "process",
    "流程": "process",
    "process": "process",
}
PRODUCTION_LABELS = {"discrete": "离散型", "process": "流程型"}
NA_TEXTS = {"不适用", "n/a", "na", "N/A", "NA"}
YES, NO = {"是", "y", "yes", "true", "1", "有", "√"}, {"否", "n", "no", "false", "0", "无", "×"}
MULTI_SPLIT = re.compile(r"[、,，;；\n]+")
IMPORTABLE_KINDS = ("graded", "single_choice", "multi_select", "numeric_bands", "scene", "prerequisite")
MISSING = object()  # an empty cell


class HeaderError(ValueError):
    pass


def clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def item_header(item: Item) -> str:
    return f"{item.code} {item.name}"


def importable_items(spec: ModelSpec) -> list[Item]:
    return [r.item for r in spec.iter_items() if r.item.kind in IMPORTABLE_KINDS]


@dataclass
class Layout:
    """Where each column is: fixed keys → index, and the model's items in file order with their indexes."""

    fixed: dict[str, int]
    items: list[tuple[int, Item]]


def map_headers(headers: list[str], spec: ModelSpec) -> tuple[Layout, list[str]]:
    """Read the header row. Item columns are named "code name" (the code alone is enough). An unknown item column
    is an error: silently dropping answers would import a different assessment from the one in the file."""
    items = {item.code: item for item in importable_items(spec)}
    evidence = {r.item.code for r in spec.iter_items() if r.item.kind not in IMPORTABLE_KINDS}
    fixed: dict[str, int] = {}
    found: list[tuple[int, Item]] = []
    seen: dict[str, int] = {}
    problems = []
    for index, header in enumerate(headers):
        if not header or normalise_header(header) in NUMBERING:
            continue
        key = FIXED_KEYS.get(normalise_header(header))
        if key is not None:
            if key in fixed:
                problems.append(_("列“%(h)s”出现了两次") % {"h": header})
            fixed[key] = index
            continue
        code = clean(header).split(" ")[0].split("　")[0]
        if code in items:
            if code in seen:
                problems.append(_("条目 %(code)s 的列出现了两次") % {"code": code})
            seen[code] = index
            found.append((index, items[code]))
        elif code in evidence:
            problems.append(_("第 %(n)s 列“%(h)s”是佐证材料条目，不能通过导入填写") % {"n": index + 1, "h": header})
        else:
            problems.append(
                _("第 %(n)s 列“%(h)s”不是该模型版本的条目，请使用该版本的导入模板") % {"n": index + 1, "h": header}
            )
    if "credit_code" not in fixed:
        problems.insert(0, _("缺少必填列：%(c)s。请下载导入模板核对表头") % {"c": CREDIT_CODE})
    if not found and not problems:
        problems.append(_("文件中没有任何条目列，请使用导入模板"))
    if problems:
        raise HeaderError("；".join(problems[:10]))
    return Layout(fixed, found), []


class ItemColumn:
    """One item's cell parser: text → (answer as stored, number as `maturity.AnswerMatrix` encodes it), or an error.

    Results are cached per distinct text."""

    def __init__(self, item: Item, header: str):
        self.item, self.header = item, header
        self.cache: dict[str, tuple[object, float] | str] = {}
        options = getattr(item, "options", None) or []
        self.by_text: dict[str, tuple[str, int]] = {}
        for index, option in enumerate(options):
            for text in (option.code, option.label, option.code.lower()):
                if text:
                    self.by_text.setdefault(clean(text), (option.code, index))
        labels = [(clean(o.label), o.code) for o in options if o.label and MULTI_SPLIT.search(clean(o.label))]
        self.joined_labels = sorted(labels, key=lambda pair: -len(pair[0]))

    def parse(self, raw: str) -> tuple[object, float] | str:
        """(answer, encoded) or a Chinese problem; an empty cell gives (MISSING, NaN)."""
        got = self.cache.get(raw)
        if got is None:
            got = self.cache[raw] = self._parse(clean(raw))
        return got

    def _parse(self, text: str) -> tuple[object, float] | str:
        item = self.item
        if not text:
            return MISSING, math.nan
        if text in NA_TEXTS:
            return (NA, NA_VALUE) if item.not_applicable_allowed else _("该条目不允许填写“不适用”")
        kind = item.kind
        if kind in ("graded", "single_choice"):
            hit = self.by_text.get(text) or self.by_text.get(text.lower())
            if hit is None:
                return self._invalid()
            code, index = hit
            return code, (points_for(item, code) if kind == "graded" else float(index))  # type: ignore[return-value]
        if kind == "multi_select":
            for label, code in self.joined_labels:  # labels holding a separator ("设备、人员") are read whole first
                text = text.replace(label, code)
            chosen: list[tuple[str, int]] = []
            for part in MULTI_SPLIT.split(text):
                part = part.strip()
                if part:
                    hit = self.by_text.get(part) or self.by_text.get(part.lower())
                    if hit is None:
                        return self._invalid()
                    chosen.append(hit)
            codes = list(dict.fromkeys(code for code, _i in chosen))
            try:
                points_for(item, codes)
            except ValueError:
                return _("选项有误（重复，或与互斥选项同时选择）。") + self.allowed()
            return codes, float(sum(1 << i for i in {i for _c, i in chosen}))
        if kind in ("numeric_bands", "scene"):
            try:
                number = float(text.replace(",", ""))
            except ValueError:
                return self._invalid()
            value: object = int(number) if kind == "scene" and number.is_integer() else number
            try:
                points_for(item, value)
            except ValueError:
                return self._invalid()
            return value, number
        if kind == "prerequisite":
            low = text.lower()
            if low in YES:
                return True, 1.0
            if low in NO:
                return False, 0.0
            return self._invalid()
        return self._invalid()  # pragma: no cover - evidence items have no column

    def _invalid(self) -> str:
        return _("填写值无效。") + self.allowed()

    def allowed(self) -> str:
        """What this column accepts, in words; also the template's explanation sheet."""
        item = self.item
        na = _("；不适用填“不适用”") if item.not_applicable_allowed else ""
        if item.kind in ("graded", "single_choice"):
            options = "、".join(f"{o.code}（{o.label}）" if o.label else o.code for o in item.options)
            return _("可填选项代码或名称：%(o)s%(na)s") % {"o": options, "na": na}
        if item.kind == "multi_select":
            options = "、".join(f"{o.code}（{o.label}）" if o.label else o.code for o in item.options)
            return _("可多选，用“、”“,”或“;”分隔，填选项代码或名称：%(o)s%(na)s") % {"o": options, "na": na}
        if item.kind == "numeric_bands":
            unit = f"（{item.unit}）" if getattr(item, "unit", "") else ""
            return _("填数值%(unit)s%(na)s") % {"unit": unit, "na": na}
        if item.kind == "scene":
            return _("填 %(lo)s–%(hi)s 的整数等级%(na)s") % {"lo": item.min_grade, "hi": item.max_grade, "na": na}
        return _("填“是”或“否”%(na)s") % {"na": na}


def write_template(handle, spec: ModelSpec, *, version_label: str) -> None:
    """An XLSX with the data sheet's header row and a second sheet explaining each column's allowed values."""
    items = importable_items(spec)
    headers = [CREDIT_CODE, NAME, KIND, PRODUCTION_TYPE, *(item_header(item) for item in items)]
    guide = [
        [CREDIT_CODE, "", _("是"), _("18 位；须为您可导入范围内已建档的企业，每家企业一行")],
        [NAME, "", _("否"), _("仅供核对：与档案不一致时给出提示，以信用代码为准")],
        [KIND, "", _("否"), _("自评估 或 诊断评估，留空为自评估（专员只能导入诊断评估）")],
        [PRODUCTION_TYPE, "", _("否"), _("离散型 或 流程型，留空按企业所属行业推定；决定哪些条目适用")],
    ]
    for item in items:
        scope = "、".join(PRODUCTION_LABELS.get(p, p) for p in item.applies_to.production_types)
        note = ItemColumn(item, "").allowed() + (_("（仅适用于%(p)s企业）") % {"p": scope} if scope else "")
        guide.append([item_header(item), item.level or "", _("是") if item.required else _("否"), note])
    guide += [[], [_("模型版本：%(v)s。空单元格表示未作答（按 0 分计）。") % {"v": version_label}]]
    write_workbook(
        handle,
        [
            SheetOut(_("评估数据"), headers, []),
            SheetOut(_("填写说明"), [_("列名"), _("级别"), _("必填"), _("可填内容")], guide),
        ],
    )


@dataclass
class Cells:
    """The file's non-blank data rows, column by column, with their sheet row numbers."""

    headers: list[str]
    numbers: list[int]
    columns: list[list[str]]
    notes: list[str] = field(default_factory=list)  # how the table was found (titles skipped …), for the preview


# Columns that number the rows (序号): recognised in a list and ignored, as in the enterprise import.
NUMBERING = {normalise_header(name) for name in ("序号", "编号", "序", "行次", "行号")}


def header_known(spec: ModelSpec) -> Callable[[str], str | None]:
    """Which column a header cell names, for finding the header row among titles and notes (core.sheet_layout)."""
    items = {item.code for item in importable_items(spec)}

    def known(cell: str) -> str | None:
        if key := FIXED_KEYS.get(normalise_header(cell)):
            return key
        code = clean(cell).split(" ")[0].split("　")[0]
        return code if code in items else None

    return known


def read_cells(
    path: Path,
    filename: str,
    cache: Path | None = None,
    *,
    reuse: bool = False,
    known: Callable[[str], str | None] | None = None,
) -> Cells:
    """Read the upload (see `read_table` for what is refused), or the cells the check kept for the commit.

    Reading a 50,000-row, 173-column XLSX takes about half a minute; the check stores its cells as one small
    integer array per column plus the column's distinct texts, which the commit loads in about a second."""
    if reuse and cache is not None and cache.with_suffix(".json").exists():
        return _load_cells(cache)
    if known is not None:
        # The header found by the names it holds, past titles, a units row, totals and signatures (core.sheet_locate).
        located = locate(path, filename, known)
        rows = [cells for _number, cells in located.rows]
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _h in located.headers]
        cells = Cells(located.headers, [number for number, _cells in located.rows], columns, located.notes)
    else:
        table = read_table(path, filename)
        keep = [i for i, row in enumerate(table.rows) if any(cell.strip() for cell in row)]
        rows = [table.rows[i] for i in keep]
        columns = [list(col) for col in zip(*rows, strict=True)] if rows else [[] for _h in table.headers]
        cells = Cells(table.headers, [i + 2 for i in keep], columns)
    if cache is not None:
        _save_cells(cache, cells)
    return cells


def _save_cells(cache: Path, cells: Cells) -> None:
    uniques, arrays = [], {}
    for j, col in enumerate(cells.columns):
        index: dict[str, int] = {}
        arrays[f"c{j}"] = np.fromiter((index.setdefault(t, len(index)) for t in col), np.int32, count=len(col))
        uniques.append(list(index))
    with cache.with_suffix(".npz").open("wb") as handle:
        np.savez(handle, **arrays)
    meta = {"headers": cells.headers, "numbers": cells.numbers, "uniques": uniques}
    cache.with_suffix(".json").write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8")


def _load_cells(cache: Path) -> Cells:
    meta = json.loads(cache.with_suffix(".json").read_text(encoding="utf-8"))
    with np.load(cache.with_suffix(".npz"), allow_pickle=False) as arrays:
        columns = [
            list(map(uniques.__getitem__, arrays[f"c{j}"].tolist())) for j, uniques in enumerate(meta["uniques"])
        ]
    return Cells(meta["headers"], meta["numbers"], columns)


def drop_cells(cache: Path) -> None:
    for suffix in (".npz", ".json"):
        cache.with_suffix(suffix).unlink(missing_ok=True)
