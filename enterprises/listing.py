"""The enterprise list page, shared by the archive's own list and the lists behind a figure elsewhere (a target's
enterprises): the same scope, filters, paging and exports wherever a list of enterprises is shown."""

from urllib.parse import urlencode

from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

from regions.models import code_prefix

from . import access, exports, list_rows, selectors
from .forms import DEFAULT_SORT, SORTS, EnterpriseFilterForm
from .models import Enterprise

PAGE_SIZE = 50
# The columns the list shows (list_rows.rows_html): the rest of a record (its notes, former names as JSON…) is not
# read and converted fifty times per page.
LIST_FIELDS = (
    "name",
    "credit_code",
    "is_synthetic",
    "size_class",
    "is_above_scale",
    "revenue",
    "county__name",
    "industry__name",
)


class CountedPaginator(Paginator):
    """A paginator told the exact number of rows when it is known without counting them (a region scope's total,
    kept by the database per county: see selectors.regional_count); otherwise it counts as Django's does."""

    def __init__(self, object_list, per_page, *, count: int | None = None):
        super().__init__(object_list, per_page)
        if count is not None:
            self.count = count  # sets Paginator.count's cached_property value


def list_page(request, *, within=None, subset: dict | None = None):
    """The enterprise list: the user's scope, the filters, the page or an export. `within` narrows it to a set of
    enterprises (the ones behind a monitoring figure: an unscoped queryset, intersected with the scope here), and
    `subset` says what that set is ({"title", "back_url", "back_label", "list_url"}) for the banner above."""
    form = EnterpriseFilterForm(request.GET or None, user=request.user)
    region = code_prefix(form.cleaned_data.get("region") or "") if form.is_bound and form.is_valid() else ""
    qs = Enterprise.objects.visible_to(request.user, within=region)
    if form.is_bound and not form.is_valid():
        qs = qs.none()
    elif form.is_bound:
        qs = form.apply(qs)
    else:
        form.is_valid()
        qs = qs.order_by(*SORTS[DEFAULT_SORT])
    if within is not None:
        qs = qs.filter(pk__in=within.values("pk"))
    export_format = request.GET.get("format")
    if export_format in {"csv", "xlsx"}:
        if not access.can(request.user, "export"):
            raise PermissionDenied(_("您没有导出权限"))
        return exports.enterprise_export(qs, export_format)
    count = None  # counted by the paginator unless the matches are a whole region scope
    if within is not None:
        pass  # a subset: counted
    elif not form.is_bound:
        count = selectors.regional_count(request.user)
    elif form.is_valid() and form.region_only():
        count = selectors.regional_count(request.user, region)
    page = CountedPaginator(qs.select_related("county", "industry").only(*LIST_FIELDS), PAGE_SIZE, count=count)
    page = page.get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "rows": list_rows.rows_html(page.object_list),
        "query": query.urlencode(),
        "can_create": access.can(request.user, "create"),
        "can_export": access.can(request.user, "export"),
        "is_filtered": any(v for k, v in request.GET.items() if k not in {"page", "sort", "part"}),
        "subset": subset,
        "list_url": (subset or {}).get("list_url") or reverse("enterprises:list"),
        "campaign_url": _campaign_url(request.user, region, query) if within is None and query else "",
    }
    template = "enterprises/_list_results.html" if request.headers.get("HX-Request") else "enterprises/list.html"
    return render(request, template, context)


def _campaign_url(user, region: str, query) -> str:
    """Where an officer starts a campaign with the enterprises this filtered list shows: the filtered region if
    they govern it, else the region they govern."""
    from accounts.policy import scope_of
    from regions.models import Region

    scope = scope_of(user)
    if not scope.officer_paths:
        return ""
    path = region if region and scope.manages_code(region) else scope.officer_paths[0]
    code = Region.objects.filter(path=path).values_list("code", flat=True).first()
    if not code:
        return ""
    return reverse("monitoring:campaign_create", kwargs={"code": code}) + "?" + urlencode({"list": query.urlencode()})
