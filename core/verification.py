"""One public verification service for every document the platform issues with a code (diagnosis reports,
recognition certificates): the page at r/<code>/ asks each registered lookup for the code and compares the uploaded
file's SHA-256 with the one stored at issue.

core imports no domain app: each app registers its lookup in its AppConfig.ready(). A lookup takes the code as typed
and returns the Issued record, or None when the code is not one of its own."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Issued:
    """What a code stands for, as printed on the document itself — never more of its content."""

    kind: str  # the registering app's key: "report", "certificate"
    code: str  # as stored
    sha256: str
    title: str  # the kind of document, for the page's heading ("认定证书")
    facts: tuple[tuple[str, str], ...] = ()  # (label, value) shown publicly, already translated
    warning: str = ""  # the document is genuine but no longer stands (a revoked or expired certificate)
    details: Any = field(default=None, compare=False)  # the app's own description, for its own page parts


Lookup = Callable[[str], "Issued | None"]
_lookups: dict[str, Lookup] = {}


def register(kind: str, lookup: Lookup) -> None:
    """Called from an AppConfig.ready(); registering the same kind again replaces it (reloads, tests)."""
    _lookups[kind] = lookup


def find(code: str) -> Issued | None:
    for lookup in _lookups.values():
        issued = lookup(code)
        if issued is not None:
            return issued
    return None


def matches(issued: Issued, pdf_bytes: bytes) -> bool:
    """Is this file, byte for byte, the one issued under the code?"""
    return bool(issued.sha256) and secrets.compare_digest(hashlib.sha256(pdf_bytes).hexdigest(), issued.sha256)
