"""Content checks for user uploads (evidence, attachments, import files): an extension allowlist, a size limit, and
the file's own bytes must be what its extension says — the whole file, not only its first bytes. One implementation
for every app that accepts files; each app decides where a checked file is stored.

Why the whole structure: a file that starts like a PDF or PNG and carries an HTML page or a script further on (a
polyglot) passes a magic-bytes check and is served to someone else later. The rules, each cheap (one pass over at
most the upload limit, no decompression of PDF streams):

- every type: no HTML/script markup in the first KB (the window browsers sniff; for a PDF, outside its streams);
- PDF: `%PDF-` first, `%%EOF` last (only whitespace after it), and no HTML/script markup outside its streams;
- PNG: the chunk structure is walked from the signature to IEND, and IEND is the last byte; no markup anywhere;
- JPEG: starts with SOI, has an EOI; no markup anywhere (phones append data after EOI, so that is allowed);
- Office (docx/xlsx/pptx) and import XLSX: a ZIP that starts at byte 0 and ends with its end record, whose members'
  expanded sizes stay under the caps (per member and in total: a few MB can expand to gigabytes), with the parts of
  its own application and no macros, ActiveX or scripts, and no markup in its stored bytes."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import PurePath, PurePosixPath
from typing import BinaryIO

from django.conf import settings
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
SNIFF_WINDOW = 1024  # browsers sniff the first 512 bytes; twice that is cheap
MAX_ZIP_MEMBERS = 5000  # a workbook or document has tens of parts; thousands means something else
# Markup that makes a browser treat bytes as a page or run a script. Case-insensitive; a tag name must end there.
MARKUP = re.compile(rb"<(?:!doctype\s+html|html|head|body|script|iframe|object|embed|\?php)[\s>/]", re.IGNORECASE)
# A PDF's stream bodies are binary (compressed images, fonts, page content); markup is only looked for outside them.
PDF_STREAM_START = re.compile(rb"\bstream(?:\r\n|\n|\r)")
# Parts of an Office file that carry code: VBA projects, ActiveX controls, scripts and programs.
CODE_PART = re.compile(
    r"(?:^|/)vbaProject\.bin$|(?:^|/)activeX/|\.(?:js|vbs|exe|dll|bat|cmd|ps1|hta|html?|jar|scr|msi|com)$",
    re.IGNORECASE,
)
MACRO_TYPE = re.compile(rb"macroEnabled|vbaProject|ms-office\.activeX", re.IGNORECASE)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def expanded_limits() -> tuple[int, int]:
    """(per member, total) bytes a ZIP-based upload may expand to; read at call time so a setting change applies."""
    member = int(getattr(settings, "TIDU_UPLOAD_MAX_EXPANDED_MB", 512)) * MB
    total = int(getattr(settings, "TIDU_UPLOAD_MAX_EXPANDED_TOTAL_MB", 1024)) * MB
    return member, total


def _mb(size: int) -> str:
    return f"{size / MB:,.0f}"


class NotAnArchive(Exception):
    """The bytes are no ZIP archive of the expected kind (a type mismatch, not a policy refusal)."""


def zip_refusal(source: str | PurePath | BinaryIO, expect: str | None, *, code_allowed: bool = False) -> str | None:
    """Why a ZIP container (an Office file, an import workbook) is refused, in Chinese; None when it is acceptable;
    NotAnArchive when it is no archive of that kind. `expect` is the folder of the application that must be there
    ("xl/" for a workbook). `code_allowed`: macros are no concern for a file that is only read, never served
    (an import workbook read by calamine runs nothing).

    Reads the central directory only (cheap whatever the file's size). The sizes checked are those the archive
    declares; readers in this project go through `zipfile`, which never yields more than a member declares and
    fails on a CRC mismatch, so a member that lies about its size is refused when it is read."""
    try:
        with zipfile.ZipFile(source) as archive:
            infos = archive.infolist()
            if len(infos) > MAX_ZIP_MEMBERS:
                return _("压缩文件包含 %(n)s 个部件，超过 %(max)s 个的上限") % {"n": len(infos), "max": MAX_ZIP_MEMBERS}
            member_cap, total_cap = expanded_limits()
            total = 0
            for info in infos:
                if info.file_size > member_cap:
                    return _(
                        "文件解压后过大：其中“%(name)s”解压后约 %(size)s MB，超过每个部件 %(limit)s MB 的上限，"
                        "请删除多余内容或拆分后再上传"
                    ) % {"name": info.filename[:80], "size": _mb(info.file_size), "limit": _mb(member_cap)}
                total += info.file_size
            if total > total_cap:
                return _("文件解压后总大小约 %(size)s MB，超过 %(limit)s MB 的上限，请拆分后再上传") % {
                    "size": _mb(total),
                    "limit": _mb(total_cap),
                }
            names = [info.filename for info in infos]
            if expect is not None and not ("[Content_Types].xml" in names and any(n.startswith(expect) for n in names)):
                raise NotAnArchive
            if code_allowed:
                return None
            macros = any(CODE_PART.search(name) for name in names)
            if not macros and "[Content_Types].xml" in names:
                with archive.open("[Content_Types].xml") as part:
                    macros = MACRO_TYPE.search(part.read(MB)) is not None
            if macros:
                return _("文件含有宏、ActiveX 控件或脚本，出于安全原因不予接收，请另存为不含宏的文件后再上传")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, KeyError, EOFError, OSError, ValueError) as exc:
        raise NotAnArchive from exc
    return None


def zip_problem(source: str | PurePath | BinaryIO, *, expect: str | None = None) -> str | None:
    """As `zip_refusal`, with a message for a file that is no archive of that kind."""
    try:
        return zip_refusal(source, expect)
    except NotAnArchive:
        return _("文件不是有效的压缩格式（可能已损坏），或不是所声明的文件类型")


def _zip_ends_at_its_end_record(data: bytes) -> bool:
    """The end-of-central-directory record (with its comment) closes the file: nothing is appended after it, and
    the first bytes are a member's local header (nothing prepended)."""
    if not data.startswith(b"PK\x03\x04"):
        return False
    at = data.rfind(b"PK\x05\x06", max(0, len(data) - 22 - 65535))
    if at < 0 or len(data) - at < 22:
        return False
    (comment_length,) = struct.unpack("<H", data[at + 20 : at + 22])
    return at + 22 + comment_length == len(data)


def _png_problem(data: bytes) -> bool:
    """True when the bytes are not a PNG ending at its IEND chunk."""
    if not data.startswith(PNG_SIGNATURE):
        return True
    at, end = len(PNG_SIGNATURE), len(data)
    first = True
    while at + 12 <= end:
        length, kind = struct.unpack(">I4s", data[at : at + 8])
        if not kind.isalpha() or (first and kind != b"IHDR"):
            return True
        first = False
        at += 12 + length
        if kind == b"IEND":
            return at != end  # anything after IEND (an HTML page, a zip) is not part of the image
    return True  # ran out of bytes before IEND


def _pdf_problem(data: bytes) -> bool:
    if not data.startswith(b"%PDF-"):
        return True
    eof = data.rfind(b"%%EOF")
    if eof < 0 or data[eof + 5 :].strip():
        return True
    # Walk stream to endstream once (linear even for a hostile file full of "stream" keywords).
    at = 0
    while match := PDF_STREAM_START.search(data, at):
        if MARKUP.search(data, at, match.start()):
            return True
        end = data.find(b"endstream", match.end())
        if end < 0:
            return True  # a stream that never ends is not a PDF
        at = end + len(b"endstream")
    return MARKUP.search(data, at) is not None


def content_problem(ext: str, data: bytes) -> str | None:
    """Why these bytes are not an acceptable file of this extension (Chinese), or None."""
    mismatch = _("文件内容与扩展名 %(ext)s 不符") % {"ext": ext}
    if ext == ".pdf":  # markup is looked for everywhere outside its streams, the first KB included
        return mismatch if _pdf_problem(data) else None
    if MARKUP.search(data[:SNIFF_WINDOW]):
        return mismatch
    if ext == ".png":
        return mismatch if _png_problem(data) or MARKUP.search(data) else None
    if ext in (".jpg", ".jpeg"):
        if not data.startswith(b"\xff\xd8\xff") or b"\xff\xd9" not in data or MARKUP.search(data):
            return mismatch
        return None
    if ext in _OOXML:
        # Stored (uncompressed) members and the archive comment are plain bytes: no markup there either.
        if not _zip_ends_at_its_end_record(data) or MARKUP.search(data):
            return mismatch
        try:
            return zip_refusal(io.BytesIO(data), _OOXML[ext])
        except NotAnArchive:
            return mismatch
    return mismatch


def content_matches(ext: str, data: bytes) -> bool:
    return content_problem(ext, data) is None


def safe_name(raw: str | None) -> str:
    """The user's file name without any directory part, at most 200 characters (extension kept)."""
    name = PurePath((raw or "").replace("\\", "/")).name
    ext = PurePosixPath(name).suffix.lower()
    return name if len(name) <= 200 else PurePath(name).stem[: 200 - len(ext)] + ext


def check(upload, *, max_bytes: int) -> CheckedUpload:
    """Read and check an uploaded file; raises UploadError (Chinese message) for anything not acceptable.
    The size is checked before the content is read, so an oversize upload is never loaded into memory."""
    name = safe_name(upload.name)
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
    if problem := content_problem(ext, data):
        raise UploadError(problem)
    return CheckedUpload(
        original_name=name,
        ext=ext,
        data=data,
        content_type=ALLOWED[ext],
        sha256=hashlib.sha256(data).hexdigest(),
    )


def stored_file_response(file, *, filename: str, content_type: str):
    """A checked upload sent back as a download: 404 when the stored file is gone.

    Django writes filename*=utf-8''… (RFC 5987) for a non-ASCII name; the type is the one the upload check
    established, not the uploader's claim, and nosniff stops a browser from guessing another."""
    from django.http import FileResponse, Http404

    try:
        handle = file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("文件已不存在")) from exc
    response = FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)
    response["X-Content-Type-Options"] = "nosniff"
    return response
