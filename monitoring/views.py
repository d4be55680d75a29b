"""Monitoring pages for officers: where each region stands against its targets, drilled down by region.

Each view: permission (a region the user does not govern is a 404) → one selector or service call → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core.exports import XLSX_TYPE, SheetOut, write_workbook
from enterprises import listing
from regions.models import Region

from . import cube, figures, maps, metrics, selectors, services
from .forms import FigureViewForm, PlanForm, SplitForm, TargetForm
from .models import Target
from .tasks import recompute_targets


def _authority(request):
    scope = scope_of(request.user)
    if not scope.is_authority:
        raise PermissionDenied(_("监测页面仅对主管部门开放"))
    return scope


def _governed_region(request, code: str) -> Region:
    scope = _authority(request)
    region = get_object_or_404(Region, code=code)
    if not scope.manages_code(region.code):
        raise Http404
    return region


def _target_for_user(request, pk: int) -> Target:
    _authority(request)
    return get_object_or_404(Target.objects.visible_to(request.user).select_related("region", "plan"), pk=pk)


def _errors_text(error: ValidationError) -> str:
    return "；".join(error.messages)


@login_required
def dashboard(request):
    _authority(request)
    region = selectors.home_region(request.user)
    if region is None:
        raise Http404
    return redirect("monitoring:region", code=region.code)


@login_required
def region_page(request, code: str):
    region = _governed_region(request, code)
    year = request.GET.get("year")
    year = int(year) if year and year.isdigit() else None
    context = {
        "region": region,
        "crumbs": selectors.breadcrumbs(request.user, region),
        "rows": selectors.region_targets(request.user, region, year),
        "children": selectors.child_regions_summary(request.user, region),
        "year": year,
        "statuses": selectors.STATUS_LABELS,
        "rule": selectors.rule_text(),
        "min_group": selectors.min_group(),
    }
    return render(request, "monitoring/region.html", context)


@login_required
def target_detail(request, pk: int):
    target = _target_for_user(request, pk)
    scope = scope_of(request.user)
    context = {
        "target": target,
        "progress": selectors.progress_of(target),
        "crumbs": selectors.breadcrumbs(request.user, target.region),
        "parts": selectors.parts_progress(request.user, target),
        "events": target.events.select_related("actor")[:50],
        "can_split": scope.manages_code(target.region_id) and Region.objects.filter(parent=target.region).exists(),
        "lists_enterprises": target.metric in metrics.ENTERPRISE_METRICS,
        "statuses": selectors.STATUS_LABELS,
        "rule": selectors.rule_text(),
        "min_group": selectors.min_group(),
    }
    return render(request, "monitoring/target_detail.html", context)


@login_required
def plan_create(request, code: str):
    region = _governed_region(request, code)
    form = PlanForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            plan = services.plan_create(actor=request.user, region=region, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已新建目标计划“%(name)s”") % {"name": plan.name})
            return redirect("monitoring:target_create", code=region.code)
    return render(request, "monitoring/plan_form.html", {"form": form, "region": region})


@login_required
def target_create(request, code: str):
    region = _governed_region(request, code)
    form = TargetForm(request.POST or None, user=request.user, region=region)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k != "plan"}
        fields["model_code"] = fields.get("model_code") or ""
        fields["size_class"] = fields.get("size_class") or ""
        try:
            target = services.target_set(actor=request.user, plan=form.cleaned_data["plan"], region=region, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已设定目标"))
            return redirect("monitoring:target", pk=target.pk)
    return render(request, "monitoring/target_form.html", {"form": form, "region": region})


@login_required
def target_split(request, pk: int):
    target = _target_for_user(request, pk)
    if not scope_of(request.user).manages_code(target.region_id):
        raise PermissionDenied(_("只有主管该地区的部门可以分解目标"))
    children = list(Region.objects.filter(parent=target.region, is_active=True).order_by("code"))
    if not children:
        raise Http404
    populations = services.split_populations(target, children)
    suggested = services.split_values(target, Target.SplitMethod.PRO_RATA, children, populations, None)
    current = {part.region_id: part.value for part in target.parts.all()}
    form = SplitForm(
        request.POST or None, children=children, suggested=current or suggested,
        initial={"method": target.split_method or Target.SplitMethod.PRO_RATA},
    )  # fmt: skip
    if request.method == "POST" and form.is_valid():
        try:
            services.target_split(
                actor=request.user, target=target, method=form.cleaned_data["method"], by_hand=form.by_hand()
            )
        except ValidationError as error:
            form.add_error(None, _errors_text(error))
        else:
            messages.success(request, _("已分解到下级地区"))
            return redirect("monitoring:target", pk=target.pk)
    rows = [
        (child, field, populations.get(child.code, 0), suggested[child.code]) for child, field in form.part_fields()
    ]
    return render(request, "monitoring/split_form.html", {"form": form, "target": target, "rows": rows})


@login_required
@require_POST
def recompute(request, code: str):
    region = _governed_region(request, code)
    recompute_targets.enqueue(region.path)
    messages.success(request, _("已开始重新计算目标进度和统计数据，稍后刷新页面查看"))
    back = "monitoring:figures" if request.POST.get("next") == "figures" else "monitoring:region"
    return redirect(back, code=region.code)


FIGURES = {
    "levels": figures.level_distribution,
    "tiers": figures.tier_distribution,
    "coverage": figures.coverage,
    "heat": figures.industry_heat,
    "trend": figures.level_trend,
    "groups": figures.clusters_and_chains,
    "gaps": figures.top_gaps,
    "gap_items": figures.top_gap_items,
    "pools": figures.pools,
    "funding": figures.funding,
}


@login_required
def region_figures(request, code: str):
    """The statistics of a region: every chart with its table; `?export=<figure>` gives that table as XLSX (with
    `&format=json`, as JSON)."""
    region = _governed_region(request, code)
    form = FigureViewForm(request.GET or None)
    view = form.view(region, selectors.min_group())
    wanted = request.GET.get("export")
    if wanted in FIGURES:
        figure = FIGURES[wanted](view)
        if request.GET.get("format") == "json":  # the same table for scripts: headers, rows (null: withheld share)
            table = {"key": figure.key, "title": figure.title, "note": figure.note, "covers": figure.covers,
                     "headers": [str(h) for h in figure.headers], "rows": figure.rows}  # fmt: skip
            return JsonResponse(table, json_dumps_params={"ensure_ascii": False})
        response = HttpResponse(content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{region.code}-{figure.key}-{view.year}.xlsx"'
        title = f"{region.full_name} · {figure.title}（{form.describe()}）"
        write_workbook(response, [SheetOut(figure.key, figure.headers, figure.rows, title_line=title)])
        return response
    shown = [build(view) for build in FIGURES.values()]
    context = {
        "region": region,
        "crumbs": selectors.breadcrumbs(request.user, region),
        "form": form,
        "figures": [f for f in shown if f.headers],
        "charts": [f.as_chart() for f in shown if f.headers],
        "query": request.GET.urlencode(),
        "min_group": view.min_group,
        "refreshed": cube.last_refresh(),
        "map_metrics": maps.METRICS,
        "map_reviewed": maps.is_reviewed(),
        "map_by_city": len(region.path) <= 2,
    }
    return render(request, "monitoring/figures.html", context)


PARTS = {
    "met": (True, gettext_lazy("已达成的企业")),
    "unmet": (False, gettext_lazy("尚未达成的企业")),
    "all": (None, gettext_lazy("范围内的全部企业")),
}


@login_required
def target_enterprises(request, pk: int):
    """The enterprises behind a target's figure, in the enterprise list (its filters, paging and exports), within
    what the officer may see. They are read from the records now; the figure is as of its last computation."""
    target = _target_for_user(request, pk)
    if target.metric not in metrics.ENTERPRISE_METRICS:
        raise Http404
    part = request.GET.get("part") if request.GET.get("part") in PARTS else "met"
    met, label = PARTS[part]
    within = metrics.enterprises(target.measure(), target.population_filter(), target.region.path, met=met)
    subset = {
        "title": _("%(region)s · %(name)s（%(year)s 年）：%(part)s") % {
            "region": target.region.full_name, "name": target.name, "year": target.year, "part": label,
        },
        "back_url": reverse("monitoring:target", kwargs={"pk": target.pk}),
        "back_label": _("返回目标"),
        "list_url": request.path,
        "part": part,
    }  # fmt: skip
    return listing.list_page(request, within=within, subset=subset)


@login_required
def map_shape(request, code: str):
    """The boundaries of a region's counties (GeoJSON), for the officers' maps."""
    region = _governed_region(request, code)
    data = maps.shape(region.path)
    if data is None:
        raise Http404
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False, "separators": (",", ":")})
    response["Cache-Control"] = "private, max-age=3600"
    return response


@login_required
def map_values(request, code: str):
    """A metric per county for recolouring the map: {"values": {county code: value}, …} from the tallies."""
    region = _governed_region(request, code)
    metric = request.GET.get("metric") if request.GET.get("metric") in maps.METRICS else "level"
    by = "city" if request.GET.get("by") == "city" and len(region.path) <= 2 else "county"
    form = FigureViewForm(request.GET or None)
    view = form.view(region, selectors.min_group())
    return JsonResponse(
        {"metric": metric, "label": str(maps.METRICS[metric]), "by": by, "values": maps.values(view, metric, by)}
    )
