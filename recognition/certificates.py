"""Recognition certificates (认定证书): a PDF rendered once when the recognition is made (offline, core.pdf), stored
with its SHA-256, and checked on the same public page as diagnosis reports (r/<code>/, core.verification)."""

from __future__ import annotations

import hashlib

from django.core.files.base import ContentFile
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from assessments.tiers import TIERS
from core import verification
from core.links import absolute_url
from core.pdf import render_pdf
from regions.models import Region

from . import access
from .models import Recognition

PREFIX, LENGTH = "RC", 12  # results.new_code: "RC" and ten symbols


def verify_url(code: str) -> str:
    return absolute_url(reverse("report_verify", args=[code]))


def issuing_authority(recognition: Recognition) -> str:
    """The 工业和信息化主管部门 of the region at the programme's recognising level, e.g. 南昌市工业和信息化主管部门."""
    level = recognition.programme.rules.level
    code = access.region_at(recognition.enterprise.county_id, level).ljust(6, "0")
    region = Region.objects.filter(code=code).only("name").first()
    return _("%(region)s工业和信息化主管部门") % {"region": region.name if region else code}


def subject_name(recognition: Recognition) -> str:
    """What was recognised, as printed: the tier's name for a tier programme, else the grade (or nothing)."""
    if recognition.programme.kind == "tier" and recognition.subject in TIERS:
        return _(TIERS[recognition.subject])
    return recognition.grade


def context(recognition: Recognition) -> dict:
    return {
        "r": recognition,
        "e": recognition.enterprise,
        "programme": recognition.programme,
        "subject": subject_name(recognition),
        "authority": issuing_authority(recognition),
        "verify_url": verify_url(recognition.certificate_code),
        "synthetic": recognition.enterprise.is_synthetic,
        "provisional": recognition.programme.provisional,
    }


def render(recognition: Recognition) -> bytes:
    # The certificate is printed in Chinese whatever language the officer who closed the chain browses in.
    with translation.override("zh-hans"):
        return render_pdf(render_to_string("recognition/certificate_pdf.html", context(recognition)))


def issue(recognition: Recognition) -> Recognition:
    """Render and store the certificate with its digest; once: a recognition that has one keeps it."""
    if recognition.certificate_sha256:
        return recognition
    pdf = render(recognition)
    recognition.certificate_pdf.save(f"{recognition.certificate_code}.pdf", ContentFile(pdf), save=False)
    recognition.certificate_sha256 = hashlib.sha256(pdf).hexdigest()
    recognition.save(update_fields=["certificate_pdf", "certificate_sha256"])
    return recognition


def normalise_code(text: str) -> str:
    cleaned = "".join(ch for ch in text.upper() if ch.isalnum())
    return cleaned if len(cleaned) == LENGTH and cleaned.startswith(PREFIX) else ""


def issued(code: str) -> verification.Issued | None:
    """The certificate under a code, for the shared verification page (registered in apps.py). Its facts are those
    printed on the certificate and in the published list; a revoked one says so."""
    code = normalise_code(code)
    if not code:
        return None
    recognition = Recognition.objects.filter(certificate_code=code).select_related("programme", "enterprise").first()
    if recognition is None or not recognition.certificate_sha256:
        return None
    today = timezone.localdate()
    if recognition.revoked_at:
        status = _("已撤销（%(day)s）") % {"day": timezone.localdate(recognition.revoked_at)}
        warning = _("该认定已于 %(day)s 撤销，证书不再有效。") % {"day": timezone.localdate(recognition.revoked_at)}
    elif recognition.valid_until and recognition.valid_until < today:
        status = warning = _("已过有效期，证书不再有效。")
    else:
        status, warning = _("有效"), ""
    facts = (
        (_("企业名称"), recognition.enterprise.name),
        (_("认定项目"), recognition.programme.name),
        (_("认定内容"), subject_name(recognition)),
        (_("认定日期"), recognition.recognised_on.isoformat()),
        (_("有效期至"), recognition.valid_until.isoformat() if recognition.valid_until else _("长期")),
        (_("发证机关"), issuing_authority(recognition)),
        (_("状态"), status),
    )
    return verification.Issued(
        "certificate", code, recognition.certificate_sha256, _("认定证书"), facts=facts, warning=warning
    )
