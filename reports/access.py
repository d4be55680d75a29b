"""Who may issue, read and annotate diagnosis reports. Out of scope → 404; in scope but not allowed → 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from enterprises.models import Enterprise

from .models import DiagnosisReport, Finding


def can_issue(user, enterprise) -> bool:
    """The enterprise itself, a commissioner covering it (it is already in the user's scope) or its officer."""
    scope = scope_of(user)
    return (
        scope.is_admin
        or enterprise.pk in scope.own_enterprise_ids
        or scope.is_commissioner
        or scope.manages_code(enterprise.county_id)
    )


def can_write_findings(user, enterprise) -> bool:
    """Findings are the diagnosing side's own words: commissioners and officers, never the enterprise itself."""
    scope = scope_of(user)
    if enterprise.pk in scope.own_enterprise_ids and not scope.is_admin:
        return False
    return scope.is_admin or scope.is_commissioner or scope.manages_code(enterprise.county_id)


def can_batch(user) -> bool:
    return scope_of(user).is_authority


def visible_reports(user):
    return DiagnosisReport.objects.filter(enterprise__in=Enterprise.objects.visible_to(user).values("pk"))


def get_report_for_user(user, pk) -> DiagnosisReport:
    report = visible_reports(user).select_related("enterprise", "issued_by").filter(pk=pk).first()
    if report is None:
        raise Http404(_("报告不存在或不在您的管辖范围内"))
    return report


def get_finding_for_user(user, pk) -> Finding:
    # Through visible_to: an internal finding does not exist for the enterprise (404, not a telling 403).
    finding = (
        Finding.objects.visible_to(user)
        .current()
        .select_related("enterprise")
        .filter(pk=pk)
        .first()
    )
    if finding is None:
        raise Http404(_("意见不存在或不在您的管辖范围内"))
    if finding.author_id != user.pk and not scope_of(user).is_admin:
        raise PermissionDenied(_("只能修改自己撰写的意见"))
    return finding
