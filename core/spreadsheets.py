"""Reading uploaded spreadsheets (XLSX, CSV in UTF-8 / UTF-8 BOM / UTF-16 / GBK) for every import; exports are
written by core.exports, and the byte-level scan of a workbook's XML lives in core.xlsx_scan.

Reading refuses what would silently import the wrong thing: formulas (their cached values may be stale),
merged header cells, old .xls files, binary files and empty files, each with a message in Chinese."""

import codecs
import csv
import datetime as dt
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from dataclasses import field as dc_field
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree  # only ParseError; parsing goes through defusedxml

from defusedxml import ElementTree as SafeElementTree
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

from core import uploads

from .sheet_errors import SpreadsheetError, import_limits, not_a_spreadsheet, too_many_rows  # noqa: F401 -- re-exported
from .xlsx_scan import CELL_REF, CHUNK, FORMULA_TAG, MERGE_TAG, Extent, error_cells, formula_cells, scan

XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows as text, aligned to headers; row i is spreadsheet row i + 2
    kind: str  # "xlsx" or "csv"


# Byte-order marks of the encodings Excel's "Unicode text" (tab-separated) and other tools write.
BOMS = (
    (b"\xff\xfe\x00\x00", "utf-32"),
    (b"\x00\x00\xfe\xff", "utf-32"),
    (b"\xef\xbb\xbf", "utf-8-sig"),
    (b"\xff\xfe", "utf-16"),
    (b"\xfe\xff", "utf-16"),
)
# What a file that is no spreadsheet usually is, by its first bytes; named in the refusal.
MAGIC = (
    (b"%PDF-", gettext_noop("PDF 文档")),
    (b"\x89PNG", gettext_noop("PNG 图片")),
    (b"\xff\xd8\xff", gettext_noop("JPEG 图片")),
    (b"GIF8", gettext_noop("GIF 图片")),
    (b"Rar!", gettext_noop("RAR 压缩包")),
    (b"7z\xbc\xaf", gettext_noop("7z 压缩包")),
    (b"\x1f\x8b", gettext_noop("gzip 压缩包")),
)


def _looks_like(head: bytes) -> str | None:
    return next((_(label) for magic, label in MAGIC if head.startswith(magic)), None)


def text_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark names, or None."""
    return next((encoding for bom, encoding in BOMS if head.startswith(bom)), None)


def sniff_kind(head: bytes, filename: str) -> str:
    """Decide by content, not by the file name a user typed."""
    suffix = PurePosixPath(filename.lower()).suffix
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("不支持 Excel 97-2003（.xls）格式，请在 Excel 中另存为 .xlsx 后再上传"))
    if text_encoding(head):
        return "csv"  # UTF-16 text holds a NUL in every ASCII character: the mark says it is text
    looks_like = _looks_like(head)
    if suffix in {".xlsx", ".xlsm"}:
        raise not_a_spreadsheet(
            _("扩展名为 .xlsx，但内容不是有效的 Excel 文件%(like)s")
            % {"like": _("，看起来是 %(what)s") % {"what": looks_like} if looks_like else ""}
        )
    if looks_like:
        raise not_a_spreadsheet(_("看起来是 %(what)s") % {"what": looks_like})
    if b"\x00" in head:
        raise not_a_spreadsheet(_("含有二进制内容"))
    if suffix not in {".csv", ".txt", ".tsv", ""}:
        raise SpreadsheetError(_("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix})
    return "csv"


def read_table(path: Path, filename: str) -> Table:
    if path.stat().st_size == 0:
        raise SpreadsheetError(_("文件是空的"))
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = sniff_kind(head, filename)
    rows = _read_xlsx(path) if kind == "xlsx" else _read_csv(path)
    while rows and not any(cell.strip() for cell in rows[-1]):
        rows.pop()
    if not rows or not any(cell.strip() for cell in rows[0]):
        raise SpreadsheetError(_("文件中没有表头，请使用导入模板（第一行为列名）"))
    headers = [cell.strip() for cell in rows[0]]
    width = len(headers)
    data = [(row + [""] * width)[:width] for row in rows[1:]]
    if not data:
        raise SpreadsheetError(_("文件只有表头，没有数据行"))
    return Table(headers=headers, rows=data, kind=kind)


def _csv_encoding(path: Path) -> str:
    """The byte-order mark's encoding; else UTF-8 if the whole file decodes as UTF-8 (checked in chunks, so memory
    stays bounded), else GB18030 (a superset of GBK) if it decodes as that; else the file is no text."""
    with path.open("rb") as handle:
        if marked := text_encoding(handle.read(4)):
            return marked
    for encoding in ("utf-8-sig", "gb18030"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            with path.open("rb") as handle:
                for chunk in iter(lambda: handle.read(CHUNK), b""):
                    decoder.decode(chunk)
                decoder.decode(b"", final=True)
            return encoding
        except UnicodeDecodeError:
            continue
    raise not_a_spreadsheet(_("无法识别为 UTF-8、UTF-16 或 GBK 编码的文本"))


def _csv_lines(stream, max_rows: int) -> Iterator[str]:
    """Lines for csv.reader, refusing binary content and counting as they are read (a million rows are refused
    at the first line over the limit, before the rest is read)."""
    for number, line in enumerate(stream, start=1):
        if "\x00" in line:
            raise not_a_spreadsheet(_("含有二进制内容"))
        if number > max_rows:  # header included, as for a sheet
            raise too_many_rows(number, max_rows)
        yield line


def _delimiter(path: Path, encoding: str) -> str:
    """Tab for tab-separated text (Excel's "Unicode text" and .tsv), judged on the first line; else comma."""
    with path.open(encoding=encoding, errors="replace", newline="") as stream:
        first = stream.readline(CHUNK)
    return "\t" if first.count("\t") > first.count(",") else ","


def _read_csv(path: Path) -> list[list[str]]:
    encoding = _csv_encoding(path)
    delimiter = _delimiter(path, encoding)
    max_rows, _max_columns = import_limits()
    with path.open(encoding=encoding, newline="") as stream:
        reader = csv.reader(_csv_lines(stream, max_rows), delimiter=delimiter)
        try:
            return [list(row) for row in reader]
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                raise SpreadsheetError(
                    _(
                        "CSV 文件第 %(line)s 行有一个超长的单元格（超过 %(limit)s 个字符的上限），"
                        "可能是引号不成对，请在 Excel 中打开检查后另存再导入"
                    )
                    % {"line": f"{reader.line_num:,}", "limit": f"{csv.field_size_limit():,}"}
                ) from exc
            raise SpreadsheetError(
                _("CSV 文件第 %(line)s 行格式错误，请在 Excel 中打开检查后另存再导入") % {"line": reader.line_num}
            ) from exc


def _first_sheet_xml(archive: zipfile.ZipFile) -> str:
    workbook = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
    sheet = workbook.find(f"{XLSX_NS}sheets/{XLSX_NS}sheet")
    if sheet is None:
        raise SpreadsheetError(_("Excel 文件中没有工作表"))
    rel_id = sheet.get(f"{REL_NS}id")
    rels = SafeElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    for rel in rels.iter(f"{PKG_REL_NS}Relationship"):
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise SpreadsheetError(_("Excel 文件结构不完整"))


def _cell_row(ref: str) -> int:
    return int(re.sub(r"[A-Z]+", "", ref.split(":")[0]) or 0)


def _check_archive(path: Path) -> None:
    try:
        problem = uploads.zip_refusal(path, "xl/", code_allowed=True)
    except uploads.NotAnArchive as exc:
        raise not_a_spreadsheet(_("是压缩包或已损坏，不是有效的 Excel（.xlsx）文件")) from exc
    if problem:
        raise SpreadsheetError(_("Excel 文件无法导入：%(detail)s") % {"detail": problem})


def check_upload(path: Path, filename: str) -> None:
    """The cheap checks an upload gets before it is stored and queued: what kind of file it is and, for a workbook,
    what its archive declares (expanded sizes, macros). Reads the first KB and the ZIP directory only."""
    if path.stat().st_size == 0:
        raise SpreadsheetError(_("文件是空的"))
    with path.open("rb") as handle:
        head = handle.read(4096)
    if sniff_kind(head, filename) == "xlsx":
        _check_archive(path)


def store_upload(upload, path: Path) -> None:
    """Write an uploaded import file to `path` and run `check_upload` on it; a refused file is removed again and
    UploadError (with the reason in Chinese) raised, so every import path answers with a 4xx before queueing."""
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    try:
        check_upload(path, upload.name or "")
    except SpreadsheetError as exc:
        path.unlink(missing_ok=True)
        raise uploads.UploadError(str(exc)) from exc


def _check_xlsx_structure(path: Path) -> None:
    """Refuse what would read wrongly or at great cost, before the reader (calamine) sees the file: expanded sizes
    over the caps, macros, formulas and merged header cells. Every member is read through once, in chunks."""
    _check_archive(path)
    formulas: list[str] = []

    def find_problems(text: bytes) -> None:
        for match in FORMULA_TAG.finditer(text):
            ref = CELL_REF.search(text, max(text.rfind(b"<c ", 0, match.start()), 0), match.start())
            formulas.append(ref.group(1).decode() if ref else "?")
            if len(formulas) >= 5:
                break
        for ref in MERGE_TAG.findall(text):
            if _cell_row(ref.decode()) == 1:
                raise SpreadsheetError(
                    _("表头含有合并单元格（%(cells)s），请取消合并，每列一个列名") % {"cells": ref.decode()}
                )
        if formulas:
            cells = _("、").join(dict.fromkeys(formulas[:5]))
            raise SpreadsheetError(
                _("文件含有公式（单元格 %(cells)s），请将公式复制后“粘贴为数值”再导入") % {"cells": cells}
            )

    try:
        with zipfile.ZipFile(path) as archive:
            if "xl/workbook.xml" not in archive.namelist():
                raise SpreadsheetError(_("文件不是有效的 Excel（.xlsx）文件"))
            sheet_name = _first_sheet_xml(archive)
            for info in archive.infolist():
                if info.is_dir():
                    continue
                with archive.open(info) as member:
                    is_sheet = info.filename == sheet_name
                    scan(member, find_problems if is_sheet else None, Extent() if is_sheet else None)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError, OSError) as exc:
        raise SpreadsheetError(_("文件不是有效的 Excel（.xlsx）文件")) from exc


class CellText(str):
    """A cell's text that remembers what Excel stored: "number", "date" or "error" (#REF!, #N/A…), so an importer can
    refuse a code stored as a number (precision lost) or an error value instead of reading it as text or empty.

    The kind is a class attribute of one subclass per kind, and no instance has a __dict__: a 100,000-row list holds
    ~600,000 numbers and dates, and a dict each cost ~100 MB."""

    __slots__ = ()
    kind: str = "text"

    def __new__(cls, text: str, kind: str) -> "CellText":
        return str.__new__(_KINDS[kind], text)


class _NumberText(CellText):
    __slots__ = ()
    kind = "number"


class _DateText(CellText):
    __slots__ = ()
    kind = "date"


class _ErrorText(CellText):
    __slots__ = ()
    kind = "error"


_KINDS = {"number": _NumberText, "date": _DateText, "error": _ErrorText, "text": CellText}


def _as_text(value: object) -> str:
    if value.__class__ is str:
        return value  # most cells: what str(value) would return, without the checks below
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return CellText(str(int(value)) if value.is_integer() else repr(value), "number")
    if isinstance(value, int):
        return CellText(str(value), "number")
    if isinstance(value, dt.datetime):
        return CellText(value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" "), "date")
    if isinstance(value, dt.date):
        return CellText(value.isoformat(), "date")
    return str(value)


def _texts(values: list[list]) -> list[list[str]]:
    """Every cell as text, row by row in place: each row of the reader's values is dropped as soon as its texts
    exist, so a 100,000-row sheet is never held twice. Repeated numbers and dates (the year, industry codes, head
    counts) share one text each."""
    shared: dict[tuple[type, object], str] = {}
    for index, row in enumerate(values):
        texts = []
        for value in row:
            if value.__class__ is str:
                texts.append(value)
            elif value.__class__ in (float, int, dt.date, dt.datetime):
                key = (value.__class__, value)
                text = shared.get(key)
                if text is None:
                    text = shared[key] = _as_text(value)
                texts.append(text)
            else:
                texts.append(_as_text(value))
        values[index] = texts
    return values


def _read_xlsx(path: Path) -> list[list[str]]:
    _check_xlsx_structure(path)
    errors = error_cells_of(path)
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SpreadsheetError(_("Excel 文件已损坏或无法读取")) from exc
    rows = _texts(values)
    _mark_error_cells(rows, errors)
    return rows


def _mark_error_cells(rows: list[list[str]], error_cells: dict[str, str]) -> None:
    """Put back the error values (#REF!, #N/A…) that calamine reads as empty cells, marked as errors."""
    for ref, value in error_cells.items():
        letters = re.match(r"[A-Z]+", ref).group(0)
        column = sum((ord(c) - 64) * 26**i for i, c in enumerate(reversed(letters))) - 1
        row = int(ref[len(letters) :]) - 1
        if row < len(rows) and column < len(rows[row]):
            rows[row][column] = CellText(value, "error")


def error_cells_of(path: Path) -> dict[str, str]:
    with zipfile.ZipFile(path) as archive:
        return error_cells(archive, _first_sheet_xml(archive))


@dataclass
class Sheet:
    """One worksheet as text, with what the workbook says about it (for `core.sheet_layout`)."""

    name: str
    rows: list[list[str]]  # every row from A1, as text; row i is spreadsheet row i + 1
    hidden: bool = False
    merged: list[tuple[int, int, int, int]] = dc_field(default_factory=list)  # 0-based (row, col, last row, last col)
    formulas: list[str] = dc_field(default_factory=list)  # cells holding formulas (the first few)


def read_sheets(path: Path, filename: str) -> tuple[str, list[Sheet]]:
    """Every sheet of a workbook (or the one table of a CSV) with its visibility and merged cells, for callers that
    find the header themselves (core.sheet_layout). The archive is checked as for `read_table`; formulas are
    reported per sheet rather than refused (a summary sheet may hold them), merged cells are the caller's."""
    if path.stat().st_size == 0:
        raise SpreadsheetError(_("文件是空的"))
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = sniff_kind(head, filename)
    if kind == "csv":
        return kind, [Sheet(name="", rows=_read_csv(path))]
    _check_archive(path)
    sheets = []
    try:
        with zipfile.ZipFile(path) as archive:
            members = _sheet_members(archive)
            formulas = {member: formula_cells(archive, member) for member in members.values()}
            errors = {member: error_cells(archive, member) for member in members.values()}
        book = CalamineWorkbook.from_path(str(path))
        for meta in book.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:
                continue  # chart sheets and macro sheets hold no table
            sheet = book.get_sheet_by_name(meta.name)
            rows = _texts(sheet.to_python(skip_empty_area=False))
            _mark_error_cells(rows, errors.get(members.get(meta.name, ""), {}))
            merged = [(r1, c1, r2, c2) for (r1, c1), (r2, c2) in (sheet.merged_cell_ranges or [])]
            hidden = meta.visible != SheetVisibleEnum.Visible  # hidden or "very hidden"
            found = formulas.get(members.get(meta.name, ""), [])
            sheets.append(Sheet(meta.name, rows, hidden=hidden, merged=merged, formulas=found))
    except SpreadsheetError:
        raise
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SpreadsheetError(_("Excel 文件已损坏或无法读取")) from exc
    return kind, sheets


def _sheet_members(archive: zipfile.ZipFile) -> dict[str, str]:
    """Sheet name → the archive member holding its cells."""
    workbook = SafeElementTree.fromstring(archive.read("xl/workbook.xml"))
    rels = SafeElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    targets = {rel.get("Id"): rel.get("Target", "") for rel in rels.iter(f"{PKG_REL_NS}Relationship")}
    members = {}
    for sheet in workbook.iter(f"{XLSX_NS}sheet"):
        target = targets.get(sheet.get(f"{REL_NS}id"), "")
        members[sheet.get("name", "")] = target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    return members


def normalise_header(text: str) -> str:
    """'统一社会信用代码 *', '统一社会信用代码（必填）' and full-width forms all become one key."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\((必填|选填)\)|[*\s]", "", text)
    return text.casefold()
