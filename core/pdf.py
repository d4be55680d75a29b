"""PDF rendering with WeasyPrint, offline: installed fonts only (Noto CJK), no URL is ever fetched."""

from __future__ import annotations


def _offline_fetcher():
    """WeasyPrint may fetch nothing: templates inline their CSS and charts, so any URL that user text smuggles in
    (or a future template change) fails here instead of reaching the network."""
    from weasyprint import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"offline rendering: refusing to fetch {url[:80]}")

    return OfflineFetcher()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    return HTML(string=html, base_url=None, url_fetcher=_offline_fetcher()).write_pdf()
