"""A small same-site crawler over Django's test client, for tests that must hold on every page a user can reach.

`crawl(client, start=["/"])` follows every same-site link (`<a href>`, htmx `hx-get`) breadth first with GET only,
and returns one `Page` per URL with its text: HTML as served, PDFs through `pdftotext`, CSV as text and XLSX as the
values of every cell. It is bounded two ways so it stays fast on a seeded demo: at most `per_pattern` URLs that
differ only in their numbers (…/enterprises/12/ and …/enterprises/13/ are one pattern) and at most `limit` pages.

It never follows what would change state or leave the site: logout, language switches, the Django admin, static and
media files, `mailto:`/`tel:`/`javascript:` links and other hosts. Views that change state only answer POST, so GET
is safe by construction; `skip` adds more prefixes.

Reuse it for any "every page" rule (no markers, no 403 from a menu link, no 500):

    pages = crawl(client, start=["/"])
    assert [p.url for p in pages if p.status >= 500] == []
"""

from __future__ import annotations

import io
import re
import subprocess
from collections import deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urldefrag, urlencode, urljoin, urlsplit

SKIP = ("/accounts/logout", "/logout", "/i18n/", "/admin/", "/static/", "/media/", "/__debug__/")
SCHEMES = ("mailto:", "tel:", "javascript:", "data:")


@dataclass
class Page:
    """One fetched URL: its status, content type, kind ("html", "pdf", "csv", "xlsx", "text", "other") and text."""

    url: str
    status: int
    content_type: str
    kind: str
    text: str
    source: str  # the page whose link led here ("" for a start URL)
    links: list[str] = field(default_factory=list)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value and ((tag == "a" and name == "href") or name in ("hx-get", "data-hx-get")):
                self.found.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def pattern(url: str) -> str:
    """The shape of a URL: numbers and UUIDs replaced, query keys kept (sorted) and their values dropped, except
    `format`, which selects a different document (CSV, XLSX, PDF) of the same page."""
    parts = urlsplit(url)
    path = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<uuid>", parts.path)
    path = re.sub(r"\d+", "<n>", path)
    query = sorted(parts.query.split("&")) if parts.query else []
    keys = [q if q.startswith("format=") else q.split("=")[0] for q in query]
    return path + ("?" + "&".join(keys) if keys else "")


def pdf_text(content: bytes) -> str:
    """The text of a PDF as a reader would copy it (poppler's pdftotext, UTF-8)."""
    done = subprocess.run(  # noqa: S603 - a fixed tool on bytes we produced
        ["/usr/bin/pdftotext", "-enc", "UTF-8", "-", "-"], input=content, capture_output=True, check=True, timeout=60
    )
    return done.stdout.decode("utf-8", "replace")


def xlsx_text(content: bytes) -> str:
    from openpyxl import load_workbook

    wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    lines = []
    for ws in wb.worksheets:
        lines.append(f"# {ws.title}")
        for row in ws.iter_rows(values_only=True):
            lines.append("\t".join("" if v is None else str(v) for v in row))
    return "\n".join(lines)


def _kind(content_type: str, url: str) -> str:
    ct = content_type.split(";")[0].strip().lower()
    if ct == "text/html":
        return "html"
    if ct == "application/pdf":
        return "pdf"
    if ct in ("text/csv", "application/csv") or url.endswith(".csv"):
        return "csv"
    if ct == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet":
        return "xlsx"
    if ct.startswith("text/") or ct in ("application/json", "application/yaml", "application/x-yaml"):
        return "text"
    return "other"


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def _read(response, kind: str) -> str:
    body = _body(response)
    if kind == "pdf":
        return pdf_text(body)
    if kind == "xlsx":
        return xlsx_text(body)
    if kind in ("html", "csv", "text"):
        return body.decode(response.charset or "utf-8", "replace")
    return ""


def _normalise(base: str, href: str, host: str) -> str | None:
    href = href.strip()
    if not href or href.startswith("#") or href.lower().startswith(SCHEMES):
        return None
    url, _fragment = urldefrag(urljoin(base, href))
    parts = urlsplit(url)
    if parts.netloc and parts.netloc != host:
        return None
    path = parts.path or "/"
    return path + (f"?{parts.query}" if parts.query else "")


def crawl(
    client,
    start: list[str],
    *,
    limit: int = 200,
    per_pattern: int = 1,
    skip: tuple[str, ...] = (),
    host: str = "testserver",
    extra_query: dict[str, str] | None = None,
) -> list[Page]:
    """Breadth-first GET over same-site links from `start`, as the client's logged-in user; see the module doc.

    `extra_query` is added to every start URL (e.g. {"format": "csv"} is better reached through the page's own
    export link, so it is rarely needed)."""
    skips = SKIP + tuple(skip)
    queue: deque[tuple[str, str]] = deque()
    for url in start:
        queue.append((url + ("?" + urlencode(extra_query) if extra_query else ""), ""))
    seen: set[str] = set()
    per: dict[str, int] = {}
    pages: list[Page] = []
    while queue and len(pages) < limit:
        url, source = queue.popleft()
        if url in seen or url.startswith(skips):
            continue
        shape = pattern(url)
        if per.get(shape, 0) >= per_pattern:
            continue
        seen.add(url)
        per[shape] = per.get(shape, 0) + 1
        response = client.get(url)
        content_type = response.get("Content-Type", "")
        kind = _kind(content_type, url) if response.status_code == 200 else "other"
        text = _read(response, kind) if kind != "other" else ""
        page = Page(url, response.status_code, content_type, kind, text, source)
        if response.status_code in (301, 302, 303, 307, 308):
            target = _normalise(url, response["Location"], host)
            if target:
                page.links = [target]
        elif kind == "html":
            page.links = [u for u in (_normalise(url, h, host) for h in links_of(text)) if u]
        for link in page.links:
            if link not in seen:
                queue.append((link, url))
        pages.append(page)
    return pages
