"""Reads for the workbench: the reports an enterprise has received or generated for itself."""

from accounts.policy import scope_of

from .access import visible_reports

RECENT = 5


def enterprise_workbench(user) -> dict:
    ids = scope_of(user).own_enterprise_ids
    reports = visible_reports(user).filter(enterprise_id__in=ids).select_related("enterprise")
    return {
        "reports": list(reports.order_by("-issued_at", "-id")[:RECENT]),
        "report_count": reports.count(),
        "enterprise_ids": sorted(ids),
    }
