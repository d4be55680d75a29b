"""Reads for the pages and the API: the overdue lists (an indexed comparison of stored deadlines with now), the
regulator's review queue, and the provincial overview (filing coverage, overdue, incidents by level and region)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, Q
from django.db.models.functions import Substr
from django.utils import timezone

from accounts.policy import scope_of
from enterprises.models import Enterprise

from .models import DataAsset, Drill, Filing, Incident, Level, RiskAssessment


@dataclass
class Overdue:
    filings: list
    filings_count: int
    incidents: list
    incidents_count: int
    risks: list
    risks_count: int


def overdue(user, now: dt.datetime, limit: int = 50) -> Overdue:
    """Filings whose review, resubmission, re-filing or attestation deadline has passed, incidents whose report
    clock or summary deadline has run out, and risk-assessment reports not filed in time, oldest deadline first, with
    the totals."""
    filings = Filing.objects.visible_to(user).overdue(now)
    incidents = Incident.objects.visible_to(user).overdue(now)
    risks = RiskAssessment.objects.visible_to(user).overdue(now)
    return Overdue(
        risks=list(risks.select_related("enterprise").order_by("due_at")[:limit]),
        risks_count=risks.count(),
        filings=list(filings.select_related("enterprise").order_by("due_at")[:limit]),
        filings_count=filings.count(),
        incidents=list(incidents.select_related("enterprise").order_by("due_at")[:limit]),
        incidents_count=incidents.count(),
    )


def review_queue(user, limit: int = 100) -> list[Filing]:
    return list(Filing.objects.visible_to(user).filter(status=Filing.Status.SUBMITTED)
                .select_related("enterprise").order_by("due_at")[:limit])  # fmt: skip


def drills_by_city(user, year: int) -> dict[str, dict]:
    """Per city (the first 4 digits of the region code; a province's own drills fall under its code + "00"): the
    drills completed in `year` and their mean score."""
    rows = (Drill.objects.visible_to(user).done_in(year).annotate(city=Substr("region_code", 1, 4)).values("city")
            .annotate(n=Count("pk"), score=Avg("score")).order_by())  # fmt: skip
    return {r["city"]: {"drills": r["n"], "score": r["score"]} for r in rows}


def overview(user, now: dt.datetime) -> dict:
    """Per city: enterprises holding important or core data, how many have an accepted filing, overdue filings,
    incidents by level, and the drills completed this year with their mean score."""
    assets = DataAsset.objects.visible_to(user).filter(level__in=[Level.IMPORTANT, Level.CORE], retired=False)
    holders = dict(assets.annotate(city=Substr("enterprise__county_id", 1, 4)).values_list("city")
                   .annotate(n=Count("enterprise_id", distinct=True)).order_by())  # fmt: skip
    filings = (
        Filing.objects.visible_to(user)
        .annotate(city=Substr("region_code", 1, 4))
        .values("city")
        .annotate(
            accepted=Count("pk", filter=Q(accepted_at__isnull=False)),
            overdue=Count("pk", filter=Q(due_at__lt=now)),
        )
        .order_by()
    )
    incidents = Incident.objects.visible_to(user).annotate(city=Substr("region_code", 1, 4)).values("city", "level")
    incidents = incidents.annotate(n=Count("pk")).order_by()
    rows: dict[str, dict] = {}

    def row(city):
        return rows.setdefault(city, {"city": city, "holders": 0, "accepted": 0, "overdue": 0, "incidents": {},
                                      "drills": 0, "drill_score": None})  # fmt: skip

    for city, n in holders.items():
        row(city)["holders"] = n
    for f in filings:
        row(f["city"]).update(accepted=f["accepted"], overdue=f["overdue"])
    for i in incidents:
        row(i["city"])["incidents"][i["level"]] = i["n"]
    for city, d in drills_by_city(user, timezone.localtime(now).year).items():
        row(city).update(drills=d["drills"], drill_score=d["score"])
    return {"rows": [rows[k] for k in sorted(rows)]}


def own_enterprise(user) -> Enterprise | None:
    """The enterprise the user speaks for (the first, for the rare user who holds several)."""
    ids = sorted(scope_of(user).own_enterprise_ids)
    return Enterprise.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def clock_rows(incident: Incident, now: dt.datetime) -> list[dict]:
    """Each report clock in words for both sides: its limit, due time, and met / late / running / run out."""
    rows = []
    for c in incident.clocks:
        due = dt.datetime.fromisoformat(c["due_at"])
        if c.get("met") is True:
            state = "met"
        elif c.get("met") is False:
            state = "late"
        else:
            state = "running" if now <= due else "expired"
        left = int((due - now).total_seconds() // 60)
        rows.append({**c, "due": due, "state": state, "minutes_left": left, "hours_label": f"{c['hours']:g}"})
    return rows
