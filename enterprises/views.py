"""Archive pages. Each view: validate → permission helper → one service or queryset call → render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from . import access, events, exports, imports, listing, services
from .forms import (
    ContactFormSet,
    EnterpriseForm,
    FiguresForm,
    ImportAnswerForm,
    ImportUploadForm,
    LabelsForm,
    NoteForm,
    RemoveForm,
)
from .models import Enterprise, EnterpriseEvent, ImportJob
from .querysets import sees_internal
from .sizing import classify


@login_required
def enterprise_list(request):
    return listing.list_page(request)


@login_required
def enterprise_detail(request, pk: int):
    enterprise = access.get_enterprise_for_user(request.user, pk)
    user = request.user
    size = classify(enterprise.employees, enterprise.revenue)
    context = {
        "e": enterprise,
        "size": size,
        "figures": enterprise.figures.all(),
        "labels": enterprise.label_links.select_related("label"),
        "clusters": enterprise.cluster_memberships.select_related("cluster__region"),
        "chains": enterprise.chain_memberships.select_related("chain__region"),
        "contacts": enterprise.contacts.all() if access.can_see_contacts(user, enterprise) else None,
        "events": EnterpriseEvent.objects.visible_to(user).filter(enterprise=enterprise).select_related("actor")[:100],
        "sees_internal": sees_internal(user, enterprise),
        "choose_visibility": events.may_choose_visibility(user, enterprise),
        "can_change": access.can(user, access.CHANGE, enterprise),
        "can_delete": access.can(user, access.DELETE, enterprise),
        "can_note": access.can(user, access.NOTE, enterprise),
        "can_label": access.can(user, access.LABEL, enterprise),
        "note_form": NoteForm(),
        "remove_form": RemoveForm(),
    }
    return render(request, "enterprises/detail.html", context)


@login_required
def enterprise_create(request):
    if not access.can(request.user, "create"):
        raise PermissionDenied(_("只有主管部门可以新建企业档案"))
    form = EnterpriseForm(request.POST or None, user=request.user, instance=Enterprise())
    figures = FiguresForm(request.POST or None, prefix="fig", empty_permitted=True, use_required_attribute=False)
    if request.method == "POST" and form.is_valid() and (not figures.has_changed() or figures.is_valid()):
        enterprise = form.save(commit=False)
        enterprise.former_names = form.cleaned_data["former_names"]
        fig = services.Figures(**figures.cleaned_data) if figures.has_changed() else None
        services.enterprise_create(actor=request.user, enterprise=enterprise, figures=fig)
        messages.success(request, _("已建档：%(name)s") % {"name": enterprise.name})
        return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/form.html", {"form": form, "figures": figures, "creating": True})


@login_required
def enterprise_edit(request, pk: int):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.CHANGE)
    form = EnterpriseForm(request.POST or None, user=request.user, instance=enterprise)
    contacts = ContactFormSet(request.POST or None, instance=enterprise, prefix="contacts")
    labels = None
    if access.can(request.user, access.LABEL, enterprise):
        labels = LabelsForm(request.POST or None, enterprise=enterprise, prefix="labels")
    if request.method == "POST":
        valid = form.is_valid() & contacts.is_valid() & (labels is None or labels.is_valid())
        if valid:
            with transaction.atomic():
                fresh = Enterprise.objects.get(pk=enterprise.pk)
                changes = services.enterprise_update(actor=request.user, enterprise=fresh, data=form.changed_values())
                changed_contacts = services.enterprise_set_contacts(
                    actor=request.user, enterprise=fresh, formset=contacts
                )
                label_changes = labels and services.enterprise_set_labels(
                    actor=request.user, enterprise=fresh, labels=labels.selected()
                )
            if changes or changed_contacts or label_changes:
                messages.success(request, _("已保存，变更已记入档案历史"))
            else:
                messages.info(request, _("没有需要保存的变更"))
            return redirect("enterprises:detail", pk=enterprise.pk)
    context = {"form": form, "contacts": contacts, "labels": labels, "e": enterprise, "creating": False}
    return render(request, "enterprises/form.html", context)


@login_required
def enterprise_figures(request, pk: int):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.CHANGE)
    form = FiguresForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        changes = services.enterprise_set_figures(
            actor=request.user, enterprise=enterprise, figures=services.Figures(**form.cleaned_data)
        )
        messages.success(request, _("经营数据已保存") if changes else _("数据与档案一致，无需修改"))
        return redirect("enterprises:detail", pk=enterprise.pk)
    return render(request, "enterprises/figures_form.html", {"form": form, "e": enterprise})


@login_required
@require_POST
def enterprise_note(request, pk: int):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.NOTE)
    form = NoteForm(request.POST)
    if form.is_valid():
        services.enterprise_add_note(
            actor=request.user,
            enterprise=enterprise,
            text=form.cleaned_data["text"],
            visibility=form.cleaned_data["visibility"] or None,
        )
        messages.success(request, _("工作记录已添加"))
    else:
        messages.error(request, _("工作记录不能为空，且不超过 2000 字"))
    return redirect("enterprises:detail", pk=enterprise.pk)


@login_required
@require_POST
def enterprise_remove(request, pk: int):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.DELETE)
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写移出原因"))
        return redirect("enterprises:detail", pk=enterprise.pk)
    services.enterprise_remove(actor=request.user, enterprise=enterprise, reason=form.cleaned_data["reason"])
    messages.success(request, _("“%(name)s”已移出档案，历史记录已保留") % {"name": enterprise.name})
    return redirect("enterprises:list")


@login_required
def import_upload(request):
    if not access.can(request.user, "import"):
        raise PermissionDenied(_("只有主管部门可以导入企业名单"))
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_start(actor=request.user, upload=form.cleaned_data["file"])
        except imports.UploadError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("enterprises:import_status", pk=job.pk)
    jobs = ImportJob.objects.visible_to(request.user)[:10]
    status = 422 if request.method == "POST" else 200  # a refused file is a client error, with the reason shown
    return render(request, "enterprises/import_upload.html", {"form": form, "jobs": jobs}, status=status)


@login_required
def import_status(request, pk):
    job = access.get_import_job_for_user(request.user, pk)
    template = (
        "enterprises/_import_status.html" if request.headers.get("HX-Request") else "enterprises/import_status.html"
    )
    return render(request, template, {"job": job, "answer_form": ImportAnswerForm(job=job)})


@login_required
@require_POST
def import_confirm(request, pk):
    job = access.get_import_job_for_user(request.user, pk)
    try:
        imports.import_confirm(actor=request.user, job=job)
    except imports.NotReady as exc:
        messages.error(request, str(exc))
    return redirect("enterprises:import_status", pk=job.pk)


@login_required
@require_POST
def import_answer(request, pk):
    job = access.get_import_job_for_user(request.user, pk)
    form = ImportAnswerForm(request.POST, job=job)
    if not form.is_valid():
        messages.error(request, _("请填写有效的年度（1949 年至今）并选择区县列"))
        return redirect("enterprises:import_status", pk=job.pk)
    try:
        imports.import_answer(actor=request.user, job=job, **form.cleaned_data)
    except imports.NotReady as exc:
        messages.error(request, str(exc))
    return redirect("enterprises:import_status", pk=job.pk)


@login_required
def import_template(request):
    if not access.can(request.user, "import"):
        raise PermissionDenied(_("只有主管部门可以导入企业名单"))
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = (
        "attachment; filename*=UTF-8''%E4%BC%81%E4%B8%9A%E5%AF%BC%E5%85%A5%E6%A8%A1%E6%9D%BF.xlsx"
    )
    exports.import_template(response, user=request.user)
    return response
