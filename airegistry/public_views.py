"""The public directory (no login): published industrial models and agents, filtered by industry, value-chain link,
modality and autonomy level, and each one's public page. They show what a directory prints — the developer, the
model's identity, scope, scene models, deployments and evaluation summaries — never drafts, reasons, report files
or the review trail."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.exports import download

from . import exports
from .forms import DirectoryFilter
from .models import Entry
from .views import parts_context

PAGE_SIZE = 30


def _published(request) -> tuple[DirectoryFilter, QuerySet]:
    form = DirectoryFilter(request.GET or None)
    data = form.cleaned_data if form.is_valid() else {}
    entries = Entry.objects.published().matching(**data).select_related(
        "developer_enterprise__county", "developer_provider", "region").order_by("-published_at", "-id")  # fmt: skip
    return form, entries


def directory(request):
    form, entries = _published(request)
    page = Paginator(entries, PAGE_SIZE).get_page(request.GET.get("page"))
    query = urlencode({k: v for k, v in request.GET.items() if k != "page" and v})
    return render(request, "airegistry/public_list.html", {"form": form, "page": page, "query": query})


def directory_export(request, fmt: str):
    """The filtered directory as XLSX or CSV, for anyone who may read the directory."""
    _form, entries = _published(request)
    filename = f"ai-directory-{timezone.localtime():%Y%m%d}"
    return download(fmt, filename, exports.headers(), exports.rows(entries.iterator()), _("工业模型与智能体名录"))


def public_detail(request, pk: int):
    published = Entry.objects.published().select_related("developer_enterprise__county", "developer_provider", "region")
    entry = get_object_or_404(published, pk=pk)
    return render(request, "airegistry/public_detail.html", {"entry": entry, **parts_context(entry)})
