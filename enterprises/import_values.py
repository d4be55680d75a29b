"""Import cells that must never be guessed: Excel error values, codes Excel stored as numbers, approximate or ranged
figures, dates whose day and month could be swapped (unless the column's other dates settle the order), a city where
a county is required, and industry codes finer than a division. Each refusal is a CellError naming the cell as the
user sees it in Excel ("D12")."""

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable

from django.utils.translation import gettext as _

EXCEL_ERRORS = {"#REF!", "#N/A", "#DIV/0!", "#VALUE!", "#NAME?", "#NUM!", "#NULL!", "#GETTING_DATA", "#SPILL!"}
# 9.1360102E+17, 9.13601E17, 360102.0: what Excel shows or writes (to CSV) for a code it holds as a number. Excel's
# scientific form has one digit before the point, so a real credit code such as 91360724702482E075 is not one.
NUMBER_FORM = re.compile(r"^\d(?:\.\d+)?[eE][+-]?\d+$|^\d+\.\d*$")
APPROXIMATE = re.compile(r"约|大约|近|左右|上下|余|多|以上|以下|不到|不足|超过|≥|≤|>|<|＞|＜|\+$|\?|？|万|千|百|亿")
RANGE = re.compile(r"\d\s*(?:-|—|–|~|～|至|到)\s*\d")
SLASH_DATE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2}|\d{4})$")
INDUSTRY = re.compile(r"^[Cc]?\s*(\d{2,4})(?![\d.])\s*(?:\D.*)?$")  # "C3421", "34 通用设备制造业"


class CellError(ValueError):
    """A value refused because reading it would be a guess; the validator names the cell in front of the reason."""


def column_letter(index: int) -> str:
    """0 → A, 25 → Z, 26 → AA: the column as Excel labels it."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def cell_name(index: int, row: int) -> str:
    return f"{column_letter(index)}{row}"


def kind_of(raw: str) -> str:
    """What the reader says Excel stored ("number", "date", "error"), or "text" (always for CSV)."""
    return getattr(raw, "kind", "text")


def refuse_error_value(raw: str) -> None:
    text = raw.strip().upper()
    if kind_of(raw) == "error" or text in EXCEL_ERRORS:
        raise CellError(
            _("是 Excel 错误值“%(value)s”（原公式或引用已失效），请改为实际内容或留空") % {"value": raw.strip()}
        )


def refuse_number_stored_code(raw: str, *, exact_digits: int | None = None) -> None:
    """A code held as a number loses leading zeros and, beyond 15 digits, its last digits: refuse it, unless the
    number is a whole one short enough to be exact (a 6-digit county code typed as a number is still that code)."""
    text = raw.strip()
    stored_as_number = kind_of(raw) == "number" or bool(NUMBER_FORM.match(text))
    if not stored_as_number:
        return
    exact = exact_digits is not None and text.isdigit() and len(text) <= exact_digits
    if not exact:
        raise CellError(
            _("“%(value)s”以数字形式存储，可能已丢失精度，请将该列设为文本格式后重新填写原代码") % {"value": text}
        )


def refuse_approximate(text: str) -> None:
    """约500, 300-500, 500左右, ≥100, 1千余, 5万: a figure that is not one exact number in the column's unit."""
    if not re.search(r"\d", text):
        return  # words ("很多") are simply not numbers
    if RANGE.search(text):
        raise CellError(_("“%(value)s”是一个范围，请填写确切数字") % {"value": text})
    if APPROXIMATE.search(text):
        raise CellError(_("“%(value)s”是约数或带单位的数，请按本列单位填写确切数字") % {"value": text})


DAY_FIRST, MONTH_FIRST = "dmy", "mdy"


def slash_date(text: str, order: str | None = None) -> dt.date | None:
    """03/04/2015 (day and month both ≤ 12 and different) could be 3 April or 4 March: refused, unless `order` says
    how this file writes its dates (see slash_date_order). 25/04/2015 and 04/25/2015 can only be one date. Two-digit
    years are refused. None when the text is not in this form."""
    match = SLASH_DATE.match(text)
    if not match:
        return None
    first, second, year = int(match.group(1)), int(match.group(2)), match.group(3)
    if len(year) == 2:
        raise CellError(_("“%(value)s”的年份只有两位，请写成 2015-03-04 这样的完整日期") % {"value": text})
    if first <= 12 and second <= 12 and first != second and order is None:
        raise CellError(
            _("“%(value)s”的日和月可能颠倒（%(a)s 月 %(b)s 日还是 %(b)s 月 %(a)s 日？），请写成 2015-03-04 这样的日期")
            % {"value": text, "a": first, "b": second}
        )
    if first > 12 or (second <= 12 and order == DAY_FIRST):
        day, month = first, second
    else:
        day, month = second, first
    try:
        return dt.date(int(year), month, day)
    except ValueError:
        raise CellError(_("“%(value)s”不是有效日期") % {"value": text}) from None


def slash_date_order(values: Iterable[str]) -> str | None:
    """How one column of one file writes its slash dates, when its own cells settle it: DAY_FIRST when some date can
    only be day-first (25/03/2019) and none can only be month-first (03/25/2019), MONTH_FIRST the other way round,
    None when nothing settles it or the column holds both (then no reading is safe and ambiguous dates stay
    refused). A file is typed by one person or exported by one program, so its dates share one order; a column
    that contradicts itself is not trusted either way."""
    day_first = month_first = False
    for value in values:
        match = SLASH_DATE.match(unicodedata.normalize("NFKC", value).strip().split(" ")[0])
        if not match or len(match.group(3)) != 4:
            continue
        first, second = int(match.group(1)), int(match.group(2))
        if first > 12 and 1 <= second <= 12:
            day_first = True
        elif second > 12 and 1 <= first <= 12:
            month_first = True
        if day_first and month_first:
            return None
    if day_first:
        return DAY_FIRST
    return MONTH_FIRST if month_first else None


def industry_code(text: str) -> str | None:
    """The digits of a GB/T 4754 code as given (34, 342, 3421; with or without the section letter C), or None."""
    match = INDUSTRY.match(text.strip())
    return match.group(1) if match else None
