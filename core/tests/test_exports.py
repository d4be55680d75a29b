"""The one XLSX/CSV writer every export uses: what a user opens in Excel never runs a formula typed by someone else,
whichever sheet, title line, header or cell it sits in; numbers stay numbers."""

import io

import openpyxl

from core.exports import SheetOut, csv_lines, write_workbook

HOSTILE = ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tcmd", "\ncmd"]


def test_every_cell_of_every_sheet_is_text_when_it_would_run_as_a_formula():
    buffer = io.BytesIO()
    write_workbook(
        buffer,
        [
            SheetOut("名单", ["名称", HOSTILE[0]], [[text, 42, 3.5, None] for text in HOSTILE], title_line=HOSTILE[1]),
            SheetOut("说明", [], [["说明", HOSTILE[2]]]),
        ],
    )
    book = openpyxl.load_workbook(io.BytesIO(buffer.getvalue()))
    first, notes = book["名单"], book["说明"]
    assert first["A1"].value == "'" + HOSTILE[1]  # the title line
    assert first["A2"].font.bold and first["B2"].value == "'" + HOSTILE[0]  # the header, bold
    assert [first.cell(row=3 + i, column=1).value for i in range(len(HOSTILE))] == ["'" + t for t in HOSTILE]
    assert (first["B3"].value, first["C3"].value, first["D3"].value) == (42, 3.5, None)
    assert notes["A1"].value == "说明" and notes["B1"].value == "'" + HOSTILE[2]
    for sheet in (first, notes):
        assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)


def test_csv_has_a_bom_for_excel_and_neutralises_cells():
    text = "".join(csv_lines(["名称", "数"], [[HOSTILE[0], 7], [None, -1]]))
    assert text.startswith("\ufeff名称,数")
    assert "'=HYPERLINK" in text and ",7" in text
    assert text.splitlines()[-1] == ",-1"  # an empty cell is empty; a negative number stays a number
