"""Writing spreadsheets for people to open: XLSX and streamed CSV, with formulas neutralised.

Every export (lists, directories, meetings, batch manifests) goes through here, so a cell that Excel would run as
a formula (=, +, -, @ and control characters first) is always written as text."""

import csv
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.http import Http404, HttpResponse, StreamingHttpResponse

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")


def neutralise(value: object) -> object:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe; numbers stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


@dataclass
class SheetOut:
    """One sheet of an export: a bold header row under an optional title line, then the rows."""

    title: str
    headers: list[str]
    rows: Iterable[Iterable[object]]
    title_line: str | None = None


def write_workbook(handle, sheets: Iterable[SheetOut]) -> None:
    """Write an XLSX (streamed, write-only) with every cell — titles and headers too — through `neutralise`."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    bold = Font(bold=True)
    for spec in sheets:
        sheet = workbook.create_sheet(spec.title)
        if spec.title_line is not None:
            sheet.append([neutralise(spec.title_line)])
        if spec.headers:
            header_cells = []
            for header in spec.headers:
                cell = WriteOnlyCell(sheet, value=neutralise(header))
                cell.font = bold
                header_cells.append(cell)
            sheet.append(header_cells)
        for row in spec.rows:
            sheet.append([neutralise(value) for value in row])
    workbook.save(handle)


def write_xlsx(handle, headers: list[str], rows: Iterable[Iterable[object]], sheet_title: str = "Sheet1") -> None:
    write_workbook(handle, [SheetOut(sheet_title, headers, rows)])


class _Echo:
    def write(self, value: str) -> str:
        return value


def csv_lines(headers: list[str], rows: Iterable[Iterable[object]]) -> Iterator[str]:
    """CSV text for a streaming response, with a BOM so that Excel opens UTF-8 correctly."""
    writer = csv.writer(_Echo())
    yield "\ufeff" + writer.writerow(headers)
    for row in rows:
        yield writer.writerow(["" if v is None else neutralise(v) for v in row])


def download(fmt: str, filename: str, headers: list[str], rows: Iterable[Iterable[object]], sheet_title: str):
    """One table as an attachment `filename.fmt`: CSV streamed row by row, XLSX written whole; any other format
    is a page that does not exist."""
    if fmt == "csv":
        response = StreamingHttpResponse(csv_lines(headers, rows), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        response = HttpResponse(content_type=XLSX_TYPE)
        write_xlsx(response, headers, rows, sheet_title=sheet_title)
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="{filename}.{fmt}"'
    return response
