"""The search page: one query over providers, solutions, cases and needs, each kind scoped as its own list is.

htmx asks for the results fragment as the user types; a plain GET renders the whole page, so a search link works
without JavaScript. A search only reads: the index is kept current by the services that write (catalog.search_index).
Counts stop at search.COUNT_CAP and say so ("500+"); one kind pages through its first COUNT_CAP hits."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from . import access, search
from .models import Need, Provider, Solution

PER_KIND = 5  # hits shown per kind on the overview; one kind alone is paged
PAGE_SIZE = 20
MAX_Q = 100  # as the list filters' search box

LABELS = {"provider": _("服务商"), "solution": _("解决方案"), "case": _("标杆案例"), "need": _("需求")}


def _scoped(kind: str, user):
    """The records of `kind` this user may see, exactly as the kind's own list and detail pages scope them."""
    if kind == "provider":
        return Provider.objects.visible_to(user).select_related("region")
    if kind == "solution":
        return Solution.objects.visible_to(user).select_related("provider")
    if kind == "case":
        return access.cases_visible_to(user).select_related("provider")
    return Need.objects.visible_to(user).select_related("enterprise")


@dataclass
class Hit:
    url: str
    title: str
    snippet: str
    meta: str
    status: str
    status_label: str


def _hit(kind: str, obj, terms) -> Hit:
    if kind == "provider":
        body, meta, url = f"{obj.description}\n{obj.qualifications}", obj.region.name, "provider_detail"
    elif kind == "solution":
        body, meta, url = f"{obj.description}\n{search.plain_text(obj.outcomes)}", obj.provider.name, "solution_detail"
    elif kind == "case":
        body, meta, url = f"{obj.summary}\n{search.plain_text(obj.metrics)}", obj.provider.name, "case_detail"
    else:
        body, meta, url = obj.text, obj.enterprise.name, "need_detail"
    status = getattr(obj, "status", "")
    listed = {"published", "open"}
    return Hit(
        url=reverse(f"catalog:{url}", args=[obj.pk]),
        title=search.highlight(obj.title if kind != "provider" else obj.name, terms),
        snippet=search.highlight(body.strip(), terms, width=120),
        meta=meta,
        status="" if status in listed else status,
        status_label=obj.get_status_display() if status and status not in listed else "",
    )


@login_required
def search_page(request):
    q = (request.GET.get("q") or "").strip()[:MAX_Q]
    kind = request.GET.get("kind") or ""
    if kind not in search.KINDS:
        kind = ""
    query = search.parse_query(q)
    groups, total, capped = [], 0, False
    for k in search.KINDS:
        ranked = search.Ranked(_scoped(k, request.user), query) if query else None
        count = ranked.count() if ranked is not None else 0
        over = ranked is not None and ranked.capped
        total, capped = total + count, capped or over
        group = {"kind": k, "label": LABELS[k], "count": count, "capped": over, "hits": [], "page": None}
        group["shown_count"] = f"{count}+" if over else count
        if ranked is not None and count and kind in ("", k):
            if kind:
                group["page"] = Paginator(ranked, PAGE_SIZE).get_page(request.GET.get("page"))
                objects = group["page"].object_list
            else:
                objects = ranked[:PER_KIND]
            group["hits"] = [_hit(k, obj, query.terms) for obj in objects]
        groups.append(group)
    params = request.GET.copy()
    params.pop("page", None)
    context = {
        "q": q,
        "kind": kind,
        "groups": groups,
        "shown": [g for g in groups if g["hits"]],
        "total": total,
        "shown_total": f"{total}+" if capped else total,
        "cap": search.COUNT_CAP,
        "searched": bool(q),
        "understood": bool(query),
        "query": params.urlencode(),
        "kinds": [(k, LABELS[k]) for k in search.KINDS],
    }
    # A history restore after hx-push-url needs the whole page, not the fragment.
    fragment = request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request")
    template = "catalog/search_results.html" if fragment else "catalog/search.html"
    return render(request, template, context)
