"""Reads and scoping for targets: an officer sees the targets of their regions and of the regions below them, so
a county officer never sees another county's figures (nor the province's, which add up other counties)."""

from django.db import models
from django.db.models import Q

from accounts.policy import scope_of
from regions.models import prefix_range


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TargetQuerySet":
        scope = scope_of(user)
        if scope.is_admin:
            return self
        q = Q(pk__in=[])
        for path in scope.officer_paths:
            q |= Q(**prefix_range("region_id", path))
        return self.filter(q)


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PlanQuerySet":
        """Plans with at least one target the user may see."""
        from .models import Target

        scope = scope_of(user)
        if scope.is_admin:
            return self
        return self.filter(pk__in=Target.objects.visible_to(user).values("plan_id"))
