"""The applicant's documents: one file per required (or optional) document of the programme, attached while the
application may be edited and checked as every upload is (core.uploads: the type by the file's own bytes, the size,
a safe name), stored under a random name with the file's SHA-256."""

from __future__ import annotations

from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from core import uploads

from .models import FundingApplication, FundingDocument
from .services import _editable

UploadError = uploads.UploadError


def max_bytes() -> int:
    return int(getattr(settings, "TIDU_EVIDENCE_MAX_MB", 20)) * uploads.MB


@transaction.atomic
def document_attach(*, actor, application: FundingApplication, code: str, upload) -> FundingDocument:
    """Attach a file for the programme's document `code`; UploadError or ValidationError says why it was refused."""
    _editable(actor, application)
    if code not in {d.code for d in application.programme.rules.documents}:
        raise ValidationError({"code": _("该项目没有这项申报材料")})
    checked = uploads.check(upload, max_bytes=max_bytes())
    document = FundingDocument(application=application, code=code, name=checked.original_name, size=checked.size,
                               sha256=checked.sha256, uploaded_by=actor)  # fmt: skip
    document.file.save(checked.random_name(), ContentFile(checked.data), save=False)
    document.save()
    return document


@transaction.atomic
def document_remove(*, actor, document: FundingDocument) -> None:
    _editable(actor, document.application)
    document.file.delete(save=False)
    document.delete()


def content_type(document: FundingDocument) -> str:
    """The type a download is sent with: the one its checked extension stands for, never the uploader's claim."""
    return uploads.ALLOWED.get(PurePath(document.name).suffix.lower(), "application/octet-stream")
