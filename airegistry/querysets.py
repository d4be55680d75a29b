"""Who sees which registry entry.

The developer's own users (its enterprise's or its provider's): every entry of theirs, drafts included. Officers of
the developer's region or above: entries once submitted. Everyone, signed in or not: published entries (the public
directory). The admin: all. Anything else is a 404 in the pages and the API; "may see, may not act" is a 403 raised
by the services."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from accounts.policy import scope_of, under_paths


class EntryQuerySet(models.QuerySet):
    def published(self) -> EntryQuerySet:
        return self.filter(status="published")

    def own(self, user) -> EntryQuerySet:
        """Entries the user registers as a developer (their enterprise's or provider's)."""
        scope = scope_of(user)
        return self.filter(Q(developer_enterprise_id__in=scope.own_enterprise_ids)
                           | Q(developer_provider_id__in=scope.provider_ids))  # fmt: skip

    def visible_to(self, user) -> EntryQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        q = Q(status="published")
        q |= Q(developer_enterprise_id__in=scope.own_enterprise_ids) | Q(developer_provider_id__in=scope.provider_ids)
        q |= under_paths("region_id", scope.officer_paths) & Q(submitted_at__isnull=False)
        return self.filter(q)

    def reviewable_by(self, user) -> EntryQuerySet:
        """Entries this officer reviews or publishes: submitted ones in the officer's regions (all for the admin)."""
        scope = scope_of(user)
        base = self.filter(submitted_at__isnull=False)
        return base if scope.is_admin else base.filter(under_paths("region_id", scope.officer_paths))

    def matching(self, *, q: str = "", kind: str = "", industry: str = "", link: str = "", modality: str = "",
                 autonomy: str = "", **_ignored) -> EntryQuerySet:  # fmt: skip
        """The directory's filters (each optional): a keyword, kind, industry division, value-chain link, modality,
        agent autonomy level."""
        queryset = self
        if q := (q or "").strip():
            queryset = queryset.filter(Q(name__icontains=q) | Q(summary__icontains=q) | Q(base_model__icontains=q)
                                       | Q(developer_enterprise__name__icontains=q)
                                       | Q(developer_provider__name__icontains=q))  # fmt: skip
        if kind:
            queryset = queryset.filter(kind=kind)
        # Codes are stored as JSON lists; a quoted code matches one element exactly on SQLite and PostgreSQL alike.
        if industry:
            queryset = queryset.filter(industries__icontains=f'"{industry}"')
        if link:
            queryset = queryset.filter(links__icontains=f'"{link}"')
        if modality:
            queryset = queryset.filter(modality=modality)
        if autonomy:
            queryset = queryset.filter(kind="agent", autonomy_level=int(autonomy))
        return queryset
