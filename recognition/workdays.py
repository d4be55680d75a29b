"""Working-day arithmetic over a holiday calendar kept as data: deadlines and public-notice periods are counted in
working days (工作日), which in China skip public holidays and include the weekend days swapped into work (调休).
Pure: no Django."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Calendar:
    """Days off that would be working days (holidays) and weekend days that are worked (调休上班)."""

    holidays: frozenset[dt.date] = field(default_factory=frozenset)
    workdays: frozenset[dt.date] = field(default_factory=frozenset)
    covers: tuple[int, ...] = ()  # the years the calendar was published for
    provisional: bool = True

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays

    def add(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n ≥ 1): a deadline of N working days from `start`."""
        if n < 0:
            raise ValueError("n must be ≥ 0")
        day = start
        while n:
            day += dt.timedelta(days=1)
            if self.is_working_day(day):
                n -= 1
        return day

    def between(self, start: dt.date, end: dt.date) -> int:
        """Working days after `start` up to and including `end` (0 when `end` ≤ `start`)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count


def parse(data: dict) -> Calendar:
    """{"years": [2026], "holidays": ["2026-01-01", …], "workdays": [...], "status": "provisional"|"official"}."""

    def dates(items: Iterable[str]) -> frozenset[dt.date]:
        try:
            return frozenset(dt.date.fromisoformat(str(item)) for item in items or ())
        except ValueError as error:
            raise ValueError(f"日期格式应为 YYYY-MM-DD：{error}") from None

    holidays, workdays = dates(data.get("holidays", ())), dates(data.get("workdays", ()))
    if holidays & workdays:
        raise ValueError(f"同一天既是假日又是工作日：{min(holidays & workdays)}")
    return Calendar(holidays, workdays, tuple(int(y) for y in data.get("years", ())),
                    data.get("status", "provisional") != "official")  # fmt: skip
