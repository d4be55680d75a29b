"""The deadlines of catalogue filings and incident reports, computed from the clock rules (rules/clocks.yaml) and
the working-day calendar. Pure: no Django; callers pass aware datetimes and get aware datetimes back."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from . import workdays

RULES = Path(__file__).parent / "rules"


@dataclass(frozen=True)
class IncidentClock:
    code: str
    name: str
    cii_hours: float
    other_hours: float
    provisional: bool
    source: str

    def hours(self, cii: bool) -> float:
        return self.cii_hours if cii else self.other_hours


@dataclass(frozen=True)
class Rules:
    review_working_days: int
    resubmit_working_days: int
    refile_months: int
    scale_change_ratio: float
    attestation_months: int
    review_level: str
    risk_filing_working_days: int
    risk_valid_months: int
    risk_rollup: str  # MM-DD: the provinces' roll-up to MIIT
    immediate_from: str
    incident_clocks: tuple[IncidentClock, ...]
    summary_working_days: int
    provisional: dict[str, bool]


def parse(data: dict) -> Rules:
    filing, risk, incident = data["filing"], data["risk_assessment"], data["incident"]
    clocks = tuple(
        IncidentClock(c["code"], c["name"], float(c["hours"]["cii"]), float(c["hours"]["other"]),
                      bool(c.get("provisional", True)), c.get("source", ""))
        for c in incident["clocks"]
    )  # fmt: skip
    if filing["review_level"] not in ("province", "city"):
        raise ValueError("review_level 应为 province 或 city")
    return Rules(
        review_working_days=int(filing["review_working_days"]),
        resubmit_working_days=int(filing["resubmit_working_days"]),
        refile_months=int(filing["refile_months"]),
        scale_change_ratio=float(filing["scale_change_ratio"]),
        attestation_months=int(filing["attestation_months"]),
        review_level=filing["review_level"],
        risk_filing_working_days=int(risk["filing_working_days"]),
        risk_valid_months=int(risk.get("valid_months", 12)),
        risk_rollup=str(risk.get("provincial_rollup", "12-25")),
        immediate_from=incident["immediate_from"],
        incident_clocks=clocks,
        summary_working_days=int(incident["summary_working_days"]),
        provisional={
            "attestation": bool(filing.get("attestation_provisional", True)),
            "review_level": bool(filing.get("review_level_provisional", True)),
            "summary": bool(incident.get("summary_provisional", True)),
        },
    )


@cache
def shipped() -> Rules:
    return parse(yaml.safe_load((RULES / "clocks.yaml").read_text(encoding="utf-8")))


def review_due(cal: workdays.Calendar, rules: Rules, submitted_at: dt.datetime) -> dt.datetime:
    return cal.deadline(submitted_at, rules.review_working_days)


def resubmit_due(cal: workdays.Calendar, rules: Rules, returned_at: dt.datetime) -> dt.datetime:
    return cal.deadline(returned_at, rules.resubmit_working_days)


def refile_due(rules: Rules, changed_at: dt.datetime) -> dt.datetime:
    return workdays.months_deadline(changed_at, rules.refile_months)


def attestation_due(rules: Rules, attested_at: dt.datetime) -> dt.datetime:
    return workdays.months_deadline(attested_at, rules.attestation_months)


def risk_filing_due(cal: workdays.Calendar, rules: Rules, completed_at: dt.datetime) -> dt.datetime:
    return cal.deadline(completed_at, rules.risk_filing_working_days)


def summary_due(cal: workdays.Calendar, rules: Rules, contained_at: dt.datetime) -> dt.datetime:
    return cal.deadline(contained_at, rules.summary_working_days)


def scale_changed(rules: Rules, filed: float | None, now: float | None) -> bool:
    """A change of 30 % or more of the filed scale (either way); a scale appearing or disappearing is a change."""
    if not filed and not now:
        return False
    if not filed or now is None:
        return True
    return abs(now - filed) / filed >= rules.scale_change_ratio - 1e-12


@dataclass(frozen=True)
class ClockDue:
    code: str
    name: str
    hours: float
    due_at: dt.datetime
    provisional: bool
    source: str


def incident_clocks(rules: Rules, discovered_at: dt.datetime, *, cii: bool) -> list[ClockDue]:
    """Both report clocks side by side, each from the moment of discovery (hours are clock hours, not working)."""
    return [
        ClockDue(c.code, c.name, c.hours(cii), discovered_at + dt.timedelta(hours=c.hours(cii)), c.provisional,
                 c.source)
        for c in rules.incident_clocks
    ]  # fmt: skip
