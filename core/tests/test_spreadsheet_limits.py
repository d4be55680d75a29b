"""Reading an uploaded workbook is linear in its size and bounded in memory: a few MB that expand to gigabytes, or
a sheet holding one enormous run of text, are refused with a clear message after reading little of them."""

import tracemalloc
from pathlib import Path

import pytest

from core.spreadsheets import SpreadsheetError, check_upload, read_table
from core.tests.hostile import MB, workbook_with_sheet

CELLS = b'<c r="B2" t="inlineStr"><is><t>x</t></is></c>' * 23000  # ~1 MB of ordinary markup


def refusal(path: Path) -> tuple[str, int]:
    """The refusal message and the peak memory (bytes) Python allocated while reading."""
    tracemalloc.start()
    try:
        with pytest.raises(SpreadsheetError) as refused:
            read_table(path, path.name)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return str(refused.value), peak


def test_a_sheet_holding_one_huge_run_of_text_is_refused_after_reading_little(tmp_path):
    # 400 MB of text without markup (under the size caps), 0.4 MB on disk: the old scan grew its carried text
    # by a megabyte per read and re-searched it (minutes, gigabytes); now the run is refused at its second MB.
    path = tmp_path / "run.xlsx"
    path.write_bytes(workbook_with_sheet(b"A" * MB, 400))
    assert path.stat().st_size < 2 * MB
    message, peak = refusal(path)
    assert "超长的内容" in message and "32767" in message
    assert peak < 16 * MB


def test_a_workbook_expanding_to_gigabytes_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook_with_sheet(b"A" * MB, 2048))  # 2 GB of sheet XML in ~2 MB
    assert path.stat().st_size < 4 * MB
    message, peak = refusal(path)
    assert "解压后约 2,048 MB" in message and "超过每个部件 512 MB 的上限" in message
    assert peak < 4 * MB


def test_the_expanded_size_caps_come_from_the_settings(tmp_path, settings):
    path = tmp_path / "rows.xlsx"
    path.write_bytes(workbook_with_sheet(CELLS, 20))  # ~20 MB of ordinary cells
    settings.TIDU_UPLOAD_MAX_EXPANDED_MB = 8
    assert "超过每个部件 8 MB 的上限" in refusal(path)[0]
    settings.TIDU_UPLOAD_MAX_EXPANDED_MB, settings.TIDU_UPLOAD_MAX_EXPANDED_TOTAL_MB = 64, 16
    assert "总大小约 20 MB，超过 16 MB 的上限" in refusal(path)[0]


def test_the_cheap_upload_check_refuses_the_bomb_before_anything_is_queued(tmp_path):
    path = tmp_path / "bomb.xlsx"
    path.write_bytes(workbook_with_sheet(b"A" * MB, 2048))
    with pytest.raises(SpreadsheetError, match="超过每个部件 512 MB 的上限"):
        check_upload(path, "名单.xlsx")


def test_a_member_that_expands_beyond_what_it_declares_is_refused(tmp_path):
    # The directory says 2 MB; the stream holds 300 MB. Reading stops at the declared size and fails its check.
    path = tmp_path / "liar.xlsx"
    path.write_bytes(workbook_with_sheet(CELLS, 300, declared=2 * MB))
    message, peak = refusal(path)
    assert "不是有效的 Excel" in message
    assert peak < 16 * MB
