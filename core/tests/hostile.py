"""Hostile files built in the test run (nothing binary is checked in): workbooks that expand enormously, lie about
their sizes, or carry a page after their real end; and the smallest real PDF, PNG, JPEG and Office files."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
ROOT_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
    'officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
WORKBOOK = (
    '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
    '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
WORKBOOK_RELS = (
    '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" '
    'Target="worksheets/sheet1.xml"/></Relationships>'
)
SHEET_HEAD = (
    b'<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    b'<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>'
)
SHEET_TAIL = b"</t></is></c></row></sheetData></worksheet>"
MB = 1024 * 1024


def _repeated_deflate(head: bytes, block: bytes, copies: int, tail: bytes) -> tuple[bytes, int]:
    """A raw deflate stream of head + block × copies + tail, built in milliseconds whatever `copies` is: after a
    full flush the compressor forgets what came before, so every copy of the block compresses to the same bytes."""
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = packer.compress(head) + packer.flush(zlib.Z_FULL_FLUSH)
    one = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    end = packer.compress(tail) + packer.flush()
    return start + one * copies + end, len(head) + len(block) * copies + len(tail)


def raw_zip(members: list[tuple[str, bytes, int, int]]) -> bytes:
    """A ZIP from (name, deflated bytes, declared expanded size, crc) — the declared size may lie on purpose."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, data, size, crc in members:
        offset = out.tell()
        encoded = name.encode()
        out.write(struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0))
        out.write(encoded + data)
        central.write(
            struct.pack(
                "<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, 0, 8, 0, 0x21, crc, len(data), size, len(encoded), 0, 0, 0,
                0, 0, offset,
            )  # fmt: skip
            + encoded
        )
    directory = central.getvalue()
    at = out.tell()
    out.write(directory)
    out.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(members), len(members), len(directory), at, 0))
    return out.getvalue()


def _small(name: str, text: str) -> tuple[str, bytes, int, int]:
    data = text.encode()
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return name, packer.compress(data) + packer.flush(), len(data), zlib.crc32(data)


def workbook_with_sheet(block: bytes, copies: int, *, declared: int | None = None) -> bytes:
    """An XLSX whose only cell holds `block` × `copies` (sheet XML of that size); `declared` overrides the size the
    archive states for the sheet. Only for refusals: the sheet's CRC is not computed (it would cost a pass over
    gigabytes), so a reader that got to its end would refuse it for that."""
    stream, size = _repeated_deflate(SHEET_HEAD, block, copies, SHEET_TAIL)
    members = [
        _small("[Content_Types].xml", CONTENT_TYPES),
        _small("_rels/.rels", ROOT_RELS),
        _small("xl/workbook.xml", WORKBOOK),
        _small("xl/_rels/workbook.xml.rels", WORKBOOK_RELS),
        ("xl/worksheets/sheet1.xml", stream, size if declared is None else declared, 0),
    ]
    return raw_zip(members)


def pdf(body: bytes = b"") -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
        b"3 0 obj << /Length " + str(len(body)).encode() + b" >>\nstream\n" + body + b"\nendstream\nendobj\n"
        b"trailer << /Root 1 0 R >>\n%%EOF\n"
    )


def _png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png(text: bytes | None = None) -> bytes:
    """A real 1×1 grey PNG, optionally with a tEXt chunk."""
    chunks = [_png_chunk(b"IHDR", struct.pack(">IIBBBBB", 1, 1, 8, 0, 0, 0, 0))]
    if text is not None:
        chunks.append(_png_chunk(b"tEXt", b"Comment\x00" + text))
    chunks.append(_png_chunk(b"IDAT", zlib.compress(b"\x00\x80")))
    chunks.append(_png_chunk(b"IEND", b""))
    return b"\x89PNG\r\n\x1a\n" + b"".join(chunks)


def jpeg(after: bytes = b"") -> bytes:
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\x00" * 20 + b"\xff\xd9" + after


def docx(extra: dict[str, bytes] | None = None, *, stored: bool = False, content_types: str = CONTENT_TYPES) -> bytes:
    buffer = io.BytesIO()
    method = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(buffer, "w", method) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("word/document.xml", "<w:document/>")
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()
