"""Evidence uploads: checked by size, extension and content (magic bytes) in core/uploads, stored under a random
name."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile

from core import uploads

from .models import Evidence

MAX_BYTES = int(getattr(settings, "TIDU_EVIDENCE_MAX_MB", 20)) * uploads.MB
ALLOWED = uploads.ALLOWED
EvidenceError = uploads.UploadError  # the views catch this name


def check(upload) -> uploads.CheckedUpload:
    """The checked upload; raises EvidenceError with a Chinese message otherwise."""
    return uploads.check(upload, max_bytes=MAX_BYTES)


def store(*, actor, assessment, item_code: str, upload) -> Evidence:
    checked = check(upload)
    evidence = Evidence(
        assessment=assessment,
        item_code=item_code,
        original_name=checked.original_name,
        size=checked.size,
        content_type=checked.content_type,
        sha256=checked.sha256,
        uploaded_by=actor,
    )
    evidence.file.save(checked.random_name(), ContentFile(checked.data), save=False)
    evidence.save()
    return evidence


def by_item(assessment) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = {}
    for ev in assessment.evidence.all():
        out.setdefault(ev.item_code, []).append(ev)
    return out
