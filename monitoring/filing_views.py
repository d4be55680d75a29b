"""Statistics report pages (报送): the rounds of a region, a round's filings with who is late, a filing with its
figures, its steps and the actions the officer may take (submit; accept or return for the region above), and the
report templates a province defines."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import XLSX_TYPE, SheetOut, write_workbook

from . import filing_templates, filings, selectors
from .filing_forms import ColumnFormSet, RoundForm, TemplateForm, column_initial
from .forms import ReturnForm
from .models import Filing, ReportTemplate
from .views import _authority, _governed_region


def _round_for_user(request, pk: int):
    _authority(request)
    return get_object_or_404(filings.rounds_visible_to(request.user).select_related("region"), pk=pk)


def _filing_for_user(request, pk: int) -> Filing:
    _authority(request)
    queryset = filings.filings_visible_to(request.user).select_related("round", "region__parent")
    return get_object_or_404(queryset, pk=pk)


@login_required
def round_list(request, code: str):
    region = _governed_region(request, code)
    rounds = list(filings.rounds_visible_to(request.user).select_related("region"))
    own = {f.round_id: f for f in Filing.objects.filter(round__in=rounds, region=region)}
    for round_ in rounds:
        round_.own = own.get(round_.pk)
    context = {"region": region, "rounds": rounds, "crumbs": selectors.breadcrumbs(request.user, region),
               "can_open": region.level == 1}  # fmt: skip
    return render(request, "monitoring/round_list.html", context)


@login_required
def round_open(request, code: str):
    region = _governed_region(request, code)
    form = RoundForm(request.POST or None, region=region)
    if request.method == "POST" and form.is_valid():
        try:
            round_ = filings.round_open(actor=request.user, region=region, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已发起统计报送，各市、县可开始填报"))
            return redirect("monitoring:round", pk=round_.pk)
    return render(request, "monitoring/round_form.html", {"form": form, "region": region})


@login_required
def round_detail(request, pk: int):
    round_ = _round_for_user(request, pk)
    shown = list(filings.filings_visible_to(request.user).filter(round=round_).select_related("region"))
    today = timezone.localdate()
    for filing in shown:
        filing.late = filings.is_late(filing, today)
    counts = {status: sum(1 for f in shown if f.status == status) for status, _label in Filing.Status.choices}
    context = {"round": round_, "filings": shown, "late": sum(f.late for f in shown), "counts": counts,
               "statuses": Filing.Status.choices, "definition": filings.definition(round_)}  # fmt: skip
    return render(request, "monitoring/round_detail.html", context)


@login_required
def filing_detail(request, pk: int):
    filing = _filing_for_user(request, pk)
    figures = filings.figures_of(filing)
    if request.GET.get("format") == "xlsx":
        return _xlsx(filing, figures)
    children = Filing.objects.filter(round=filing.round, region__parent=filing.region).select_related("region")
    context = {
        "filing": filing,
        "figures": figures,
        "children": children,
        "events": filing.events.select_related("actor"),
        "late": filings.is_late(filing),
        "can_submit": filings.files_for(request.user, filing.region)
        and filing.status in (Filing.Status.DRAFT, Filing.Status.RETURNED),
        "can_review": filings.governs(request.user, filing.region.parent) and filing.status == Filing.Status.SUBMITTED,
        "return_form": ReturnForm(),
    }
    return render(request, "monitoring/filing_detail.html", context)


def _xlsx(filing: Filing, figures: dict) -> HttpResponse:
    """The layout officials exchange: title, the reporting unit and period, the table, and who filed it."""
    round_ = filing.round
    title = f"{round_.name}（{round_.period}）— {filing.region.full_name}"
    status = filing.get_status_display()
    signed = ""
    if filing.submitted_at:
        signed = _("报送时间：%(at)s") % {"at": timezone.localtime(filing.submitted_at).strftime("%Y-%m-%d %H:%M")}
    rows = [*figures["rows"], [], [_("填报单位：%(unit)s") % {"unit": filing.region.full_name}, status, signed]]
    response = HttpResponse(content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="filing-{round_.pk}-{filing.region_id}.xlsx"'
    header = _("行业") if figures.get("rows_kind") == filings.INDUSTRIES else _("地区")
    write_workbook(response, [SheetOut(round_.period[:31] or "报表", [header, *figures["columns"]], rows,
                                       title_line=title)])  # fmt: skip
    return response


def _step(request, pk: int, action, done: str, **kwargs):
    filing = _filing_for_user(request, pk)
    try:
        action(actor=request.user, filing=filing, **kwargs)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, done)
    return redirect("monitoring:filing", pk=filing.pk)


@login_required
@require_POST
def filing_submit(request, pk: int):
    return _step(request, pk, filings.filing_submit, _("已报送上级"))


@login_required
@require_POST
def filing_accept(request, pk: int):
    return _step(request, pk, filings.filing_accept, _("已审核通过"))


@login_required
@require_POST
def filing_return(request, pk: int):
    return _step(request, pk, filings.filing_return, _("已退回，并注明原因"), reason=request.POST.get("reason", ""))


def _province(request, code: str):
    region = _governed_region(request, code)
    if region.level != 1:
        raise Http404  # templates are a province's
    return region


@login_required
def template_list(request, code: str):
    region = _province(request, code)
    context = {
        "region": region,
        "templates": filing_templates.templates_for(region),
        "builtin": [(str(title), rows, cols) for title, rows, cols in filing_templates.BUILTIN.values()],
        "crumbs": selectors.breadcrumbs(request.user, region),
    }
    return render(request, "monitoring/template_list.html", context)


@login_required
def template_edit(request, code: str, pk: int | None = None):
    """Define a template, or change one (rounds already opened keep the columns they froze)."""
    region = _province(request, code)
    template = None
    if pk is not None:
        template = get_object_or_404(filing_templates.templates_visible_to(request.user), pk=pk, region=region)
    initial = {"name": template.name, "rows": template.rows} if template else {"rows": ReportTemplate.Rows.REGIONS}
    form = TemplateForm(request.POST or None, initial=initial)
    rows_kind = form.data.get("rows") if form.is_bound else None
    columns = ColumnFormSet(request.POST or None, initial=column_initial(template.columns) if template else None,
                            prefix="col", rows_kind=rows_kind)  # fmt: skip
    if request.method == "POST" and form.is_valid() and columns.is_valid():
        try:
            saved = filing_templates.template_save(actor=request.user, region=region, template=template,
                                                   columns=columns.cleaned_columns, **form.cleaned_data)  # fmt: skip
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已保存报表模板“%(name)s”") % {"name": saved.name})
            return redirect("monitoring:templates", code=region.code)
    context = {"region": region, "form": form, "columns": columns, "template": template}
    return render(request, "monitoring/template_form.html", context)
