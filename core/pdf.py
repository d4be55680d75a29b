"""PDF rendering with WeasyPrint, offline: installed fonts only (Noto CJK), no URL is ever fetched."""

from __future__ import annotations

import functools
import gc


@functools.cache
def _offline_fetcher():
    """WeasyPrint may fetch nothing: templates inline their CSS and charts, so any URL that user text smuggles in
    (or a future template change) fails here instead of reaching the network. Built once: each URLFetcher loads the
    system's certificate store (~30 ms), which an offline fetcher never uses."""
    from weasyprint import URLFetcher

    class OfflineFetcher(URLFetcher):
        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            raise ValueError(f"offline rendering: refusing to fetch {url[:80]}")

    return OfflineFetcher()


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML

    # A render allocates hundreds of thousands of short-lived objects (boxes, styles, glyph runs) that die with it;
    # the cyclic collector would walk the whole process (Django, the matching catalogue) many times meanwhile.
    # Paused for the render it saves ~10-20 % and most of the variance; what the render leaves is collected after.
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return HTML(string=html, base_url=None, url_fetcher=_offline_fetcher()).write_pdf()
    finally:
        if was_enabled:
            gc.enable()
