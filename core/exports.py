"""Writing spreadsheets for people to open: XLSX and streamed CSV, with formulas neutralised.

Every export (lists, directories, meetings, batch manifests) goes through here, so a cell that Excel would run as
a formula (=, +, -, @ and control characters first) is always written as text."""

import csv
from collections.abc import Iterable, Iterator

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


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
