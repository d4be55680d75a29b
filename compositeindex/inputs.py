"""iData / iMeta tables (COINr's layout) read from CSV or XLSX into plain NumPy-backed structures, and validated.

Every validation problem names the table, the spreadsheet row (the header is row 1) and the column, and all problems
are collected before raising, so an analyst fixes a file in one pass instead of one error at a time."""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

ELEMENT_TYPES = ("Indicator", "Aggregate", "Group", "Denominator", "Other")
MISSING_TOKENS = {"", "na", "n/a", "nan", "null", "none", "-"}
RESERVED = ("uCode", "uName", "Time")


@dataclass(frozen=True)
class Problem:
    table: str
    row: int | None  # spreadsheet row, header = 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = self.table
        if self.row is not None:
            where += f" 第 {self.row} 行"
        if self.column:
            where += f" {self.column} 列"
        return f"{where}：{self.message}"


class InputError(ValueError):
    """Raised with every problem found in the inputs (or the configuration)."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass(frozen=True)
class Table:
    """A header and rows of raw cell values (str, numbers or None) as read from a file."""

    header: tuple[str, ...]
    rows: tuple[tuple, ...]


def read_table(source: str | Path | bytes, *, sheet: str | None = None, name: str = "") -> Table:
    """CSV (UTF-8, with or without BOM) or XLSX (first sheet unless `sheet`), chosen by suffix or content."""
    if isinstance(source, bytes):
        data, suffix = source, (".xlsx" if source[:2] == b"PK" else ".csv")
    else:
        path = Path(source)
        data, suffix = path.read_bytes(), path.suffix.lower()
    if suffix in {".xlsx", ".xlsm"}:
        import openpyxl

        book = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        ws = book[sheet] if sheet else book.worksheets[0]
        rows = [tuple(r) for r in ws.iter_rows(values_only=True)]
        book.close()
    else:
        rows = [tuple(r) for r in csv.reader(io.StringIO(data.decode("utf-8-sig")))]
    while rows and all(c is None or str(c).strip() == "" for c in rows[-1]):
        rows.pop()
    if not rows:
        raise InputError([Problem(name or "table", None, None, "文件为空")])
    header = tuple("" if c is None else str(c).strip() for c in rows[0])
    width = len(header)
    body = tuple(tuple(r[:width]) + (None,) * (width - len(r)) for r in rows[1:])
    return Table(header, body)


def _text(cell) -> str:
    if cell is None:
        return ""
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    return str(cell).strip()


def _number(cell) -> float | None:
    """float, NaN for a missing cell, None when the cell is not a number."""
    if cell is None:
        return math.nan
    if isinstance(cell, bool):
        return None
    if isinstance(cell, int | float):
        return float(cell)
    text = str(cell).strip()
    if text.lower() in MISSING_TOKENS:
        return math.nan
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


# ---------------------------------------------------------------------------------------------------------- iMeta


@dataclass(frozen=True)
class Element:
    code: str
    name: str
    level: int | None
    parent: str | None
    direction: int
    weight: float
    type: str
    unit: str = ""
    target: float = math.nan
    denominator: str | None = None
    params: dict = field(default_factory=dict)  # extra numeric columns, e.g. goalpost_lower


@dataclass(frozen=True)
class IMeta:
    elements: tuple[Element, ...]

    def __post_init__(self):
        by_code = {e.code: e for e in self.elements}
        object.__setattr__(self, "_by_code", by_code)
        children: dict[str, list[str]] = {}
        for e in self.elements:
            if e.parent and e.type in ("Indicator", "Aggregate"):
                children.setdefault(e.parent, []).append(e.code)
        object.__setattr__(self, "_children", {k: tuple(v) for k, v in children.items()})

    def __getitem__(self, code: str) -> Element:
        return self._by_code[code]

    def __contains__(self, code: str) -> bool:
        return code in self._by_code

    @property
    def indicators(self) -> tuple[str, ...]:
        return tuple(e.code for e in self.elements if e.type == "Indicator")

    @property
    def max_level(self) -> int:
        return max(e.level for e in self.elements if e.level is not None)

    def codes_at(self, level: int) -> tuple[str, ...]:
        return tuple(e.code for e in self.elements if e.level == level and e.type in ("Indicator", "Aggregate"))

    def children(self, code: str) -> tuple[str, ...]:
        return self._children.get(code, ())

    def descendants(self, code: str) -> tuple[str, ...]:
        """Indicators under `code` (itself when it is an indicator), in iMeta order."""
        if self[code].type == "Indicator":
            return (code,)
        out: list[str] = []
        for child in self.children(code):
            out.extend(self.descendants(child))
        return tuple(out)

    def ancestors(self, code: str) -> tuple[str, ...]:
        out, cur = [], self[code].parent
        while cur:
            out.append(cur)
            cur = self[cur].parent
        return tuple(out)

    def with_weights(self, weights: dict[str, float]) -> IMeta:
        import dataclasses

        return IMeta(tuple(dataclasses.replace(e, weight=float(weights.get(e.code, e.weight))) for e in self.elements))

    def weights(self) -> dict[str, float]:
        return {e.code: e.weight for e in self.elements if e.type in ("Indicator", "Aggregate")}


IMETA_REQUIRED = ("Level", "iCode", "iName", "Parent", "Direction", "Weight", "Type")
IMETA_TEXT = {"iCode", "iName", "Parent", "Type", "Unit", "Denominator"}


def parse_imeta(table: Table) -> IMeta:
    problems: list[Problem] = []
    T = "iMeta"
    cols = {name: i for i, name in enumerate(table.header)}
    for name in ("iCode", "Type"):
        if name not in cols:
            raise InputError([Problem(T, 1, name, "缺少必需的列")])
    for name in IMETA_REQUIRED:
        if name not in cols:
            problems.append(Problem(T, 1, name, "缺少必需的列"))
    extra = [c for c in table.header if c and c not in IMETA_REQUIRED and c not in IMETA_TEXT and c != "Target"]

    def cell(row, name):
        return row[cols[name]] if name in cols else None

    elements: list[Element] = []
    rownum: dict[str, int] = {}
    for i, row in enumerate(table.rows, start=2):
        if all(_text(c) == "" for c in row):
            continue
        code = _text(cell(row, "iCode"))
        kind = _text(cell(row, "Type"))
        if not code:
            problems.append(Problem(T, i, "iCode", "代码为空"))
            continue
        if code in rownum:
            problems.append(Problem(T, i, "iCode", f"代码 “{code}” 重复（第 {rownum[code]} 行已出现）"))
            continue
        rownum[code] = i
        if kind not in ELEMENT_TYPES:
            problems.append(Problem(T, i, "Type", f"类型 “{kind}” 无效，应为 {' / '.join(ELEMENT_TYPES)}"))
            continue
        framework = kind in ("Indicator", "Aggregate")
        level = None
        direction, weight = 1, math.nan
        if framework:
            lv = _number(cell(row, "Level"))
            if lv is None or math.isnan(lv) or not lv.is_integer() or lv < 1:
                problems.append(Problem(T, i, "Level", "层级应为正整数"))
            else:
                level = int(lv)
                if kind == "Indicator" and level != 1:
                    problems.append(Problem(T, i, "Level", "指标（Indicator）的层级应为 1"))
                if kind == "Aggregate" and level < 2:
                    problems.append(Problem(T, i, "Level", "汇总项（Aggregate）的层级应不小于 2"))
            d = _number(cell(row, "Direction"))
            if kind == "Indicator" or (d is not None and not math.isnan(d)):
                if d is None or d not in (1.0, -1.0):
                    problems.append(Problem(T, i, "Direction", "方向应为 1 或 -1"))
                else:
                    direction = int(d)
            w = _number(cell(row, "Weight"))
            if w is None:
                problems.append(Problem(T, i, "Weight", "权重不是数字"))
            elif math.isnan(w):
                problems.append(Problem(T, i, "Weight", "权重为空（NaN）"))
            elif w < 0:
                problems.append(Problem(T, i, "Weight", "权重不能为负"))
            else:
                weight = w
        target = _number(cell(row, "Target")) if "Target" in cols else math.nan
        if target is None:
            problems.append(Problem(T, i, "Target", "目标值不是数字"))
            target = math.nan
        params = {}
        for name in extra:
            raw = cell(row, name)
            value = _number(raw)
            params[name] = _text(raw) if value is None else value
        parent = _text(cell(row, "Parent")) or None
        elements.append(
            Element(
                code=code,
                name=_text(cell(row, "iName")) or code,
                level=level,
                parent=parent if framework else None,
                direction=direction,
                weight=weight,
                type=kind,
                unit=_text(cell(row, "Unit")),
                target=target,
                denominator=_text(cell(row, "Denominator")) or None,
                params={k: v for k, v in params.items() if not (isinstance(v, float) and math.isnan(v)) and v != ""},
            )
        )
    by_code = {e.code: e for e in elements}
    for e in elements:
        if e.type not in ("Indicator", "Aggregate"):
            continue
        i = rownum[e.code]
        if e.parent is None:
            continue
        parent = by_code.get(e.parent)
        if parent is None:
            problems.append(Problem(T, i, "Parent", f"上级代码 “{e.parent}” 不存在"))
        elif parent.type != "Aggregate":
            problems.append(Problem(T, i, "Parent", f"上级 “{e.parent}” 不是汇总项（Aggregate）"))
    # Cycles before levels: a loop in Parent would otherwise only show up as confusing level errors.
    reported: set[str] = set()
    for e in elements:
        seen, cur = [], e.code
        while cur in by_code and by_code[cur].parent and cur not in seen:
            seen.append(cur)
            cur = by_code[cur].parent
        if cur in seen and cur not in reported:
            loop = seen[seen.index(cur) :]
            reported.update(loop)
            problems.append(Problem(T, rownum[cur], "Parent", "上级关系形成循环：" + " → ".join([*loop, cur])))
    for e in elements:
        parent = by_code.get(e.parent) if e.parent else None
        ok = parent is not None and e.code not in reported and e.level is not None and parent.level is not None
        if ok and parent.level != e.level + 1:
            message = f"上级 “{e.parent}” 的层级应为 {e.level + 1}（实为 {parent.level}）"
            problems.append(Problem(T, rownum[e.code], "Parent", message))
    levels = [e.level for e in elements if e.level is not None]
    if levels:
        top = max(levels)
        for e in elements:
            if e.level is not None and e.level < top and e.parent is None:
                problems.append(Problem(T, rownum[e.code], "Parent", "非最高层的项必须有上级"))
            if e.type == "Aggregate" and not any(c.parent == e.code for c in elements):
                problems.append(Problem(T, rownum[e.code], "iCode", f"汇总项 “{e.code}” 没有下级"))
    if not any(e.type == "Indicator" for e in elements):
        problems.append(Problem(T, None, "Type", "没有任何指标（Indicator）"))
    if problems:
        raise InputError(problems)
    return IMeta(tuple(elements))


# ---------------------------------------------------------------------------------------------------------- iData


@dataclass(frozen=True)
class IData:
    """One row per unit (or unit × time). `values` holds every numeric column (indicators and denominators)."""

    units: tuple[str, ...]
    names: tuple[str, ...]
    times: np.ndarray | None  # float, one per row, or None
    groups: dict[str, tuple[str, ...]]  # *_group column → label per row
    columns: tuple[str, ...]
    values: np.ndarray  # rows × columns, NaN where missing

    def column(self, code: str) -> np.ndarray:
        return self.values[:, self.columns.index(code)]

    def select(self, rows: np.ndarray) -> IData:
        return IData(
            units=tuple(self.units[i] for i in rows),
            names=tuple(self.names[i] for i in rows),
            times=None if self.times is None else self.times[rows],
            groups={k: tuple(v[i] for i in rows) for k, v in self.groups.items()},
            columns=self.columns,
            values=self.values[rows],
        )


def parse_idata(table: Table, imeta: IMeta) -> IData:
    problems: list[Problem] = []
    T = "iData"
    cols = {name: i for i, name in enumerate(table.header)}
    for j, name in enumerate(table.header):
        if not name:
            problems.append(Problem(T, 1, f"第 {j + 1} 列", "列名为空"))
        elif table.header.index(name) != j:
            problems.append(Problem(T, 1, name, "列名重复"))
    if "uCode" not in cols:
        raise InputError([*problems, Problem(T, 1, "uCode", "缺少必需的列")])
    group_cols = [c for c in table.header if c.endswith("_group")]
    numeric = [c for c in table.header if c and c not in RESERVED and c not in group_cols]
    for c in numeric:
        if c not in imeta:
            problems.append(Problem(T, 1, c, "该列未在 iMeta 中说明"))
        elif imeta[c].type == "Aggregate":
            problems.append(Problem(T, 1, c, "汇总项（Aggregate）不应出现在 iData 中"))
    for code in imeta.indicators:
        if code not in cols:
            problems.append(Problem("iMeta", None, "iCode", f"指标 “{code}” 在 iData 中没有对应的列"))
    for e in imeta.elements:
        if e.denominator and e.denominator not in cols:
            message = f"{e.code} 的分母列 “{e.denominator}” 在 iData 中不存在"
            problems.append(Problem("iMeta", None, "Denominator", message))
    numeric = [c for c in numeric if c in imeta and imeta[c].type != "Aggregate"]
    n = len(table.rows)
    values = np.full((n, len(numeric)), np.nan)
    units, names, times = [], [], []
    seen: dict[tuple, int] = {}
    has_time = "Time" in cols
    for r, row in enumerate(table.rows):
        i = r + 2
        code = _text(row[cols["uCode"]])
        if not code:
            problems.append(Problem(T, i, "uCode", "单位代码为空"))
        t = math.nan
        if has_time:
            t = _number(row[cols["Time"]])
            if t is None or math.isnan(t):
                problems.append(Problem(T, i, "Time", "时间应为数字"))
                t = math.nan
        key = (code, t if has_time else None)
        if code and key in seen:
            problems.append(Problem(T, i, "uCode", f"单位 “{code}” 重复（第 {seen[key]} 行已出现）"))
        seen.setdefault(key, i)
        units.append(code)
        names.append(_text(row[cols["uName"]]) if "uName" in cols else code)
        times.append(t)
        for j, c in enumerate(numeric):
            v = _number(row[cols[c]])
            if v is None:
                problems.append(Problem(T, i, c, f"“{_text(row[cols[c]])}” 不是数字"))
            else:
                values[r, j] = v
    if problems:
        raise InputError(problems)
    return IData(
        units=tuple(units),
        names=tuple(n or u for n, u in zip(names, units, strict=True)),
        times=np.array(times) if has_time else None,
        groups={g: tuple(_text(row[cols[g]]) for row in table.rows) for g in group_cols},
        columns=tuple(numeric),
        values=values,
    )


def load(data: str | Path | Table, meta: str | Path | Table) -> tuple[IData, IMeta]:
    """Both tables from files (or already-read Tables); the iMeta is validated first because iData depends on it."""
    meta_t = meta if isinstance(meta, Table) else read_table(meta, name="iMeta")
    data_t = data if isinstance(data, Table) else read_table(data, name="iData")
    imeta = parse_imeta(meta_t)
    return parse_idata(data_t, imeta), imeta


def table_from_rows(rows: list[dict]) -> Table:
    """A Table from dicts (tests and the Python API), header in first-seen key order."""
    header: list[str] = []
    for r in rows:
        for k in r:
            if k not in header:
                header.append(k)
    return Table(tuple(header), tuple(tuple(r.get(h) for h in header) for r in rows))
