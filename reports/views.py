"""Report pages: an enterprise's reports and findings, preview, issue, the issued report, its PDF, and the public
verification page. Thin: scoping in reports.access, writes in reports.services, content in reports.compose."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core import throttle, verification
from enterprises.access import get_enterprise_for_user

from . import access, services
from . import render as report_render
from .compose import NothingToReport, compose
from .forms import FindingForm, TargetForm, VerifyForm
from .models import DiagnosisReport, Finding

VERIFICATIONS_PER_HOUR = 60  # per address: enough for a desk checking a pile of reports, useless for guessing codes


def _findings(user, enterprise):
    """The findings this user may read: internal ones only for the governing side (enterprises.querysets)."""
    return Finding.objects.visible_to(user).current().filter(enterprise=enterprise).select_related("author")


def _centre_context(request, enterprise, **extra) -> dict:
    reports = list(DiagnosisReport.objects.filter(enterprise=enterprise).select_related("issued_by"))
    return {
        "e": enterprise,
        # Two lists, never one: the authority's reports and the enterprise's own are different documents.
        "official_reports": [r for r in reports if not r.is_self_generated],
        "self_reports": [r for r in reports if r.is_self_generated],
        "issue_series": services.series_for(request.user, enterprise),
        "findings": _findings(request.user, enterprise),
        "finding_form": FindingForm(),
        "target_form": TargetForm(request.GET or None),
        "can_issue": access.can_issue(request.user, enterprise),
        "can_write": access.can_write_findings(request.user, enterprise),
        **extra,
    }


def _centre(request, enterprise, status: int, **extra):
    """The enterprise's report page again, with what went wrong (a bad target, nothing to report)."""
    return render(request, "reports/enterprise.html", _centre_context(request, enterprise, **extra), status=status)


@login_required
def enterprise_reports(request, pk):
    enterprise = get_enterprise_for_user(request.user, pk)
    return render(request, "reports/enterprise.html", _centre_context(request, enterprise))


@login_required
def preview(request, pk):
    """The report as it would be issued now, not stored: the officer or commissioner reads it before issuing."""
    enterprise = get_enterprise_for_user(request.user, pk)
    form = TargetForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return _centre(request, enterprise, 400, target_form=form)
    targets = form.targets() if form.is_bound else {}
    try:
        content = compose(enterprise, request.user, **targets)
    except NothingToReport as exc:
        return _centre(request, enterprise, 409, problem=str(exc))
    except ValueError as exc:
        form.add_error(None, str(exc))
        return _centre(request, enterprise, 400, target_form=form)
    return render(
        request,
        "reports/detail.html",
        {
            **report_render.context(content),
            "e": enterprise,
            "preview": True,
            "targets": targets,
            "can_issue": access.can_issue(request.user, enterprise),
            "series": services.series_for(request.user, enterprise),
        },
    )


@login_required
@require_POST
def issue(request, pk):
    enterprise = get_enterprise_for_user(request.user, pk)
    if not access.can_issue(request.user, enterprise):
        raise PermissionDenied(_("您没有权限为该企业出具诊断报告"))
    form = TargetForm(request.POST)
    if not form.is_valid():
        return _centre(request, enterprise, 400, target_form=form)
    try:
        report = services.issue_report(actor=request.user, enterprise=enterprise, **form.targets())
    except (NothingToReport, services.ReportBusy) as exc:
        return _centre(request, enterprise, 409, problem=str(exc))
    except ValueError as exc:
        form.add_error(None, str(exc))
        return _centre(request, enterprise, 400, target_form=form)
    if report.is_self_generated:
        messages.success(request, _("已生成企业自评估报告第 %(v)s 版。") % {"v": report.version})
    else:
        messages.success(request, _("已出具诊断报告第 %(v)s 版。") % {"v": report.version})
    return redirect("reports:detail", report.pk)


@login_required
def detail(request, pk):
    report = access.get_report_for_user(request.user, pk)
    # The PDF keeps the address it printed; the page links to where the site is reachable now.
    issue = {**report.content.get("issue", {}), "verify_url": services.verify_url(report.code)}
    content = {**report.content, "issue": issue}
    return render(
        request,
        "reports/detail.html",
        {**report_render.context(content), "e": report.enterprise, "report": report, "series": report.series},
    )


@login_required
def pdf(request, pk):
    report = access.get_report_for_user(request.user, pk)
    kind = "self-assessment-report" if report.is_self_generated else "diagnosis-report"
    name = f"{kind}-{report.enterprise.credit_code}-v{report.version}.pdf"
    return FileResponse(report.pdf.open("rb"), as_attachment=True, filename=name, content_type="application/pdf")


# --- findings (htmx: each returns the findings panel) -------------------------------------------------------------


def _panel(request, enterprise, form=None, status=200):
    return render(
        request,
        "reports/_findings.html",
        {
            "e": enterprise,
            "findings": _findings(request.user, enterprise),
            "finding_form": form or FindingForm(),
            "can_write": access.can_write_findings(request.user, enterprise),
        },
        status=status,
    )


@login_required
@require_POST
def finding_add(request, pk):
    enterprise = get_enterprise_for_user(request.user, pk)
    if not access.can_write_findings(request.user, enterprise):
        raise PermissionDenied(_("只有数字专员和主管部门可以填写诊断意见"))
    form = FindingForm(request.POST)
    if not form.is_valid():
        return _panel(request, enterprise, form, status=400)
    services.add_finding(
        actor=request.user,
        enterprise=enterprise,
        kind=form.cleaned_data["kind"],
        text=form.cleaned_data["text"],
        visibility=form.cleaned_data["visibility"] or None,
    )
    return _panel(request, enterprise)


@login_required
@require_POST
def finding_edit(request, pk):
    finding = access.get_finding_for_user(request.user, pk)
    form = FindingForm(request.POST, instance=Finding(kind=finding.kind))
    if not form.is_valid():
        return _panel(request, finding.enterprise, form, status=400)
    services.edit_finding(actor=request.user, finding=finding, text=form.cleaned_data["text"])
    return _panel(request, finding.enterprise)


@login_required
@require_POST
def finding_remove(request, pk):
    finding = access.get_finding_for_user(request.user, pk)
    services.remove_finding(actor=request.user, finding=finding)
    return _panel(request, finding.enterprise)


# --- public verification ------------------------------------------------------------------------------------------


def _verify_other(document, pdf_bytes: bytes) -> services.Verification:
    if verification.matches(document, pdf_bytes) and document.warning:
        return services.Verification(True, _("文件真实：与平台出具的原件逐字节一致。") + document.warning)
    if verification.matches(document, pdf_bytes):
        return services.Verification(True, _("文件真实有效：与平台出具的原件逐字节一致。"))
    return services.Verification(False, _("文件与该验证码对应的文件不一致：可能被修改过，或不是此验证码的文件。"))


def verify(request, code):
    """Open to anyone holding a report or another document the platform issued with a code (a recognition
    certificate: core.verification): upload the PDF, learn whether it is the genuine, unaltered original."""
    form = VerifyForm(request.POST or None, request.FILES or None)
    outcome = None
    document = verification.find(code)
    other = document is not None and document.kind != "report"  # another app's document: its facts, not a report's
    described = document.details if document is not None and not other else None
    status = 200
    if request.method == "POST":
        key = f"reports:verify:{throttle.client_ip(request)}"
        if not throttle.take(key, VERIFICATIONS_PER_HOUR):  # counts this one too, atomically
            form.add_error(None, _("核验过于频繁，请一小时后再试"))
            status = 429
        else:
            if form.is_valid() and other:
                outcome = _verify_other(document, form.cleaned_data["pdf"].read())
            elif form.is_valid():
                outcome = services.verify(code, form.cleaned_data["pdf"].read())
            else:
                status = 400
    return render(
        request,
        "reports/verify.html",
        {
            "form": form,
            "code": code,
            "outcome": outcome,
            "described": described,
            "document": document if other else None,
        },
        status=status,
    )
