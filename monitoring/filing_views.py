"""Statistics report pages (报送): the rounds of a region, a round's filings with who is late, and a filing with its
figures, its steps and the actions the officer may take (submit; accept or return for the region above)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import SheetOut, write_workbook

from . import filings, selectors
from .forms import ReturnForm, RoundForm
from .models import Filing
from .views import XLSX_TYPE, _authority, _governed_region


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
    form = RoundForm(request.POST or None)
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
               "statuses": Filing.Status.choices}  # fmt: skip
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
    write_workbook(response, [SheetOut(round_.period[:31] or "报表", [_("地区"), *figures["columns"]], rows,
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
