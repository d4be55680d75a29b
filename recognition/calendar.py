"""The holiday calendar working-day deadlines are counted on: Tidu's one holiday calendar, kept as data with the
data-security clocks (datasecurity/calendars/<year>.yaml, provisional until a province loads the official one) and
read here into recognition's Calendar. The setting TIDU_HOLIDAY_CALENDAR (one combined file or a directory of
per-year files) replaces it — for both modules (datasecurity.calendar.source says where it comes from)."""

from __future__ import annotations

import datetime as dt
from functools import cache

from django.conf import settings

from datasecurity import workdays as shared

from .workdays import Calendar


def source() -> str:
    return getattr(settings, "TIDU_HOLIDAY_CALENDAR", "") or str(shared.SHIPPED)


@cache
def current() -> Calendar:
    loaded = shared.load_path(source())
    return Calendar(
        holidays=loaded.holidays,
        workdays=frozenset().union(*(y.workdays for y in loaded.years.values())),
        covers=tuple(sorted(loaded.years)),
        provisional=loaded.provisional,
    )


def add(start: dt.date, working_days: int) -> dt.date:
    return current().add(start, working_days)
