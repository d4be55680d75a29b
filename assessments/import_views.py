"""Pages of the bulk assessment import: upload (with the template per model version), status (htmx), confirm."""

from urllib.parse import quote

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.forms import StyledMixin

from . import imports
from .import_rows import write_template
from .models import ModelVersion


class ImportUploadForm(StyledMixin, forms.Form):
    version = forms.ModelChoiceField(
        label=gettext_lazy("评估模型"), queryset=ModelVersion.objects.none(), empty_label=None
    )
    file = forms.FileField(label=gettext_lazy("评估数据文件（.xlsx 或 .csv，按所选模型的模板填写）"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = imports.importable_versions()
        self.fields["version"].label_from_instance = lambda v: f"{v.name}（{v.version}）"


def _require_importer(user) -> None:
    if not imports.can_import(user):
        raise PermissionDenied(_("只有主管部门和诊断专员可以批量导入评估"))


@login_required
def import_upload(request):
    _require_importer(request.user)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            job = imports.import_start(
                actor=request.user, upload=form.cleaned_data["file"], version=form.cleaned_data["version"]
            )
        except imports.UploadError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("assessments:import_status", pk=job.pk)
    jobs = imports.jobs_visible_to(request.user)[:10]
    versions = imports.importable_versions()
    status = 422 if request.method == "POST" else 200  # a refused file is a client error, with the reason shown
    context = {"form": form, "jobs": jobs, "versions": versions}
    return render(request, "assessments/import_upload.html", context, status=status)


@login_required
def import_template(request, pk):
    _require_importer(request.user)
    version = get_object_or_404(imports.importable_versions(), pk=pk)
    response = HttpResponse(content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    filename = quote(f"评估导入模板-{version.code}-{version.version}.xlsx")
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{filename}"
    write_template(response, version.parsed(), version_label=f"{version.name} {version.version}")
    return response


@login_required
def import_status(request, pk):
    job = imports.get_import_job_for_user(request.user, pk)
    htmx = request.headers.get("HX-Request")
    template = "assessments/_import_status.html" if htmx else "assessments/import_status.html"
    return render(request, template, {"job": job})


@login_required
@require_POST
def import_confirm(request, pk):
    job = imports.get_import_job_for_user(request.user, pk)
    try:
        imports.import_confirm(actor=request.user, job=job)
    except imports.NotReady as exc:
        messages.error(request, str(exc))
    return redirect("assessments:import_status", pk=job.pk)
