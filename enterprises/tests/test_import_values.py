"""Never guess what is ambiguous, and keep the industry code as written: the rules of enterprises.import_values, each
through the import's check and one by one. All names and codes here are synthetic (codes pass both check characters).
"""

import datetime as dt
import io

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_code
from enterprises import creditcode, import_values
from enterprises.imports import import_commit, import_start
from enterprises.models import Enterprise, ImportJob
from regions.models import IndustryGroup

HEADER = "统一社会信用代码,企业名称,所在区县,行业代码,成立日期,数据年度,从业人员（人）,营业收入（万元）"


def check(user, name: str, content: bytes) -> ImportJob:
    job = import_start(actor=user, upload=SimpleUploadedFile(name, content))
    job.refresh_from_db()
    return job


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


def xlsx_file(rows: list[list]) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(HEADER.split(","))
    for row in rows:
        sheet.append(row)
    for row in sheet.iter_rows():
        for cell in row:
            if isinstance(cell.value, str) and cell.value.startswith("#") and cell.value.endswith(("!", "A", "?")):
                cell.data_type = "e"  # an Excel error value, as Excel stores it
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def messages(job: ImportJob) -> dict[str, str]:
    """Cell name → message, for the errors that name their cell ("单元格 G2：…")."""
    found = {}
    for error in job.errors:
        if error["message"].startswith("单元格 "):
            cell, _, reason = error["message"].removeprefix("单元格 ").partition("：")
            found[cell] = reason
    return found


# ------------------------------------------------------------------------------------------------ unit rules


@pytest.mark.parametrize(("index", "letters"), [(0, "A"), (3, "D"), (25, "Z"), (26, "AA"), (51, "AZ"), (701, "ZZ")])
def test_columns_are_named_as_excel_labels_them(index, letters):
    assert import_values.column_letter(index) == letters
    assert import_values.cell_name(index, 12) == f"{letters}12"


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("约500", "约数"),
        ("500左右", "约数"),
        ("≥100", "约数"),
        ("1千余", "约数"),
        ("5万", "带单位"),
        ("300+", "约数"),
        ("300-500", "范围"),
        ("300～500", "范围"),
        ("300至500", "范围"),
    ],
)
def test_approximate_and_ranged_figures_are_refused(text, fragment):
    with pytest.raises(import_values.CellError, match=fragment):
        import_values.refuse_approximate(text)


@pytest.mark.parametrize("text", ["500", "1,200.5", "-5", "很多"])
def test_exact_figures_and_words_are_left_to_the_number_check(text):
    import_values.refuse_approximate(text)  # no refusal here: "-5" is negative, "很多" is no number at all


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("25/04/2015", dt.date(2015, 4, 25)),
        ("04/25/2015", dt.date(2015, 4, 25)),
        ("04/04/2015", dt.date(2015, 4, 4)),
        ("2015-03-04", None),  # not this form: the ISO reading handles it
    ],
)
def test_dates_that_can_only_be_one_day_are_read(text, expected):
    assert import_values.slash_date(text) == expected


@pytest.mark.parametrize(
    ("text", "fragment"), [("03/04/2015", "可能颠倒"), ("3.4.2015", "可能颠倒"), ("03/04/15", "两位")]
)
def test_dates_whose_day_and_month_could_be_swapped_are_refused(text, fragment):
    with pytest.raises(import_values.CellError, match=fragment):
        import_values.slash_date(text)


@pytest.mark.parametrize("text", ["9.1360102E+17", "9.13601E17", "913601020000000000.0", "360102.0"])
def test_codes_written_the_way_excel_writes_numbers_are_refused(text):
    with pytest.raises(import_values.CellError, match="以数字形式存储，可能已丢失精度"):
        import_values.refuse_number_stored_code(text)


@pytest.mark.django_db
def test_a_real_credit_code_with_an_e_between_digits_is_not_taken_for_a_number(world):
    code = creditcode.make("91360724" + creditcode.org_code("702482E0"))  # synthetic; reads like 91360724702482e75
    assert code == "91360724702482E075"
    import_values.refuse_number_stored_code(code)  # no CellError
    job = check(world["county"], "代码.csv", csv_file(f"{code},字母代码样例有限公司,360102,C34,,,,"))
    assert job.status == ImportJob.Status.READY, job.errors



@pytest.mark.parametrize("value", ["#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", " #n/a "])
def test_excel_error_values_are_refused(value):
    with pytest.raises(import_values.CellError, match="Excel 错误值"):
        import_values.refuse_error_value(value)


@pytest.mark.parametrize(("text", "digits"), [("34", "34"), ("C342", "342"), ("c 3421", "3421"), ("34通用设备", "34")])
def test_industry_codes_keep_every_digit_given(text, digits):
    assert import_values.industry_code(text) == digits


def test_an_industry_code_longer_than_a_class_is_not_read():
    assert import_values.industry_code("34215") is None


# ------------------------------------------------------------------------------------------------ through the check


@pytest.mark.django_db
def test_approximate_figures_are_row_errors_naming_the_cell_and_nothing_is_written(world):
    job = check(
        world["county"],
        "约数.csv",
        csv_file(
            f"{make_code('360102')},约数甲有限公司,360102,34,,2025,约500,300-500",
            f"{make_code('360102')},约数乙有限公司,360102,34,,2025,500左右,≥100",
            f"{make_code('360102')},约数丙有限公司,360102,34,,2025,1千余,5万",
        ),
    )
    assert job.status == ImportJob.Status.INVALID
    found = messages(job)
    assert set(found) == {"G2", "H2", "G3", "H3", "G4", "H4"}
    assert "“约500”是约数" in found["G2"] and "“300-500”是一个范围" in found["H2"]
    assert "“1千余”" in found["G4"]
    assert not Enterprise.objects.filter(name__startswith="约数").exists()


@pytest.mark.django_db
def test_a_date_whose_day_and_month_could_be_swapped_is_a_row_error_and_unambiguous_ones_are_read(world):
    codes = [make_code("360102") for _ in range(5)]
    job = check(
        world["county"],
        "日期.csv",
        csv_file(
            f"{codes[0]},日期甲有限公司,360102,34,03/04/2015,,,",
            f"{codes[1]},日期乙有限公司,360102,34,2015-04-25,,,",  # settles nothing (see test_import_groups)
        ),
    )
    assert job.status == ImportJob.Status.INVALID
    assert "日和月可能颠倒" in messages(job)["E2"]
    assert len(job.errors) == 1
    job = check(
        world["county"],
        "日期.csv",
        csv_file(
            f"{codes[1]},日期乙有限公司,360102,34,25/04/2015,,,",
            f"{codes[2]},日期丙有限公司,360102,34,2015年3月4日,,,",
            f"{codes[3]},日期丁有限公司,360102,34,2015-03-04,,,",
            f"{codes[4]},日期戊有限公司,360102,34,04/25/2015,,,",
        ),
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_commit(job)
    stored = dict(Enterprise.objects.filter(credit_code__in=codes).values_list("credit_code", "founded_on"))
    assert stored == {
        codes[1]: dt.date(2015, 4, 25),
        codes[2]: dt.date(2015, 3, 4),
        codes[3]: dt.date(2015, 3, 4),
        codes[4]: dt.date(2015, 4, 25),
    }


@pytest.mark.django_db
def test_codes_excel_wrote_as_numbers_and_error_values_in_a_csv_are_row_errors(world):
    job = check(
        world["county"],
        "数字代码.csv",
        csv_file(
            "9.1360102E+17,科学计数有限公司,360102,34,,,,",
            f"{make_code('360102')},区县小数有限公司,360102.0,34,,,,",
            f"{make_code('360102')},#REF!,360102,34,,2025,10,#N/A",
        ),
    )
    found = messages(job)
    assert "“9.1360102E+17”以数字形式存储，可能已丢失精度" in found["A2"]
    assert "以数字形式存储" in found["C3"]
    assert "Excel 错误值“#REF!”" in found["B4"] and "Excel 错误值“#N/A”" in found["H4"]
    assert job.status == ImportJob.Status.INVALID


@pytest.mark.django_db
def test_xlsx_number_and_error_cells_are_refused_while_date_cells_and_whole_county_numbers_are_read(world):
    good = make_code("360102")
    job = check(
        world["county"],
        "类型.xlsx",
        xlsx_file(
            [
                [913601020000000000, "数字代码有限公司", "360102", "34", None, None, None, None],
                [make_code("360102"), "错误值有限公司", "360102", "34", None, 2025, 10, "#DIV/0!"],
                [good, "日期单元格有限公司", 360102, 34, dt.date(2015, 3, 4), 2025, 12, 300.5],
            ]
        ),
    )
    found = messages(job)
    assert "以数字形式存储，可能已丢失精度" in found["A2"]
    assert "Excel 错误值“#DIV/0!”" in found["H3"]
    assert not [e for e in job.errors if e["row"] == 4], job.errors
    job = check(
        world["county"],
        "类型.xlsx",
        xlsx_file([[good, "日期单元格有限公司", 360102, 34, dt.date(2015, 3, 4), 2025, 12, 300.5]]),
    )
    assert job.status == ImportJob.Status.READY, job.errors
    import_commit(job)
    enterprise = Enterprise.objects.get(credit_code=good)
    assert (enterprise.county_id, enterprise.founded_on, enterprise.employees) == ("360102", dt.date(2015, 3, 4), 12)


@pytest.mark.django_db
@pytest.mark.parametrize("county", ["360100", "3601", "南昌市"])
def test_a_city_where_a_county_is_required_is_a_row_error(world, county):
    job = check(world["city"], "地级市.csv", csv_file(f"{make_code('360102')},地级市有限公司,{county},34,,,,"))
    assert "（360100）是省或地级市，不是区县" in messages(job)["C2"]


@pytest.mark.django_db
def test_a_credit_code_whose_division_is_no_known_region_is_refused_at_its_position(world):
    code = make_code("360102")
    unknown = creditcode.make("91000102" + code[8:17])
    job = check(world["county"], "区划.csv", csv_file(f"{unknown},区划不明有限公司,360102,34,,,,"))
    assert "第 3–4 位“00”不是省级行政区划代码" in job.errors[0]["message"]


# ------------------------------------------------------------------------------------------------ industry codes


@pytest.mark.django_db
def test_a_class_code_is_stored_as_given_and_found_by_its_division(world, login):
    code = make_code("360102")
    job = check(world["county"], "行业.csv", csv_file(f"{code},行业小类有限公司,360102,C3421,,,,"))
    assert job.status == ImportJob.Status.READY, job.errors
    import_commit(job)
    enterprise = Enterprise.objects.get(credit_code=code)
    assert (enterprise.industry_id, enterprise.industry_detail_code) == ("34", "3421")
    client = login(world["county"])
    listed = client.get("/enterprises/", {"industry": "34"}).context["page"].object_list
    assert enterprise in listed
    assert enterprise not in client.get("/enterprises/", {"industry": "35"}).context["page"].object_list
    assert "C3421" in client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    export = b"".join(client.get("/enterprises/?format=csv").streaming_content).decode("utf-8-sig")
    assert f"{code},行业小类有限公司,,360102,,3421," in export


@pytest.mark.django_db
def test_a_class_code_fills_its_loaded_group_and_an_unknown_group_is_refused(world):
    IndustryGroup.objects.create(code="342", name="金属加工机械制造", division_id="34")
    known, unknown = make_code("360102"), make_code("360102")
    job = check(world["county"], "中类.csv", csv_file(f"{known},中类已知有限公司,360102,3421,,,,"))
    import_commit(job)
    enterprise = Enterprise.objects.get(credit_code=known)
    assert (enterprise.industry_group_id, enterprise.industry_detail_code) == ("342", "3421")
    job = check(world["county"], "中类.csv", csv_file(f"{unknown},中类未知有限公司,360102,3491,,,,"))
    assert "“3491”不是已加载的行业中类" in job.errors[0]["message"]


@pytest.mark.django_db
@pytest.mark.parametrize("given", ["34215", "C3"])
def test_an_industry_code_of_the_wrong_length_is_refused_not_truncated(world, given):
    job = check(world["county"], "行业.csv", csv_file(f"{make_code('360102')},行业错误有限公司,360102,{given},,,,"))
    assert job.status == ImportJob.Status.INVALID
    assert "行业代码应为 2–4 位" in job.errors[0]["message"]


@pytest.mark.django_db
def test_a_division_change_clears_the_finer_codes_of_the_old_division_and_a_coarser_file_keeps_them(world, login):
    IndustryGroup.objects.create(code="342", name="金属加工机械制造", division_id="34")
    code = make_code("360102")
    import_commit(check(world["county"], "行业.csv", csv_file(f"{code},改行业有限公司,360102,3421,,,,")))
    # The same division written more coarsely (as a county list often does) keeps what a finer list said.
    import_commit(check(world["county"], "行业.csv", csv_file(f"{code},改行业有限公司,360102,C34,,,,")))
    enterprise = Enterprise.objects.get(credit_code=code)
    assert (enterprise.industry_group_id, enterprise.industry_detail_code) == ("342", "3421")
    job = check(world["county"], "行业.csv", csv_file(f"{code},改行业有限公司,360102,35,,,,"))
    assert job.preview[0]["action"] == "更新"
    import_commit(job)
    enterprise.refresh_from_db()
    assert (enterprise.industry_id, enterprise.industry_group_id, enterprise.industry_detail_code) == ("35", None, "")
    client = login(world["county"])
    assert "C3421" not in client.get(f"/enterprises/{enterprise.pk}/").content.decode()
    export = b"".join(client.get("/enterprises/?format=csv").streaming_content).decode("utf-8-sig")
    assert f"{code},改行业有限公司,,360102,,35," in export


@pytest.mark.django_db
@pytest.mark.parametrize("written", ["南昌市东湖区", "南昌市 东湖区", "江西省南昌市东湖区", "东湖区"])
def test_a_county_written_from_the_city_or_the_province_down_is_found(world, written):
    code = make_code("360102")
    job = check(world["city"], "区县.csv", csv_file(f"{code},写法样例有限公司,{written},C34,,,,"))
    assert job.status == ImportJob.Status.READY, job.errors
    import_commit(job)
    assert Enterprise.objects.get(credit_code=code).county_id == "360102"
