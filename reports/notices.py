"""What the reports app tells people: an enterprise learns when a report is issued to it. A report the enterprise
generates for itself is not news to it, so only reports issued by someone else are announced."""

from django.urls import reverse
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from notifications.models import Notification
from notifications.services import in_site_language, notify_enterprise


def report_issued(report, *, actor) -> None:
    if actor is not None and report.enterprise_id in scope_of(actor).own_enterprise_ids:
        return
    with in_site_language():
        title = _("您收到一份诊断报告（第 %(v)s 版）") % {"v": report.version}
        body = _("%(issuer)s为贵企业出具了诊断报告，可在线查看并下载 PDF。") % {"issuer": report.issuer}
    notify_enterprise(
        report.enterprise_id,
        kind=Notification.Kind.REPORT_ISSUED,
        title=title,
        body=body,
        link=reverse("reports:detail", args=[report.pk]),
    )
