"""Who sees which funding programme, budget and application.

An application: the applicant's own users (drafts included); officers of the enterprise's region or above once it
has been submitted; the provider named on it once it has been approved (it confirms delivery); the admin all.
Anything else is a 404 in the pages and the API; "may see, may not act" is a 403 raised by the services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.policy import scope_of, under_paths


class ProgrammeQuerySet(models.QuerySet):
    def taking_applications(self) -> ProgrammeQuerySet:
        return self.exclude(spec={}).exclude(code="")

    def visible_to(self, user) -> ProgrammeQuerySet:
        """Officers: their regions' programmes and below (drafts too) and published ones above; everyone else:
        published programmes of the regions above their enterprise (a province's programme serves every county)."""
        scope = scope_of(user)
        if scope.is_admin:
            return self
        published = ~Q(status="draft")
        q = under_paths("region_id", scope.officer_paths)
        above: set[str] = set()
        for path in scope.officer_paths:
            above |= {path[:n] for n in range(2, len(path), 2)}
        if scope.own_enterprise_ids:
            from enterprises.models import Enterprise

            counties = Enterprise.objects.filter(pk__in=scope.own_enterprise_ids).values_list("county_id", flat=True)
            above |= {county[:n] for county in counties for n in range(2, len(county) + 1, 2)}
        if scope.provider_ids:
            return self.filter(q | published)  # providers see every published programme: they sell to all
        return self.filter(q | (published & Q(region__path__in=above)))


class BudgetQuerySet(models.QuerySet):
    def visible_to(self, user) -> BudgetQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.filter(under_paths("region_id", scope.officer_paths))


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApplicationQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        q = Q(enterprise_id__in=scope.own_enterprise_ids)
        q |= under_paths("enterprise__county_id", scope.officer_paths) & Q(submitted_at__isnull=False)
        if scope.provider_ids:
            q |= Q(provider_id__in=scope.provider_ids, status__in=["approved", "completed", "cancelled"])
        return self.filter(q)

    def active(self) -> ApplicationQuerySet:
        """Applications that still claim money or a project number: not withdrawn, rejected or cancelled."""
        return self.exclude(status__in=["withdrawn", "rejected", "cancelled"])
