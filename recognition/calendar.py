"""The holiday calendar working-day deadlines are counted on: a data file (TIDU_HOLIDAY_CALENDAR, default the
shipped recognition/calendars/cn.yaml, provisional until a province loads the official one)."""

from __future__ import annotations

import datetime as dt
from functools import cache
from pathlib import Path

import yaml
from django.conf import settings

from .workdays import Calendar, parse

SHIPPED = Path(__file__).parent / "calendars" / "cn.yaml"


@cache
def current() -> Calendar:
    path = Path(settings.TIDU_HOLIDAY_CALENDAR or SHIPPED)
    return parse(yaml.safe_load(path.read_text(encoding="utf-8")))


def add(start: dt.date, working_days: int) -> dt.date:
    return current().add(start, working_days)
