"""The home page (工作台): each person's own work, assembled from the apps that own it.

This lives in the project package, beside urls.py and api.py, because it is the one page that composes every app:
`core` imports no domain app, and `accounts` sits below the apps it would have to call. The roles come from
accounts.policy; every section is a plain selector of the owning app rendering that app's own partial."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from accounts.policy import scope_of
from assessments import selectors as assessment_selectors
from catalog import selectors as catalog_selectors
from enterprises import selectors as enterprise_selectors
from reports import selectors as report_selectors


@login_required
def home(request):
    user = request.user
    scope = scope_of(user)
    context = {"scope": scope}
    if scope.is_authority:
        context["officer"] = enterprise_selectors.officer_workbench(user)
        context["officer_pool"] = catalog_selectors.officer_workbench(user)
    if scope.is_commissioner:
        context["commissioner"] = enterprise_selectors.commissioner_workbench(user)
    if scope.is_authority_or_commissioner:
        context["verification"] = assessment_selectors.verification_workbench(user)
    if scope.own_enterprise_ids:
        context["own_enterprises"] = enterprise_selectors.own_enterprises(user)
        context["enterprise_assessments"] = assessment_selectors.enterprise_workbench(user)
        context["enterprise_reports"] = report_selectors.enterprise_workbench(user)
        context["enterprise_needs"] = catalog_selectors.enterprise_workbench(user)
    if scope.provider_ids:
        context["provider"] = catalog_selectors.provider_workbench(user)
    if scope.is_authority_or_commissioner or scope.own_enterprise_ids:
        context["recent"] = enterprise_selectors.recent_events(user)
    return render(request, "home.html", context)
