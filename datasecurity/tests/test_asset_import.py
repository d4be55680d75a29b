"""Data assets from an XLSX workbook: loose headers, categories and levels by name, existing names updated, every
problem located by sheet, row and column in Chinese, and nothing written while any row is bad; the upload checks
(type, content) of the rest of the project; only the enterprise's own users import."""

import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from datasecurity.asset_import import import_assets
from datasecurity.models import DataAsset, Event, Filing

pytestmark = pytest.mark.django_db
HEADERS = ["数据名称 *", "数据类别（必填）", "级别", "数据来源", "规模（条）", "存储量（GB）", "载体", "处理目的和方式",
           "使用范围", "责任主体", "对外共享", "跨境传输", "安全保护措施", "备注"]  # fmt: skip
GOOD = [
    "设备运维日志",
    "运维",
    "一般数据",
    "设备",
    5000,
    1.5,
    "运维平台",
    "分析",
    "本企业",
    "运维部",
    "无",
    "无",
    "加密",
]


def workbook(rows, headers=HEADERS, title="数据资产", extra_sheet=False) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    if extra_sheet:
        sheet.title = "说明"
        sheet.append(["请在“数据资产”表填写"])
        sheet = book.create_sheet(title)
    else:
        sheet.title = title
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("资产.xlsx", buffer.getvalue())


def test_rows_import_with_loose_headers_and_names(ds):
    result = import_assets(actor=ds["enterprise"], enterprise=ds["home"], upload=workbook(
        [GOOD, ["客户订单数据", "业务服务数据", "important", "ERP", "650,000", None]]))  # fmt: skip
    assert (result.created, result.updated, result.issues) == (2, 0, [])
    log = DataAsset.objects.get(name="设备运维日志")
    assert (log.category, log.level, log.records, log.storage_gb, log.protection) == ("operations", "general", 5000,
                                                                                       1.5, "加密")  # fmt: skip
    orders = DataAsset.objects.get(name="客户订单数据")
    assert (orders.category, orders.level, orders.records, orders.storage_gb) == ("service", "important", 650000, None)
    assert Event.objects.filter(action="asset_import").count() == 1


def test_an_existing_name_is_updated_and_triggers_refiling(ds):
    from datasecurity import services

    filing = services.filing_submit(actor=ds["enterprise"], enterprise=ds["home"])
    services.filing_review(actor=ds["province"], filing=filing, decision="accept")
    row = ["工艺参数库", "生产运行", "重要", "生产线传感器采集", 2_000_000]  # scale doubled
    result = import_assets(actor=ds["enterprise"], enterprise=ds["home"], upload=workbook([row], headers=HEADERS[:5]))
    assert (result.created, result.updated) == (0, 1)
    asset = DataAsset.objects.get(name="工艺参数库")
    assert asset.records == 2_000_000 and asset.carrier == "本地服务器（机房）"  # columns not in the file stay
    assert Filing.objects.get().status == "change_due"


def test_every_problem_located_and_nothing_written(ds):
    rows = [
        GOOD,
        ["", "研发", "重要"],  # row 3: no name
        ["图纸", "设计数据", "机密"],  # row 4: unknown category and level
        ["图纸2", "研发", "核心", "x", "-5", "abc"],  # row 5: bad scales
        ["设备运维日志", "运维", "一般"],  # row 6: duplicate of row 2
    ]
    result = import_assets(actor=ds["enterprise"], enterprise=ds["home"], upload=workbook(rows, extra_sheet=True))
    found = [(i.sheet, i.row, i.column) for i in result.issues]
    assert found == [("数据资产", 3, "A"), ("数据资产", 4, "B"), ("数据资产", 4, "C"), ("数据资产", 5, "E"),
                     ("数据资产", 5, "F"), ("数据资产", 6, "A")]  # fmt: skip
    messages = [i.message for i in result.issues]
    assert "“数据名称”不能为空" in messages[0] and "未知的数据类别“设计数据”" in messages[1]
    assert "非负数" in messages[3] and "与第 2 行重复" in messages[5]
    assert list(DataAsset.objects.values_list("name", flat=True)) == ["工艺参数库"]  # only the fixture's
    assert not Event.objects.filter(action="asset_import").exists()


def test_missing_required_columns_and_empty_sheets(ds):
    result = import_assets(actor=ds["enterprise"], enterprise=ds["home"],
                           upload=workbook([["x"]], headers=["数据名称", "数据来源"]))  # fmt: skip
    assert [(i.row, i.message) for i in result.issues] == [(1, "缺少必填列“数据类别”"), (1, "缺少必填列“数据级别”")]
    result = import_assets(
        actor=ds["enterprise"], enterprise=ds["home"], upload=workbook([], headers=["名称", "类别", "级别"])
    )
    assert "没有数据行" in result.issues[0].message
    result = import_assets(actor=ds["enterprise"], enterprise=ds["home"], upload=workbook([["a"]], headers=["甲"]))
    assert "数据名称" in result.issues[0].message


def test_a_formula_is_refused(ds):
    result = import_assets(actor=ds["enterprise"], enterprise=ds["home"], upload=workbook(
        [["=HYPERLINK(\"x\")", "研发", "一般"]]))  # fmt: skip
    assert result.issues and "公式" in result.issues[0].message and DataAsset.objects.count() == 1


@pytest.mark.parametrize("name, data, message", [
    ("资产.csv", b"a,b\n", "不支持的文件类型"),
    ("资产.xlsx", b"%PDF-1.4 not a workbook", "与扩展名 .xlsx 不符"),
    ("资产.docx", b"PK\x03\x04", "与扩展名 .docx 不符"),
])  # fmt: skip
def test_upload_checks(ds, name, data, message):
    with pytest.raises(ValidationError, match=message):
        import_assets(actor=ds["enterprise"], enterprise=ds["home"], upload=SimpleUploadedFile(name, data))


@pytest.mark.parametrize("role", ["province", "city", "other_enterprise", "nobody"])
def test_only_the_enterprise_imports(ds, role):
    with pytest.raises(PermissionDenied):
        import_assets(actor=ds[role], enterprise=ds["home"], upload=workbook([GOOD]))
    assert DataAsset.objects.count() == 1


def test_the_page_and_the_template(ds, login):
    client = login(ds["enterprise"])
    template = client.get("/data-security/assets/import/template.xlsx")
    sheet = load_workbook(io.BytesIO(template.content))["数据资产"]
    assert [c.value for c in sheet[1]][:3] == ["数据名称", "数据类别", "数据级别"]
    bad = client.post("/data-security/assets/import/", {"file": workbook([["", "研发", "一般"]])}).content.decode()
    assert 'data-testid="import-issue"' in bad and "没有导入任何数据" in bad
    response = client.post("/data-security/assets/import/", {"file": workbook([GOOD])})
    assert response.status_code == 302 and DataAsset.objects.filter(name="设备运维日志").exists()
    assert login(ds["province"]).get("/data-security/assets/import/").status_code == 404
    assert login(ds["province"]).get("/data-security/assets/import/template.xlsx").status_code == 404
