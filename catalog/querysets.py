"""Who sees which pool records. Published providers and solutions are a public directory for signed-in users;
drafts and reviews belong to the provider itself and to the officers whose region it is registered in."""

from django.db import models
from django.db.models import Q

from accounts.policy import scope_of
from regions.models import prefix_range


def _officer_q(scope, field: str) -> Q:
    q = Q(pk__in=[])
    for path in scope.officer_paths:
        q |= Q(**prefix_range(field, path))
    return q


class ProviderQuerySet(models.QuerySet):
    LISTED = ("published", "warned")

    def listed(self) -> "ProviderQuerySet":
        """The directory: published providers, and warned ones (a warning is shown, not hidden)."""
        return self.filter(status__in=self.LISTED)

    def visible_to(self, user) -> "ProviderQuerySet":
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        q = Q(status__in=self.LISTED) | _officer_q(scope, "region_id")
        if scope.provider_ids:
            q |= Q(pk__in=scope.provider_ids)
        return self.filter(q)

    def managed_by(self, user) -> "ProviderQuerySet":
        """Providers whose record this user may review (officers of the registration region, admins)."""
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        return self.filter(_officer_q(scope, "region_id")) if scope.is_officer else self.none()


class SolutionQuerySet(models.QuerySet):
    def visible_to(self, user) -> "SolutionQuerySet":
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        q = Q(status="published", provider__status__in=ProviderQuerySet.LISTED) | _officer_q(
            scope, "provider__region_id"
        )
        if scope.provider_ids:
            q |= Q(provider_id__in=scope.provider_ids)
        return self.filter(q)


class NeedQuerySet(models.QuerySet):
    def visible_to(self, user) -> "NeedQuerySet":
        """The enterprise its own needs; officers the needs of enterprises in their region; a provider the open needs
        shared with it: public ones, regional ones in a region it serves, and those it was invited to."""
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        if not user.is_authenticated:
            return self.none()
        q = _officer_q(scope, "enterprise__county_id")
        if scope.own_enterprise_ids:
            q |= Q(enterprise_id__in=scope.own_enterprise_ids)
        if scope.provider_ids:
            q |= Q(visibility="public") | Q(invited__in=scope.provider_ids) | Q(visibility="region") & _served_q(scope)
        return self.filter(q).distinct() if scope.provider_ids else self.filter(q)


def _served_q(scope) -> Q:
    """Needs of enterprises inside the regions the user's providers serve (no regions listed = nationwide)."""
    from regions.models import Region

    from .models import Provider

    codes: set[str] = set()
    for served in Provider.objects.filter(pk__in=scope.provider_ids).values_list("regions_served", flat=True):
        if not served:
            return Q()
        codes.update(served)
    q = Q(pk__in=[])
    for path in Region.objects.filter(code__in=codes).values_list("path", flat=True):
        q |= Q(**prefix_range("enterprise__county_id", path))
    return q
