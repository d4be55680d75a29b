"""The text of a Word document (.docx) for the assistant's corpus, headings kept: the standard library's zipfile and
defusedxml's ElementTree (no entity expansion, no external references), no Office library. Pure: no Django.

The body is read in order (paragraphs, tables, content controls). A paragraph is a heading when its style (or the
paragraph itself) carries an outline level, or the style is named "heading N" / "标题 N" / "Title"; it becomes a
Markdown heading (`#` × level), so `retrieval.split_document` makes the section path from it as for a .md upload.
A table row becomes one line, its cells joined by " | ". The caller checks the file first (core.uploads)."""

from __future__ import annotations

import io
import re
import zipfile

from defusedxml import ElementTree

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
MAX_PART_BYTES = 64 * 1024 * 1024  # document.xml of a several-hundred-page policy is a few MB
_HEADING_NAME = re.compile(r"^(?:heading|标题)\s*([1-9])$", re.IGNORECASE)


class DocxError(ValueError):
    """The archive is no readable Word document (the caller says so in Chinese)."""


def _read(archive: zipfile.ZipFile, name: str) -> bytes | None:
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > MAX_PART_BYTES:
        raise DocxError(f"{name} is larger than {MAX_PART_BYTES} bytes")
    with archive.open(info) as part:
        return part.read(MAX_PART_BYTES + 1)


def _parse(data: bytes):
    try:
        return ElementTree.fromstring(data, forbid_dtd=True)
    except Exception as exc:  # ParseError, or defusedxml's refusal of a DTD or an entity
        raise DocxError(f"unreadable XML: {exc}") from exc


def _val(element, path: str) -> str | None:
    found = element.find(path)
    return None if found is None else found.get(f"{W}val")


def heading_levels(styles_xml: bytes | None) -> dict[str, int]:
    """Paragraph style id → heading level (1-9), from word/styles.xml; styles based on a heading style inherit it."""
    if not styles_xml:
        return {}
    direct: dict[str, int] = {}
    based_on: dict[str, str] = {}
    for style in _parse(styles_xml).iter(f"{W}style"):
        if style.get(f"{W}type") != "paragraph" or not (style_id := style.get(f"{W}styleId")):
            continue
        outline = _val(style, f"{W}pPr/{W}outlineLvl")
        name = (_val(style, f"{W}name") or "").strip()
        if outline is not None and outline.isdigit() and int(outline) < 9:
            direct[style_id] = int(outline) + 1
        elif m := _HEADING_NAME.match(name):
            direct[style_id] = int(m.group(1))
        elif name.lower() == "title":
            direct[style_id] = 1
        if parent := _val(style, f"{W}basedOn"):
            based_on[style_id] = parent
    levels = dict(direct)
    for style_id in based_on:
        seen, current = set(), style_id
        while current not in direct and current in based_on and current not in seen:
            seen.add(current)
            current = based_on[current]
        if current in direct:
            levels.setdefault(style_id, direct[current])
    return levels


def _paragraph_text(paragraph) -> str:
    parts = []
    for node in paragraph.iter():
        if node.tag == f"{W}t" and node.text:
            parts.append(node.text)
        elif node.tag == f"{W}tab":
            parts.append(" ")
    return "".join(parts).strip()


def _cell_text(cell) -> str:
    return " ".join(text for p in cell.iter(f"{W}p") if (text := _paragraph_text(p)))


def _blocks(container, levels: dict[str, int]):
    """(heading level or 0, text) for the body's paragraphs and table rows, in document order."""
    for child in container:
        if child.tag == f"{W}p":
            text = _paragraph_text(child)
            if not text:
                continue
            outline = _val(child, f"{W}pPr/{W}outlineLvl")
            level = int(outline) + 1 if outline is not None and outline.isdigit() and int(outline) < 9 else 0
            level = level or levels.get(_val(child, f"{W}pPr/{W}pStyle") or "", 0)
            yield level, text
        elif child.tag == f"{W}tbl":
            for row in child.findall(f"{W}tr"):
                cells = [_cell_text(cell) for cell in row.findall(f"{W}tc")]
                if any(cells):
                    yield 0, " | ".join(cells)
        elif child.tag == f"{W}sdt":
            content = child.find(f"{W}sdtContent")
            if content is not None:
                yield from _blocks(content, levels)


def docx_text(data: bytes) -> str:
    """The document's text as Markdown-like lines: `# …` headings and blank-line separated paragraphs."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            document = _read(archive, "word/document.xml")
            styles = _read(archive, "word/styles.xml")
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, OSError) as exc:
        raise DocxError(f"unreadable archive: {exc}") from exc
    if document is None:
        raise DocxError("no word/document.xml")
    body = _parse(document).find(f"{W}body")
    if body is None:
        return ""
    lines = []
    for level, text in _blocks(body, heading_levels(styles)):
        lines.append(f"{'#' * min(level, 6)} {text}" if level else text)
    return "\n\n".join(lines) + ("\n" if lines else "")
