"""Hostile import files, each built here: the worker refuses every one with a Chinese message that says why, in
seconds and bounded memory, and lives on to run the next job. One cell at XFD1048576 made the reader (calamine)
ask for a grid of ~17 billion cells and abort the whole process, so that check runs in a subprocess: an abort
shows as a failed test, not a dead pytest."""

import csv
import io
import os
import random
import subprocess
import sys
import time
import tracemalloc
import zipfile
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_code
from core.spreadsheets import SpreadsheetError, read_table
from core.tests.hostile import CONTENT_TYPES, MB, ROOT_RELS, WORKBOOK, WORKBOOK_RELS, _repeated_deflate, _small, raw_zip

SHEET_OPEN = b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER_ROW = (
    '<row r="1"><c r="A1" t="inlineStr"><is><t>统一社会信用代码</t></is></c>'
    '<c r="B1" t="inlineStr"><is><t>企业名称</t></is></c></row>'
)


def workbook(sheet_xml: str | bytes) -> bytes:
    """A real workbook (CRC and sizes right) with one sheet of this XML."""
    data = sheet_xml.encode() if isinstance(sheet_xml, str) else sheet_xml
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", data)
    return buffer.getvalue()


def sheet(body: str, dimension: str | None = None) -> str:
    declared = f'<dimension ref="{dimension}"/>' if dimension else ""
    return f"{SHEET_OPEN.decode()}{declared}<sheetData>{body}</sheetData></worksheet>"


def refusal(path: Path, filename: str | None = None) -> tuple[str, float, int]:
    """The refusal message, the seconds it took and the peak memory Python allocated meanwhile (measured in a
    second read: tracing allocations slows Python code several times)."""
    began = time.perf_counter()
    with pytest.raises(SpreadsheetError) as refused:
        read_table(path, filename or path.name)
    seconds = time.perf_counter() - began
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError):
            read_table(path, filename or path.name)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return str(refused.value), seconds, peak


CHECK_IN_A_SUBPROCESS = """
import sys, django
django.setup()
from pathlib import Path
from core.spreadsheets import SpreadsheetError, read_table
try:
    read_table(Path(sys.argv[1]), "名单.xlsx")
except SpreadsheetError as exc:
    print("REFUSED", exc)
else:
    print("READ")
"""


def check_in_subprocess(path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tidu.settings", "TIDU_VAR_DIR": str(path.parent / "var")}
    return subprocess.run(
        [sys.executable, "-c", CHECK_IN_A_SUBPROCESS, str(path)],
        cwd=django_settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_a_single_cell_at_the_last_column_and_row_is_refused_and_the_process_lives_on(tmp_path):
    path = tmp_path / "far.xlsx"
    path.write_bytes(workbook(sheet(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>')))
    done = check_in_subprocess(path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.startswith("REFUSED 工作表中的单元格 XFD1048576 超出可导入的范围")
    assert "最多 200,000 行、256 列，即 A1 到 IV200000" in done.stdout


def test_a_declared_range_beyond_the_limits_is_refused_before_any_cell_is_read(tmp_path):
    path = tmp_path / "declared.xlsx"
    path.write_bytes(workbook(sheet(HEADER_ROW, dimension="A1:XFD1048576")))
    message, _seconds, _peak = refusal(path)
    assert "工作表声明的范围 A1:XFD1048576 超出可导入的范围" in message


def test_the_row_and_column_limits_come_from_the_settings(tmp_path, settings):
    settings.TIDU_IMPORT_MAX_ROWS, settings.TIDU_IMPORT_MAX_COLUMNS = 3, 2
    path = tmp_path / "limits.xlsx"
    path.write_bytes(workbook(sheet(HEADER_ROW + '<row r="2"><c r="C2"><v>1</v></c></row>')))
    assert "单元格 C2 超出可导入的范围（最多 3 行、2 列，即 A1 到 B3）" in refusal(path)[0]
    path.write_bytes(workbook(sheet(HEADER_ROW + '<row r="4"><c r="A4"><v>1</v></c></row>')))
    assert "单元格 A4 超出" in refusal(path)[0]
    path.write_bytes(workbook(sheet(HEADER_ROW + '<row r="3"><c r="B3"><v>1</v></c></row>')))
    assert read_table(path, "名单.xlsx").rows[-1] == ["", "1"]


def test_a_far_cell_among_ordinary_ones_or_written_with_leading_zeros_is_found(tmp_path):
    ordinary = "".join(
        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="IV{n}"><v>1</v></c></row>' for n in range(2, 30000)
    )
    path = tmp_path / "far-in-the-middle.xlsx"
    path.write_bytes(workbook(sheet(HEADER_ROW + ordinary + '<row r="30000"><c r="IW30000"><v>1</v></c></row>')))
    assert "单元格 IW30000 超出" in refusal(path)[0]
    path.write_bytes(workbook(sheet(HEADER_ROW + '<row r="2"><c r="A000300000"><v>1</v></c></row>')))
    assert "单元格 A300000 超出" in refusal(path)[0]
    path.write_bytes(workbook(sheet(HEADER_ROW + ordinary)))
    assert len(read_table(path, "名单.xlsx").rows) == 29998


def test_cells_without_a_reference_are_placed_as_the_reader_places_them(tmp_path, settings):
    # r is optional in the file format: a row without it is the next row, a cell without it the next column.
    settings.TIDU_IMPORT_MAX_COLUMNS = 2
    path = tmp_path / "no-refs.xlsx"
    body = HEADER_ROW + "<row><c><v>1</v></c><c><v>2</v></c></row>"
    path.write_bytes(workbook(sheet(body)))
    assert read_table(path, "名单.xlsx").rows == [["1", "2"]]
    path.write_bytes(workbook(sheet(body + "<row><c><v>1</v></c><c><v>2</v></c><c><v>3</v></c></row>")))
    assert "单元格 C3 超出" in refusal(path)[0]


def test_a_million_rows_are_refused_within_seconds_in_bounded_memory(tmp_path):
    # A million rows without references (the reader counts them on), ~30 MB of XML in ~0.1 MB: built in milliseconds.
    stream, size = _repeated_deflate(
        SHEET_OPEN + b"<sheetData>", b"<row><c><v>1</v></c></row>", 1_000_000, b"</sheetData></worksheet>"
    )
    members = [
        _small("[Content_Types].xml", CONTENT_TYPES),
        _small("_rels/.rels", ROOT_RELS),
        _small("xl/workbook.xml", WORKBOOK),
        _small("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", stream, size, 0),  # refused before the end, where a CRC would be checked
    ]
    path = tmp_path / "million.xlsx"
    path.write_bytes(raw_zip(members))
    message, seconds, peak = refusal(path)
    assert "单元格 A200001 超出可导入的范围（最多 200,000 行" in message
    assert seconds < 5 and peak < 16 * MB


def test_a_csv_line_longer_than_the_field_limit_gets_a_chinese_message(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text('统一社会信用代码,企业名称\n1,"' + "长" * 200_000 + '"\n', encoding="utf-8")
    message, _seconds, _peak = refusal(path)
    assert "CSV 文件第 2 行有一个超长的单元格（超过 131,072 个字符的上限）" in message
    assert "field" not in message


def test_a_csv_with_a_million_rows_is_refused_by_the_row_limit_while_streaming(tmp_path):
    path = tmp_path / "million.csv"
    path.write_bytes("统一社会信用代码,企业名称\n".encode() + b"1,2\n" * 1_000_000)
    message, seconds, peak = refusal(path)
    assert "文件超过 200,000 行的上限（至少 200,001 行）" in message
    assert seconds < 5 and peak < 64 * MB


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_excel_unicode_text_is_read_whichever_byte_order(tmp_path, encoding):
    # Excel's "Unicode text": UTF-16 with a byte-order mark, tab-separated, CRLF.
    bom = b"\xff\xfe" if encoding == "utf-16-le" else b"\xfe\xff"
    text = "统一社会信用代码\t企业名称\r\n91360102MA00000001\t示例，有限公司\r\n"
    path = tmp_path / "名单.txt"
    path.write_bytes(bom + text.encode(encoding))
    table = read_table(path, "名单.txt")
    assert table.headers == ["统一社会信用代码", "企业名称"]
    assert table.rows == [["91360102MA00000001", "示例，有限公司"]]


def test_a_tab_separated_utf8_file_is_read_by_its_tabs(tmp_path):
    path = tmp_path / "名单.csv"
    path.write_text("统一社会信用代码\t企业名称\n1\t甲,乙\n", encoding="utf-8")
    assert read_table(path, "名单.csv").rows == [["1", "甲,乙"]]


def _zip_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello")
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("content", "detail"),
    [
        (b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", "看起来是 PDF 文档"),
        (b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "看起来是 PNG 图片"),
        (random.Random(17).randbytes(8192), ""),
        (_zip_not_a_workbook(), "不是有效的 Excel"),
    ],
    ids=["pdf", "png", "random", "zip"],
)
@pytest.mark.parametrize("name", ["名单.csv", "名单.xlsx"])
def test_a_file_that_is_no_spreadsheet_is_refused_as_such(tmp_path, content, detail, name):
    path = tmp_path / "upload"
    path.write_bytes(content)
    message = refusal(path, name)[0]
    assert message.startswith("不是电子表格文件"), message
    assert detail in message


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv_upload(code: str) -> SimpleUploadedFile:
    rows = [["统一社会信用代码", "企业名称", "所在区县", "行业代码"], [code, "后续测试有限公司", "360102", "34"]]
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    return SimpleUploadedFile("名单.csv", buffer.getvalue().encode())


@pytest.mark.django_db
def test_a_hostile_workbook_fails_its_check_with_the_reason_and_the_next_job_runs(world, media):
    from enterprises.imports import import_start
    from enterprises.models import ImportJob

    far = workbook(sheet(HEADER_ROW + '<row r="1048576"><c r="XFD1048576"><v>1</v></c></row>'))
    job = import_start(actor=world["county"], upload=SimpleUploadedFile("名单.xlsx", far))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.INVALID
    assert "单元格 XFD1048576 超出可导入的范围" in job.errors[0]["message"]

    following = import_start(actor=world["county"], upload=_csv_upload(make_code("360102")))
    following.refresh_from_db()
    assert following.status == ImportJob.Status.READY


@pytest.mark.django_db
def test_excel_unicode_text_imports_through_the_enterprise_import(world, media):
    from enterprises.imports import import_start
    from enterprises.models import ImportJob

    text = (
        f"统一社会信用代码\t企业名称\t所在区县\t行业代码\r\n{make_code('360102')}\t统一码测试有限公司\t360102\t34\r\n"
    )
    upload = SimpleUploadedFile("名单.txt", b"\xff\xfe" + text.encode("utf-16-le"))
    job = import_start(actor=world["county"], upload=upload)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.created_count == 1
