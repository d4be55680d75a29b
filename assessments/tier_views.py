"""The tier self-check page and the declarations on it: the enterprise declares a fact with evidence, an officer
or commissioner confirms or rejects it. Each view: permission helper → one service → redirect or render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.uploads import UploadError, stored_file_response
from enterprises.access import get_enterprise_for_user

from . import tiers
from .models import TierFactEvidence
from .tier_forms import DeclareForm, RejectForm
from .tier_services import TierFactError, tier_fact_confirm, tier_fact_declare, tier_fact_reject


def _page(request, enterprise, *, failed_key: str | None = None, failed_form=None, status: int = 200):
    evaluation, cmmm = tiers.check(enterprise)
    rows = tiers.fact_rows(enterprise)
    may_declare = tiers.can_declare(request.user, enterprise)
    if may_declare:
        for row in rows:
            row.form = failed_form if row.key == failed_key else DeclareForm(fact=row.fact, prefix=row.key)
    context = {
        "e": enterprise,
        "evaluation": evaluation,
        "cmmm": cmmm,
        "ai": tiers.ai_scenes(enterprise),
        "rows": rows,
        "model": tiers.tier_model(),
        "can_declare": may_declare,
        "can_review": tiers.can_review(request.user, enterprise),
        "reject_form": RejectForm(),
        "failed_key": failed_key,
    }
    return render(request, "assessments/tiers.html", context, status=status)


@login_required
def tier_page(request, pk: int):
    return _page(request, get_enterprise_for_user(request.user, pk))


def _back(fact_or_enterprise_pk: int, key: str = ""):
    url = reverse("assessments:tiers", args=[fact_or_enterprise_pk])
    return redirect(f"{url}#fact-{key}" if key else url)


@login_required
@require_POST
def fact_declare(request, pk: int, key: str):
    enterprise = get_enterprise_for_user(request.user, pk)
    if not tiers.can_declare(request.user, enterprise):
        raise PermissionDenied(_("只有企业本身可以申报梯度条件事项"))
    model = tiers.tier_model()
    if key not in tiers.declared_keys(enterprise):
        raise Http404(_("没有这项申报事项"))
    form = DeclareForm(request.POST, request.FILES, fact=model.facts[key], prefix=key)
    if form.is_valid():
        try:
            tier_fact_declare(
                actor=request.user,
                enterprise=enterprise,
                key=key,
                value=form.cleaned_data["value"],
                note=form.cleaned_data["note"],
                files=form.cleaned_data["evidence"],
            )
        except (TierFactError, UploadError) as exc:
            form.add_error("evidence" if isinstance(exc, UploadError) else None, str(exc))
        else:
            messages.success(request, _("已申报，待主管部门或数字专员确认"))
            return _back(enterprise.pk, key)
    return _page(request, enterprise, failed_key=key, failed_form=form, status=422)


@login_required
@require_POST
def fact_confirm(request, pk: int):
    fact = tiers.get_fact_for_user(request.user, pk, "review")
    try:
        tier_fact_confirm(actor=request.user, fact=fact)
    except TierFactError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已确认该申报"))
    return _back(fact.enterprise_id, fact.key)


@login_required
@require_POST
def fact_reject(request, pk: int):
    fact = tiers.get_fact_for_user(request.user, pk, "review")
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("退回须说明原因"))
        return _back(fact.enterprise_id, fact.key)
    try:
        tier_fact_reject(actor=request.user, fact=fact, reason=form.cleaned_data["reason"])
    except TierFactError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已退回该申报"))
    return _back(fact.enterprise_id, fact.key)


@login_required
def fact_evidence(request, pk: int, evidence_pk: int):
    fact = tiers.get_fact_for_user(request.user, pk)
    ev = get_object_or_404(TierFactEvidence, pk=evidence_pk, fact=fact)
    return stored_file_response(ev.file, filename=ev.original_name, content_type=ev.content_type)
