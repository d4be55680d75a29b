"""Working-day arithmetic for the data-security clocks, over a holiday calendar kept as data: one YAML file per year
(calendars/2025.yaml, calendars/2026.yaml) listing the public holidays that fall on weekdays and the weekend days
worked instead (调休上班). A province replaces the directory with its own files. Outside the years a calendar covers,
only Saturdays and Sundays are days off, and `covers()` says so, so a page can warn.

Conventions (the 2022 办法's "N 个工作日内"): the day of the act is not counted; the deadline is the N-th working day
after it, at the end of that day (23:59:59.999999 local time). Pure: no Django."""

from __future__ import annotations

import calendar as _calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import yaml

SHIPPED = Path(__file__).parent / "calendars"
END_OF_DAY = dt.time(23, 59, 59, 999999)


@dataclass(frozen=True)
class Year:
    """One year's file: the days off and the worked weekend days, where they come from and whether verified."""

    year: int
    holidays: frozenset[dt.date]
    workdays: frozenset[dt.date]
    provisional: bool
    source: str


@dataclass(frozen=True)
class Calendar:
    years: dict[int, Year] = field(default_factory=dict)

    @property
    def holidays(self) -> frozenset[dt.date]:
        return frozenset().union(*(y.holidays for y in self.years.values()))

    @property
    def provisional(self) -> bool:
        return any(y.provisional for y in self.years.values()) or not self.years

    def covers(self, day: dt.date) -> bool:
        return day.year in self.years

    def is_working_day(self, day: dt.date) -> bool:
        year = self.years.get(day.year)
        if year is not None:
            if day in year.workdays:
                return True
            if day in year.holidays:
                return False
        return day.weekday() < 5

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (`start` itself not counted); n = 0 gives `start`."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end`; negative when `end` is before `start`."""
        if end < start:
            return -self.between(end, start)
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def deadline(self, start: dt.datetime, n: int) -> dt.datetime:
        """The end of the n-th working day after the (aware) moment `start`, in `start`'s time zone."""
        day = self.add(start.date(), n)
        return dt.datetime.combine(day, END_OF_DAY, tzinfo=start.tzinfo)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later, or that month's last day when it is shorter (11-30 + 3 → 02-28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, _calendar.monthrange(year, month)[1]))


def months_deadline(start: dt.datetime, months: int) -> dt.datetime:
    """The end of the day `months` calendar months after `start` (a period in months counts calendar days)."""
    return dt.datetime.combine(add_months(start.date(), months), END_OF_DAY, tzinfo=start.tzinfo)


def parse_year(data: dict) -> Year:
    def dates(items: Iterable) -> frozenset[dt.date]:
        try:
            return frozenset(d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in items or ())
        except ValueError as error:
            raise ValueError(f"日期格式应为 YYYY-MM-DD：{error}") from None

    year = int(data["year"])
    holidays, workdays = dates(data.get("holidays")), dates(data.get("workdays"))
    if holidays & workdays:
        raise ValueError(f"同一天既是假日又是工作日：{min(holidays & workdays)}")
    strays = sorted(d for d in holidays | workdays if d.year != year)
    if strays:
        raise ValueError(f"{year} 年日历中出现其他年份的日期：{strays[0]}")
    return Year(year, holidays, workdays, data.get("status", "provisional") != "official", str(data.get("source", "")))


def load(directory: Path | str = SHIPPED) -> Calendar:
    """Every <year>.yaml in `directory`."""
    years = {}
    for path in sorted(Path(directory).glob("*.yaml")):
        year = parse_year(yaml.safe_load(path.read_text(encoding="utf-8")))
        years[year.year] = year
    return Calendar(years)


def parse_combined(data: dict) -> Calendar:
    """One file for several years — {"years": [2026], "holidays": [...], "workdays": [...], "status": ...} — the
    format a province may load for both recognition and data security (setting TIDU_HOLIDAY_CALENDAR)."""

    def dates(items: Iterable) -> list[dt.date]:
        try:
            return [d if isinstance(d, dt.date) else dt.date.fromisoformat(str(d)) for d in items or ()]
        except ValueError as error:
            raise ValueError(f"日期格式应为 YYYY-MM-DD：{error}") from None

    holidays, worked = dates(data.get("holidays")), dates(data.get("workdays"))
    numbers = {int(y) for y in data.get("years") or ()} | {d.year for d in holidays + worked}
    status, source = data.get("status", "provisional"), str(data.get("source", ""))
    years = {}
    for n in sorted(numbers):
        years[n] = parse_year({"year": n, "status": status, "source": source,
                               "holidays": [d for d in holidays if d.year == n],
                               "workdays": [d for d in worked if d.year == n]})  # fmt: skip
    return Calendar(years)


def load_path(path: Path | str = SHIPPED) -> Calendar:
    """The calendar at `path`: a directory of <year>.yaml files (the shipped one), or one combined file."""
    path = Path(path)
    if path.is_dir():
        return load(path)
    return parse_combined(yaml.safe_load(path.read_text(encoding="utf-8")))
