"""The applicant's evidence files: attached per evidence item of the programme while the application may be
edited, checked as every upload is (core.uploads: the type by the file's own bytes, the size, a safe name), stored
under a random name with the file's SHA-256."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import uploads

from .models import Application, ApplicationEvidence
from .services import _editable

UploadError = uploads.UploadError


def max_bytes() -> int:
    return int(getattr(settings, "TIDU_EVIDENCE_MAX_MB", 20)) * uploads.MB


@transaction.atomic
def evidence_attach(*, actor, application: Application, code: str, upload) -> ApplicationEvidence:
    """Attach one file for evidence item `code`; an UploadError or ValidationError says why it was refused."""
    _editable(actor, application)
    if code not in {e.code for e in application.programme.rules.evidence}:
        raise ValidationError({"code": _("该项目没有这项申报材料")})
    checked = uploads.check(upload, max_bytes=max_bytes())
    evidence = ApplicationEvidence(application=application, code=code, name=checked.original_name,
                                   size=checked.size, sha256=checked.sha256, uploaded_by=actor)  # fmt: skip
    evidence.file.save(checked.random_name(), ContentFile(checked.data), save=False)
    evidence.save()
    return evidence


@transaction.atomic
def evidence_remove(*, actor, evidence: ApplicationEvidence) -> None:
    """Remove an attached file while the application may be edited; the stored file goes with it."""
    _editable(actor, evidence.application)
    evidence.file.delete(save=False)
    evidence.delete()


def content_type(evidence: ApplicationEvidence) -> str:
    """The type a download is sent with: the one its checked extension stands for, never the uploader's claim."""
    from pathlib import PurePath

    return uploads.ALLOWED.get(PurePath(evidence.name).suffix.lower(), "application/octet-stream")
