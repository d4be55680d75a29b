"""Reads and scoping for monitoring, and the one check of who governs a region.

An officer sees what belongs to the regions they govern and those below them; for things a higher region owns and
the officer's region takes part in (a province's campaign, statistics round or index), also the regions above. So a
county officer never sees another county's figures: the province's targets add up other counties and stay hidden."""

from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Q

from accounts.policy import scope_of
from regions.models import prefix_range


def in_scope(queryset, user, field: str = "region_id", *, above: bool = False):
    """`queryset` narrowed to the user's regions (the admin: everything); `above` adds the regions above them."""
    scope = scope_of(user)
    if scope.is_admin:
        return queryset
    q = Q(pk__in=[])
    for path in scope.officer_paths:
        q |= Q(**prefix_range(field, path))
        if above:
            q |= Q(**{field.removesuffix("_id") + "__path__in": [path[:n] for n in range(2, len(path), 2)]})
    return queryset.filter(q)


def governs(actor, region) -> bool:
    """Whether `actor` is an authority over `region` (None: no region)."""
    scope = scope_of(actor)
    return region is not None and scope.is_authority and scope.manages_code(region.code)


def require_governs(actor, region, message: str) -> None:
    """Refuse unless `actor` governs `region`; `actor=None` is the platform itself (demo data, operator commands)."""
    if actor is not None and not governs(actor, region):
        raise PermissionDenied(message)


class TargetQuerySet(models.QuerySet):
    def visible_to(self, user) -> "TargetQuerySet":
        return in_scope(self, user)


class PlanQuerySet(models.QuerySet):
    def visible_to(self, user) -> "PlanQuerySet":
        """Plans with at least one target the user may see."""
        from .models import Target

        if scope_of(user).is_admin:
            return self
        return self.filter(pk__in=Target.objects.visible_to(user).values("plan_id"))
