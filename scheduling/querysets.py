"""Who sees which scheduling job: an enterprise's own users see its jobs (plans are business data: officers do not
see them); the admin sees all. Anything else is a 404 in the pages and the API."""

from __future__ import annotations

from django.db import models

from accounts.policy import scope_of


class PlanJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> PlanJobQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.filter(enterprise_id__in=scope.own_enterprise_ids)
