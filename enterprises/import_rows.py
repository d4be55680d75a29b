"""Validating enterprise import rows: headers with their aliases, and each cell checked against reference data
and the importer's scope. Pure Python over preloaded lookups, so 100,000 rows validate in seconds."""

import datetime as dt
import difflib
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _

from accounts.policy import Scope
from regions.models import IndustryDivision, IndustryGroup, Region

from . import creditcode, import_values
from .import_names import (  # noqa: F401 - COLUMNS_FILE: the tests read the table from here
    COLUMNS_DATA,
    COLUMNS_FILE,
    TRADITIONAL,
    chain_position,
    check_grouping_name,
    grouping_keys,
    grouping_name,
    label_key,
    label_lookup,
    split_grouping_names,
    split_position,
)
from .models import ChainMembership, Enterprise, Label


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    help: str = ""


BRACKETED = re.compile(r"\([^()]*\)|\[[^\[\]]*\]|【[^【】]*】")


def header_key(text: str) -> str:
    """The normal form a header is matched on: half-width, simplified, no spaces, '*' or '(必填)'."""
    text = unicodedata.normalize("NFKC", text).translate(TRADITIONAL)
    text = re.sub(r"\((必填|选填|必填项|选填项)\)|[*\s:：]", "", text)
    return text.casefold()


def _load_columns() -> tuple[list[Column], frozenset[str]]:
    data = COLUMNS_DATA
    columns = [
        Column(
            key,
            spec["name"],
            bool(spec.get("required", False)),
            tuple(str(name) for name in spec.get("synonyms", ())),
            spec.get("help", ""),
        )
        for key, spec in data["columns"].items()
    ]
    return columns, frozenset(header_key(name) for name in data.get("ignored", ()))


COLUMNS, IGNORED_KEYS = _load_columns()
HEADER_KEYS = {header_key(alias): col.key for col in COLUMNS for alias in (col.header, *col.aliases)}
HEADERS = {col.key: col.header for col in COLUMNS}
DATE_KEYS = ("founded_on",)  # the columns whose slash dates settle_date_orders reads for the whole file
LIST_SPLIT = re.compile(r"[;；,，、\n]+")
PHONE = re.compile(r"^\+?[\d\- ()（）]{7,20}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def column_of(header: str) -> str | None:
    """The key of the column a header names: as written, else without its bracketed units ("营业收入（万元）",
    "从业人员(人)", "资产总计[万元]"); the numbering columns (序号) are "ignored"; None for anything else."""
    key = header_key(header)
    if not key:
        return None
    if key in IGNORED_KEYS:
        return "ignored"
    found = HEADER_KEYS.get(key)
    if found is None and (bare := BRACKETED.sub("", key)) != key:
        found = HEADER_KEYS.get(bare) or ("ignored" if bare in IGNORED_KEYS else None)
    return found


def closest_known(header: str) -> str | None:
    """The known column name nearest to a header nobody recognised, for the message when a required one misses."""
    key = BRACKETED.sub("", header_key(header))
    if not key:
        return None
    match = difflib.get_close_matches(key, list(HEADER_KEYS), n=1, cutoff=0.5)
    if not match:
        return None
    spelled = {header_key(name): name for col in COLUMNS for name in (col.header, *col.aliases)}
    return spelled[match[0]]


class HeaderError(ValueError):
    pass


class AmbiguousColumn(HeaderError):
    """Two columns could be the same one (行政区划 and 所属区县): the person importing says which."""

    def __init__(self, key: str, candidates: list[tuple[int, str]]):
        self.key = key
        self.candidates = candidates  # (0-based position, header as written)
        names = _("、").join(f"第 {index + 1} 列“{header}”" for index, header in candidates)
        super().__init__(
            _("有 %(n)s 列都可以是“%(column)s”：%(names)s，请选择用哪一列")
            % {"n": len(candidates), "column": HEADERS[key], "names": names}
        )


def map_headers(headers: list[str], *, choose: dict[str, int] | None = None) -> tuple[dict[str, int], list[str]]:
    """Column key → index, and warnings about columns that were ignored. Raises when required columns miss, and
    AmbiguousColumn when two columns name the county unless `choose` says which (key → 0-based index)."""
    choose = choose or {}
    found: dict[str, list[int]] = {}
    warnings = []
    unknown: list[tuple[int, str]] = []
    for index, header in enumerate(headers):
        key = column_of(header)
        if key == "ignored":
            continue
        if key is None:
            if header.strip():
                unknown.append((index, header.strip()))
                warnings.append(
                    _("第 %(column)s 列“%(header)s”不是模板中的列，已忽略") % {"column": index + 1, "header": header}
                )
            continue
        found.setdefault(key, []).append(index)
    mapping: dict[str, int] = {}
    for key, indexes in found.items():
        if len(indexes) == 1:
            mapping[key] = indexes[0]
        elif key in choose and choose[key] in indexes:
            mapping[key] = choose[key]
            for index in indexes:
                if index != choose[key]:
                    warnings.append(
                        _("第 %(column)s 列“%(header)s”未作为“%(name)s”使用，已忽略")
                        % {"column": index + 1, "header": headers[index], "name": HEADERS[key]}
                    )
        elif key == "county":
            raise AmbiguousColumn(key, [(index, headers[index].strip()) for index in indexes])
        else:
            message = _("列“%(header)s”出现了两次（第 %(first)s 列和第 %(second)s 列）")
            raise HeaderError(message % {"header": HEADERS[key], "first": indexes[0] + 1, "second": indexes[1] + 1})
    missing = [col.header for col in COLUMNS if col.required and col.key not in mapping]
    if missing:
        message = _("缺少必填列：%(columns)s。") % {"columns": _("、").join(missing)}
        if unknown:
            described = []
            for _index, header in unknown[:20]:
                near = closest_known(header)
                described.append(
                    _("“%(header)s”（最接近的已知列名：%(near)s）") % {"header": header, "near": near}
                    if near
                    else _("“%(header)s”") % {"header": header}
                )
            message += _("文件中未识别的列：%(found)s。") % {"found": _("、").join(described)}
        raise HeaderError(message + _("请下载导入模板核对表头"))
    return mapping, warnings


@dataclass
class Row:
    """One valid row, as typed values. Only columns present and non-empty in the file are set."""

    number: int
    values: dict[str, object] = field(default_factory=dict)


@dataclass
class RowError:
    row: int
    column: str
    value: str
    message: str

    def as_dict(self) -> dict:
        return {"row": self.row, "column": self.column, "value": self.value[:100], "message": self.message}


def _clean(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip()


def _name_forms(full_name: str) -> set[str]:
    """How lists write a county: from the province down or from the city down ("江西省南昌市东湖区", "南昌市东湖区",
    "南昌市 东湖区"), with or without the spaces of the stored full name ("江西省 南昌市 东湖区")."""
    parts = full_name.split()
    forms = set()
    for start in range(len(parts)):
        forms |= {"".join(parts[start:]), " ".join(parts[start:])}
    return forms


class Lookups:
    """Reference data and the importer's scope, loaded once per file."""

    def __init__(self, scope: Scope):
        self.scope = scope
        leaves = Region.objects.filter(is_leaf=True, is_active=True, level__gte=2).values_list(
            "code", "name", "full_name"
        )
        self.counties: dict[str, str] = {}
        self.county_names: dict[str, set[str]] = {}
        for code, name, full_name in leaves:
            self.counties[code] = full_name
            if scope.manages_code(code):
                for key in {name, *_name_forms(full_name)}:
                    self.county_names.setdefault(key, set()).add(code)
        self.industries = {code: name for code, name in IndustryDivision.objects.values_list("code", "name")}
        self.industry_names = {name: code for code, name in self.industries.items()}
        self.groups = set(IndustryGroup.objects.values_list("code", flat=True))
        self.labels, self.ambiguous_labels = label_lookup(Label.objects.values_list("code", "name"))
        self.this_year = dt.date.today().year

    def label_code(self, name: str) -> str | None:
        """The label a name means, in any of its variants; None when unknown. A variant two labels share is refused
        rather than given to either."""
        key = label_key(name)
        if key in self.ambiguous_labels:
            names = _("、").join(sorted(self.ambiguous_labels[key]))
            raise ValueError(_("标签“%(name)s”可能是%(names)s，请写全称") % {"name": name, "names": names})
        return self.labels.get(key)


class RowValidator:
    def __init__(self, lookups: Lookups, mapping: dict[str, int]):
        self.lookups = lookups
        self.mapping = mapping
        self.seen_codes: dict[str, int] = {}
        self._regions: dict[str, tuple[str, int]] | None = None  # every region, loaded on the first question
        self._industry_detail: str | None = None  # set by clean_industry, taken by _keep_industry_detail
        # Column key → how the file writes its slash dates (import_values.DAY_FIRST / MONTH_FIRST), when the column's
        # own dates settle it; set by settle_date_orders before any row is validated.
        self.date_orders: dict[str, str] = {}

    def settle_date_orders(self, rows: Iterable[tuple[int, list[str]]]) -> list[str]:
        """The file-level pass over the date columns, before the rows are validated: where a column's unambiguous
        dates all write the day first (25/03/2019) or all the month first, its ambiguous ones (03/04/2019) are read
        the same way instead of refused. Returns a note for the preview per settled column. `rows` is the table's
        (row number, cells) list; it is read once per date column."""
        notes = []
        rows = list(rows)
        for key in DATE_KEYS:
            if key not in self.mapping:
                continue
            index = self.mapping[key]
            order = import_values.slash_date_order(cells[index] for _number, cells in rows if index < len(cells))
            if order is None:
                continue
            self.date_orders[key] = order
            written = _("日/月/年") if order == import_values.DAY_FIRST else _("月/日/年")
            notes.append(
                _("“%(column)s”列中有只能按%(order)s读的日期，该列形如 03/04/2015 的日期都按%(order)s读取")
                % {"column": HEADERS[key], "order": written}
            )
        return notes

    @property
    def regions(self) -> dict[str, tuple[str, int]]:
        """Code → (full name, level) of every known region, for cities given where a county is required and the
        division inside credit codes. Loaded only when a row needs it."""
        if self._regions is None:
            rows = Region.objects.values_list("code", "full_name", "level")
            self._regions = {code: (full_name, level) for code, full_name, level in rows}
        return self._regions

    def validate(self, number: int, cells: list[str]) -> tuple[Row | None, list[RowError]]:
        row, errors = Row(number), []
        for key, index in self.mapping.items():
            raw = cells[index]
            text = _clean(raw)
            if not text:
                if key in {"credit_code", "name", "county", "industry"}:
                    errors.append(RowError(number, HEADERS[key], raw, _("必填项不能为空")))
                continue
            try:
                self._refuse_guesses(key, raw)
                row.values[key] = getattr(self, f"clean_{key}", self._text)(text, number)
            except import_values.CellError as exc:
                cell = import_values.cell_name(index, number)
                message = _("单元格 %(cell)s：%(reason)s") % {"cell": cell, "reason": exc}
                errors.append(RowError(number, HEADERS[key], raw, message))
            except ValueError as exc:
                errors.append(RowError(number, HEADERS[key], raw, str(exc)))
        self._keep_industry_detail(row)
        has_figures = any(k in row.values for k in ("employees", "revenue", "assets"))
        if has_figures and "year" not in row.values and not any(e.column == HEADERS["year"] for e in errors):
            errors.append(RowError(number, HEADERS["year"], "", _("填写了从业人员、营业收入或资产时必须填写数据年度")))
        if "contact_name" not in row.values and ("contact_phone" in row.values or "contact_email" in row.values):
            errors.append(RowError(number, HEADERS["contact_name"], "", _("填写了联系电话或邮箱时必须填写联系人")))
        group = row.values.get("industry_group")
        if group and row.values.get("industry") and not str(group).startswith(str(row.values["industry"])):
            errors.append(RowError(number, HEADERS["industry_group"], str(group), _("行业中类不属于所填行业大类")))
        return (None if errors else row), errors

    def _refuse_guesses(self, key: str, raw: str) -> None:
        """What no reading may guess, whatever the column: Excel error values, and codes Excel held as numbers."""
        import_values.refuse_error_value(raw)
        if key == "credit_code":
            import_values.refuse_number_stored_code(raw)
        elif key == "county":
            import_values.refuse_number_stored_code(raw, exact_digits=12)  # whole numbers that short are exact

    def _keep_industry_detail(self, row: Row) -> None:
        """A group or class code (342, 3421) is kept as written next to its division, and fills the group when the
        groups are loaded and the file has no group column of its own."""
        detail = self._industry_detail
        self._industry_detail = None
        if detail is None or "industry" not in row.values:
            return
        row.values["industry_detail"] = detail
        if "industry_group" not in self.mapping and detail[:3] in self.lookups.groups:
            row.values["industry_group"] = detail[:3]

    def _text(self, text: str, number: int) -> str:
        if len(text) > 300:
            raise ValueError(_("内容过长（最多 300 字）"))
        return text

    def clean_credit_code(self, text: str, number: int) -> str:
        code = creditcode.normalise(text)
        if error := creditcode.validate(code, known_regions=self.regions):
            raise ValueError(error.message)
        if (first := self.seen_codes.setdefault(code, number)) != number:
            raise ValueError(_("与第 %(row)s 行的信用代码重复") % {"row": first})
        return code

    def clean_name(self, text: str, number: int) -> str:
        if len(text) > 200:
            raise ValueError(_("企业名称过长（最多 200 字）"))
        if len(text) < 2:
            raise ValueError(_("企业名称过短"))
        return text

    def clean_former_names(self, text: str, number: int) -> list[str]:
        return [name.strip() for name in re.split(r"[;；\n]+", text) if name.strip()]

    def clean_county(self, text: str, number: int) -> str:
        lookups = self.lookups
        if text.isdigit():
            code = text[:6] if len(text) == 12 and text.endswith("000000") else text
            if code not in lookups.counties:
                self._refuse_city(code.ljust(6, "0") if len(code) in (2, 4) else code)
                raise ValueError(_("不是有效的区县代码（应为 6 位 GB/T 2260 区县代码）"))
            if not lookups.scope.manages_code(code):
                raise ValueError(_("“%(county)s”不在您的管辖范围内") % {"county": lookups.counties[code]})
            return code
        codes = lookups.county_names.get(text) or lookups.county_names.get(text.replace(" ", ""))
        if not codes:
            for code, (full_name, level) in self.regions.items():
                if level < 3 and text in {full_name, full_name.replace(" ", ""), full_name.split(" ")[-1]}:
                    self._refuse_city(code)
            raise ValueError(_("在您的管辖范围内找不到这个区县，请填写 6 位区划代码"))
        if len(codes) > 1:
            raise ValueError(
                _("区县名称有重名（%(codes)s），请填写 6 位区划代码") % {"codes": _("、").join(sorted(codes))}
            )
        return next(iter(codes))

    def _refuse_city(self, code: str) -> None:
        """A province or city where a county is required: never guess which of its counties is meant."""
        found = self.regions.get(code)
        if found and found[1] < 3 and code not in self.lookups.counties:
            message = _("“%(name)s”（%(code)s）是省或地级市，不是区县，请填写企业所在的区县")
            raise import_values.CellError(message % {"name": found[0], "code": code})

    def clean_industry(self, text: str, number: int) -> str:
        digits = import_values.industry_code(text)
        if digits is None and re.match(r"^[Cc]?\s*\d+$", text):
            raise ValueError(_("行业代码应为 2–4 位（大类如 34，中类如 342，小类如 3421）"))
        code = digits[:2] if digits else self.lookups.industry_names.get(text)
        if code not in self.lookups.industries:
            raise ValueError(_("不是制造业行业大类代码（GB/T 4754-2017 C13–C43）"))
        if digits and len(digits) > 2:
            if self.lookups.groups and digits[:3] not in self.lookups.groups:
                raise ValueError(_("“%(code)s”不是已加载的行业中类（或其下的小类）代码") % {"code": digits})
            self._industry_detail = digits
        return code

    def clean_industry_group(self, text: str, number: int) -> str:
        code = text.upper().removeprefix("C").strip()
        if not self.lookups.groups:
            raise ValueError(_("系统尚未加载行业中类，请留空或先由管理员加载"))
        if code not in self.lookups.groups:
            raise ValueError(_("不是已加载的行业中类代码"))
        return code

    def clean_founded_on(self, text: str, number: int) -> dt.date:
        text = text.split(" ")[0]
        match = re.match(r"^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?$", text) or re.match(
            r"^(\d{4})(\d{2})(\d{2})$", text
        )
        try:
            if not match:
                if (date := import_values.slash_date(text, self.date_orders.get("founded_on"))) is None:
                    raise ValueError
            else:
                date = dt.date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        except import_values.CellError:
            raise
        except ValueError:
            raise ValueError(_("日期格式应为 2015-03-01")) from None
        if date > dt.date.today() or date.year < 1900:
            raise ValueError(_("成立日期不在合理范围内"))
        return date

    def clean_year(self, text: str, number: int) -> int:
        text = text.removesuffix("年")
        if not text.isdigit() or not 1949 <= int(text) <= self.lookups.this_year:
            raise ValueError(_("年度应为 1949–%(year)s 之间的四位年份") % {"year": self.lookups.this_year})
        return int(text)

    def clean_employees(self, text: str, number: int) -> int:
        value = _number(text)
        if value != value.to_integral_value() or value < 0 or value > 10_000_000:
            raise ValueError(_("从业人员应为不小于 0 的整数"))
        return int(value)

    def clean_revenue(self, text: str, number: int) -> Decimal:
        return _money(text)

    def clean_assets(self, text: str, number: int) -> Decimal:
        return _money(text)

    def clean_labels(self, text: str, number: int) -> dict[str, int | None]:
        labels: dict[str, int | None] = {}
        for part in LIST_SPLIT.split(text):
            part = part.strip()
            if not part:
                continue
            match = re.match(r"^(.+?)\s*(?:[:：(（]\s*(\d{4})\s*年?\s*[)）]?)?$", part)
            name, year = (match.group(1).strip(), match.group(2)) if match else (part, None)
            code = self.lookups.label_code(name)
            if code is None:
                raise ValueError(_("未知标签“%(name)s”") % {"name": name})
            if year and not 1949 <= int(year) <= self.lookups.this_year:
                raise ValueError(_("标签“%(name)s”的年度不合理") % {"name": name})
            labels[code] = int(year) if year else None
        return labels

    def clean_clusters(self, text: str, number: int) -> list[str]:
        """The clusters a row names, each once. Which grouping each name is, and whether it is new, is decided for
        the whole file by import_groups (it needs the row's county and the importer's scope)."""
        names: dict[str, str] = {}
        for name in split_grouping_names(text):
            check_grouping_name(name)
            names.setdefault(grouping_keys(name)[0], name)
        return list(names.values())

    def clean_chains(self, text: str, number: int) -> dict[str, str | None]:
        """Chain name → position (a ChainMembership.Position value), or None when the cell gives none:
        "新能源汽车（链主）", "电子信息:上游", "集成电路". A word in the position's place that names no position is
        refused, never dropped."""
        chains: dict[str, tuple[str, str | None]] = {}
        for part in split_grouping_names(text):
            name, position = part, None
            if match := split_position(part):
                word = next(v for k, v in match.groupdict().items() if k != "name" and v is not None)
                if (position := chain_position(word)) is None:
                    words = _("、").join(str(label) for label in ChainMembership.Position.labels)
                    raise import_values.CellError(
                        _("“%(part)s”中的“%(word)s”不是链上位置（可填：%(words)s）")
                        % {"part": part, "word": word, "words": words}
                    )
                name = grouping_name(match.group("name"))
            check_grouping_name(name)
            key = grouping_keys(name)[0]
            first_name, first_position = chains.get(key, (name, None))
            if None not in (first_position, position) and first_position != position:
                raise import_values.CellError(_("产业链“%(name)s”填写了两个不同的位置") % {"name": name})
            chains[key] = (first_name, position or first_position)
        return dict(chains.values())

    def clean_notes(self, text: str, number: int) -> str:
        if len(text) > 2000:
            raise ValueError(_("备注过长（最多 2000 字）"))
        return text

    def clean_contact_name(self, text: str, number: int) -> str:
        if len(text) > 64:
            raise ValueError(_("联系人姓名过长"))
        return text

    def clean_contact_phone(self, text: str, number: int) -> str:
        if not PHONE.match(text):
            raise ValueError(_("联系电话格式不正确"))
        return text

    def clean_contact_email(self, text: str, number: int) -> str:
        if not EMAIL.match(text) or len(text) > 254:
            raise ValueError(_("电子邮箱格式不正确"))
        return text


def _number(text: str) -> Decimal:
    import_values.refuse_approximate(text)
    try:
        value = Decimal(text.replace(",", "").replace(" ", ""))
    except InvalidOperation:
        raise ValueError(_("应为数字")) from None
    if not value.is_finite():
        raise ValueError(_("应为数字"))
    return value


def _money(text: str) -> Decimal:
    value = _number(text)
    if value < 0:
        raise ValueError(_("金额不能为负数"))
    if value >= Decimal("1e12"):
        raise ValueError(_("金额过大（单位为万元）"))
    return value.quantize(Decimal("0.01"))


ENTERPRISE_FIELDS = {
    "name": "name",
    "former_names": "former_names",
    "county": "county_id",
    "address": "address",
    "industry": "industry_id",
    "industry_group": "industry_group_id",
    "industry_detail": "industry_detail_code",
    "founded_on": "founded_on",
    "notes": "notes",
}
HEADERS.setdefault("industry_detail", "行业代码（中类/小类）")  # not a column of its own: kept from 行业代码
assert set(ENTERPRISE_FIELDS.values()) <= {f.attname for f in Enterprise._meta.concrete_fields}
