"""Reads for the workbench: what an officer governs and what a commissioner is assigned, with the queues they work.

Each function returns a plain dict for one template partial of this app (templates/enterprises/_workbench_*.html);
the home page (tidu.home) decides which of them a person sees, by role."""

from django.db.models import Count, Q, Sum

from accounts.models import Membership
from accounts.policy import scope_of
from core.models import UploadJob
from regions.models import prefix_range

from .models import Enterprise, EnterpriseCount, EnterpriseEvent, ImportJob

QUEUE_ROWS = 5


def officer_workbench(user) -> dict:
    """The archive at a glance, and the enterprise imports this officer uploaded that wait for their confirmation."""
    visible = Enterprise.objects.visible_to(user)
    totals = visible.aggregate(
        total=Count("id"),
        above=Count("id", filter=Q(is_above_scale=True)),
        large_medium=Count("id", filter=Q(size_class__in=["large", "medium"])),
        small_micro=Count("id", filter=Q(size_class__in=["small", "micro"])),
    )
    waiting = ImportJob.objects.visible_to(user).filter(status=UploadJob.Status.READY).order_by("-created_at")
    return {
        "totals": totals,
        "imports_ready": list(waiting[:QUEUE_ROWS]),
        "imports_ready_count": waiting.count(),
    }


def commissioner_workbench(user) -> dict:
    """The enterprises assigned to this commissioner by name (their regional coverage is a scope, not a worklist)."""
    scope = scope_of(user)
    assigned = (
        Enterprise.objects.active()
        .filter(
            pk__in=Membership.assigned_enterprises.through.objects.filter(
                membership_id__in=scope.commissioner_membership_ids
            ).values("enterprise_id")
        )
        .select_related("county")
        .order_by("name")
    )
    return {"assigned": list(assigned[:20]), "assigned_count": assigned.count()}


def recent_events(user, limit: int = 10) -> list[EnterpriseEvent]:
    """The latest timeline entries this user may read: internal notes stay with the governing side."""
    return list(
        EnterpriseEvent.objects.visible_to(user).select_related("enterprise", "actor").order_by("-at", "-id")[:limit]
    )


def own_enterprises(user) -> list[Enterprise]:
    """The enterprises this user speaks for (usually one)."""
    ids = scope_of(user).own_enterprise_ids
    return list(Enterprise.objects.active().filter(pk__in=ids).select_related("county", "industry").order_by("pk"))


def _narrowest(paths) -> list[str]:
    kept: list[str] = []
    for path in sorted(set(paths), key=len):
        if not any(path.startswith(k) for k in kept):
            kept.append(path)
    return kept


def regional_count(user, region_path: str = "") -> int | None:
    """The exact number of active enterprises `user` sees under `region_path` ("" for their whole scope), read from
    the per-county counts the database keeps (EnterpriseCount), or None when the scope is not made of regions alone
    (an enterprise's own record, a commissioner's named assignments): the caller then counts rows.

    Same rows as `Enterprise.objects.visible_to(user).in_region(region_path).count()`: an officer's or commissioner's
    scope is a set of county-code prefixes over active enterprises, and so is this sum."""
    scope = scope_of(user)
    if scope.own_enterprise_ids or scope.commissioner_membership_ids:
        return None
    paths = [""] if scope.is_admin else _narrowest(scope.officer_paths + scope.commissioner_paths)
    wanted = []
    for path in paths:
        if region_path.startswith(path):
            wanted.append(region_path)  # the region lies inside this subtree
        elif path.startswith(region_path):
            wanted.append(path)  # this subtree lies inside the region
    if not wanted:
        return 0
    q = Q(pk__in=[])
    for path in _narrowest(wanted):
        q |= Q(**prefix_range("county_code", path))
    return EnterpriseCount.objects.filter(q).aggregate(n=Sum("active"))["n"] or 0
