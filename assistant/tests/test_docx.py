"""Word documents in the assistant's corpus: headings become the section path, tables are read row by row, and an
upload is checked like every other (macros, disguised archives, XML with a DTD refused); a scanned PDF is refused
with a message saying there is no OCR."""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assistant import docx, retrieval
from assistant.models import Document

NS = 'xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
CONTENT_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="xml" ContentType="application/xml"/></Types>'
)
# Chinese Word names its heading styles by number ids; the names say what they are.
STYLES = (
    f'<?xml version="1.0"?><w:styles {NS}>'
    '<w:style w:type="paragraph" w:styleId="1"><w:name w:val="heading 1"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="2"><w:name w:val="heading 2"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="MyHeading"><w:name w:val="我的标题"/><w:basedOn w:val="2"/></w:style>'
    '<w:style w:type="paragraph" w:styleId="a3"><w:name w:val="Normal"/></w:style>'
    "</w:styles>"
)


def p(text: str, style: str = "", outline: int | None = None) -> str:
    props = (f'<w:pStyle w:val="{style}"/>' if style else "") + (
        f'<w:outlineLvl w:val="{outline}"/>' if outline is not None else ""
    )
    runs = "".join(f"<w:r><w:t>{part}</w:t></w:r>" for part in text.split("|"))  # "|" splits a paragraph in runs
    return f"<w:p><w:pPr>{props}</w:pPr>{runs}</w:p>"


def word(body: str, *, styles: str = STYLES, extra: dict[str, str] | None = None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", CONTENT_TYPES)
        document = f'<?xml version="1.0"?><w:document {NS}><w:body>{body}</w:body></w:document>'
        archive.writestr("word/document.xml", document)
        archive.writestr("word/styles.xml", styles)
        for name, data in (extra or {}).items():
            archive.writestr(name, data)
    return buffer.getvalue()


POLICY = word(
    p("示例市工业互联网专项资金管理办法", "1")
    + p("第一章 总则", "2")
    + p("为推动工业互联网|创新发展，制定本办法。")
    + p("第二章 支持方向", "MyHeading")
    + p("企业上云上平台的，按实际费用的百分之三十给予补助。")
    + "<w:tbl><w:tr><w:tc>"
    + p("项目类型")
    + "</w:tc><w:tc>"
    + p("最高补助")
    + "</w:tc></w:tr>"
    + "<w:tr><w:tc>"
    + p("标识解析节点")
    + "</w:tc><w:tc>"
    + p("二百万元")
    + "</w:tc></w:tr></w:tbl>"
    + p("附则", outline=1)  # a heading by the paragraph's own outline level, no heading style
    + p("本办法自发布之日起施行。")
)


def test_headings_become_markdown_headings_and_tables_rows():
    assert docx.docx_text(POLICY) == (
        "# 示例市工业互联网专项资金管理办法\n\n## 第一章 总则\n\n为推动工业互联网创新发展，制定本办法。\n\n"
        "## 第二章 支持方向\n\n企业上云上平台的，按实际费用的百分之三十给予补助。\n\n项目类型 | 最高补助\n\n"
        "标识解析节点 | 二百万元\n\n## 附则\n\n本办法自发布之日起施行。\n"
    )
    sections = [(c.section, c.text) for c in retrieval.split_document(docx.docx_text(POLICY))]
    assert sections[0] == ("示例市工业互联网专项资金管理办法 › 第一章 总则", "为推动工业互联网创新发展，制定本办法。")
    assert sections[1][0] == "示例市工业互联网专项资金管理办法 › 第二章 支持方向"
    assert "标识解析节点 | 二百万元" in sections[1][1]


def test_a_document_with_a_dtd_is_refused_before_any_entity_is_expanded():
    bomb = word("", extra={})
    buffer = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(bomb)) as source, zipfile.ZipFile(buffer, "w") as target:
        for info in source.infolist():
            data = source.read(info)
            if info.filename == "word/document.xml":
                data = b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "aaaaaaaaaa">]><d>&a;&a;</d>'
            target.writestr(info, data)
    with pytest.raises(docx.DocxError):
        docx.docx_text(buffer.getvalue())


@pytest.mark.django_db
def test_an_uploaded_word_document_keeps_its_title_and_sections(world, login):
    client = login(world["province"])
    response = client.post("/ai/assistant/corpus/", {"kind": "policy", "file": SimpleUploadedFile("办法.docx", POLICY)})
    assert response.status_code == 302
    document = Document.objects.get()
    assert document.title == "示例市工业互联网专项资金管理办法" and not document.paged
    rows = list(document.passages.values_list("section", "text"))
    assert rows[0] == ("第一章 总则", "为推动工业互联网创新发展，制定本办法。")
    assert rows[-1] == ("附则", "本办法自发布之日起施行。")


def _scanned_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string='<div style="width:300px;height:200px;background:#333"></div>').write_pdf()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("办法.docx", word(p("正文"), extra={"word/vbaProject.bin": "x"}), "文件含有宏"),
        ("办法.docx", b"PK\x03\x04not really", "文件内容与扩展名 .docx 不符"),
        ("办法.docx", word(p("<script>正文</script>".replace("<", "&lt;"))) + b"<html>", "文件内容与扩展名 .docx 不符"),
        ("空白.docx", word(""), "文件中没有可检索的文字"),
        ("扫描件.pdf", None, "本系统不做文字识别（OCR）"),
        ("办法.doc", b"\xd0\xcf\x11\xe0", "仅支持 .txt、.md、.docx 和 .pdf 文件"),
    ],
)
def test_refused_word_and_scanned_uploads_say_why_and_store_nothing(world, login, name, content, message):
    client = login(world["province"])
    data = _scanned_pdf() if content is None else content
    response = client.post("/ai/assistant/corpus/", {"kind": "policy", "file": SimpleUploadedFile(name, data)})
    assert response.status_code == 200 and message in response.content.decode()
    assert not Document.objects.exists()
