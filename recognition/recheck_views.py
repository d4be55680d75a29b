"""Prerequisite re-checks of a programme over a region: start one (a background task), follow its progress, and
open the enterprises behind each outcome in the enterprise list (same filters and exports). Officers only; a run of
a region the officer does not govern is a 404."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of, under_paths
from enterprises.listing import list_page
from enterprises.models import Enterprise
from maturity.conditions import VERDICTS
from regions.models import Region

from . import services
from .models import PrerequisiteResult, PrerequisiteRun, Programme

OUTCOMES = ("met", "pending", "undeclared", "unknown", "not_met")


def governed_runs(user):
    scope = scope_of(user)
    if scope.is_admin:
        return PrerequisiteRun.objects.all()
    if not scope.officer_paths:
        raise PermissionDenied(_("申报条件核查仅对主管部门开放"))
    return PrerequisiteRun.objects.filter(under_paths("region_id", scope.officer_paths))


def regions_to_check(user, programme: Programme) -> list[Region]:
    """The regions an officer may re-check for this programme: the programme's own region if they govern it, and
    the regions they govern inside it."""
    scope = scope_of(user)
    paths = {p for p in scope.officer_paths if p.startswith(programme.region.path)}
    if scope.manages_code(programme.region_id):
        paths.add(programme.region.path)
    return list(Region.objects.filter(path__in=paths).order_by("code"))


@login_required
@require_POST
def recheck_start(request, pk: int):
    programme = get_object_or_404(Programme.objects.select_related("region"), pk=pk)
    region = get_object_or_404(Region, code=request.POST.get("region", ""))
    run = services.recheck_start(actor=request.user, programme=programme, region=region)
    messages.success(request, _("已开始核查，完成后本页显示结果"))
    return redirect("recognition:recheck", pk=run.pk)


@login_required
def recheck_detail(request, pk: int):
    run = get_object_or_404(governed_runs(request.user).select_related("programme", "region"), pk=pk)
    rows = []
    for outcome in OUTCOMES:
        n = run.counts.get(outcome, 0)
        link = reverse("recognition:recheck_enterprises", kwargs={"pk": run.pk}) + f"?outcome={outcome}"
        rows.append({"outcome": outcome, "verdict": VERDICTS[outcome], "n": n, "link": link})
    blockers = []
    if run.status == PrerequisiteRun.Status.DONE:
        from django.db.models import Count

        blockers = list(
            PrerequisiteResult.objects.filter(run=run).exclude(blockers="").values("blockers")
            .annotate(n=Count("pk")).order_by("-n")[:10]
        )  # fmt: skip
    context = {"run": run, "rows": rows, "blockers": blockers,
               "running": run.status in (PrerequisiteRun.Status.QUEUED, PrerequisiteRun.Status.RUNNING)}  # fmt: skip
    template = "recognition/_recheck_progress.html" if request.headers.get("HX-Request") else "recognition/recheck.html"
    return render(request, template, context)


@login_required
def recheck_enterprises(request, pk: int):
    """The enterprises of one outcome, as the enterprise list shows them (scope intersected there too)."""
    run = get_object_or_404(governed_runs(request.user).select_related("programme"), pk=pk)
    outcome = request.GET.get("outcome", "met")
    if outcome not in OUTCOMES:
        outcome = "met"
    within = Enterprise.objects.filter(
        pk__in=PrerequisiteResult.objects.filter(run=run, outcome=outcome).values("enterprise_id")
    )
    subset = {
        "title": _("“%(programme)s”申报条件核查：%(verdict)s") % {"programme": run.programme.name,
                                                                "verdict": VERDICTS[outcome]},
        "back_url": reverse("recognition:recheck", kwargs={"pk": run.pk}),
        "back_label": _("返回核查结果"),
        "list_url": reverse("recognition:recheck_enterprises", kwargs={"pk": run.pk}),
    }  # fmt: skip
    return list_page(request, within=within, subset=subset)
