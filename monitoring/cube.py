"""The tallies behind the dashboards (`Tally`), rebuilt in bulk: one INSERT … SELECT per measure (and per year and
basis for levels), with a window function picking each enterprise's latest result. Nothing is loaded into Python.

The dashboards read the tallies, so a figure is as fresh as the last rebuild (shown on the page): an officer's
"重新计算", `manage.py monitoring_refresh` (run it from the scheduler, e.g. nightly) and the demo seeding rebuild."""

from __future__ import annotations

import time

from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Assessment, AssessmentResult
from assessments.tiers import TIER_LABELS, TIERS
from enterprises.models import Enterprise, EnterpriseLabel

from .metrics import BASIS_KINDS, Measure
from .models import CubeRefresh, Tally

YEARS = 5  # the current year and the four before it
COLUMNS = "year, measure, model_code, basis, county_id, industry_id, above_scale, level, n"


def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    models = {"tally": Tally, "a": Assessment, "r": AssessmentResult, "e": Enterprise, "l": EnterpriseLabel}
    return {key: q(model._meta.db_table) for key, model in models.items()}


def _population() -> tuple[str, list]:
    t = _tables()
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        SELECT 0, 'population', '', '', county_id, industry_id, is_above_scale, 0, COUNT(*)
        FROM {t["e"]} WHERE removed_at IS NULL GROUP BY county_id, industry_id, is_above_scale""",  # noqa: S608
        [],
    )


def _levels(year: int, basis: str) -> tuple[str, list]:
    t = _tables()
    kinds = BASIS_KINDS[basis]
    end = Measure(metric="level", year=year).year_bounds()[1]
    marks = ", ".join(["%s"] * len(kinds))
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        SELECT %s, 'level', latest.model_code, %s, e.county_id, e.industry_id, e.is_above_scale, latest.level, COUNT(*)
        FROM (
            SELECT a.enterprise_id, a.model_code, COALESCE(r.level, 0) AS level,
                   ROW_NUMBER() OVER (PARTITION BY a.enterprise_id, a.model_code
                                      ORDER BY a.submitted_at DESC, a.id DESC) AS position
            FROM {t["a"]} a JOIN {t["r"]} r ON r.assessment_id = a.id AND r.is_current = %s
            WHERE a.status = %s AND a.kind IN ({marks}) AND a.submitted_at < %s
        ) latest JOIN {t["e"]} e ON e.id = latest.enterprise_id
        WHERE latest.position = 1 AND e.removed_at IS NULL
        GROUP BY latest.model_code, e.county_id, e.industry_id, e.is_above_scale, latest.level""",  # noqa: S608
        [year, basis, True, Assessment.Status.SUBMITTED, *kinds, end],
    )


def _assessed(year: int) -> tuple[str, list]:
    t = _tables()
    start, end = Measure(metric="assessed", year=year).year_bounds()
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        SELECT %s, 'assessed', '', a.kind, e.county_id, e.industry_id, e.is_above_scale, 0, COUNT(DISTINCT e.id)
        FROM {t["a"]} a JOIN {t["e"]} e ON e.id = a.enterprise_id
        WHERE a.status = %s AND a.submitted_at >= %s AND a.submitted_at < %s AND e.removed_at IS NULL
        GROUP BY a.kind, e.county_id, e.industry_id, e.is_above_scale""",  # noqa: S608
        [year, Assessment.Status.SUBMITTED, start, end],
    )


def _tiers() -> tuple[str, list]:
    t = _tables()
    order = list(TIERS.values())
    ranks = {code: order.index(name) + 1 for code, name in TIER_LABELS.items()}
    case = " ".join("WHEN %s THEN %s" for _ in ranks)
    params = [value for code, rank in ranks.items() for value in (code, rank)]
    marks = ", ".join(["%s"] * len(ranks))
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        SELECT 0, 'tier', '', '', e.county_id, e.industry_id, e.is_above_scale, highest.rank, COUNT(*)
        FROM (
            SELECT enterprise_id, MAX(CASE label_id {case} END) AS rank
            FROM {t["l"]} WHERE label_id IN ({marks}) GROUP BY enterprise_id
        ) highest JOIN {t["e"]} e ON e.id = highest.enterprise_id
        WHERE e.removed_at IS NULL
        GROUP BY e.county_id, e.industry_id, e.is_above_scale, highest.rank""",  # noqa: S608
        [*params, *ranks],
    )


def rebuild(*, years: int = YEARS) -> CubeRefresh:
    """Replace every tally. The current year counts what has been submitted until now."""
    started = time.perf_counter()
    this_year = timezone.localdate().year
    statements = [_population(), _tiers()]
    for year in range(this_year - years + 1, this_year + 1):
        statements.append(_assessed(year))
        statements += [_levels(year, basis) for basis in BASIS_KINDS]
    with transaction.atomic(), connection.cursor() as cursor:
        Tally.objects.all().delete()
        for sql, params in statements:
            cursor.execute(sql, params)
        refresh, _ = CubeRefresh.objects.update_or_create(
            pk=1, defaults={"computed_at": timezone.now(), "seconds": round(time.perf_counter() - started, 2)}
        )
    return refresh


def last_refresh() -> CubeRefresh | None:
    return CubeRefresh.objects.filter(pk=1).first()
