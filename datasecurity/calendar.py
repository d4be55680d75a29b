"""The working-day calendar the clocks count on — the one holiday calendar of Tidu, which recognition's deadlines
count on too (recognition.calendar reads the same data): the setting
TIDU_HOLIDAY_CALENDAR (a directory of per-year files or one combined file; it replaces it for both), else the
shipped, provisional datasecurity/calendars."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from . import workdays


def source() -> str:
    """Where the calendar comes from: the setting, else the shipped directory."""
    return getattr(settings, "TIDU_HOLIDAY_CALENDAR", "") or str(workdays.SHIPPED)


@cache
def current() -> workdays.Calendar:
    return workdays.load_path(source())
