"""Hostile import files (issue 17): each refused in ≤ 5 s and ≤ 300 MB, beside a normal 1,000-row list.

Every file is built here (synthetic, nothing checked in). Each check runs `core.spreadsheets.read_table` — what the
import worker runs first — in its own Python process, so a file that made the reader abort could not take the
benchmark down, and that process's peak memory (max RSS from os.wait4, interpreter and Django included) and
times are its own. Three runs per file; the medians are printed with the machine's load (`uptime`).

    .venv/bin/python benchmarks/bench_hostile_files.py [--runs 3]
"""

import argparse
import io
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "benchmarks" / "out"
sys.path.insert(0, str(ROOT))

from core.tests.hostile import (  # noqa: E402
    CONTENT_TYPES,
    MB,
    ROOT_RELS,
    WORKBOOK,
    WORKBOOK_RELS,
    _repeated_deflate,
    _small,
    raw_zip,
    workbook_with_sheet,
)

SECONDS, MEGABYTES = 5, 300
SHEET_OPEN = '<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
HEADER = ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "从业人员", "营业收入", "资产总额", "联系人"]

CHILD = """
import resource, sys, time
began = time.perf_counter()
import django
django.setup()
from pathlib import Path
from core.spreadsheets import SpreadsheetError, read_table
started = time.perf_counter()
try:
    table = read_table(Path(sys.argv[1]), sys.argv[2])
    outcome = f"读取 {len(table.rows)} 行"
except SpreadsheetError as exc:
    outcome = "拒绝：" + str(exc)
print(time.perf_counter() - started)
print(outcome)
"""


def workbook(sheet_xml: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        archive.writestr("_rels/.rels", ROOT_RELS)
        archive.writestr("xl/workbook.xml", WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet_xml)
    return buffer.getvalue()


def header_row() -> str:
    cells = "".join(
        f'<c r="{chr(65 + i)}1" t="inlineStr"><is><t>{name}</t></is></c>' for i, name in enumerate(HEADER[:2])
    )
    return f'<row r="1">{cells}</row>'


def normal_list(rows: int) -> bytes:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("名单")
    sheet.append(HEADER)
    for n in range(rows):
        sheet.append([f"91360102MA{n:08d}", f"合成企业{n}有限公司", "360102", "34", 50, 1234.5, 2345.6, "张三"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def million_rows_with_references() -> bytes:
    """A million rows as Excel writes them (every row and cell with its reference), ~70 MB of XML."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in (
            ("[Content_Types].xml", CONTENT_TYPES),
            ("_rels/.rels", ROOT_RELS),
            ("xl/workbook.xml", WORKBOOK),
            ("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ):
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(f"{SHEET_OPEN}<sheetData>{header_row()}".encode())
            for start in range(2, 1_000_002, 10_000):
                sheet.write(
                    "".join(
                        f'<row r="{n}"><c r="A{n}"><v>{n}</v></c><c r="B{n}" t="inlineStr"><is><t>x</t></is></c></row>'
                        for n in range(start, start + 10_000)
                    ).encode()
                )
            sheet.write(b"</sheetData></worksheet>")
    return buffer.getvalue()


def million_rows_without_references() -> bytes:
    stream, size = _repeated_deflate(
        f"{SHEET_OPEN}<sheetData>".encode(), b"<row><c><v>1</v></c></row>", 1_000_000, b"</sheetData></worksheet>"
    )
    members = [
        _small("[Content_Types].xml", CONTENT_TYPES),
        _small("_rels/.rels", ROOT_RELS),
        _small("xl/workbook.xml", WORKBOOK),
        _small("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", stream, size, 0),
    ]
    return raw_zip(members)


def zip_not_a_workbook() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("notes.txt", "hello" * 1000)
    return buffer.getvalue()


def unicode_text(rows: int) -> bytes:
    lines = ["\t".join(HEADER)] + [
        "\t".join([f"91360102MA{n:08d}", f"合成企业{n}有限公司", "360102", "34", "50", "1234.5", "2345.6", "张三"])
        for n in range(rows)
    ]
    return b"\xff\xfe" + ("\r\n".join(lines) + "\r\n").encode("utf-16-le")


def files() -> list[tuple[str, str, bytes, bool]]:
    """(label, file name, bytes, is it hostile)."""
    far = f'{SHEET_OPEN}<sheetData>{header_row()}<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
    declared = f'{SHEET_OPEN}<dimension ref="A1:XFD1048576"/><sheetData>{header_row()}</sheetData>'
    return [
        ("基线：正常名单 1,000 行（xlsx）", "名单.xlsx", normal_list(1000), False),
        ("Excel Unicode 文本 1,000 行（UTF-16 LE，制表符）", "名单.txt", unicode_text(1000), False),
        ("单个单元格位于 XFD1048576", "名单.xlsx", workbook(far + "</worksheet>"), True),
        ("声明范围 A1:XFD1048576", "名单.xlsx", workbook(declared + "</worksheet>"), True),
        ("解压后 2 GB 的工作表 XML", "名单.xlsx", workbook_with_sheet(b"A" * MB, 2048), True),
        ("一个单元格 400 MB 无标记文本", "名单.xlsx", workbook_with_sheet(b"A" * MB, 400), True),
        ("100 万行（带引用，约 70 MB XML）", "名单.xlsx", million_rows_with_references(), True),
        ("100 万行（无引用，约 26 MB XML）", "名单.xlsx", million_rows_without_references(), True),
        ("CSV 一行超过字段上限（20 万字）", "名单.csv", ('代码,名称\n1,"' + "长" * 200_000 + '"\n').encode(), True),
        ("CSV 100 万行", "名单.csv", "代码,名称\n".encode() + b"1,2\n" * 1_000_000, True),
        ("PDF 改名为 .xlsx", "名单.xlsx", b"%PDF-1.4\n1 0 obj << >> endobj\n%%EOF\n", True),
        ("PNG 改名为 .csv", "名单.csv", b"\x89PNG\r\n\x1a\n" + b"\x00" * 4096, True),
        ("随机字节 1 MB", "名单.csv", random.Random(17).randbytes(MB), True),
        ("不是工作簿的 ZIP", "名单.xlsx", zip_not_a_workbook(), True),
    ]


def run_once(path: Path, name: str, workdir: Path) -> tuple[float, float, float, str]:
    """(seconds reading, seconds for the whole process, max RSS in MB, outcome) of one check in a fresh process.

    Through /usr/bin/time: Linux keeps a process's peak RSS across exec, so a child forked straight from this
    (large) process would report this one's size; `time` is small, and its child is measured alone."""
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tidu.settings", "TIDU_VAR_DIR": str(workdir / "var")}
    report = workdir / "time.txt"
    began = time.perf_counter()
    done = subprocess.run(
        ["/usr/bin/time", "-o", str(report), "-f", "%M", sys.executable, "-c", CHILD, str(path), name],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    wall = time.perf_counter() - began
    rss = int(report.read_text().split()[-1]) / 1024
    if done.returncode != 0:
        return float("nan"), wall, rss, f"进程异常退出（{done.returncode}）：{done.stderr[-300:]}"
    seconds, outcome = done.stdout.split("\n", 1)
    return float(seconds), wall, rss, outcome.strip()


def uptime() -> str:
    return subprocess.run(["uptime"], capture_output=True, text=True).stdout.strip()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    load_before = uptime()
    results = []
    with tempfile.TemporaryDirectory(prefix="tidu-bench-hostile-") as tmp:
        workdir = Path(tmp)
        for n, (label, name, content, hostile) in enumerate(files()):
            path = workdir / f"{n}{Path(name).suffix}"
            path.write_bytes(content)
            runs = [run_once(path, name, workdir) for _ in range(args.runs)]
            read = statistics.median(r[0] for r in runs)
            wall = statistics.median(r[1] for r in runs)
            rss = statistics.median(r[2] for r in runs)
            outcome = runs[0][3]
            # The limit is on the check; the process time beside it adds Python and Django starting (~1-3 s).
            ok = (not hostile) or (outcome.startswith("拒绝") and read <= SECONDS and rss <= MEGABYTES)
            results.append(
                {
                    "file": label,
                    "size_mb": round(len(content) / MB, 2),
                    "read_s": round(read, 3),
                    "process_s": round(wall, 2),
                    "max_rss_mb": round(rss),
                    "outcome": outcome[:90],
                    "ok": ok,
                }
            )
            print(f"{label}: {read:.3f} s reading, {wall:.2f} s process, {rss:.0f} MB — {outcome[:90]}", flush=True)
    load_after = uptime()
    lines = [
        f"Hostile files, median of {args.runs} runs, each in its own process "
        f"(limits on the check: ≤ {SECONDS} s, ≤ {MEGABYTES} MB).",
        f"uptime before: {load_before}",
        f"uptime after:  {load_after}",
        "",
        "| file | size MB | read s | process s | max RSS MB | outcome | within limits |",
        "|---|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        lines.append(
            f"| {r['file']} | {r['size_mb']} | {r['read_s']} | {r['process_s']} | {r['max_rss_mb']} | "
            f"{r['outcome']} | {'yes' if r['ok'] else 'NO'} |"
        )
    text = "\n".join(lines)
    print("\n" + text)
    OUT.mkdir(exist_ok=True)
    (OUT / "bench_hostile_files.md").write_text(text + "\n", encoding="utf-8")
    if args.json:
        args.json.write_text(json.dumps({"results": results, "uptime": [load_before, load_after]}, ensure_ascii=False))
    if not all(r["ok"] for r in results):
        sys.exit(1)


if __name__ == "__main__":
    main()
