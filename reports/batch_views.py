"""Pages of report batches: the list, choosing the enterprises, progress (polled by htmx), cancel, 继续 and the
ZIP. Thin: scoping and writes in reports.batch."""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import access, batch
from .forms import TargetForm
from .models import ReportBatch, ReportBatchItem

PROBLEMS_SHOWN = 200


class BatchOptionsForm(TargetForm):
    description = forms.CharField(
        label=gettext_lazy("批次说明"),
        required=False,
        max_length=200,
        widget=forms.TextInput(attrs={"placeholder": gettext_lazy("留空则按筛选条件自动生成")}),
    )


def _require_batcher(user) -> None:
    if not access.can_batch(user):
        raise PermissionDenied(_("只有主管部门和平台管理员可以批量生成诊断报告"))


@login_required
def batch_list(request):
    _require_batcher(request.user)
    batches = batch.batches_for_user(request.user)[:50]
    return render(request, "reports/batch_list.html", {"batches": batches})


@login_required
def batch_new(request):
    """GET shows how many enterprises the filters choose (arriving from the enterprise list with its query);
    POST creates the batch from the same filters, carried in hidden fields."""
    _require_batcher(request.user)
    params = request.POST if request.method == "POST" else request.GET
    scope = batch.batch_scope(params)
    form = batch.filter_form(actor=request.user, scope=scope)
    campaign = batch.campaign_form(actor=request.user, scope=scope)
    options = BatchOptionsForm(
        request.POST if request.method == "POST" else None, initial={k: scope.get(k) for k in batch.TARGET_FIELDS}
    )
    count = None
    if form.is_valid() and campaign.is_valid():
        chosen = batch.enterprises_in_scope(actor=request.user, form=form, campaign=campaign)
        count = chosen[: batch.MAX_ITEMS + 1].count()
    status = 200
    if request.method == "POST":
        if options.is_valid():
            try:
                created = batch.batch_create(
                    actor=request.user, scope=scope, description=options.cleaned_data["description"]
                )
            except batch.BatchError as exc:
                options.add_error(None, str(exc))
            else:
                messages.success(request, _("已创建批次，共 %(n)s 家企业，后台生成中。") % {"n": created.total})
                return redirect("reports:batch_detail", created.pk)
        status = 400
    context = {
        "form": form,
        "campaign": campaign,
        "options": options,
        "count": count,
        "max_items": batch.MAX_ITEMS,
        "filters": {k: v for k, v in scope.items() if k in batch.FILTER_FIELDS + batch.CAMPAIGN_FIELDS},
    }
    return render(request, "reports/batch_new.html", context, status=status)


def _detail_context(request, report_batch: ReportBatch) -> dict:
    problems = report_batch.items.filter(status__in=[ReportBatchItem.Status.FAILED, ReportBatchItem.Status.SKIPPED])
    return {
        "batch": report_batch,
        "progress": batch.progress(report_batch),
        "failed": problems.filter(status=ReportBatchItem.Status.FAILED).select_related("enterprise")[:PROBLEMS_SHOWN],
        "skipped": problems.filter(status=ReportBatchItem.Status.SKIPPED).select_related("enterprise")[:PROBLEMS_SHOWN],
        "problems_shown": PROBLEMS_SHOWN,
        "polling": report_batch.status in batch.ACTIVE,
        "can_cancel": batch.can_cancel(report_batch),
        "can_resume": batch.can_resume(report_batch),
    }


@login_required
def batch_detail(request, pk):
    report_batch = batch.get_batch_for_user(request.user, pk)
    template = "reports/batch_progress.html" if request.headers.get("HX-Request") else "reports/batch_detail.html"
    return render(request, template, _detail_context(request, report_batch))


@login_required
@require_POST
def batch_cancel(request, pk):
    report_batch = batch.get_batch_for_user(request.user, pk)
    try:
        batch.batch_cancel(actor=request.user, batch=report_batch)
    except batch.BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已取消：已生成的报告保留，未生成的可点击“继续”接着生成。"))
    return redirect("reports:batch_detail", report_batch.pk)


@login_required
@require_POST
def batch_resume(request, pk):
    report_batch = batch.get_batch_for_user(request.user, pk)
    try:
        batch.batch_resume(actor=request.user, batch=report_batch)
    except batch.BatchError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("已继续：只生成尚未生成的企业。"))
    return redirect("reports:batch_detail", report_batch.pk)


@login_required
def batch_archive(request, pk):
    report_batch = batch.get_batch_for_user(request.user, pk)
    if not report_batch.archive:
        raise Http404(_("该批次还没有可下载的压缩包"))
    day = timezone.localtime(report_batch.finished_at or report_batch.created_at).date().isoformat()
    return FileResponse(
        report_batch.archive.open("rb"),
        as_attachment=True,
        filename=_("诊断报告批次%(pk)s-%(day)s.zip") % {"pk": report_batch.pk, "day": day},
        content_type="application/zip",
    )
