"""Reads and scoping for the archive. `visible_to(user)` is the only way a page, API call or export gets rows."""

from django.db import models
from django.db.models import Q

from accounts.models import Membership
from accounts.policy import Scope, scope_of
from regions.models import prefix_range


def _paths_q(field: str, paths: tuple[str, ...]) -> Q:
    q = Q(pk__in=[])
    for path in paths:
        q |= Q(**prefix_range(field, path))
    return q


def _assigned_q(scope: Scope) -> Q:
    """Enterprises assigned by name to the user's commissioner memberships (a subquery: no duplicate rows)."""
    through = Membership.assigned_enterprises.through.objects
    return Q(pk__in=through.filter(membership_id__in=scope.commissioner_membership_ids).values("enterprise_id"))


class EnterpriseQuerySet(models.QuerySet):
    def active(self) -> "EnterpriseQuerySet":
        return self.filter(removed_at__isnull=True)

    def visible_to(self, user, *, within: str = "") -> "EnterpriseQuerySet":
        """`within`: only the region with this code prefix. When the region lies inside a scope made of regions
        alone, the scope adds nothing and is left out: SQLite reads one range of county codes per query, and would
        otherwise walk the whole province's range for a province officer looking at one county."""
        scope = scope_of(user)
        if scope.is_admin:
            return self.active().in_region(within) if within else self.active()
        paths = scope.officer_paths + scope.commissioner_paths
        regional = not scope.own_enterprise_ids and not scope.commissioner_membership_ids
        if within and regional and any(within.startswith(path) for path in paths):
            return self.active().in_region(within)
        qs = self.active().filter(self._scope_q(scope, user))
        return qs.in_region(within) if within else qs

    @staticmethod
    def _scope_q(scope: Scope, user) -> Q:
        q = _paths_q("county_id", scope.officer_paths) | _paths_q("county_id", scope.commissioner_paths)
        if scope.own_enterprise_ids:
            q |= Q(pk__in=scope.own_enterprise_ids)
        if scope.commissioner_membership_ids:
            q |= _assigned_q(scope)
        return q

    def contacts_visible_to(self, user) -> "EnterpriseQuerySet":
        """Enterprises whose contacts (personal data) this user may read: its officers, itself, and
        commissioners assigned to it by name — not commissioners who only cover its region."""
        scope = scope_of(user)
        if scope.is_admin:
            return self.active()
        q = _paths_q("county_id", scope.officer_paths)
        if scope.own_enterprise_ids:
            q |= Q(pk__in=scope.own_enterprise_ids)
        if scope.commissioner_membership_ids:
            q |= _assigned_q(scope)
        return self.active().filter(q)

    def in_region(self, path: str) -> "EnterpriseQuerySet":
        return self.filter(**prefix_range("county_id", path))

    def search(self, text: str) -> "EnterpriseQuerySet":
        """Name, former name, credit code, or pinyin initials ("jxhl" finds 江西华联)."""
        text = text.strip()
        if not text:
            return self
        q = Q(name__icontains=text) | Q(credit_code__startswith=text.upper())
        if text.isascii() and text.isalpha():
            q |= Q(name_initials__startswith=text.upper())
        else:
            q |= Q(former_names__icontains=text)
        return self.filter(q)


SHARED = "shared"  # Visibility.SHARED; models.py imports this module, so the value is spelt out here


def internal_hidden_from(scope: Scope) -> frozenset[int]:
    """The enterprises whose internal entries this user must not read: the ones they speak for. Whoever holds an
    enterprise membership is that enterprise, even if they also hold an officer or commissioner role over it; only
    the platform admin is exempt. Every other enterprise a user can see at all, they see as a governing side
    (officer, commissioner or expert), so they read its internal entries too."""
    return frozenset() if scope.is_admin else scope.own_enterprise_ids


def sees_internal(user, enterprise) -> bool:
    """May `user` read the internal notes, findings and timeline entries of `enterprise`?"""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if enterprise.pk in internal_hidden_from(scope):
        return False
    return enterprise.__class__.objects.visible_to(user).filter(pk=enterprise.pk).exists()


class EnterpriseEntryQuerySet(models.QuerySet):
    """Rows that belong to an enterprise and carry a `visibility` (timeline events, findings). `visible_to` applies
    both rules at once: the enterprise must be in the user's scope, and internal rows are left out for the
    enterprise's own users (and anyone outside scope, who gets nothing at all)."""

    def visible_to(self, user) -> "EnterpriseEntryQuerySet":
        enterprises = self.model._meta.get_field("enterprise").related_model.objects.visible_to(user)
        qs = self.filter(enterprise__in=enterprises.order_by().values("pk"))
        hidden = internal_hidden_from(scope_of(user))
        if hidden:
            qs = qs.filter(Q(visibility=SHARED) | ~Q(enterprise_id__in=hidden))
        return qs

    def shared(self) -> "EnterpriseEntryQuerySet":
        """What the enterprise itself may read, whoever is asking (reports it will receive, for instance)."""
        return self.filter(visibility=SHARED)


class EnterpriseEventQuerySet(EnterpriseEntryQuerySet):
    pass


class _GroupingQuerySet(models.QuerySet):
    def visible_to(self, user) -> "models.QuerySet":
        """Officers see groupings in their subtree and those of the regions above them (a provincial cluster
        spans their city); enterprises see the groupings they belong to."""
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        q = _paths_q("region_id", scope.officer_paths)
        for path in scope.officer_paths:
            ancestors = [path[:2] + "0000", path[:4] + "00"] if len(path) > 2 else []
            q |= Q(region_id__in=[code for code in ancestors if not code.startswith(path)])
        if scope.own_enterprise_ids:
            q |= Q(
                pk__in=self.model.members.through.objects.filter(enterprise_id__in=scope.own_enterprise_ids).values(
                    self.model.__name__.lower() + "_id"
                )
            )
        return self.filter(q)

    def managed_by(self, user) -> "models.QuerySet":
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        return self.filter(_paths_q("region_id", scope.officer_paths))


class ClusterQuerySet(_GroupingQuerySet):
    pass


class ChainQuerySet(_GroupingQuerySet):
    pass


class ImportJobQuerySet(models.QuerySet):
    def visible_to(self, user) -> "ImportJobQuerySet":
        scope = scope_of(user)
        if scope.is_admin:
            return self.all()
        if not scope.is_officer:
            return self.none()
        return self.filter(created_by=user)
