"""Emergency-drill pages: the list (the enterprise's own, a regulator's region with the yearly count per city),
planning with injects, and one drill — start, log decisions, finish with findings and score, after-action items,
retest. Thin: scoping in querysets (another region's drill is a 404), writes in datasecurity.drills."""

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

from . import access, drills, selectors
from .forms import ActionForm, DecisionForm, DrillForm, FinishForm, InjectFormSet
from .models import Drill
from .selectors import own_enterprise
from .views import _errors, _history


def _drill_for_user(user, pk: int) -> Drill:
    return get_object_or_404(Drill.objects.visible_to(user).select_related("enterprise"), pk=pk)


@login_required
def drill_list(request):
    scope = scope_of(request.user)
    enterprise = own_enterprise(request.user)
    if enterprise is None and not scope.is_authority:
        raise Http404
    year = timezone.localtime().year
    rows = Drill.objects.visible_to(request.user).select_related("enterprise")
    scenario = request.GET.get("scenario", "")
    if scenario:
        rows = rows.filter(scenario=scenario)
    by_city = []
    if scope.is_authority:
        from regions.models import Region

        counts = selectors.drills_by_city(request.user, year)
        names = dict(Region.objects.filter(code__in=[c.ljust(6, "0") for c in counts]).values_list("code", "name"))
        by_city = [{"city": c, "name": names.get(c.ljust(6, "0"), c), **d} for c, d in sorted(counts.items())]
    return render(request, "datasecurity/drills.html", {
        "drills": list(rows[:200]), "by_city": by_city, "year": year, "scenario": scenario,
        "scenarios": Drill._meta.get_field("scenario").choices,
        "may_plan": enterprise is not None or scope.is_officer,
    })  # fmt: skip


@login_required
def drill_new(request):
    enterprise = own_enterprise(request.user)
    if enterprise is None and not scope_of(request.user).is_officer:
        raise Http404
    retest_of = None
    retest = request.GET.get("retest") or request.POST.get("retest") or ""
    if retest:
        if not retest.isdigit():
            raise Http404
        retest_of = _drill_for_user(request.user, int(retest))
    initial = {}
    if retest_of is not None:
        initial = {"title": _("%(title)s（复测）") % {"title": retest_of.title}, "scenario": retest_of.scenario,
                   "participants": retest_of.participants}  # fmt: skip
    form = DrillForm(request.POST or None, initial=initial)
    injects = InjectFormSet(request.POST or None, prefix="inject", initial=[
        {"text": i.text, "expected": i.expected, "deadline_minutes": i.deadline_minutes}
        for i in (retest_of.injects.all() if retest_of else [])] or None)  # fmt: skip
    if request.method == "POST" and form.is_valid() and injects.is_valid():
        data = form.cleaned_data
        try:
            drill = drills.drill_plan(
                actor=request.user, enterprise=enterprise, title=data["title"], scenario=data["scenario"],
                planned_on=data["planned_on"], participants=data["participants"], retest_of=retest_of,
                injects=[f.cleaned_data for f in injects if f.cleaned_data],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("已制定演练计划"))
            return redirect("datasecurity:drill", drill.pk)
    return render(request, "datasecurity/drill_form.html", {"form": form, "injects": injects, "retest_of": retest_of})


@login_required
def drill_detail(request, pk: int):
    drill = _drill_for_user(request.user, pk)
    holder = access.is_holder(request.user, drill.enterprise_id, drill.region_code)
    injects = list(drill.injects.all())
    for i in injects:
        i.form = DecisionForm(initial={"decision": i.decision, "met": bool(i.met)}, prefix=f"i{i.pk}")
    return render(request, "datasecurity/drill.html", {
        "drill": drill, "holder": holder, "injects": injects, "actions": list(drill.actions.all()),
        "history": _history(drill=drill), "finish_form": FinishForm(), "action_form": ActionForm(),
        "retests": list(drill.retests.all()), "today": timezone.localdate(),
    })  # fmt: skip


ACTIONS = {"start", "decide", "finish", "action", "action_done"}


@login_required
@require_POST
def drill_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    drill = _drill_for_user(request.user, pk)
    post = request.POST
    try:
        if action == "start":
            drills.drill_start(actor=request.user, drill=drill)
        elif action == "decide":
            inject = int(post.get("inject") or 0)
            prefix = f"i{inject}-"
            drills.drill_decide(actor=request.user, drill=drill, inject_id=inject,
                                decision=post.get(prefix + "decision", ""),
                                met=bool(post.get(prefix + "met")))  # fmt: skip
        elif action == "finish":
            drills.drill_finish(actor=request.user, drill=drill, findings=post.get("findings", ""))
        elif action == "action":
            form = ActionForm(post)
            if not form.is_valid():
                raise ValidationError(_("整改事项须写明事项、责任人和完成期限"))
            drills.drill_action_add(actor=request.user, drill=drill, **form.cleaned_data)
        else:
            drills.drill_action_done(actor=request.user, drill=drill, action_id=int(post.get("action") or 0))
    except ValidationError as error:
        messages.error(request, _errors(error))
    except ValueError:
        raise Http404 from None
    else:
        messages.success(request, _("已办理"))
    return redirect("datasecurity:drill", pk)
