"""Writes the realistic enterprise lists of this folder: the shapes county and city offices really send (titles,
units rows, totals, signatures, blocks, several sheets, synonyms, merged cells, two-row headers, GBK and UTF-16 text,
ambiguous values). What each should give is in expected.yaml beside it; test_realistic_lists.py runs them all.

All enterprise names, people, phone numbers and credit codes are synthetic: the codes are built with
enterprises.creditcode (they pass both check characters) from organisation-code bodies starting "LT", which no
fixture uses. The output is deterministic (fixed timestamps inside the workbooks), so re-running changes nothing.

    .venv/bin/python enterprises/tests/realistic_lists/make_lists.py [OUTPUT_FOLDER]
"""

import datetime as dt
import io
import re
import sys
import zipfile
from pathlib import Path

import openpyxl

HERE = Path(__file__).resolve().parent
OUT = HERE  # where the lists are written; the test writes them elsewhere to compare with the committed files
sys.path.insert(0, str(HERE.parents[2]))  # the repository root, for enterprises.creditcode

from enterprises.creditcode import ALPHABET, _single_typo, make, org_code  # noqa: E402

FIXED = (2026, 1, 10, 9, 0, 0)


def code(county: str, list_number: int, row: int) -> str:
    """A synthetic credit code registered in `county`, unique per list and row."""
    return make(f"91{county}" + org_code(f"LT{list_number:02d}{row:04d}"))


def numeric_code(county: str) -> str:
    """A synthetic credit code made of digits only (the kind Excel turns into a number)."""
    for serial in range(1, 10_000):
        candidate = make(f"91{county}" + org_code(f"{70_000_000 + serial:08d}"))
        if candidate.isdigit():
            return candidate
    raise AssertionError("no all-digit code found")


def one_typo(good: str) -> str:
    """`good` with one character of the organisation code (positions 9–16) mistyped such that the check characters
    point at that position unambiguously, as the import then names it."""
    for position in range(9, 17):
        for char in ALPHABET:
            typo = good[: position - 1] + char + good[position:]
            if char != good[position - 1] and _single_typo(typo) == (position, good[position - 1]):
                return typo
    raise AssertionError("no identifiable typo")


# ------------------------------------------------------------------------------------------------ writing files


def save_xlsx(book: openpyxl.Workbook, name: str) -> None:
    """Save with fixed timestamps (in the ZIP entries and docProps/core.xml) so the bytes only change with the data."""
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    out = io.BytesIO()
    with zipfile.ZipFile(buffer) as source, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*", rb"\g<1>2026-01-10T09:00:00Z", data)
            entry = zipfile.ZipInfo(info.filename, date_time=FIXED)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    (OUT / name).write_bytes(out.getvalue())


def sheet_book(rows: list[list], *, merges: tuple[str, ...] = (), title: str = "Sheet1") -> openpyxl.Workbook:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = title
    fill(sheet, rows, merges)
    return book


def fill(sheet, rows: list[list], merges: tuple[str, ...] = ()) -> None:
    for row in rows:
        sheet.append(row)
    for merge in merges:
        sheet.merge_cells(merge)


def write_text(name: str, rows: list[list], *, encoding: str, delimiter: str = ",", newline: str = "\r\n") -> None:
    lines = [delimiter.join("" if cell is None else str(cell) for cell in row) for row in rows]
    data = (newline.join(lines) + newline).encode(encoding)
    if encoding == "utf-16-le":
        data = b"\xff\xfe" + data  # Excel's "Unicode text" starts with the byte-order mark
    (OUT / name).write_bytes(data)


# ------------------------------------------------------------------------------------------------ the lists

SIGNATURES = ["填表人：王芳", None, "审核人：刘强", None, "联系电话：0791-00000000"]


def list_01() -> None:
    """Title (merged), issuing office, 序号, units row, total and signatures."""
    header = ["序号", "企业名称", "统一社会信用代码", "所在区县", "行业代码", "从业人员", "营业收入"]
    records = [
        ("东湖瑞丰精密机械有限公司", "360102", "34", 120, 3500),
        ("东湖华宇电子科技有限公司", "东湖区", "39", 85, 2600.5),
        ("东湖恒通新材料有限公司", "360102", "30", 240, 9800),
        ("东湖青禾食品有限公司", "东湖区", "14", 60, 2100),
        ("东湖博远医药有限公司", "360102", "27", 310, 15200),
        ("东湖明光纺织有限公司", "东湖区", "17", 150, 4300),
    ]
    rows = [
        ["2025年东湖区规上工业企业名单", None, None, None, None, None, None],
        ["填报单位：东湖区工业和信息化局", None, None, None, None, "填报日期：2026年1月10日", None],
        header,
        [None, None, None, None, None, "人", "万元"],
    ]
    for i, (name, county, industry, staff, revenue) in enumerate(records, start=1):
        rows.append([i, name, code("360102", 1, i), county, industry, staff, revenue])
    rows.append(["合计", None, None, None, None, sum(r[3] for r in records), sum(r[4] for r in records)])
    rows.append(SIGNATURES + [None, None])
    save_xlsx(sheet_book(rows, merges=("A1:G1",)), "01_title_units_total.xlsx")


def list_02() -> None:
    """A city list in blocks by county: block headings, subtotals, blank rows between blocks, a note at the end."""
    header = [
        "序号",
        "单位名称",
        "统一社会信用代码",
        "县（市、区）",
        "国民经济行业代码",
        "年末从业人员",
        "主营业务收入（万元）",
        "数据年度",
    ]
    blocks = [
        ("一、东湖区", "360102", "东湖区", ["东湖安泰机电有限公司", "东湖新源光电有限公司", "东湖宏达包装有限公司"]),
        (
            "二、青山湖区",
            "360111",
            "青山湖区",
            ["青山湖金诚汽车零部件有限公司", "青山湖同创智能装备有限公司", "青山湖嘉禾服饰有限公司"],
        ),
        ("三、南昌县", "360121", "南昌县", ["南昌县丰源米业有限公司", "南昌县卓越塑胶有限公司"]),
    ]
    industries = ["34", "39", "22", "36", "35", "18", "13", "29"]
    rows = [["2025年南昌市规上工业企业名单（分县区）"] + [None] * 7, header]
    serial = 0
    for heading, county_code, county_name, names in blocks:
        rows.append([heading] + [None] * 7)
        total = 0
        for name in names:
            serial += 1
            revenue = 2000 + serial * 350
            total += revenue
            rows.append(
                [
                    serial,
                    name,
                    code(county_code, 2, serial),
                    county_name,
                    industries[serial - 1],
                    50 + serial * 10,
                    revenue,
                    2025,
                ]
            )
        rows.append(["小计", None, None, None, None, None, total, None])
        rows.append([None] * 8)
    rows.pop()  # no blank row after the last block
    rows.append(["合计", None, None, None, None, None, None, None])
    rows.append(["注：数据来源于统计联网直报平台，为快报数", None, None, None, None, None, None, None])
    save_xlsx(sheet_book(rows, merges=("A1:H1",)), "02_blocks_by_county.xlsx")


def list_03() -> None:
    """Three sheets: instructions, a hidden stale list from 2019, and this year's list (the one read)."""
    header = ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "数据年度", "从业人员（人）", "营业收入（万元）"]
    book = openpyxl.Workbook()
    notes = book.active
    notes.title = "填报说明"
    fill(notes, [["填报说明"], ["1. 本表由各乡镇（街道）汇总后报区工信局。"], ["2. 金额单位为万元。"]])
    stale = book.create_sheet("2019年名单")
    fill(
        stale,
        [
            header,
            [code("360102", 3, 90), "东湖旧档案机械厂", "360102", "34", 2019, 30, 900],
            [code("360102", 3, 91), "东湖旧档案印刷厂", "360102", "23", 2019, 20, 500],
        ],
    )
    stale.sheet_state = "hidden"
    current = book.create_sheet("2025年名单")
    names = ["东湖天成机械有限公司", "东湖鑫達电子有限公司", "东湖润泽化工有限公司", "东湖欣悦家具有限公司"]
    fill(
        current,
        [header]
        + [
            [code("360102", 3, i), name, "360102", ["34", "39", "26", "21"][i - 1], 2025, 40 + i, 2100 + i]
            for i, name in enumerate(names, start=1)
        ],
    )
    save_xlsx(book, "03_several_sheets_hidden_stale.xlsx")


def list_04() -> None:
    """Headers as other software writes them: traditional characters, full-width forms, spaces, units in brackets."""
    header = [
        "序 号",
        "企 业 名 称",
        "統一社會信用代碼",
        "行政區劃代碼",
        "所屬行業代碼",
        "年　度",  # an ideographic space
        "從業人員（人）",
        "主營業務收入【萬元】",
        "資產總計(萬元)",
        "聯繫電話 ",
        "联系人",
    ]
    rows = [header]
    names = ["東湖精誠儀器有限公司", "东湖启明电气有限公司", "东湖长青环保设备有限公司", "东湖远航船舶配件有限公司"]
    for i, name in enumerate(names, start=1):
        credit = code("360102", 4, i)
        if i == 2:  # pasted from a full-width input method
            credit = "".join(chr(ord(c) + 0xFEE0) for c in credit)
        rows.append(
            [
                i,
                name,
                credit,
                "360102",
                "40" if i != 4 else "37",
                2025,
                55 + i,
                3000 + i * 10,
                5000 + i,
                f"1390000{i:04d}",
                f"联系人{i}",
            ]
        )
    save_xlsx(sheet_book(rows), "04_synonyms_traditional_fullwidth.xlsx")


def list_05() -> None:
    """A UTF-8 CSV (with BOM, as Excel saves "CSV UTF-8") whose figures have no year column."""
    rows = [["统一社会信用代码", "企业名称", "所在区县", "行业代码", "从业人员", "营业收入（万元）"]]
    names = ["东湖德盛五金有限公司", "东湖佳和日化有限公司", "东湖春晖印务有限公司"]
    for i, name in enumerate(names, start=1):
        rows.append([code("360102", 5, i), name, "东湖区", ["33", "26", "23"][i - 1], 30 + i, 2500 + i])
    write_text("05_no_year_column.csv", rows, encoding="utf-8-sig")


def list_06() -> None:
    """Two columns that could be the county: 行政区划 (the city) and 所属区县."""
    header = [
        "序号",
        "企业名称",
        "统一社会信用代码",
        "行政区划",
        "所属区县",
        "行业代码",
        "数据年度",
        "营业收入（万元）",
    ]
    rows = [header]
    entries = [
        ("东湖晨光仪表有限公司", "东湖区"),
        ("青山湖海纳电子有限公司", "青山湖区"),
        ("青山湖锦程机械有限公司", "青山湖区"),
        ("南昌县绿源饲料有限公司", "南昌县"),
    ]
    for i, (name, county) in enumerate(entries, start=1):
        county_code = {"东湖区": "360102", "青山湖区": "360111", "南昌县": "360121"}[county]
        rows.append(
            [i, name, code(county_code, 6, i), "360100", county, ["40", "39", "34", "13"][i - 1], 2025, 2200 + i]
        )
    save_xlsx(sheet_book(rows), "06_two_county_columns.xlsx")


def list_07() -> None:
    """Industry codes given as a group (3 digits), a class (4 digits), with the section letter, or with the name."""
    header = ["企业名称", "统一社会信用代码", "所在区县", "行业代码", "数据年度", "营业收入（万元）"]
    entries = [
        ("东湖通达轴承有限公司", "3451"),
        ("东湖精工阀门有限公司", "344"),
        ("东湖星辰电子元件有限公司", "C3981"),
        ("东湖万华涂料有限公司", "2641"),
        ("东湖力拓机械有限公司", "34 通用设备制造业"),
    ]
    rows = [header] + [
        [name, code("360102", 7, i), "360102", industry, 2025, 2100 + i]
        for i, (name, industry) in enumerate(entries, start=1)
    ]
    save_xlsx(sheet_book(rows), "07_industry_codes_3_or_4_digits.xlsx")


def list_08() -> None:
    """The county merged over the rows of each county (a city list); the import fills it down and says so."""
    header = ["序号", "所属县区", "企业名称", "统一社会信用代码", "行业代码", "数据年度", "营业收入（万元）"]
    entries = [
        ("东湖区", "360102", "东湖宇航精密铸造有限公司"),
        (None, "360102", "东湖旭日照明有限公司"),
        (None, "360102", "东湖正和药业有限公司"),
        ("青山湖区", "360111", "青山湖昌盛纸业有限公司"),
        (None, "360111", "青山湖汇丰电缆有限公司"),
    ]
    rows = [["2025年南昌市规上工业企业名单"] + [None] * 6, header]
    for i, (county, county_code, name) in enumerate(entries, start=1):
        rows.append([i, county, name, code(county_code, 8, i), ["33", "38", "27", "22", "38"][i - 1], 2025, 2300 + i])
    save_xlsx(sheet_book(rows, merges=("A1:G1", "B3:B5", "B6:B7")), "08_merged_county_filled_down.xlsx")


FIGURES_HEADER = [
    "统一社会信用代码",
    "企业名称",
    "所在区县",
    "行业代码",
    "数据年度",
    "从业人员（人）",
    "营业收入（万元）",
]


def list_09() -> None:
    """Approximate and ranged figures, as typed by someone who did not have the exact number."""
    figures = [(80, 3100), (90, "约500"), ("100-200", 2600), (110, "1200左右"), ("300多", 4100)]
    names = [
        "东湖诚信模具有限公司",
        "东湖蓝天净化设备有限公司",
        "东湖金鼎铝业有限公司",
        "东湖顺发物流装备有限公司",
        "东湖晶华玻璃制品有限公司",
    ]
    rows = [FIGURES_HEADER] + [
        [code("360102", 9, i), name, "360102", "34", 2025, staff, revenue]
        for i, (name, (staff, revenue)) in enumerate(zip(names, figures, strict=True), start=1)
    ]
    save_xlsx(sheet_book(rows), "09_approximate_and_ranged_figures.xlsx")


def list_10() -> None:
    """Founding dates: Excel dates, 2019.5.8, 2018年3月5日, and one 03/04/2020 nothing in the column can settle."""
    header = ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "成立日期"]
    dates = [dt.datetime(2012, 6, 18), "2019.5.8", "2018年3月5日", "03/04/2020", dt.datetime(2016, 11, 30)]
    names = [
        "东湖瑞达机械有限公司",
        "东湖永泰电器有限公司",
        "东湖新锐材料有限公司",
        "东湖鸿运家纺有限公司",
        "东湖宏图仪器有限公司",
    ]
    rows = [header] + [
        [code("360102", 10, i), name, "360102", "34", date]
        for i, (name, date) in enumerate(zip(names, dates, strict=True), start=1)
    ]
    book = sheet_book(rows)
    for cell in book.active["E"][1:]:
        if isinstance(cell.value, dt.datetime):
            cell.number_format = "yyyy-mm-dd"
    save_xlsx(book, "10_ambiguous_date.xlsx")


def list_11() -> None:
    """Credit codes Excel stored as a number (and one pasted from a CSV in E+ form); county codes typed as numbers
    are exact and accepted."""
    rows = [["企业名称", "统一社会信用代码", "所在区县", "行业代码"]]
    rows.append(["东湖正泰电子有限公司", code("360102", 11, 1), 360102, 39])
    rows.append(["东湖数码存储有限公司", int(numeric_code("360102")), 360102, 39])
    rows.append(["东湖科创传感器有限公司", "9.13601E+17", 360102, 39])
    save_xlsx(sheet_book(rows), "11_code_stored_as_number.xlsx")


def list_12() -> None:
    """The city (by name, by code, by its 4-digit form) where the county is required."""
    rows = [["企业名称", "统一社会信用代码", "所在区县", "行业代码"]]
    counties = ["东湖区", "南昌市", "360100", "3601"]
    names = [
        "东湖联创电子有限公司",
        "南昌某市级填报机械有限公司",
        "南昌某代码填报化工有限公司",
        "南昌某四位代码塑料有限公司",
    ]
    for i, (name, county) in enumerate(zip(names, counties, strict=True), start=1):
        rows.append([name, code("360102", 12, i), county, "34"])
    save_xlsx(sheet_book(rows), "12_city_where_county_required.xlsx")


def list_13() -> None:
    """Excel error values left by broken formulas or lookups (#REF!, #N/A, #DIV/0!), stored as errors."""
    rows = [FIGURES_HEADER]
    names = ["东湖广源机械有限公司", "东湖鼎盛电子有限公司", "东湖天瑞化工有限公司", "东湖云帆汽配有限公司"]
    cells = [("360102", "34", 100), ("#REF!", "34", 120), ("360102", "#N/A", 130), ("360102", "34", "#DIV/0!")]
    for i, (name, (county, industry, revenue)) in enumerate(zip(names, cells, strict=True), start=1):
        rows.append([code("360102", 13, i), name, county, industry, 2025, 20 + i, revenue])
    save_xlsx(sheet_book(rows), "13_excel_error_values.xlsx")


def list_14() -> None:
    """Credit codes with one wrong character: the check character, a letter O for a zero, a 17-character code, and a
    character in the organisation code."""
    good = code("360102", 14, 1)
    wrong_check = code("360102", 14, 2)
    wrong_check = wrong_check[:17] + ("1" if wrong_check[17] != "1" else "2")
    letter_o = code("360102", 14, 3)
    letter_o = letter_o[:2] + "O" + letter_o[3:]  # position 3 typed as the letter O
    short = code("360102", 14, 4)[:17]
    org_typo = one_typo(code("360102", 14, 5))
    rows = [["企业名称", "统一社会信用代码", "所在区县", "行业代码"]]
    names = [
        "东湖正源机电有限公司",
        "东湖校验码错误示例有限公司",
        "东湖字母O示例有限公司",
        "东湖少一位示例有限公司",
        "东湖机构代码错误示例有限公司",
    ]
    for name, credit in zip(names, [good, wrong_check, letter_o, short, org_typo], strict=True):
        rows.append([name, credit, "360102", "34"])
    save_xlsx(sheet_book(rows), "14_credit_code_wrong_character.xlsx")


def list_15() -> None:
    """A CSV saved by Excel on Chinese Windows (GBK), with a title line and labels with their years."""
    rows = [
        ["2025年东湖区专精特新企业名单", "", "", "", "", ""],
        ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "企业标签", "备注"],
    ]
    entries = [
        ("东湖锐思精密仪器有限公司", "专精特新中小企业:2024；高新技术企业:2022"),
        ("东湖鲲鹏智造有限公司", "创新型中小企业:2023"),
        ("东湖瀚海新能源有限公司", "高新技术企业"),
        ("东湖砺锋刀具有限公司", ""),
    ]
    for i, (name, labels) in enumerate(entries, start=1):
        rows.append([code("360102", 15, i), name, "东湖区", ["40", "38", "38", "33"][i - 1], labels, "复核通过"])
    write_text("15_gbk.csv", rows, encoding="gbk")


def list_16() -> None:
    """Excel's "Unicode text" (UTF-16 with BOM, tab-separated, .txt), with a title line."""
    rows = [
        ["2025年东湖区重点工业企业", "", "", "", "", ""],
        ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "数据年度", "营业收入（万元）"],
    ]
    names = ["东湖璟瑞光学有限公司", "东湖騰飛电子有限公司", "东湖晟达纸品有限公司"]
    for i, name in enumerate(names, start=1):
        rows.append([code("360102", 16, i), name, "360102", ["40", "39", "22"][i - 1], 2025, f"{2000 + i * 111}.5"])
    write_text("16_utf16_unicode_text.txt", rows, encoding="utf-16-le", delimiter="\t")


def list_17() -> None:
    """A PDF (a scanned notice) saved under a spreadsheet's name."""
    pdf = (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    (OUT / "17_not_a_spreadsheet.xlsx").write_bytes(pdf)


def list_18() -> None:
    """A grouped header over two rows: 2025年经营情况 merged over 营业收入 | 从业人员 | 资产总计 below it, 联系人 over
    姓名 | 电话, the other columns merged down over both rows."""
    rows = [
        ["2025年东湖区规上工业企业经营情况表"] + [None] * 9,
        ["序号", "企业名称", "统一社会信用代码", "所在区县", "行业代码", "2025年经营情况", None, None, "联系人", None],
        [None, None, None, None, None, "营业收入（万元）", "从业人员（人）", "资产总计", "姓名", "电话"],
    ]
    entries = [
        ("东湖恒信电机有限公司", "38"),
        ("东湖中科仪表有限公司", "40"),
        ("东湖银河纺机有限公司", "35"),
        ("东湖方圆建材有限公司", "30"),
    ]
    for i, (name, industry) in enumerate(entries, start=1):
        rows.append(
            [
                i,
                name,
                code("360102", 18, i),
                "东湖区",
                industry,
                3000 + i * 100,
                100 + i,
                8000 + i,
                f"吴{'一二三四'[i - 1]}",
                f"1390000180{i}",
            ]
        )
    rows.append(["合计", None, None, None, None, None, None, None, None, None])
    merges = ("A1:J1", "A2:A3", "B2:B3", "C2:C3", "D2:D3", "E2:E3", "F2:H2", "I2:J2")
    save_xlsx(sheet_book(rows, merges=merges), "18_two_row_header.xlsx")


def list_19() -> None:
    """A 专精特新 application summary: 申报企业, 所属县（市、区）, 所属行业 by name, 培育称号 with years, contacts."""
    header = [
        "序号",
        "申报企业",
        "统一社会信用代码",
        "所属县（市、区）",
        "所属行业",
        "培育称号",
        "联系人",
        "联系方式",
        "备注",
    ]
    entries = [
        ("东湖精研液压有限公司", "通用设备制造业", "专精特新中小企业（2024年）", "赵敏", "13900001001"),
        (
            "东湖芯元半导体有限公司",
            "计算机、通信和其他电子设备制造业",
            "创新型中小企业（2023年）；高新技术企业（2022年）",
            "钱亮",
            "13900001002",
        ),
        ("东湖安康医疗器械有限公司", "专用设备制造业", "专精特新中小企业（2025年）", "孙丽", "0791-86000003"),
    ]
    rows = [["2025年度东湖区专精特新中小企业申报汇总表"] + [None] * 8, header]
    for i, (name, industry, labels, person, phone) in enumerate(entries, start=1):
        rows.append([i, name, code("360102", 19, i), "东湖区", industry, labels, person, phone, None])
    rows.append(["审核人：周明", None, None, None, None, None, None, None, None])
    save_xlsx(sheet_book(rows, merges=("A1:I1",)), "19_specialised_application_summary.xlsx")


def list_20() -> None:
    """Cluster and chain columns: new cluster and chain names to create, confirmed in the preview."""
    header = ["企业名称", "统一社会信用代码", "所在区县", "行业代码", "所属产业集群", "所属产业链"]
    entries = [
        ("东湖北斗导航电子有限公司", "东湖区电子信息产业集群", "南昌市电子信息产业链"),
        ("东湖华芯封装测试有限公司", "东湖区电子信息产业集群", "南昌市电子信息产业链"),
        ("东湖骏马车桥有限公司", "", "南昌市汽车及零部件产业链"),
    ]
    rows = [header] + [
        [name, code("360102", 20, i), "360102", "39" if i < 3 else "36", cluster, chain]
        for i, (name, cluster, chain) in enumerate(entries, start=1)
    ]
    save_xlsx(sheet_book(rows), "20_cluster_and_chain_columns.xlsx")


def list_21() -> None:
    """Label names as offices write them: “专精特新”企业, 专精特新, 专精特新小巨人."""
    header = ["企业名称", "统一社会信用代码", "所在区县", "行业代码", "称号"]
    entries = [
        ("东湖精锐数控有限公司", "“专精特新”企业"),
        ("东湖卓尔传动有限公司", "专精特新"),
        ("东湖领航激光有限公司", "专精特新“小巨人”"),
    ]
    rows = [header] + [
        [name, code("360102", 21, i), "360102", "34", labels] for i, (name, labels) in enumerate(entries, start=1)
    ]
    save_xlsx(sheet_book(rows), "21_label_name_variants.xlsx")


def list_22() -> None:
    """Slash dates whose day/month order the column settles: 25/04/2015 and 13/11/2018 can only be day first, so
    03/04/2020 is 3 April."""
    rows = [["统一社会信用代码", "企业名称", "所在区县", "行业代码", "成立日期"]]
    entries = [
        ("东湖同心机械有限公司", "25/04/2015"),
        ("东湖和顺电子有限公司", "03/04/2020"),
        ("东湖康达医药有限公司", "13/11/2018"),
        ("东湖永昌铸造有限公司", "07/08/2012"),
    ]
    for i, (name, date) in enumerate(entries, start=1):
        rows.append([code("360102", 22, i), name, "360102", "34", date])
    write_text("22_dates_settled_by_the_column.csv", rows, encoding="utf-8-sig")


def list_23() -> None:
    """The county written with its city or province in front, as many lists do (南昌市东湖区, 江西省南昌市东湖区)."""
    rows = [["企业名称", "统一社会信用代码", "所在区县", "行业代码"]]
    entries = [
        ("东湖嘉盛机械有限公司", "南昌市东湖区"),
        ("东湖汇能电气有限公司", "江西省南昌市东湖区"),
        ("东湖永新印刷有限公司", "东湖区"),
    ]
    for i, (name, county) in enumerate(entries, start=1):
        rows.append([name, code("360102", 23, i), county, "34"])
    save_xlsx(sheet_book(rows), "23_county_with_its_city.xlsx")


LISTS = [
    list_01,
    list_02,
    list_03,
    list_04,
    list_05,
    list_06,
    list_07,
    list_08,
    list_09,
    list_10,
    list_11,
    list_12,
    list_13,
    list_14,
    list_15,
    list_16,
    list_17,
    list_18,
    list_19,
    list_20,
    list_21,
    list_22,
    list_23,
]


def main(out: Path = HERE) -> None:
    global OUT
    OUT = out
    out.mkdir(parents=True, exist_ok=True)
    for write in LISTS:
        write()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE)
