"""Reading uploaded spreadsheets (XLSX, CSV in UTF-8 / UTF-8 BOM / GBK) and writing safe exports.

Reading refuses what would silently import the wrong thing: formulas (their cached values may be stale),
merged header cells, old .xls files, binary files and empty files, each with a message in Chinese."""

import csv
import datetime as dt
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from xml.etree import ElementTree  # only ParseError; parsing goes through defusedxml

from defusedxml import ElementTree as SafeElementTree
from django.utils.translation import gettext as _
from python_calamine import CalamineWorkbook

from core import uploads

XLSX_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL_NS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message says why in Chinese."""


@dataclass
class Table:
    headers: list[str]
    rows: list[list[str]]  # data rows as text, aligned to headers; row i is spreadsheet row i + 2
    kind: str  # "xlsx" or "csv"


def sniff_kind(head: bytes, filename: str) -> str:
    """Decide by content, not by the file name a user typed."""
    suffix = PurePosixPath(filename.lower()).suffix
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise SpreadsheetError(_("不支持 Excel 97-2003（.xls）格式，请在 Excel 中另存为 .xlsx 后再上传"))
    if suffix in {".xlsx", ".xlsm"}:
        raise SpreadsheetError(_("文件扩展名为 .xlsx，但内容不是有效的 Excel 文件"))
    if b"\x00" in head:
        raise SpreadsheetError(_("文件不是表格文件（含有二进制内容），请上传 .xlsx 或 .csv 文件"))
    if suffix not in {".csv", ".txt", ""}:
        raise SpreadsheetError(_("不支持的文件类型“%(suffix)s”，请上传 .xlsx 或 .csv 文件") % {"suffix": suffix})
    return "csv"


def read_table(path: Path, filename: str) -> Table:
    if path.stat().st_size == 0:
        raise SpreadsheetError(_("文件是空的"))
    with path.open("rb") as handle:
        head = handle.read(4096)
    kind = sniff_kind(head, filename)
    rows = _read_xlsx(path) if kind == "xlsx" else _read_csv(path.read_bytes())
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


def _read_csv(raw: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            text = raw.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes almost anything; kept for clarity
        raise SpreadsheetError(_("无法识别文件编码，请保存为 UTF-8 或 GBK 编码的 CSV"))
    if "\x00" in text:
        raise SpreadsheetError(_("文件不是表格文件（含有二进制内容）"))
    try:
        return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
    except csv.Error as exc:
        raise SpreadsheetError(_("CSV 格式错误：%(error)s") % {"error": exc}) from exc


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


FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
MERGE_TAG = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z0-9:]+)"')
CELL_REF = re.compile(rb' r="([A-Z]+[0-9]+)"')
CHUNK = 1 << 20
# Excel holds at most 32,767 characters in a cell; written as XML (an escape such as &quot; is 6 bytes) that is
# under 200 KB between two tags. A longer run without markup is no workbook Excel wrote, and it is what made the
# old scan quadratic, so it is refused as soon as it is seen. Equal to CHUNK: a longer run cannot fit in one read,
# so counting across reads finds every one.
MAX_RUN = CHUNK
CARRY = 4096  # enough for any tag the scan looks for that a read cut in two


def _check_archive(path: Path) -> None:
    try:
        problem = uploads.zip_refusal(path, "xl/", code_allowed=True)
    except uploads.NotAnArchive as exc:
        raise SpreadsheetError(_("文件不是有效的 Excel（.xlsx）文件")) from exc
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


def _scan(stream, on_chunk=None) -> None:
    """Read a member to its end in CHUNK-sized pieces, refusing a run without markup longer than MAX_RUN.

    Linear in the member's size, with memory bounded by two chunks; reading to the end also makes `zipfile` check
    the member's CRC and declared size, so a member that expands beyond what it declares is refused here."""
    run = 0
    carry = b""
    for chunk in iter(lambda: stream.read(CHUNK), b""):
        first = chunk.find(b"<")
        if first < 0:
            run += len(chunk)
        else:
            run += first
            if run <= MAX_RUN:
                run = len(chunk) - 1 - chunk.rfind(b"<")
        if run > MAX_RUN:
            raise SpreadsheetError(
                _(
                    "Excel 文件中有一段超长的内容（超过单元格 32767 个字符的上限），不是 Excel 保存的正常工作簿，"
                    "请在 Excel 中打开检查后另存为 .xlsx 再导入"
                )
            )
        if on_chunk is not None:
            text = carry + chunk
            on_chunk(text)
            # Keep the tail after the last "<" so a tag cut by the read is seen whole next time, never twice.
            cut = text.rfind(b"<", max(0, len(text) - CARRY))
            carry = text[cut:] if cut >= 0 else b""


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
                    _scan(member, find_problems if info.filename == sheet_name else None)
    except (zipfile.BadZipFile, KeyError, ElementTree.ParseError, EOFError, OSError) as exc:
        raise SpreadsheetError(_("文件不是有效的 Excel（.xlsx）文件")) from exc


def _as_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _read_xlsx(path: Path) -> list[list[str]]:
    _check_xlsx_structure(path)
    try:
        sheet = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
        values = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for damaged files
        raise SpreadsheetError(_("Excel 文件已损坏或无法读取")) from exc
    return [[_as_text(v) for v in row] for row in values]


def normalise_header(text: str) -> str:
    """'统一社会信用代码 *', '统一社会信用代码（必填）' and full-width forms all become one key."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"\((必填|选填)\)|[*\s]", "", text)
    return text.casefold()


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def write_xlsx(handle, headers: list[str], rows: Iterable[Iterable[object]], sheet_title: str = "Sheet1") -> None:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(sheet_title)
    bold = Font(bold=True)
    from openpyxl.cell import WriteOnlyCell

    header_cells = []
    for header in headers:
        cell = WriteOnlyCell(sheet, value=header)
        cell.font = bold
        header_cells.append(cell)
    sheet.append(header_cells)
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    workbook.save(handle)


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text for a streaming response, with a BOM so that Excel opens UTF-8 correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])
