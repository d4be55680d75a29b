"""Reading a workbook's XML as it streams past, before any reader parses it: where formulas, merged cells and error
values are, and how far the sheet really extends (`Extent`), so a hostile file is refused within its first
megabytes instead of after the reader has allocated for it. Pure byte-level work over ZIP members; the reader
(core.spreadsheets) decides what to refuse."""

import re
import zipfile
from functools import cached_property

from django.utils.translation import gettext as _

from .sheet_errors import SpreadsheetError, import_limits

FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[ >/]")
MERGE_TAG = re.compile(rb'<(?:\w+:)?mergeCell ref="([A-Z0-9:]+)"')
CELL_REF = re.compile(rb' r="([A-Z]+[0-9]+)"')
# An error cell (t="e"): calamine reads it as empty, so the scan notes where it is and what Excel showed.
ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b[^>]*?\bt="e"[^>]*>(?:\s*<(?:\w+:)?v>([^<]*)</)?')
CHUNK = 1 << 20
# Excel holds at most 32,767 characters in a cell; written as XML (an escape such as &quot; is 6 bytes) that is
# under 200 KB between two tags. A longer run without markup is no workbook Excel wrote, and it is what made the
# old scan quadratic, so it is refused as soon as it is seen. Equal to CHUNK: a longer run cannot fit in one read,
# so counting across reads finds every one.
MAX_RUN = CHUNK
CARRY = 4096  # enough for any tag the scan looks for that a read cut in two


# The tags that place a cell: a row (r="7", or the next row when r is missing), a cell (r="AB7", or the next column
# when missing) and the sheet's declared range (<dimension ref="A1:AB7"/>). calamine places cells the same way.
PLACING_TAG = re.compile(
    rb'<(?:\w+:)?(row|c|dimension)(?=[\s/>])(?:[^>]*?\s(?:r|ref)="([A-Z]*)(\d*)(?::([A-Z]*)(\d*))?")?'
)


def column_number(letters: bytes | str) -> int:
    number = 0
    for letter in letters.encode() if isinstance(letters, str) else letters:
        number = number * 26 + letter - 64
    return number


def column_letters(number: int) -> str:
    letters = ""
    while number > 0:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _greater(limit: bytes, alphabet: bytes) -> bytes:
    """A regular expression for the strings over `alphabet` (in its order, no leading zero) that are greater than
    `limit`: longer ones, or as long and greater at the first place they differ. The match stops at its end."""
    options = [b"[" + alphabet[:1] + b"-" + alphabet[-1:] + b"]{" + str(len(limit) + 1).encode() + b",}"]
    for at, char in enumerate(limit):
        above = alphabet[alphabet.index(char) + 1 :]
        if above:
            rest = len(limit) - at - 1
            any_char = b"[" + alphabet[:1] + b"-" + alphabet[-1:] + b"]"
            options.append(re.escape(limit[:at]) + b"[" + above[:1] + b"-" + above[-1:] + b"]" + any_char * rest)
    return b"|".join(b"(?:" + option + b")" for option in options)


class Extent:
    """The rows and columns a sheet spans, followed tag by tag while its XML streams past: the reader (calamine)
    builds a grid from A1 to the last cell, so one cell at XFD1048576 asks for ~17 billion cells and aborts the
    process. Refuses the first cell (or declared range) beyond TIDU_IMPORT_MAX_ROWS × TIDU_IMPORT_MAX_COLUMNS."""

    def __init__(self) -> None:
        self.max_rows, self.max_columns = import_limits()
        self.row = self.column = 0
        self.columns: dict[bytes, int] = {}  # letters → number; a sheet uses few distinct columns

    def _beyond(self, row: int, column: int) -> bool:
        return row > self.max_rows or column > self.max_columns

    def _limits(self) -> dict:
        return {
            "rows": f"{self.max_rows:,}",
            "columns": f"{self.max_columns:,}",
            "last": f"{column_letters(self.max_columns)}{self.max_rows}",
        }

    def feed(self, text: bytes, end: int) -> None:
        """Follow the tags in text[:end]. When every cell starts with its reference (<c r="B7" …>, as Excel, WPS
        and openpyxl write) and no tag has a namespace prefix, one search in C finds any cell beyond the limits
        (a 100 MB sheet: ~1.7 s on a loaded machine, against ~4 s walking it in Python); otherwise, or when one
        is found, the tags are walked one by one, which places cells exactly and names the first one beyond."""
        opened = text.count(b"<c ", 0, end) + text.count(b"<c>", 0, end) + text.count(b"<c/>", 0, end)
        if (
            opened == text.count(b'<c r="', 0, end)
            and text.find(b":c", 0, end) < 0
            and text.find(b":row", 0, end) < 0
            and text.find(b"<dimension", 0, end) < 0
            and self.beyond_pattern.search(text, 0, end) is None
        ):
            last_row = text.rfind(b'<row r="', 0, end)
            if last_row >= 0:
                digits = text[last_row + 8 : text.find(b'"', last_row + 8, end)]
                self.row = int(digits) if digits.isdigit() else self.row
            self.column = 0  # where cells without a reference would go on
            return
        self._walk(text, end)

    @cached_property
    def beyond_pattern(self) -> re.Pattern:
        """A referenced cell past the last column or row allowed (or with a leading zero, which only the walk
        reads as a number)."""
        letters = column_letters(self.max_columns).encode()
        digits = str(self.max_rows).encode()
        return re.compile(  # one literal start, so the search skips ahead in C
            rb'<c r="(?:(?:' + _greater(letters, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ") + rb")[0-9]"
            rb"|[A-Z]+(?:0|" + _greater(digits, b"0123456789") + rb')[0-9]*")'
        )

    def _column(self, letters: bytes) -> int:
        column = self.columns.get(letters)
        if column is None:
            column = self.columns[letters] = column_number(letters)
        return column

    def _walk(self, text: bytes, end: int) -> None:
        for match in PLACING_TAG.finditer(text, 0, end):
            name, letters, digits = match.group(1, 2, 3)
            if name == b"c":
                if letters:
                    self.column = self._column(letters)
                else:
                    self.column += 1
                row = int(digits) if digits else self.row
                if row > self.max_rows or self.column > self.max_columns:
                    cell = f"{column_letters(self.column)}{row}"
                    raise SpreadsheetError(
                        _(
                            "工作表中的单元格 %(cell)s 超出可导入的范围（最多 %(rows)s 行、%(columns)s 列，"
                            "即 A1 到 %(last)s），请删除多余的内容，或拆分后分批导入"
                        )
                        % {"cell": cell, **self._limits()}
                    )
            elif name == b"row":
                self.row = int(digits) if digits else self.row + 1
                self.column = 0  # a row is refused at its first cell, which the message can name
            else:  # the declared range: its last cell, or its only one
                last_letters, last_digits = match.group(4, 5)
                if last_letters is None:
                    last_letters, last_digits = letters, digits
                row, column = int(last_digits or 0), column_number(last_letters or b"")
                if self._beyond(row, column):
                    declared = match.group(0).rsplit(b'"', 2)[-2].decode()
                    raise SpreadsheetError(
                        _(
                            "工作表声明的范围 %(range)s 超出可导入的范围（最多 %(rows)s 行、%(columns)s 列，"
                            "即 A1 到 %(last)s），请删除多余的行和列后另存为 .xlsx，或拆分后分批导入"
                        )
                        % {"range": declared, **self._limits()}
                    )


def scan(stream, on_chunk=None, extent: Extent | None = None) -> None:
    """Read a member to its end in CHUNK-sized pieces, refusing a run without markup longer than MAX_RUN.

    Linear in the member's size, with memory bounded by two chunks; reading to the end also makes `zipfile` check
    the member's CRC and declared size, so a member that expands beyond what it declares is refused here."""
    run = 0
    carry = tags = b""
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
        if extent is not None:
            # Each tag exactly once: tags before the last "<" now, the rest with the next read (at most MAX_RUN
            # bytes follow the last "<", or the run was refused above, so this stays bounded).
            tags += chunk
            cut = tags.rfind(b"<")
            extent.feed(tags, cut if cut >= 0 else len(tags))
            tags = tags[cut:] if cut >= 0 else b""
    if extent is not None and tags:
        extent.feed(tags, len(tags))


def error_cells(archive: zipfile.ZipFile, member: str) -> dict[str, str]:
    """The error cells of a worksheet by reference ("D12" → "#REF!"), read in bounded chunks by `_scan`."""
    found: dict[str, str] = {}

    def find(text: bytes) -> None:
        if b't="e"' not in text:
            return  # most sheets hold no error cell: a plain search is far cheaper than the pattern
        for match in ERROR_CELL.finditer(text):
            if ref := CELL_REF.search(match.group(0)):
                value = (match.group(1) or b"").decode(errors="replace")
                found[ref.group(1).decode()] = value or found.get(ref.group(1).decode(), "") or "#N/A"

    if member in archive.namelist():
        with archive.open(member) as stream:
            scan(stream, find)
    return found


def formula_cells(archive: zipfile.ZipFile, member: str) -> list[str]:
    """The first few cells of a worksheet that hold formulas, read in bounded chunks by `_scan`, which also refuses
    a sheet spanning more than the import limits before calamine would build its grid."""
    found: list[str] = []

    def find(text: bytes) -> None:
        for match in FORMULA_TAG.finditer(text):
            if len(found) >= 5:
                return
            ref = CELL_REF.search(text, max(text.rfind(b"<c ", 0, match.start()), 0), match.start())
            found.append(ref.group(1).decode() if ref else "?")

    if member in archive.namelist():
        with archive.open(member) as stream:
            scan(stream, find, Extent())
    return list(dict.fromkeys(found))
