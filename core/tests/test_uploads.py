"""The content check reads the whole file: a file is what its extension says from its first byte to its last, so a
PDF or an image carrying an HTML page, or an Office file carrying a macro or a page, is refused with a reason."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from core import uploads
from core.tests.hostile import MB, docx, jpeg, pdf, png, workbook_with_sheet

PAGE = b"<html><body><script>alert(document.cookie)</script></body></html>"
MACRO_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Override PartName="/word/document.xml" '
    'ContentType="application/vnd.ms-word.document.macroEnabled.main+xml"/></Types>'
)


def check(name: str, content: bytes) -> uploads.CheckedUpload:
    return uploads.check(SimpleUploadedFile(name, content), max_bytes=20 * MB)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("制度.pdf", pdf()),
        ("制度.pdf", pdf(body=b"BT (<html> as drawn text) Tj ET")),  # inside a stream it is page content
        ("制度.pdf", pdf() + b"\r\n"),
        ("现场.png", png()),
        ("现场.png", png(text=b"made with a camera")),
        ("现场.jpg", jpeg()),
        ("现场.jpg", jpeg(after=b"\x00\x00MotionPhoto_Data")),  # phones append data after the image
        ("方案.docx", docx()),
        ("方案.docx", docx({"word/media/image1.png": png()})),
    ],
)
def test_real_files_pass(name, content):
    checked = check(name, content)
    assert checked.data == content and checked.size == len(content)


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("资质.pdf", pdf() + PAGE),  # a page after %%EOF
        ("资质.pdf", pdf().replace(b"trailer", PAGE + b"\ntrailer")),  # markup between objects
        ("资质.pdf", b"%PDF-1.4\n" + PAGE),  # a header and then a page, no PDF at all
        ("资质.pdf", pdf().replace(b"endstream", b"endstrea")),  # a stream that never ends hides nothing
        ("资质.pdf", b"%PDF-1.4\n" + b"stream\n" * 200_000),  # and many of them cost one pass
        ("现场.png", png() + PAGE),  # HTML after IEND
        ("现场.png", png(text=PAGE)),  # HTML in a text chunk
        ("现场.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 32),  # the signature and nothing of a PNG after it
        ("现场.jpg", jpeg(after=PAGE)),
        ("现场.jpg", b"\xff\xd8\xff" + PAGE),
        ("方案.docx", docx() + PAGE),  # appended after the archive's end record
        ("方案.docx", PAGE + docx()),  # prepended
        ("方案.docx", docx({"word/page.xml": PAGE}, stored=True)),  # a page stored uncompressed inside
        ("方案.xlsx", docx()),  # a document is not a workbook
    ],
)
def test_polyglots_and_disguises_are_refused_as_not_what_their_extension_says(name, content):
    ext = name[name.rindex(".") :]
    with pytest.raises(uploads.UploadError) as refused:
        check(name, content)
    assert str(refused.value) == f"文件内容与扩展名 {ext} 不符"


@pytest.mark.parametrize(
    "content",
    [
        docx({"word/vbaProject.bin": b"\x00VBA"}),
        docx({"word/activeX/activeX1.xml": "<ax/>"}),
        docx({"word/embeddings/run.js": "WScript.Run('calc')"}),
        docx({"word/evil.html": PAGE}),  # a page, compressed
        docx(content_types=MACRO_TYPES),
    ],
)
def test_office_files_with_macros_controls_or_scripts_are_refused_with_that_reason(content):
    with pytest.raises(uploads.UploadError, match="含有宏、ActiveX 控件或脚本"):
        check("方案.docx", content)


def test_an_office_file_that_would_expand_to_gigabytes_is_refused_from_its_directory():
    bomb = workbook_with_sheet(b"A" * MB, 2048)
    with pytest.raises(uploads.UploadError, match="解压后约 2,048 MB，超过每个部件 512 MB 的上限"):
        check("统计.xlsx", bomb)
