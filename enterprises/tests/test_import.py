"""Import: preview first with a per-row report in Chinese, then all-or-nothing; bad files change nothing.
All data here is synthetic."""

import io
import zipfile

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import make_code
from enterprises import creditcode
from enterprises.imports import UploadError, import_commit, import_start
from enterprises.models import Enterprise, EnterpriseEvent, ImportJob

pytestmark = pytest.mark.django_db
HEADER = "统一社会信用代码,企业名称,所在区县,行业代码,数据年度,从业人员（人）,营业收入（万元）,标签,联系人,联系电话"


def upload(user, name: str, content: bytes):
    job = import_start(actor=user, upload=SimpleUploadedFile(name, content))
    job.refresh_from_db()
    return job


def csv_bytes(*rows: str, header: str = HEADER, encoding: str = "utf-8") -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode(encoding)


def xlsx_bytes(rows: list[list], merge: str | None = None) -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    if merge:
        sheet.merge_cells(merge)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_csv_in_each_encoding_is_checked_then_imported(world, encoding):
    code = make_code("360102")
    content = csv_bytes(
        f"{code},东湖新材料有限公司,360102,C30,2025,120,3500,高新技术企业:2023,李四,13900000001", encoding=encoding
    )
    job = upload(world["county"], "名单.csv", content)
    assert job.status == ImportJob.Status.READY, job.errors
    assert job.created_count == 1
    assert not Enterprise.objects.filter(credit_code=code).exists()  # nothing written before confirmation
    import_commit(job)
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.name == "东湖新材料有限公司" and enterprise.industry_id == "30"
    # 120 staff < 300, so small despite 3,500 万元 revenue; revenue ≥ 2,000 万元 makes it above scale
    assert enterprise.size_class == "small" and enterprise.is_above_scale is True
    assert enterprise.label_links.get().year == 2023
    assert enterprise.contacts.get().phone == "13900000001"
    assert enterprise.events.get().kind == "imported"


def test_each_bad_cell_is_reported_with_row_column_and_reason_and_nothing_is_written(world):
    good = make_code("360102")
    bad_check = make_code("360102")
    bad_check = bad_check[:17] + ("0" if bad_check[17] != "0" else "1")
    content = csv_bytes(
        f"{good},正常企业有限公司,360102,34,2025,10,100,,,",
        f"{bad_check},校验码错误有限公司,360102,34,,,,,,",
        f"{make_code('360102')},区县越权有限公司,360402,34,,,,,,",
        f"{make_code('360102')},行业错误有限公司,360102,52,,,,,,",
        f"{make_code('360102')},数字错误有限公司,360102,34,2025,很多,-5,,,",
        f"{make_code('360102')},标签错误有限公司,360102,34,,,,不存在的称号,,",
        f"{good},重复代码有限公司,360102,34,,,,,,",
    )
    job = upload(world["county"], "bad.csv", content)
    assert job.status == ImportJob.Status.INVALID
    found = {(e["row"], e["column"]): e["message"] for e in job.errors}
    assert "校验码" in found[(3, "统一社会信用代码")] and "第 18 位" in found[(3, "统一社会信用代码")]
    assert "不在您的管辖范围内" in found[(4, "所在区县")]
    assert "制造业行业大类" in found[(5, "行业代码")]
    assert found[(6, "从业人员（人）")] == "应为数字"
    assert "负数" in found[(6, "营业收入（万元）")]
    assert "未知标签" in found[(7, "标签")]
    assert "与第 2 行" in found[(8, "统一社会信用代码")]
    assert Enterprise.objects.count() == 3
    # a file that failed its check cannot be confirmed
    with pytest.raises(ValueError):
        from enterprises.imports import import_confirm

        import_confirm(actor=world["county"], job=job)


def test_upsert_by_credit_code_updates_only_filled_cells_and_records_the_change(world):
    home = world["home"]
    home.address = "原地址 1 号"
    home.save()
    content = csv_bytes(
        f"{home.credit_code},东湖精密机械股份有限公司,360102,34,2025,400,30000,,,",
    )
    job = upload(world["county"], "update.csv", content)
    assert (job.status, job.created_count, job.updated_count) == ("ready", 0, 1)
    import_commit(job)
    home.refresh_from_db()
    assert home.name == "东湖精密机械股份有限公司"
    assert home.former_names == ["东湖精密机械有限公司"]
    assert home.address == "原地址 1 号"  # the column was absent: nothing cleared
    assert home.employees == 400 and home.size_class == "medium"
    event = home.events.filter(kind="imported").get()
    assert {c["label"] for c in event.data["changes"]} >= {"企业名称", "2025年从业人员（人）"}
    assert event.actor == world["county"]


def test_an_enterprise_of_another_region_is_never_modified_or_revealed(world):
    other = world["other"]
    content = csv_bytes(f"{other.credit_code},抢注名称有限公司,360102,34,,,,,,")
    job = upload(world["county"], "steal.csv", content)
    assert job.status == "invalid"
    assert "其他地区建档" in job.errors[0]["message"]
    assert other.name not in str(job.errors)
    other.refresh_from_db()
    assert other.name == "九江濂溪化工有限公司"


def test_headers_tolerate_aliases_full_width_and_spaces(world):
    code = make_code("360102")
    header = "社会信用代码 , 企业名称（必填） ,区县,所属行业,营业收入（万元）,无关列"
    job = upload(world["county"], "alias.csv", csv_bytes(f"{code},别名测试有限公司,东湖区,34,,备注", header=header))
    assert job.status == "ready", job.errors
    assert any("无关列" in w for w in job.warnings)


def test_missing_required_columns_are_named(world):
    job = upload(world["county"], "cols.csv", csv_bytes("x,y", header="企业名称,备注"))
    assert job.status == "invalid"
    assert "缺少必填列" in job.errors[0]["message"] and "统一社会信用代码" in job.errors[0]["message"]


def test_xlsx_imports_and_keeps_text_codes(world):
    code = make_code("360102")
    rows = [
        ["统一社会信用代码", "企业名称", "所在区县", "行业代码", "成立日期"],
        [code, "表格导入有限公司", "360102", 39, "2015/3/1"],
    ]
    job = upload(world["county"], "名单.xlsx", xlsx_bytes(rows))
    assert job.status == "ready", job.errors
    import_commit(job)
    enterprise = Enterprise.objects.get(credit_code=code)
    assert enterprise.industry_id == "39" and enterprise.founded_on.isoformat() == "2015-03-01"


def test_formulas_are_refused(world):
    rows = [
        ["统一社会信用代码", "企业名称", "所在区县", "行业代码"],
        [make_code("360102"), '=HYPERLINK("x")', "360102", "34"],
    ]
    job = upload(world["county"], "formula.xlsx", xlsx_bytes(rows))
    assert job.status == "invalid" and "公式" in job.errors[0]["message"] and "B2" in job.errors[0]["message"]


def test_merged_header_cells_are_refused(world):
    rows = [
        ["统一社会信用代码", "企业名称", "所在区县", "行业代码"],
        [make_code("360102"), "合并表头有限公司", "360102", "34"],
    ]
    job = upload(world["county"], "merged.xlsx", xlsx_bytes(rows, merge="A1:B1"))
    assert job.status == "invalid" and "合并单元格" in job.errors[0]["message"]


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("empty.csv", b"", "空"),
        ("only-header.csv", HEADER.encode() + b"\n", "没有数据行"),
        ("picture.xlsx", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "不是有效的 Excel"),
        ("old.xls", b"\xd0\xcf\x11\xe0" + b"\x00" * 100, ".xls"),
        ("data.bin", b"\x00\x01\x02binary", "二进制"),
        ("fake.xlsx", b"PK\x03\x04not really a zip", "不是有效的 Excel"),
    ],
)
def test_bad_files_get_a_clear_message_and_change_nothing(world, name, content, message):
    before = (Enterprise.objects.count(), EnterpriseEvent.objects.count())
    try:
        job = upload(world["county"], name, content)
    except ValueError as exc:  # refused at upload (empty file)
        assert message in str(exc)
    else:
        assert job.status == "invalid"
        assert message in job.errors[0]["message"], job.errors
    assert (Enterprise.objects.count(), EnterpriseEvent.objects.count()) == before


def test_zip_that_is_not_a_workbook_is_refused(world):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "hi")
    with pytest.raises(UploadError, match="不是有效的 Excel"):  # refused at upload, before anything is queued
        upload(world["county"], "x.xlsx", buffer.getvalue())
    assert not ImportJob.objects.exists()


def test_oversized_upload_is_refused_before_reading(world, settings, client):
    settings.TIDU_IMPORT_MAX_BYTES = 100
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/enterprises/import/", {"file": SimpleUploadedFile("big.csv", b"x" * 200)})
    assert response.status_code == 422 and "上限" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_commit_rechecks_and_writes_nothing_if_the_archive_changed_meanwhile(world, make_enterprise):
    code = make_code("360102")
    job = upload(world["county"], "race.csv", csv_bytes(f"{code},竞争写入有限公司,360102,34,,,,,,"))
    assert job.status == "ready"
    # Meanwhile another region files the same code; the commit must refuse rather than overwrite it.
    Enterprise.objects.create(credit_code=code, name="九江先建有限公司", county_id="360402", industry_id="26")
    import_commit(job)
    job.refresh_from_db()
    assert job.status == "invalid"
    assert Enterprise.objects.get(credit_code=code).name == "九江先建有限公司"


def test_the_import_pages_show_the_report_and_confirm(world, client):
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    code = make_code("360102")
    bad = code[:-1] + ("0" if code[-1] != "0" else "1")
    response = client.post(
        "/enterprises/import/",
        {"file": SimpleUploadedFile("a.csv", csv_bytes(f"{bad},页面测试有限公司,360102,34,,,,,,"))},
        follow=True,
    )
    page = response.content.decode()
    assert "校验未通过" in page and "第 18 位校验码应为" in page
    response = client.post(
        "/enterprises/import/",
        {"file": SimpleUploadedFile("a.csv", csv_bytes(f"{code},页面测试有限公司,360102,34,,,,,,"))},
        follow=True,
    )
    job = response.context["job"]
    assert job.status == "ready"
    response = client.post(f"/enterprises/import/{job.pk}/confirm/", follow=True)
    assert "已导入" in response.content.decode()
    assert Enterprise.objects.filter(credit_code=code).exists()
    # other officers cannot see or confirm someone else's job
    client.force_login(world["other_city"], backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/enterprises/import/{job.pk}/").status_code == 404
    assert client.get(f"/api/v1/imports/{job.pk}").status_code == 404


def test_template_has_chinese_headers_and_only_the_users_counties(world, client):
    client.force_login(world["county"], backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/enterprises/import/template.xlsx")
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book["企业名单"]["A1"].value == "统一社会信用代码*"
    counties = [row[0] for row in book["区县代码"].iter_rows(min_row=2, values_only=True)]
    assert counties == ["360102"]
    assert creditcode.validate(make_code("360102")) is None


def test_a_failure_while_writing_leaves_nothing_behind(world, monkeypatch):
    from django.db import IntegrityError

    codes = [make_code("360102") for _ in range(3)]
    job = upload(world["county"], "ok.csv", csv_bytes(*[f"{c},原子写入{i}有限公司,360102,34,2025,50,800,,,"
                                                        for i, c in enumerate(codes)]))
    assert job.status == "ready"

    from core import bulk

    insert_rows = bulk.insert_rows

    def fail(objs, **kwargs):  # the last write of the transaction, the timeline, fails (a disk or constraint error)
        if objs and isinstance(objs[0], EnterpriseEvent):
            raise IntegrityError("simulated failure")
        return insert_rows(objs, **kwargs)

    monkeypatch.setattr(bulk, "insert_rows", fail)
    with pytest.raises(IntegrityError):
        import_commit(job)
    job.refresh_from_db()
    assert job.status == "failed" and "未写入任何数据" in job.message
    assert not Enterprise.objects.filter(credit_code__in=codes).exists()
