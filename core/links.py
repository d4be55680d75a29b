"""Absolute links to this site, for places without a request: PDFs, QR codes, e-mails, exports.

Every such link comes from settings.TIDU_SITE_URL (validated at start in tidu/settings.py), never from the
request's host or a hard-coded address, so paper and mail point where users actually reach the site."""

from __future__ import annotations

from django.conf import settings


def site_url() -> str:
    """The configured address, without a trailing slash (e.g. "https://example.cn" or "https://example.cn/tidu")."""
    return settings.TIDU_SITE_URL.rstrip("/")


def absolute_url(path: str) -> str:
    """The absolute address of a path on this site, e.g. absolute_url(reverse("reports:verify", args=[code])).

    A path from reverse() already carries the deployment's script prefix (FORCE_SCRIPT_NAME); when the site
    address ends in that same prefix it is not repeated."""
    if not path.startswith("/"):
        raise ValueError(f"absolute_url needs a path starting with '/', got {path!r}")
    base = site_url()
    prefix = base.split("://", 1)[1].partition("/")[2]  # the path part of the site address, '' when none
    if prefix and (path == f"/{prefix}" or path.startswith(f"/{prefix}/")):
        path = path[len(prefix) + 1 :]
    return base + path
