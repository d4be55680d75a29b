"""The one error every spreadsheet refusal raises, and the limits an import checks, shared by the reader
(core.spreadsheets) and the XML scan of workbooks (core.xlsx_scan)."""

from django.conf import settings
from django.utils.translation import gettext as _


class SpreadsheetError(ValueError):
    """The file cannot be read as a table; the message says why in Chinese."""


def not_a_spreadsheet(what: str) -> SpreadsheetError:
    return SpreadsheetError(_("不是电子表格文件（%(what)s），请上传 .xlsx 或 .csv 文件") % {"what": what})


def import_limits() -> tuple[int, int]:
    """(rows, columns) an imported sheet may span; read at call time so a setting change applies."""
    rows = int(getattr(settings, "TIDU_IMPORT_MAX_ROWS", 200_000))
    columns = int(getattr(settings, "TIDU_IMPORT_MAX_COLUMNS", 256))
    return rows, columns


def too_many_rows(rows: int, limit: int) -> SpreadsheetError:
    return SpreadsheetError(
        _("文件超过 %(limit)s 行的上限（至少 %(rows)s 行），请拆分后分批导入")
        % {"limit": f"{limit:,}", "rows": f"{rows:,}"}
    )
