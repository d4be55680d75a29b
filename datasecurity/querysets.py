"""Reads and scoping. An enterprise's users see its assets, filing and incidents; officers see those of enterprises
in their regions (a filing once it has been submitted: a draft is the enterprise's own working copy); the admin
everything; anyone else nothing (a 404 in pages and API). The overdue lists compare stored deadlines with now, so
they run on the `due_at` indexes."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.policy import scope_of, under_paths


class AssetQuerySet(models.QuerySet):
    def visible_to(self, user) -> AssetQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.filter(Q(enterprise_id__in=scope.own_enterprise_ids) |
                           under_paths("enterprise__county_id", scope.officer_paths))  # fmt: skip


class FilingQuerySet(models.QuerySet):
    def visible_to(self, user) -> FilingQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        officers = under_paths("region_code", scope.officer_paths) & Q(first_submitted_at__isnull=False)
        return self.filter(Q(enterprise_id__in=scope.own_enterprise_ids) | officers)

    def overdue(self, now) -> FilingQuerySet:
        return self.filter(due_at__isnull=False, due_at__lt=now)


class IncidentQuerySet(models.QuerySet):
    def visible_to(self, user) -> IncidentQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.filter(Q(enterprise_id__in=scope.own_enterprise_ids) |
                           under_paths("region_code", scope.officer_paths))  # fmt: skip

    def overdue(self, now) -> IncidentQuerySet:
        return self.filter(due_at__isnull=False, due_at__lt=now)

    def to_escalate(self, now) -> IncidentQuerySet:
        return self.filter(escalate_at__isnull=False, escalate_at__lte=now)


class _Regional(models.QuerySet):
    """Rows of an enterprise (its own users) or in an officer's regions."""

    def visible_to(self, user):
        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.filter(Q(enterprise_id__in=scope.own_enterprise_ids) |
                           under_paths("region_code", scope.officer_paths))  # fmt: skip


class DrillQuerySet(_Regional):
    def done_in(self, year: int):
        return self.filter(status="done", finished_at__year=year)


class KeyEnterpriseQuerySet(_Regional):
    pass


class RiskAssessmentQuerySet(_Regional):
    def overdue(self, now):
        return self.filter(due_at__isnull=False, due_at__lt=now)
