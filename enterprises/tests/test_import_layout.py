"""Importing the lists offices actually have: the header found among titles, units, totals and signatures; the
visible sheet with the data; merged cells filled down; the year and the county column asked, not refused.
All names and codes are synthetic."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command

from conftest import make_code
from enterprises.imports import import_commit, import_start
from enterprises.models import Enterprise, EnterpriseFigures

from .lists import COUNTY_HEADER, SheetSpec, county_list, workbook

pytestmark = pytest.mark.django_db
LAST_YEAR = dt.date.today().year - 1


def upload(user, name: str, content: bytes):
    job = import_start(actor=user, upload=SimpleUploadedFile(name, content))
    job.refresh_from_db()
    return job


def records(n: int, county: str = "360102") -> list[list]:
    return [[f"东湖样例{i}号制造有限公司", make_code("360102"), county, "C34", 50 + i, 1000 + i] for i in range(n)]


def test_a_county_list_with_title_units_total_and_signatures_imports_its_records(world):
    data = records(3)
    job = upload(world["county"], "名单.xlsx", workbook(SheetSpec("Sheet1", county_list(data), merges=["A1:G1"])))
    assert job.status == "ready", job.errors
    assert job.created_count == 3 and job.total_rows == 3
    assert "第 1–2 行为标题，已跳过" in job.notes
    assert "第 4 行为单位行，已跳过" in job.notes
    assert "第 8 行为合计或小计，已跳过" in job.notes
    assert "第 9 行起为落款或说明，已忽略" in job.notes
    assert not job.warnings  # 序号 is known and ignored silently
    assert job.questions == {"year": LAST_YEAR}  # figures without a year column: asked, last year by default
    import_commit(job)
    enterprise = Enterprise.objects.get(credit_code=data[0][1])
    assert enterprise.employees == 50 and enterprise.figures_year == LAST_YEAR
    assert EnterpriseFigures.objects.get(enterprise=enterprise).revenue == 1000


def test_the_visible_sheet_with_the_list_is_read_and_a_hidden_stale_one_ignored(world):
    stale = records(2)
    fresh = records(1)
    content = workbook(
        SheetSpec("说明", [["本表由各乡镇汇总"], ["数据截至2025年底"]]),
        SheetSpec("2019年名单", county_list(stale), hidden=True),
        SheetSpec("2025年名单", county_list(fresh)),
    )
    job = upload(world["county"], "多表.xlsx", content)
    assert job.status == "ready", job.errors
    assert job.created_count == 1
    assert "工作簿有 3 个工作表，已读取“2025年名单”（表头识别出 6 列）" in job.notes
    assert "已忽略隐藏的工作表：“2019年名单”" in job.notes
    import_commit(job)
    assert not Enterprise.objects.filter(credit_code__in=[r[1] for r in stale]).exists()


def test_a_formula_in_another_sheet_does_not_refuse_the_list_but_one_in_the_list_does(world):
    summary = SheetSpec("汇总", [["合计"], ["=SUM(1,2)"]])
    job = upload(world["county"], "a.xlsx", workbook(SheetSpec("名单", county_list(records(1))), summary))
    assert job.status == "ready", job.errors
    rows = county_list(records(1))
    rows[4][6] = "=100+1"
    job = upload(world["county"], "b.xlsx", workbook(SheetSpec("名单", rows)))
    assert job.status == "invalid" and "公式" in job.errors[0]["message"] and "G5" in job.errors[0]["message"]


def test_a_county_merged_over_several_rows_is_filled_down_and_said_so(world):
    data = records(3)
    for record in data[1:]:
        record[2] = None
    job = upload(world["county"], "合并.xlsx", workbook(SheetSpec("名单", county_list(data), merges=["D5:D7"])))
    assert job.status == "ready", job.errors
    assert "第 5–7 行的“行政区划”为合并单元格，已按合并区域填充" in job.notes
    import_commit(job)
    assert set(Enterprise.objects.filter(credit_code__in=[r[1] for r in data]).values_list("county_id", flat=True)) == {
        "360102"
    }


def test_a_merged_header_cell_is_still_refused_but_a_merged_title_is_not(world):
    rows = county_list(records(1))
    job = upload(world["county"], "h.xlsx", workbook(SheetSpec("名单", rows, merges=["B3:C3"])))
    assert job.status == "invalid" and "表头含有合并单元格" in job.errors[0]["message"]


def test_a_missing_required_column_lists_the_headers_found_with_the_closest_known_name(world):
    content = "统一社会代码,企业名字,所在区县,行业代码\nx,y,360102,34\n".encode()
    job = upload(world["county"], "cols.csv", content)
    assert job.status == "invalid"
    message = job.errors[0]["message"]
    assert "缺少必填列：统一社会信用代码、企业名称" in message
    assert "“统一社会代码”（最接近的已知列名：统一社会信用代码）" in message
    assert "“企业名字”（最接近的已知列名：企业名）" in message


def two_county_columns(code: str) -> bytes:
    header = "统一社会信用代码,企业名称,行政区划,所属区县,行业代码,数据年度,营业收入\n"
    return (header + f"{code},两列区县有限公司,360100,360102,34,2025,100\n").encode()


def test_two_possible_county_columns_are_asked_on_the_page_then_checked_again(world, client):
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    code = make_code("360102")
    response = client.post(
        "/enterprises/import/", {"file": SimpleUploadedFile("two.csv", two_county_columns(code))}, follow=True
    )
    job = response.context["job"]
    page = response.content.decode()
    assert job.status == "invalid" and "有 2 列都可以是“所在区县”" in page
    assert "第 3 列“行政区划”" in page and "第 4 列“所属区县”" in page
    response = client.post(f"/enterprises/import/{job.pk}/answer/", {"county_column": "3"}, follow=True)
    job.refresh_from_db()
    assert job.status == "ready", job.errors
    assert job.answers == {"county_column": 3}
    assert any("第 3 列“行政区划”未作为“所在区县”使用" in w for w in job.warnings)
    import_commit(job)
    assert Enterprise.objects.get(credit_code=code).county_id == "360102"


def test_the_year_is_shown_in_the_preview_and_can_be_changed(world, client):
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    data = records(1)
    content = workbook(SheetSpec("名单", county_list(data)))
    response = client.post("/enterprises/import/", {"file": SimpleUploadedFile("y.xlsx", content)}, follow=True)
    job = response.context["job"]
    page = response.content.decode()
    assert "文件中没有“数据年度”列" in page and f'value="{LAST_YEAR}"' in page
    assert "第 1–2 行为标题，已跳过" in page
    client.post(f"/enterprises/import/{job.pk}/answer/", {"year": "2023"})
    job.refresh_from_db()
    assert job.status == "ready" and job.questions == {"year": 2023}
    client.post(f"/enterprises/import/{job.pk}/confirm/")
    assert Enterprise.objects.get(credit_code=data[0][1]).figures.get().year == 2023
    response = client.post(f"/enterprises/import/{job.pk}/answer/", {"year": "2022"}, follow=True)
    assert "不能修改" in response.content.decode()  # written already: the answer no longer changes anything


def test_a_future_year_is_not_accepted_as_the_answer(world, client):
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    job = upload(world["county"], "y.xlsx", workbook(SheetSpec("名单", county_list(records(1)))))
    client.post(f"/enterprises/import/{job.pk}/answer/", {"year": str(dt.date.today().year + 1)})
    job.refresh_from_db()
    assert job.answers == {} and job.questions == {"year": LAST_YEAR}


def test_another_officer_cannot_answer_for_someone_elses_import(world, client):
    job = upload(world["county"], "y.xlsx", workbook(SheetSpec("名单", county_list(records(1)))))
    client.force_login(world["other_city"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/enterprises/import/{job.pk}/answer/", {"year": "2020"}).status_code == 404
    job.refresh_from_db()
    assert job.answers == {}


def test_the_command_takes_the_year_and_the_county_column(world, tmp_path):
    code = make_code("360102")
    path = tmp_path / "two.csv"
    path.write_bytes(two_county_columns(code).replace(b",2025,", b",,").replace("数据年度,".encode(), b"x,"))
    out = io.StringIO()
    with pytest.raises(CommandError, match="--county-column"):
        call_command("import_enterprises", str(path), "--user", world["county"].username, stdout=out)
    with pytest.raises(CommandError, match="应为以下列之一"):
        call_command(
            "import_enterprises", str(path), "--user", world["county"].username, "--county-column", "9", stdout=out
        )
    out = io.StringIO()
    call_command(
        "import_enterprises",
        str(path),
        "--user",
        world["county"].username,
        "--county-column",
        "所属区县",
        "--year",
        "2024",
        "--yes",
        stdout=out,
    )
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.county_id == "360102" and enterprise.figures.get().year == 2024
    assert "经营数据按 2024 年导入" in out.getvalue()


def test_the_county_header_of_the_builder_uses_only_synonyms():
    from enterprises.import_rows import COLUMNS, column_of

    canonical = {col.header for col in COLUMNS}
    assert not set(COUNTY_HEADER) & canonical  # the list exercises the synonyms, not the template's own names
    assert [column_of(h) for h in COUNTY_HEADER] == [
        "ignored",
        "name",
        "credit_code",
        "county",
        "industry",
        "employees",
        "revenue",
    ]
