from django.contrib.auth.decorators import login_required
from django.db.models import Count, Q
from django.shortcuts import redirect, render

from accounts.policy import scope_of
from enterprises.models import Enterprise, EnterpriseEvent


@login_required
def home(request):
    """The start page: what the user governs at a glance, or straight to their own enterprise."""
    scope = scope_of(request.user)
    if scope.own_enterprise_ids and not (scope.is_officer or scope.is_admin or scope.is_commissioner):
        return redirect("enterprises:detail", pk=min(scope.own_enterprise_ids))
    visible = Enterprise.objects.visible_to(request.user)
    totals = visible.aggregate(
        total=Count("id"),
        above=Count("id", filter=Q(is_above_scale=True)),
        large=Count("id", filter=Q(size_class="large")),
        medium=Count("id", filter=Q(size_class="medium")),
        small=Count("id", filter=Q(size_class="small")),
        micro=Count("id", filter=Q(size_class="micro")),
    )
    recent = (
        EnterpriseEvent.objects.filter(enterprise__in=visible.order_by().values("pk"))
        .select_related("enterprise", "actor")
        .order_by("-at", "-id")[:12]
    )
    return render(request, "core/home.html", {"totals": totals, "recent": recent, "scope": scope})
