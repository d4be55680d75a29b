"""Content checks for user uploads (evidence, attachments): an extension allowlist, a size limit, and the file's own
bytes must match its extension, so an executable or an HTML page renamed .pdf/.png, or a plain zip renamed .docx, is
refused. One implementation for every app that accepts files; each app decides where a checked file is stored."""

from __future__ import annotations

import hashlib
import io
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath

from django.utils.translation import gettext as _

# extension → content type sent back on download (never the browser's claim at upload time)
ALLOWED = {
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}
# An Office Open XML file is a zip with a content-types part and the folder of its own application.
_OOXML = {".docx": "word/", ".xlsx": "xl/", ".pptx": "ppt/"}
MB = 1024 * 1024


class UploadError(ValueError):
    """A refused upload; the message says why in Chinese."""


@dataclass(frozen=True)
class CheckedUpload:
    original_name: str  # the user's file name without any directory part, at most 200 characters
    ext: str
    data: bytes
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)

    def random_name(self) -> str:
        """A storage name that reveals nothing of the user's file name and cannot collide or traverse."""
        return f"{uuid.uuid4().hex}{self.ext}"


def content_matches(ext: str, data: bytes) -> bool:
    head = data[:16]
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
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = archive.namelist()
        except zipfile.BadZipFile:
            return False
        return "[Content_Types].xml" in names and any(n.startswith(_OOXML[ext]) for n in names)
    return False


def check(upload, *, max_bytes: int) -> CheckedUpload:
    """Read and check an uploaded file; raises UploadError (Chinese message) for anything not acceptable.
    The size is checked before the content is read, so an oversize upload is never loaded into memory."""
    name = PurePath((upload.name or "").replace("\\", "/")).name
    ext = PurePath(name).suffix.lower()
    if ext not in ALLOWED:
        raise UploadError(
            _("不支持的文件类型 %(ext)s：仅限 PDF、PNG、JPG、Word、Excel、PowerPoint") % {"ext": ext or "—"}
        )
    if upload.size > max_bytes:
        raise UploadError(_("文件超过 %(mb)d MB 上限") % {"mb": max_bytes // MB})
    if upload.size == 0:
        raise UploadError(_("文件为空"))
    data = upload.read()
    if not content_matches(ext, data):
        raise UploadError(_("文件内容与扩展名 %(ext)s 不符") % {"ext": ext})
    return CheckedUpload(
        original_name=name if len(name) <= 200 else PurePath(name).stem[: 200 - len(ext)] + ext,
        ext=ext,
        data=data,
        content_type=ALLOWED[ext],
        sha256=hashlib.sha256(data).hexdigest(),
    )
