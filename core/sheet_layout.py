"""Where the table is in a sheet people actually made: the header row found by the column names it holds, not by its
position, with title rows above it, a units row under it, subtotals, blank rows and signatures below the data.

A grouped header over two rows (a parent such as "2025年经营情况" merged over 营业收入 | 从业人员 | 资产总计 under
it, the other columns named in either row) is read as one header with one name per column.

Pure Python over rows of text (no Django): the caller passes a `known` function that names the column a header
cell stands for (or None), and turns the facts returned here into sentences for the preview."""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

Rows = Sequence[Sequence[str]]
Known = Callable[[str], str | None]

# Far enough down for a title, a subtitle, a date line and a note above the header; a header further down is no
# header a person would recognise either.
HEADER_SCAN_ROWS = 30
# A units row holds only units or the column numbering of statistical forms (甲、乙、1、2 …).
UNIT_CELL = re.compile(
    r"^(单位[:：].*|计量单位.*|[（(]?(万元|千元|亿元|元|人|个|家|%|％|年|万元/人)[)）]?|[甲乙丙丁戊己]|\d{1,2})$"
)
# Totals stand in the first filled cell of their row; the row is skipped, the data may go on below it.
TOTAL_CELL = re.compile(r"^(合\s*计|小\s*计|总\s*计|累\s*计|全[县市区省]合计)")
# Signatures and notes end the table: everything from the first of them down is ignored.
TRAILER_CELL = re.compile(
    r"^(填表人|填报人|审核人|审核|制表人?|制表日期|填表日期|填报日期|单位负责人|负责人|统计负责人|联系人[:：]|"
    r"备注[:：]|注[:：]|说明[:：]|数据来源|资料来源)"
)
# A block heading between blocks of data: "一、东湖区", "（二）高新区".
SECTION_CELL = re.compile(r"^([一二三四五六七八九十]+[、.．]|[（(][一二三四五六七八九十]+[)）])")


@dataclass
class Layout:
    """Where a sheet's table is. Row indexes are 0-based positions in the rows given (spreadsheet row = index + 1)."""

    header: int  # the header row; for a two-row header, its lower row
    columns: dict[int, str]  # header cell position → the known column it names
    names: list[str] = field(default_factory=list)  # the header's name per column (both rows' names combined)
    parent: int | None = None  # the upper row of a two-row header
    data: list[int] = field(default_factory=list)  # rows that hold records, in order
    titles: list[int] = field(default_factory=list)  # filled rows above the header
    units: int | None = None  # the units row under the header
    totals: list[int] = field(default_factory=list)  # 合计 / 小计 rows skipped among the data
    sections: list[int] = field(default_factory=list)  # block headings and repeated headers skipped among the data
    trailer: int | None = None  # first row of the signatures and notes ignored to the end

    @property
    def matched(self) -> int:
        return len(set(self.columns.values()))


def _filled(row: Sequence[str]) -> list[str]:
    return [cell.strip() for cell in row if cell and cell.strip()]


def header_columns(row: Sequence[str], known: Known) -> dict[int, str]:
    found: dict[int, str] = {}
    for index, cell in enumerate(row):
        if cell and cell.strip() and (key := known(cell)) is not None:
            found[index] = key
    return found


def combine(parent: Sequence[str], child: Sequence[str], known: Known | None = None) -> list[str]:
    """One name per column from a two-row header: the lower row's name where it has one, else the upper row's (a
    column named once, over both rows, is written in either row, or in the upper one when the two are merged).
    A lower name that names no known column by itself is tried after its group's name, the upper row's nearest
    name to the left (a merged group reads blank past its first cell): 联系人 over 姓名 | 电话 gives 联系人姓名 and
    联系人电话."""
    width = max(len(parent), len(child))
    names = []
    group = ""
    for index in range(width):
        below = child[index].strip() if index < len(child) and child[index] else ""
        above = parent[index].strip() if index < len(parent) and parent[index] else ""
        group = above or group
        if below and group and known is not None and known(below) is None and known(group + below) is not None:
            below = group + below
        names.append(below or above)
    return names


def _count(row: Sequence[str], known: Known) -> int:
    return len(set(header_columns(row, known).values()))


def find_header_rows(rows: Rows, known: Known, scan: int = HEADER_SCAN_ROWS) -> tuple[int | None, int | None]:
    """(parent, header): the row among the first `scan` that names the most distinct known columns, or two adjacent
    rows that together name more than any one row does (a grouped header); parent is None for a one-row header,
    header None when no row names any known column. On a tie the one-row header, then the first, wins."""
    best: tuple[int | None, int | None] = (None, None)
    best_count = 0
    for index, row in enumerate(rows[:scan]):
        count = _count(row, known)
        if count > best_count:
            best, best_count = (None, index), count
    for index in range(1, min(scan, len(rows))):
        count = _count(combine(rows[index - 1], rows[index], known), known)
        if count > best_count:
            best, best_count = (index - 1, index), count
    return best


def find_header(rows: Rows, known: Known, scan: int = HEADER_SCAN_ROWS) -> int | None:
    """The header row (the lower one of a two-row header); None when no row names a known column."""
    return find_header_rows(rows, known, scan)[1]


def _is_units_row(row: Sequence[str]) -> bool:
    cells = _filled(row)
    return bool(cells) and all(UNIT_CELL.match(cell) for cell in cells)


def layout(rows: Rows, known: Known, scan: int = HEADER_SCAN_ROWS) -> Layout | None:
    """The table in `rows`, or None when no row in the first `scan` names a known column."""
    parent, header = find_header_rows(rows, known, scan)
    if header is None:
        return None
    names = [cell.strip() for cell in rows[header]] if parent is None else combine(rows[parent], rows[header], known)
    result = Layout(header=header, columns=header_columns(names, known), names=names, parent=parent)
    result.titles = [index for index in range(parent if parent is not None else header) if _filled(rows[index])]
    start = header + 1
    if start < len(rows) and _is_units_row(rows[start]):
        result.units = start
        start += 1
    # The header repeated above the next block: compared as written, which costs nothing per record (matching every
    # cell against the known names would, on 100,000 rows).
    header_cells = _filled(rows[header])
    repeated = [header_cells] if parent is None else [header_cells, _filled(rows[parent])]
    for index in range(start, len(rows)):
        cells = _filled(rows[index])
        if not cells:
            continue  # blank rows between blocks
        first = cells[0]
        if TRAILER_CELL.match(first):
            result.trailer = index
            break
        if TOTAL_CELL.match(first):
            result.totals.append(index)
        elif (len(cells) == 1 and SECTION_CELL.match(first)) or (len(cells) > 1 and cells in repeated):
            result.sections.append(index)  # a block heading, or the header (either row) repeated above the next block
        else:
            result.data.append(index)
    return result


@dataclass(frozen=True)
class Candidate:
    """A sheet offered to `choose_sheet`: its name, whether the workbook hides it, and its layout (None: no table)."""

    name: str
    hidden: bool
    layout: Layout | None


def choose_sheet(candidates: Sequence[Candidate]) -> Candidate | None:
    """The visible sheet whose header names the most known columns (the first such sheet on a tie, then the one
    with more data rows); hidden sheets are stale copies people forgot, never read."""
    best: Candidate | None = None
    for candidate in candidates:
        if candidate.hidden or candidate.layout is None:
            continue
        if best is None or (candidate.layout.matched, len(candidate.layout.data)) > (
            best.layout.matched,
            len(best.layout.data),
        ):
            best = candidate
    return best


@dataclass(frozen=True)
class Filled:
    """A merged block in the body whose value was copied into every row it covers (0-based, inclusive)."""

    column: int
    first_row: int
    last_row: int


def fill_merged(rows: list[list[str]], merged: Sequence[tuple[int, int, int, int]], below: int) -> list[Filled]:
    """Copy each merged block's value (held by its top-left cell) into every cell it covers, for blocks that start
    below row `below` (the header) — a county or cluster merged over several records. Blocks in the header or the
    titles are left alone, and so are blocks within one row. Returns the blocks that were filled."""
    filled: list[Filled] = []
    for first_row, first_col, last_row, _last_col in merged:
        if first_row <= below or first_row >= len(rows):
            continue
        value = rows[first_row][first_col] if first_col < len(rows[first_row]) else ""
        if not value.strip():
            continue
        last_row = min(last_row, len(rows) - 1)
        if last_row == first_row:
            continue  # merged across columns only: the value stays in its own column, nothing to fill down
        for row in range(first_row + 1, last_row + 1):
            cells = rows[row]
            if first_col < len(cells) and not cells[first_col].strip():
                cells[first_col] = value
        filled.append(Filled(first_col, first_row, last_row))
    return filled
