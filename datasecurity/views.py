"""Data-security pages for enterprises and regulators: data assets and the guided grading check, the catalogue
filing (submission, review, resubmission, versions, attestation), incidents with both report clocks, the overdue
lists and the provincial overview.

Thin: scoping in datasecurity.querysets (another region's or enterprise's object is a 404), writes in
datasecurity.services (PermissionDenied — a 403 — for one who may see but not act; ValidationError shown as a
message for a move the state refuses)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.policy import scope_of

from . import access, calendar, clocks, grading, selectors, services
from .events import ACTION_TEXT
from .forms import AssetForm, CloseForm, GradeForm, IncidentForm, ReviewForm, TextForm
from .models import Category, DataAsset, Event, Filing, Incident, Level
from .selectors import own_enterprise


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


def _history(**filters) -> list[dict]:
    return [{"e": e, "text": ACTION_TEXT.get(e.action, e.action)}
            for e in Event.objects.filter(**filters).select_related("actor")]  # fmt: skip


def _rules_context() -> dict:
    return {"rules": clocks.shipped(), "calendar_provisional": calendar.current().provisional}


@login_required
def index(request):
    scope = scope_of(request.user)
    now = timezone.now()
    enterprise = own_enterprise(request.user)
    context = {"enterprise": enterprise, "now": now, **_rules_context()}
    if enterprise is not None:
        context["assets"] = list(DataAsset.objects.filter(enterprise=enterprise).order_by("category", "name", "pk"))
        context["filing"] = Filing.objects.filter(enterprise=enterprise).first()
        context["incidents"] = list(Incident.objects.filter(enterprise=enterprise)[:20])
    if scope.is_authority:
        context["overdue"] = selectors.overdue(request.user, now)
        context["queue"] = selectors.review_queue(request.user)
        context["recent"] = list(Incident.objects.visible_to(request.user).select_related("enterprise")[:20])
    if enterprise is None and not scope.is_authority:
        raise Http404
    return render(request, "datasecurity/index.html", context)


# --- assets -------------------------------------------------------------------------------------------------------


def _asset_for_user(user, pk: int) -> DataAsset:
    return get_object_or_404(DataAsset.objects.visible_to(user).select_related("enterprise"), pk=pk)


@login_required
def asset_edit(request, pk: int | None = None):
    if pk is None:
        enterprise = own_enterprise(request.user)
        if enterprise is None:
            raise Http404
        asset = DataAsset(enterprise=enterprise)
    else:
        asset = _asset_for_user(request.user, pk)
        access.require_own(request.user, asset.enterprise_id)
    form = AssetForm(request.POST or None, instance=asset)
    if request.method == "POST" and form.is_valid():
        try:
            asset = services.asset_save(actor=request.user, asset=form.save(commit=False))
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            messages.success(request, _("已保存“%(name)s”") % {"name": asset.name})
            return redirect("datasecurity:index")
    return render(request, "datasecurity/asset_form.html", {"form": form, "asset": asset})


@login_required
def asset_grade(request, pk: int):
    asset = _asset_for_user(request.user, pk)
    access.require_own(request.user, asset.enterprise_id)
    initial = {f"c_{code}": True for code in asset.grading.get("ticked", [])}
    initial |= {f"i_{k}": v for k, v in asset.grading.get("impacts", {}).items()}
    form = GradeForm(request.POST or None, initial=initial | {"level": asset.level})
    suggestion = None
    if request.method == "POST" and form.is_valid():
        suggestion = grading.suggest(grading.shipped(), form.ticked(), form.impacts())
        if "confirm" in request.POST:
            try:
                services.asset_grade(actor=request.user, asset=asset, ticked=form.ticked(), impacts=form.impacts(),
                                     level=form.cleaned_data["level"] or suggestion.level,
                                     reason=form.cleaned_data["reason"])  # fmt: skip
            except ValidationError as error:
                messages.error(request, _errors(error))
            else:
                messages.success(request, _("已确认“%(name)s”的级别") % {"name": asset.name})
                return redirect("datasecurity:index")
    level_names = dict(grading.shipped().levels)
    return render(request, "datasecurity/asset_grade.html", {
        "asset": asset, "form": form, "suggestion": suggestion,
        "suggested_name": level_names.get(suggestion.level) if suggestion else "",
        "matrix_provisional": grading.shipped().matrix_provisional,
    })  # fmt: skip


# --- filings ------------------------------------------------------------------------------------------------------


def _filing_for_user(user, pk: int) -> Filing:
    return get_object_or_404(Filing.objects.visible_to(user).select_related("enterprise__county"), pk=pk)


@login_required
@require_POST
def filing_submit(request):
    enterprise = own_enterprise(request.user)
    if enterprise is None:
        raise PermissionDenied(_("只有企业本身可以办理"))
    try:
        filing = services.filing_submit(actor=request.user, enterprise=enterprise, note=request.POST.get("note", ""))
    except ValidationError as error:
        messages.error(request, _errors(error))
        filing = Filing.objects.filter(enterprise=enterprise).first()
        return redirect("datasecurity:filing", filing.pk) if filing else redirect("datasecurity:index")
    messages.success(request, _("已提交第 %(n)s 版目录备案") % {"n": filing.version})
    return redirect("datasecurity:filing", filing.pk)


@login_required
def filing_detail(request, pk: int):
    filing = _filing_for_user(request.user, pk)
    own = access.is_own(request.user, filing.enterprise_id)
    regulator = access.is_regulator(request.user, filing.region_code)
    versions = list(filing.versions.all())
    categories, levels = dict(Category.choices), dict(Level.choices)
    for v in versions:  # the codes as filed, shown by their names
        v.rows = [{**e, "category": categories.get(e["category"], e["category"]),
                   "level": levels.get(e["level"], e["level"])} for e in v.entries]  # fmt: skip
    return render(request, "datasecurity/filing.html", {
        "filing": filing, "versions": versions, "history": _history(filing=filing), "own": own,
        "regulator": regulator, "now": timezone.now(), "review_form": ReviewForm(),
        "may_review": regulator and filing.status == Filing.Status.SUBMITTED,
        "may_submit": own and filing.status in (Filing.Status.DRAFT, Filing.Status.RETURNED, Filing.Status.CHANGE_DUE),
        "may_attest": own and filing.status == Filing.Status.ACCEPTED,
        "last_return": next((v for v in versions if v.decision == "returned"), None), **_rules_context(),
    })  # fmt: skip


@login_required
@require_POST
def filing_review(request, pk: int):
    filing = _filing_for_user(request.user, pk)
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请选择审核结果"))
        return redirect("datasecurity:filing", pk)
    try:
        services.filing_review(actor=request.user, filing=filing, decision=form.cleaned_data["decision"],
                               reasons=form.cleaned_data["reasons"])  # fmt: skip
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已办理"))
    return redirect("datasecurity:filing", pk)


@login_required
@require_POST
def filing_attest(request, pk: int):
    filing = _filing_for_user(request.user, pk)
    try:
        services.filing_attest(actor=request.user, filing=filing)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已完成年度确认"))
    return redirect("datasecurity:filing", pk)


# --- incidents ----------------------------------------------------------------------------------------------------


def _incident_for_user(user, pk: int) -> Incident:
    return get_object_or_404(Incident.objects.visible_to(user).select_related("enterprise__county"), pk=pk)


@login_required
def incident_new(request):
    enterprise = own_enterprise(request.user)
    if enterprise is None:
        raise Http404
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = services.incident_record(
                actor=request.user, enterprise=enterprise, title=data["title"], kind=data["kind"], level=data["level"],
                cii=data["cii"], discovered_at=data["discovered_at"], description=data["description"],
            )  # fmt: skip
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            return redirect("datasecurity:incident", incident.pk)
    return render(request, "datasecurity/incident_form.html", {"form": form})


@login_required
def incident_detail(request, pk: int):
    incident = _incident_for_user(request.user, pk)
    now = timezone.now()
    kinds, provisional, _levels = grading.incident_spec()
    return render(request, "datasecurity/incident.html", {
        "incident": incident, "clocks": selectors.clock_rows(incident, now), "now": now,
        "kind_name": kinds.get(incident.kind, incident.kind), "kind_provisional": provisional.get(incident.kind),
        "own": access.is_own(request.user, incident.enterprise_id),
        "regulator": access.is_regulator(request.user, incident.region_code),
        "updates": list(incident.updates.select_related("author")), "history": _history(incident=incident),
        "text_form": TextForm(), "close_form": CloseForm(), "levels": Incident._meta.get_field("level").choices,
        **_rules_context(),
    })  # fmt: skip


ACTIONS = {"report", "update", "contain", "summarise", "close", "regrade"}


@login_required
@require_POST
def incident_act(request, pk: int, action: str):
    if action not in ACTIONS:
        raise Http404
    incident = _incident_for_user(request.user, pk)
    text = request.POST.get("text", "")
    try:
        if action == "report":
            services.incident_report(actor=request.user, incident=incident)
        elif action == "update":
            services.incident_update(actor=request.user, incident=incident, text=text)
        elif action == "contain":
            services.incident_contain(actor=request.user, incident=incident)
        elif action == "summarise":
            services.incident_summarise(actor=request.user, incident=incident, summary=text)
        elif action == "regrade":
            services.incident_regrade(actor=request.user, incident=incident, level=request.POST.get("level", ""),
                                      reason=request.POST.get("reason", ""))  # fmt: skip
        else:
            services.incident_close(actor=request.user, incident=incident, reason=request.POST.get("reason", ""))
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(request, _("已办理"))
    return redirect("datasecurity:incident", pk)


# --- regulator ----------------------------------------------------------------------------------------------------


@login_required
def overview(request):
    if not scope_of(request.user).is_authority:
        raise Http404
    from regions.models import Region

    data = selectors.overview(request.user, timezone.now())
    names = dict(Region.objects.filter(code__in=[r["city"].ljust(6, "0") for r in data["rows"]])
                 .values_list("code", "name"))  # fmt: skip
    for row in data["rows"]:
        row["name"] = names.get(row["city"].ljust(6, "0"), row["city"])
        row["coverage"] = round(100 * row["accepted"] / row["holders"]) if row["holders"] else None
    return render(
        request,
        "datasecurity/overview.html",
        {"rows": data["rows"], "levels": Incident._meta.get_field("level").choices},
    )


# --- asset import -------------------------------------------------------------------------------------------------


@login_required
def asset_import(request):
    from .asset_import import import_assets
    from .forms import AssetImportForm

    enterprise = own_enterprise(request.user)
    if enterprise is None:
        raise Http404
    form = AssetImportForm(request.POST or None, request.FILES or None)
    issues = []
    if request.method == "POST" and form.is_valid():
        try:
            result = import_assets(actor=request.user, enterprise=enterprise, upload=form.cleaned_data["file"])
        except ValidationError as error:
            messages.error(request, _errors(error))
        else:
            if not result.issues:
                messages.success(request, _("已导入：新增 %(c)s 项，更新 %(u)s 项") % {"c": result.created,
                                                                                    "u": result.updated})  # fmt: skip
                return redirect("datasecurity:index")
            issues = result.issues
            messages.error(request, _("文件中有 %(n)s 处问题，没有导入任何数据；请改正后重新上传") % {"n": len(issues)})
    return render(request, "datasecurity/asset_import.html", {"form": form, "issues": issues})


@login_required
def asset_import_template(request):
    from django.http import HttpResponse

    from core.exports import SheetOut, write_workbook

    from .asset_import import EXAMPLE, SHEET, headers

    if own_enterprise(request.user) is None:
        raise Http404
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = 'attachment; filename="data-assets-template.xlsx"'
    write_workbook(response, [SheetOut(SHEET, headers(), [EXAMPLE])])
    return response
