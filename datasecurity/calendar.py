"""The working-day calendar the clocks count on: the directory of per-year files named by the setting
TIDU_DATASECURITY_CALENDARS, or the shipped (provisional) datasecurity/calendars."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from . import workdays


@cache
def current() -> workdays.Calendar:
    return workdays.load(getattr(settings, "TIDU_DATASECURITY_CALENDARS", "") or workdays.SHIPPED)
