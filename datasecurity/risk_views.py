"""Pages of risk assessments and AI safety-risk reports: the list (own, or the officer's regions, with the yearly
roll-up per city), recording one, and one report with filing and rectification. Scoping in querysets, writes in
datasecurity.risk."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of

from . import access, clocks, risk
from .forms import RiskForm
from .models import RiskAssessment
from .selectors import own_enterprise
from .views import _errors, _history, _rules_context


@login_required
def risk_list(request):
    scope = scope_of(request.user)
    enterprise = own_enterprise(request.user)
    if enterprise is None and not scope.is_authority:
        raise Http404
    now = timezone.now()
    rows = RiskAssessment.objects.visible_to(request.user).select_related("enterprise")
    kind = request.GET.get("kind", "")
    if kind in RiskAssessment.Kind.values:
        rows = rows.filter(kind=kind)
    rollup = []
    if scope.is_authority:
        from regions.models import Region

        rollup = risk.rollup(request.user, timezone.localtime(now).year, now)
        names = dict(Region.objects.filter(code__in=[r["city"].ljust(6, "0") for r in rollup])
                     .values_list("code", "name"))  # fmt: skip
        for r in rollup:
            r["name"] = names.get(r["city"].ljust(6, "0"), r["city"])
    return render(request, "datasecurity/risks.html", {
        "rows": list(rows[:200]), "kind": kind, "kinds": RiskAssessment.Kind.choices, "rollup": rollup,
        "year": timezone.localtime(now).year, "rollup_date": clocks.shipped().risk_rollup, "now": now,
        "enterprise": enterprise, **_rules_context(),
    })  # fmt: skip


@login_required
def risk_new(request):
    enterprise = own_enterprise(request.user)
    if enterprise is None:
        raise Http404
    types = risk.ai_risk_types()
    form = RiskForm(request.POST or None, risk_types=types, initial={"kind": request.GET.get("kind", "data")})
    if request.method == "POST" and form.is_valid():
        try:
            assessment = risk.risk_record(actor=request.user, enterprise=enterprise, **form.cleaned_data)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("已登记，请在报送期限前报送"))
            return redirect("datasecurity:risk", assessment.pk)
    return render(request, "datasecurity/risk_form.html", {"form": form})


def _risk_for_user(user, pk: int) -> RiskAssessment:
    return get_object_or_404(RiskAssessment.objects.visible_to(user).select_related("enterprise__county"), pk=pk)


@login_required
def risk_detail(request, pk: int):
    assessment = _risk_for_user(request.user, pk)
    types = risk.ai_risk_types()
    return render(request, "datasecurity/risk.html", {
        "a": assessment, "own": access.is_own(request.user, assessment.enterprise_id), "now": timezone.now(),
        "risk_names": [types.get(c, c) for c in assessment.risk_types], "history": _history(assessment=assessment),
    })  # fmt: skip


@login_required
@require_POST
def risk_act(request, pk: int, action: str):
    if action not in ("file", "rectify"):
        raise Http404
    assessment = _risk_for_user(request.user, pk)
    try:
        if action == "file":
            risk.risk_file(actor=request.user, assessment=assessment)
        else:
            risk.risk_rectify(actor=request.user, assessment=assessment,
                              rectification=request.POST.get("rectification", ""))  # fmt: skip
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已办理"))
    return redirect("datasecurity:risk", pk)
