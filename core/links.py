"""Absolute links to this site, for places without a request: PDFs, QR codes, e-mails, exports.

Every such link comes from settings.TIDU_SITE_URL (validated at start in tidu/settings.py), never from the
request's host or a hard-coded address, so paper and mail point where users actually reach the site."""

from __future__ import annotations

from django.conf import settings
from django.urls import get_script_prefix


def site_url() -> str:
    """The configured address, without a trailing slash (e.g. "https://example.cn" or "https://example.cn/tidu")."""
    return settings.TIDU_SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """The absolute address of a path on this site, e.g. absolute_url(reverse("report_verify", args=[code])).

    The site address names any path prefix the site is served under. A path from reverse() already starts with
    Django's script prefix (FORCE_SCRIPT_NAME) when one is set; that prefix is then not repeated."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url needs a path starting with '/', got {path!r}")
    base = site_url()
    script_prefix = get_script_prefix().rstrip("/")
    if script_prefix and base.endswith(script_prefix) and path.startswith(f"{script_prefix}/"):
        path = path[len(script_prefix) :]
    return base + path
