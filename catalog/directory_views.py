"""The published directory (优质服务商目录) with its XLSX and PDF exports, and the attachment endpoints. Scope rules
are in catalog/directory.py and catalog/attachments.py; these views only wire them to requests."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.exports import XLSX_TYPE
from core.uploads import stored_file_response

from . import access, attachments, directory
from .services import CatalogError

PAGE_SIZE = 50


@login_required
def directory_page(request):
    """The directory; `?format=xlsx` or `?format=pdf` exports the same filtered list in full."""
    form = directory.DirectoryFilterForm(request.GET or None, user=request.user)
    fmt = request.GET.get("format", "")
    if fmt in ("xlsx", "pdf"):
        if form.is_bound and not form.is_valid():
            return HttpResponse(_("筛选条件无效，未导出"), status=400, content_type="text/plain; charset=utf-8")
        issued = directory.build(request.user, form)
        if fmt == "xlsx":
            response = HttpResponse(content_type=XLSX_TYPE)
            directory.write_xlsx(response, issued)
        else:
            response = HttpResponse(directory.render_pdf(issued), content_type="application/pdf")
        response["Content-Disposition"] = directory.filename(fmt)
        return response
    page = Paginator(directory.directory_queryset(request.user, form), PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "form": form,
        "page": page,
        "entries": directory.entries(page.object_list),
        "query": query.urlencode(),
        "issuer": directory.issuer_of(request.user, form),
        "provisional": directory.scorecard_is_provisional(),
        "provisional_note": directory.provisional_note(),
        "is_filtered": any(v for k, v in request.GET.items() if k != "page"),
    }
    template = "catalog/_directory_results.html" if request.headers.get("HX-Request") else "catalog/directory.html"
    return render(request, template, context)


# Attachments -------------------------------------------------------------------------------------------------------


def _owner_url(provider, solution, case) -> str:
    """Back to the record the file belongs to; never a URL taken from the request (no open redirect)."""
    if case is not None:
        return reverse("catalog:case_detail", args=[case.pk])
    if solution is not None:
        return reverse("catalog:solution_detail", args=[solution.pk])
    return reverse("catalog:provider_detail", args=[provider.pk])


def _owner_page(request, provider, solution, case, *, status: int):
    from . import views  # the record pages live there; imported here only, for this error path

    if case is not None:
        response = views.case_detail(request, case.pk)
    elif solution is not None:
        response = views.solution_detail(request, solution.pk)
    else:
        response = views.provider_detail(request, provider.pk)
    response.status_code = status
    return response


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError as exc:
        raise Http404(_("附件所属的记录不存在")) from exc


@login_required
@require_POST
def attachment_upload(request):
    provider, solution, case = attachments.get_owner_for_user(
        request.user,
        provider_id=_int_or_none(request.POST.get("provider")),
        solution_id=_int_or_none(request.POST.get("solution")),
        case_id=_int_or_none(request.POST.get("case")),
    )
    try:
        stored = attachments.attachment_add(
            actor=request.user,
            provider=provider,
            solution=solution,
            case=case,
            kind=request.POST.get("kind", ""),
            upload=request.FILES.get("file"),
        )
    except CatalogError as exc:
        # A refused file is a client error: the record's own page again, with the reason, as 422 (not a redirect).
        messages.error(request, _("未上传：%(reason)s") % {"reason": exc})
        return _owner_page(request, provider, solution, case, status=422)
    else:
        messages.success(request, _("已上传：%(name)s") % {"name": stored.original_name})
    return redirect(f"{_owner_url(provider, solution, case)}#attachments")


@login_required
def attachment_download(request, pk: int):
    attachment = attachments.get_attachment_for_user(request.user, pk)
    return stored_file_response(
        attachment.file, filename=attachment.original_name, content_type=attachment.content_type
    )


@login_required
@require_POST
def attachment_delete(request, pk: int):
    attachment = attachments.get_attachment_for_user(request.user, pk, access.EDIT)
    back = _owner_url(attachment.provider, attachment.solution, attachment.case)
    name = attachment.original_name
    attachments.attachment_remove(actor=request.user, attachment=attachment)
    messages.success(request, _("已删除附件：%(name)s") % {"name": name})
    return redirect(f"{back}#attachments")
