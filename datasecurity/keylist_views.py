"""Pages of the key networked-enterprise list: the list with filters and export (XLSX, CSV; formulas neutralised by
core.exports), the archive's candidates for the regulator, an enterprise's proposal, and one entry with its history
and the regulator's steps (list, change level, remove). Scoping in querysets, writes in datasecurity.keylist."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of, under_paths
from core.exports import download
from enterprises.models import Enterprise

from . import access, keylist
from .forms import KeyListForm, ProposeForm, ReasonForm
from .models import KeyEnterprise, ProtectionLevel
from .selectors import own_enterprise
from .views import _errors, _history

FILTERS = ("status", "city", "level", "industry", "q")


def _filters(request) -> dict:
    return {k: request.GET.get(k, "").strip()[:100] for k in FILTERS}


@login_required
def key_index(request):
    scope = scope_of(request.user)
    enterprise = own_enterprise(request.user)
    if enterprise is None and not scope.is_authority:
        raise Http404
    filters = _filters(request)
    now = timezone.now()
    rows = list(keylist.entries(request.user, **filters)[:500])
    for e in rows:
        e.assessment_due, e.assessment_overdue = keylist.assessment_due(e, now)
    return render(request, "datasecurity/keylist.html", {
        "rows": rows, "filters": filters, "statuses": KeyEnterprise.Status.choices,
        "levels": ProtectionLevel.choices, "candidates": keylist.candidates(request.user),
        "candidate_rule": keylist.CANDIDATE_RULE, "enterprise": enterprise, "list_form": KeyListForm(),
        "own_entry": KeyEnterprise.objects.filter(enterprise=enterprise).first() if enterprise else None,
        "query": request.GET.urlencode(), "cities": _cities(request.user), **_publication_context(request.user),
    })  # fmt: skip


def _publication_context(user) -> dict:
    """已公布: the latest publication the user may see, with the entries of its regions (an enterprise: its own);
    待公布: for the province officer, what changed since then."""
    publication = keylist.publications(user).order_by("-published_at", "-pk").first()
    province = keylist.publishing_province(user)
    context = {
        "publication": publication,
        "can_publish": province is not None,
        "pending": None,
        "published_rows": list(keylist.published_entries(user, publication)[:500]) if publication else [],
    }
    if province is not None:
        context["pending"] = keylist.pending(province)
        context["pending_count"] = sum(len(v) for v in context["pending"].values())
    return context


def _cities(user) -> list:
    from regions.models import Region

    scope = scope_of(user)
    rows = Region.objects.filter(level=Region.Level.CITY, is_active=True)
    if not scope.is_admin:
        rows = rows.filter(under_paths("code", [p[:4] if len(p) > 4 else p for p in scope.officer_paths]))
    return list(rows.order_by("code").values_list("path", "name")[:100])


@login_required
def key_export(request, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    if own_enterprise(request.user) is None and not scope_of(request.user).is_authority:
        raise Http404
    rows = keylist.entries(request.user, **_filters(request))
    now = timezone.now()
    return download(fmt, f"key-enterprises-{timezone.localtime():%Y%m%d-%H%M}", keylist.export_headers(),
                    keylist.export_rows(rows.iterator(), now), _("重点联网工业企业"))  # fmt: skip


@login_required
def key_propose(request):
    enterprise = own_enterprise(request.user)
    if enterprise is None:
        raise Http404
    entry = KeyEnterprise.objects.filter(enterprise=enterprise).first()
    form = ProposeForm(request.POST or None, instance=entry)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            entry = keylist.key_propose(actor=request.user, enterprise=enterprise, **data)
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("已提交申报，等待主管部门审核"))
            return redirect("datasecurity:key_entry", entry.pk)
    return render(request, "datasecurity/key_propose.html", {"form": form, "entry": entry})


@login_required
@require_POST
def key_add(request):
    """The regulator lists an enterprise of the archive (a candidate) directly."""
    scope = scope_of(request.user)
    if not scope.is_authority:
        raise Http404
    visible = (
        Enterprise.objects.all()
        if scope.is_admin
        else Enterprise.objects.filter(under_paths("county_id", scope.officer_paths))
    )
    pk = request.POST.get("enterprise", "")
    if not pk.isdigit():
        raise Http404
    enterprise = get_object_or_404(visible, pk=int(pk))
    form = KeyListForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("请选择防护等级并说明理由"))
        entry = keylist.key_list(actor=request.user, enterprise=enterprise, **form.cleaned_data)
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("datasecurity:key_index")
    messages.success(request, _("已列入清单"))
    return redirect("datasecurity:key_entry", entry.pk)


def _entry_for_user(user, pk: int) -> KeyEnterprise:
    return get_object_or_404(KeyEnterprise.objects.visible_to(user).select_related("enterprise__county"), pk=pk)


@login_required
def key_entry(request, pk: int):
    entry = _entry_for_user(request.user, pk)
    return render(request, "datasecurity/key_entry.html", {
        "entry": entry, "history": _history(key_entry=entry), "list_form": KeyListForm(
            initial={"protection_level": entry.protection_level}), "reason_form": ReasonForm(),
        "regulator": access.is_regulator(request.user, entry.region_code),
        "own": access.is_own(request.user, entry.enterprise_id),
    })  # fmt: skip


@login_required
@require_POST
def key_act(request, pk: int, action: str):
    if action not in ("list", "level", "remove"):
        raise Http404
    entry = _entry_for_user(request.user, pk)
    reason = request.POST.get("reason", "")
    level = request.POST.get("protection_level", "")
    try:
        if action == "list":
            keylist.key_list(actor=request.user, enterprise=entry.enterprise, protection_level=level, reason=reason)
        elif action == "level":
            keylist.key_set_level(actor=request.user, entry=entry, protection_level=level, reason=reason)
        else:
            keylist.key_remove(actor=request.user, entry=entry, reason=reason)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已办理"))
    return redirect("datasecurity:key_entry", pk)


@login_required
@require_POST
def key_publish(request):
    if keylist.publishing_province(request.user) is None:
        if not scope_of(request.user).is_authority and own_enterprise(request.user) is None:
            raise Http404
        raise PermissionDenied
    try:
        publication = keylist.key_publish(actor=request.user, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, _errors(error))
        return redirect("datasecurity:key_index")
    messages.success(request, _("已公布第 %(number)s 期清单") % {"number": publication.number})
    return redirect("datasecurity:key_publication", publication.pk)


@login_required
def key_publication(request, pk: int):
    publication = get_object_or_404(keylist.publications(request.user), pk=pk)
    rows = list(keylist.published_entries(request.user, publication).select_related("enterprise__county")[:2000])
    return render(request, "datasecurity/key_publication.html", {
        "publication": publication, "rows": rows,
        "older": keylist.publications(request.user).filter(province=publication.province).order_by("-number")[:20],
    })  # fmt: skip


@login_required
def key_publication_export(request, pk: int, fmt: str):
    if fmt not in ("xlsx", "csv"):
        raise Http404
    publication = get_object_or_404(keylist.publications(request.user), pk=pk)
    rows = list(keylist.published_entries(request.user, publication))
    return download(fmt, f"key-list-{publication.province}-{publication.number:03d}", keylist.publication_headers(),
                    keylist.publication_rows(publication, rows), _("已公布清单"))  # fmt: skip
