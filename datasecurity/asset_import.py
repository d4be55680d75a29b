"""Data assets from an XLSX workbook (the template from the asset-import page): one row per kind of data, the
catalogue's fields as columns. As the project's other imports (scheduling.xlsx_import): the upload is checked by
core.uploads (type, size, structure), read by core.spreadsheets (formulas and merged headers refused), headers
matched loosely (core.spreadsheets.normalise_header: "数据名称 *", "数据名称（必填）", full-width forms; a few
aliases), every problem reported as (sheet, row, column, message) in Chinese — and nothing is written unless every
row is good. An asset whose name the enterprise already uses is updated (the re-filing triggers apply)."""

from __future__ import annotations

import datetime as dt
import tempfile
from dataclasses import dataclass
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core import uploads
from core.spreadsheets import SpreadsheetError, import_limits, normalise_header, read_sheets
from core.xlsx_scan import column_letters

from . import access, events
from .models import Category, DataAsset, Level
from .services import _now, asset_save

MAX_BYTES = 5 * uploads.MB
SHEET = "数据资产"
# field → (the template's header, other headers accepted)
COLUMNS = {
    "name": ("数据名称", ("名称", "数据资产名称")),
    "category": ("数据类别", ("类别",)),
    "level": ("数据级别", ("级别",)),
    "source": ("数据来源", ("来源",)),
    "records": ("规模（条）", ("条数", "记录数", "规模(条)")),
    "storage_gb": ("规模（GB）", ("存储量（GB）", "存储量", "规模(GB)")),
    "carrier": ("载体", ("存储载体",)),
    "purpose": ("处理目的和方式", ("处理目的",)),
    "scope_of_use": ("使用范围", ()),
    "responsible": ("责任主体", ("责任人",)),
    "sharing": ("对外共享", ("共享情况",)),
    "cross_border": ("跨境传输", ("出境情况",)),
    "protection": ("安全保护措施", ("保护措施",)),
}
REQUIRED = ("name", "category", "level")
EXAMPLE = ["工艺参数库（示例）", "生产运行数据", "重要数据", "生产线传感器采集", 1000000, 200, "车间服务器",
           "工艺优化，批处理分析", "本企业工艺部门", "数据安全负责人", "无", "无", "加密存储、异地备份"]  # fmt: skip


@dataclass(frozen=True)
class Issue:
    sheet: str
    row: int | None
    column: str | None
    message: str


def headers() -> list[str]:
    return [header for header, _aliases in COLUMNS.values()]


def _choice(value: str, choices) -> str | None:
    """A category or level by its code or its name, with or without the trailing 数据 ("生产运行" = 生产运行数据)."""
    text = normalise_header(value)
    for code, label in choices:
        names = {
            normalise_header(code),
            normalise_header(str(label)),
            normalise_header(str(label)).removesuffix("数据"),
        }
        if text in names:
            return code
    return None


def _header_map(row: list[str]) -> dict[str, int]:
    keys = {}
    for field, (header, aliases) in COLUMNS.items():
        for name in (header, *aliases):
            keys[normalise_header(name)] = field
    found: dict[str, int] = {}
    for i, cell in enumerate(row):
        field = keys.get(normalise_header(str(cell)))
        if field and field not in found:
            found[field] = i
    return found


def read(path: Path, filename: str, enterprise_id: int) -> tuple[list[DataAsset], list[Issue]]:
    """The assets the file describes (unsaved; existing ones by name updated in memory), or the problems."""
    try:
        _kind, sheets = read_sheets(path, filename)
    except SpreadsheetError as error:
        return [], [Issue("", None, None, str(error))]
    sheet = next((s for s in sheets if not s.hidden and s.rows and "name" in _header_map(s.rows[0])), None)
    if sheet is None:
        return [], [Issue("", None, None, _("没有找到含“数据名称”表头的工作表（表头应在第 1 行）"))]
    max_rows, _max_columns = import_limits()
    if len(sheet.rows) - 1 > max_rows:
        return [], [Issue(sheet.name, None, None, _("超过 %(n)s 行的上限，请分批导入") % {"n": max_rows})]
    if sheet.formulas:
        return [], [Issue(sheet.name, None, None, _("工作表含公式（如 %(cell)s），请粘贴为数值后再导入")
                          % {"cell": sheet.formulas[0]})]  # fmt: skip
    columns = _header_map(sheet.rows[0])
    issues = [Issue(sheet.name, 1, None, _("缺少必填列“%(column)s”") % {"column": COLUMNS[f][0]})
              for f in REQUIRED if f not in columns]  # fmt: skip
    if issues:
        return [], issues
    existing = {a.name: a for a in DataAsset.objects.filter(enterprise_id=enterprise_id)}
    seen: dict[str, int] = {}
    assets: list[DataAsset] = []
    for index, row in enumerate(sheet.rows[1:], start=2):
        if not any(str(c).strip() for c in row):
            continue

        def cell(field: str, row=row) -> str:
            i = columns.get(field)
            return str(row[i]).strip() if i is not None and i < len(row) else ""

        def issue(field: str, message: str, index=index) -> None:
            issues.append(Issue(sheet.name, index, column_letters(columns[field] + 1) if field in columns else None,
                                message))  # fmt: skip

        name = cell("name")
        values: dict = {}
        for field in COLUMNS:
            text = cell(field)
            if field in REQUIRED and not text:
                issue(field, _("“%(column)s”不能为空") % {"column": COLUMNS[field][0]})
                continue
            if field == "category" and text:
                values[field] = _choice(text, Category.choices)
                if values[field] is None:
                    issue(field, _("未知的数据类别“%(value)s”（应为研发、生产运行、管理、运维、业务服务或其他数据）")
                          % {"value": text})  # fmt: skip
            elif field == "level" and text:
                values[field] = _choice(text, Level.choices)
                if values[field] is None:
                    issue(field, _("未知的数据级别“%(value)s”（应为一般数据、重要数据或核心数据）") % {"value": text})
            elif field in ("records", "storage_gb"):
                if not text:
                    values[field] = None
                    continue
                try:
                    number = float(text.replace(",", ""))
                except ValueError:
                    number = -1
                if number < 0 or (field == "records" and number != int(number)):
                    issue(field, _("“%(column)s”应为非负数，实为“%(value)s”") % {"column": COLUMNS[field][0],
                                                                             "value": text})  # fmt: skip
                    continue
                values[field] = int(number) if field == "records" else number
            else:
                limit = DataAsset._meta.get_field(field).max_length
                if len(text) > limit:
                    issue(field, _("“%(column)s”超过 %(n)s 字") % {"column": COLUMNS[field][0], "n": limit})
                values[field] = text
        if name in seen:
            issue("name", _("数据名称“%(name)s”与第 %(row)s 行重复") % {"name": name, "row": seen[name]})
            continue
        seen[name] = index
        asset = existing.get(name) or DataAsset(enterprise_id=enterprise_id)
        for field, value in values.items():
            if field in columns or field in REQUIRED:
                setattr(asset, field, value)
        assets.append(asset)
    if not assets and not issues:
        issues.append(Issue(sheet.name, None, None, _("工作表中没有数据行")))
    return ([], issues) if issues else (assets, [])


@dataclass
class Result:
    created: int
    updated: int
    issues: list[Issue]


def import_assets(*, actor, enterprise, upload, now: dt.datetime | None = None) -> Result:
    """Check the upload, read it, and — only when every row is good — save every asset in one transaction."""
    access.require_own(actor, enterprise.pk)
    now = _now(now)
    try:
        checked = uploads.check(upload, max_bytes=MAX_BYTES)
    except uploads.UploadError as error:
        raise ValidationError(str(error)) from None
    if checked.ext != ".xlsx":
        raise ValidationError(_("请上传数据资产导入模板（.xlsx）"))
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "assets.xlsx"
        path.write_bytes(checked.data)
        assets, issues = read(path, checked.original_name, enterprise.pk)
    if issues:
        return Result(0, 0, issues)
    created = sum(1 for a in assets if a.pk is None)
    with transaction.atomic():
        for asset in assets:
            asset_save(actor=actor, asset=asset, now=now)
        events.record("asset_import", actor=actor, at=now, reason=checked.original_name,
                      data={"enterprise": enterprise.pk, "created": created,
                            "updated": len(assets) - created})  # fmt: skip
    return Result(created, len(assets) - created, [])
