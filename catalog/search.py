"""Text search over the pools and needs. Every list and the search page call `filter_text`, so the way text is
matched lives in this one module."""

from __future__ import annotations

from django.db.models import Q

# model name → fields searched
FIELDS = {
    "provider": ("name", "description"),
    "solution": ("title", "description"),
    "case": ("title", "summary"),
    "need": ("title", "text"),
}


def filter_text(qs, text: str):
    """Rows of `qs` matching `text` (plain substring match until the tokenised index replaces it)."""
    q = Q()
    for field in FIELDS[qs.model._meta.model_name]:
        q |= Q(**{f"{field}__icontains": text})
    return qs.filter(q)
