"""Evidence uploads: checked by size, extension and content (magic bytes), stored under a random name."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from pathlib import PurePath

from django.conf import settings
from django.core.files.base import ContentFile
from django.utils.translation import gettext as _

from .models import Evidence

MAX_BYTES = int(getattr(settings, "TIDU_EVIDENCE_MAX_MB", 20)) * 1024 * 1024

# extension → (content type, check of the first bytes / the whole file)
_OOXML = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


class EvidenceError(ValueError):
    pass


def _content_matches(ext: str, head: bytes, data: bytes) -> bool:
    if ext == ".pdf":
        return head.startswith(b"%PDF-")
    if ext == ".png":
        return head.startswith(b"\x89PNG\r\n\x1a\n")
    if ext in (".jpg", ".jpeg"):
        return head.startswith(b"\xff\xd8\xff")
    if ext in _OOXML:
        if not head.startswith(b"PK\x03\x04"):
            return False
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as z:
                names = z.namelist()
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(n.startswith(_OOXML[ext]) for n in names)
    return False


def check(upload) -> tuple[str, bytes]:
    """(extension, content) of an acceptable upload; raises EvidenceError with a Chinese message otherwise."""
    name = PurePath(upload.name or "").name
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        raise EvidenceError(
            _("不支持的文件类型 %(ext)s：仅限 PDF、PNG、JPG、Word、Excel、PowerPoint") % {"ext": ext or "—"}
        )
    if upload.size > MAX_BYTES:
        raise EvidenceError(_("文件超过 %(mb)d MB 上限") % {"mb": MAX_BYTES // (1024 * 1024)})
    if upload.size == 0:
        raise EvidenceError(_("文件为空"))
    data = upload.read()
    if not _content_matches(ext, data[:16], data):
        raise EvidenceError(_("文件内容与扩展名 %(ext)s 不符") % {"ext": ext})
    return ext, data


def store(*, actor, assessment, item_code: str, upload) -> Evidence:
    ext, data = check(upload)
    original = PurePath(upload.name).name[:200]
    evidence = Evidence(
        assessment=assessment,
        item_code=item_code,
        original_name=original,
        size=len(data),
        content_type=ALLOWED[ext],
        sha256=hashlib.sha256(data).hexdigest(),
        uploaded_by=actor,
    )
    evidence.file.save(f"{uuid.uuid4().hex}{ext}", ContentFile(data), save=False)
    evidence.save()
    return evidence


def by_item(assessment) -> dict[str, list[Evidence]]:
    out: dict[str, list[Evidence]] = {}
    for ev in assessment.evidence.all():
        out.setdefault(ev.item_code, []).append(ev)
    return out
