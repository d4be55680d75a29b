"""Reads and scoping for findings: the same two rules as the enterprise timeline (region scope, then visibility)."""

from enterprises.querysets import EnterpriseEntryQuerySet


class FindingQuerySet(EnterpriseEntryQuerySet):
    def current(self) -> "FindingQuerySet":
        return self.filter(removed_at__isnull=True)
