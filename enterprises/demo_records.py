"""What the synthetic demo data consists of, how to list its logins, and how to remove it again.

Kept apart from the generator (demo.py) so that commands and tests can inspect or clear demo data cheaply."""

from accounts.models import Role, User
from catalog.models import Provider

from .models import (
    Chain,
    ChainMembership,
    Cluster,
    ClusterMembership,
    Contact,
    Enterprise,
    EnterpriseEvent,
    EnterpriseFigures,
    EnterpriseLabel,
)

DEFAULT_PASSWORD = "Tidu-demo-2026!"  # noqa: S105 -- the documented demo password, printed at the end
DEMO_EMAIL_DOMAIN = "demo.tidu.example"
DEMO_USERS = ("admin", "province", "city", "county", "othercity", "enterprise", "provider", "commissioner", "expert")
BATCH = 2000


def synthetic(**filters):
    return Enterprise.objects.filter(is_synthetic=True, **filters)


def demo_users():
    return User.objects.filter(username__in=DEMO_USERS, email__iendswith="@" + DEMO_EMAIL_DOMAIN)


def demo_logins() -> list[tuple[str, str, str]]:
    """(username, role, scope) for each demo login that exists, in a fixed order, for the printout."""
    users = {
        u.username: u
        for u in demo_users().prefetch_related(
            "memberships__region", "memberships__enterprise", "memberships__provider"
        )
    }
    rows = []
    for username in DEMO_USERS:
        user = users.get(username)
        if user is None:
            continue
        for m in sorted(user.memberships.all(), key=lambda m: m.pk):
            if m.role == Role.ADMIN:
                scope = "全平台"
            elif m.role == Role.ENTERPRISE:
                scope = m.enterprise.name if m.enterprise else ""
            elif m.role == Role.PROVIDER:
                scope = m.provider.name if m.provider else ""
            elif m.role == Role.COMMISSIONER:
                scope = f"{m.region.full_name if m.region else ''}，另指定企业 {m.assigned_enterprises.count()} 家"
            elif m.role == Role.EXPERT:
                scope = "专家（无区域范围）"
            else:
                scope = m.region.full_name if m.region else ""
            rows.append((username, str(m.get_role_display()), scope))
    return rows


def synthetic_counts() -> dict[str, int]:
    return {
        "enterprises": Enterprise.objects.filter(is_synthetic=True).count(),
        "clusters": Cluster.objects.filter(is_synthetic=True).count(),
        "chains": Chain.objects.filter(is_synthetic=True).count(),
        "providers": Provider.objects.filter(is_synthetic=True).count(),
        "users": demo_users().count(),
    }


def delete_synthetic() -> None:
    """Remove every synthetic row and the demo users. Real rows are never selected."""
    demo_users().delete()
    Cluster.objects.filter(is_synthetic=True).delete()
    Chain.objects.filter(is_synthetic=True).delete()
    # The large child tables go in one statement each, so deleting the enterprises themselves stays cheap.
    for model in (EnterpriseFigures, EnterpriseLabel, Contact, EnterpriseEvent, ClusterMembership, ChainMembership):
        model.objects.filter(enterprise__is_synthetic=True).delete()
    ids = list(Enterprise.objects.filter(is_synthetic=True).order_by("pk").values_list("pk", flat=True))
    for start in range(0, len(ids), BATCH):
        Enterprise.objects.filter(pk__in=ids[start : start + BATCH]).delete()
    Provider.objects.filter(is_synthetic=True).delete()
