"""Exports of the scoped, filtered list (the same queryset the page shows) and the import template."""

import datetime as dt

from django.http import HttpResponse
from django.utils import timezone

from core.exports import download
from regions.models import Region

from .forms import regions_for
from .import_rows import COLUMNS
from .models import Contact, EnterpriseLabel, Label

XLSX_MAX_ROWS = 100_000
# Export columns: the import template's, so an export can be corrected and imported again, then derived ones.
EXPORT_HEADERS = [c.header for c in COLUMNS] + ["企业规模", "规模以上", "合成演示数据"]
BATCH = 2000


def rows(qs):
    """Rows in batches: never the whole province as ORM objects at once."""
    label_names = dict(Label.objects.values_list("code", "name"))
    county_names = {}
    ids = list(qs.values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        enterprises = qs.model.objects.filter(pk__in=chunk).in_bulk()
        labels: dict[int, list[str]] = {}
        for link in EnterpriseLabel.objects.filter(enterprise_id__in=chunk).order_by("label__order"):
            text = label_names[link.label_id] + (f":{link.year}" if link.year else "")
            labels.setdefault(link.enterprise_id, []).append(text)
        contacts = {}
        for contact in Contact.objects.filter(enterprise_id__in=chunk).order_by("-is_primary", "id"):
            contacts.setdefault(contact.enterprise_id, contact)
        missing = {e.county_id for e in enterprises.values()} - county_names.keys()
        county_names.update(Region.objects.filter(pk__in=missing).values_list("code", "full_name"))
        for pk in chunk:
            e = enterprises[pk]
            contact = contacts.get(pk)
            yield [
                e.credit_code,
                e.name,
                "；".join(e.former_names),
                e.county_id,
                e.address,
                # As the source gave it, so a re-import keeps it; not once the division was changed since.
                e.industry_detail_code if e.industry_detail_code[:2] == e.industry_id else e.industry_id,
                e.industry_group_id or "",
                e.founded_on.isoformat() if e.founded_on else "",
                e.figures_year,
                e.employees,
                float(e.revenue) if e.revenue is not None else None,
                float(e.assets) if e.assets is not None else None,
                "；".join(labels.get(pk, [])),
                contact.name if contact else "",
                contact.phone if contact else "",
                contact.email if contact else "",
                e.notes,
                e.get_size_class_display(),
                "" if e.is_above_scale is None else ("是" if e.is_above_scale else "否"),
                "是" if e.is_synthetic else "否",
            ]


def enterprise_export(qs, fmt: str):
    if fmt == "xlsx" and qs.count() > XLSX_MAX_ROWS:
        return HttpResponse(
            f"筛选结果超过 {XLSX_MAX_ROWS:,} 家，Excel 导出请缩小筛选范围，或改用 CSV 导出。",
            status=400,
            content_type="text/plain; charset=utf-8",
        )
    return download(fmt, f"enterprises-{timezone.localtime():%Y%m%d-%H%M}", EXPORT_HEADERS, rows(qs), "企业名单")


def import_template(handle, *, user) -> None:
    """The import template: headers on the first sheet; instructions and the user's county codes beside it."""
    from openpyxl import Workbook
    from openpyxl.styles import Font, PatternFill

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "企业名单"
    sheet.append([c.header + ("*" if c.required else "") for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        cell = sheet.cell(row=1, column=index)
        cell.font = Font(bold=True, color="FFFFFF" if column.required else "000000")
        cell.fill = PatternFill("solid", fgColor="1F6FEB" if column.required else "DDE6F3")
        sheet.column_dimensions[cell.column_letter].width = max(12, len(column.header) * 2 + 2)
        sheet.cell(row=2, column=index).number_format = "@"  # text, so codes keep their leading zeros
    guide = workbook.create_sheet("填写说明")
    guide.append(["列名", "是否必填", "说明", "可接受的其他列名"])
    for column in COLUMNS:
        guide.append([column.header, "必填" if column.required else "选填", column.help, "、".join(column.aliases)])
    guide.append([])
    guide.append(["说明", "", "第一行为列名；每行一家企业；按统一社会信用代码新增或更新；空单元格不会清空已有数据。"])
    guide.append(
        [
            "说明",
            "",
            "标题行、单位行、序号列、合计行和两行表头会自动识别；数据中不能有公式；"
            "支持 .xlsx 和 .csv（UTF-8、GBK 或 Unicode 文本）。",
        ]
    )
    guide.append(["可用标签", "", "；".join(Label.objects.values_list("name", flat=True))])
    counties = workbook.create_sheet("区县代码")
    counties.append(["区县代码", "区县全称"])
    for code, full_name in regions_for(user).filter(is_leaf=True, level__gte=2).values_list("code", "full_name")[:5000]:
        counties.append([code, full_name])
    workbook.properties.created = dt.datetime.now()
    workbook.save(handle)
