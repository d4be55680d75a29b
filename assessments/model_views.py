"""The model library: every stored version with its status, its tree, downloads, and (admins) new versions."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

import maturity

from . import access, services, tasks
from .forms import ModelUploadForm
from .models import ModelVersion
from .specs import without_provenance

MODEL_FILE_LIMIT = 5 * 1024 * 1024


@login_required
def model_list(request):
    versions = ModelVersion.objects.order_by("code", "-is_current", "-created_at")
    return render(
        request,
        "assessments/model_list.html",
        {"versions": versions, "can_manage": access.can_manage_models(request.user)},
    )


def provenance_rows(spec: maturity.ModelSpec) -> list[dict]:
    """Every part of the model that declares provenance, in tree order: the model, its rule, nodes and items."""
    rows = []

    def add(where: str, code: str, status: str | None, prov) -> None:
        if prov is not None:
            rows.append({"where": where, "code": code, "status": status, "p": prov})

    add(_("模型"), spec.code, spec.status, spec.provenance)
    add(_("计分规则"), spec.rule.type, spec.rule.status or spec.status, spec.rule.provenance)

    def walk(nodes, status):
        for node in nodes:
            st = node.status or status
            add(node.name, node.code, st, node.provenance)
            walk(node.children, st)
            for item in node.items:
                add(item.name, item.code, item.status or st, item.provenance)

    walk(spec.nodes, spec.status)
    return rows


def public_spec(spec: maturity.ModelSpec) -> maturity.ModelSpec:
    """The spec without provenance, for readers who are not to see it (enterprises, providers)."""
    return maturity.parse_spec(without_provenance(spec.model_dump(mode="json")))


@login_required
def model_detail(request, pk: int):
    version = get_object_or_404(ModelVersion, pk=pk)
    spec = version.parsed()
    context = {"v": version, "spec": spec, "rule": spec.rule, "can_manage": access.can_manage_models(request.user)}
    if access.can_see_provenance(request.user):
        context["provenance"] = provenance_rows(spec)
    if context["can_manage"] and version.is_current:
        context["stale"] = services.stale_results(version).count()
    return render(request, "assessments/model_detail.html", context)


@login_required
@require_POST
def model_rescore(request, pk: int):
    if not access.can_manage_models(request.user):
        raise PermissionDenied(_("只有平台管理员可以重算评估"))
    version = get_object_or_404(ModelVersion, pk=pk, is_current=True)
    tasks.rescore_version.enqueue(version.pk)
    messages.info(request, _("已开始按 %(v)s 重算已提交的评估；旧结果保留") % {"v": version.version})
    return redirect("assessments:model_detail", pk=version.pk)


@login_required
def model_download(request, pk: int, fmt: str):
    version = get_object_or_404(ModelVersion, pk=pk)
    spec = version.parsed()
    if not access.can_see_provenance(request.user):
        spec = public_spec(spec)
    stem = f"{version.code}-{version.version}"
    if fmt == "yaml":
        response = HttpResponse(maturity.dump_yaml(spec), content_type="application/yaml; charset=utf-8")
    elif fmt == "xlsx":
        from maturity.xlsx import export_xlsx

        response = HttpResponse(
            export_xlsx(spec), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404(_("不支持的格式"))
    response["Content-Disposition"] = f'attachment; filename="{stem}.{fmt}"'
    return response


def parse_model_file(upload) -> maturity.ModelSpec:
    """YAML or XLSX → validated spec; raises SpecLoadError with the place of every problem."""
    name = (upload.name or "").lower()
    if upload.size > MODEL_FILE_LIMIT:
        raise maturity.SpecLoadError(upload.name, [("", _("文件超过 5 MB"))])
    data = upload.read()
    if name.endswith((".yaml", ".yml")):
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise maturity.SpecLoadError(upload.name, [("", _("YAML 文件须为 UTF-8 编码"))]) from exc
        return maturity.load_yaml(text if "\n" in text else text + "\n")
    if name.endswith(".xlsx"):
        from maturity.xlsx import import_xlsx

        return import_xlsx(data)
    raise maturity.SpecLoadError(upload.name, [("", _("仅支持 .yaml / .yml / .xlsx 文件"))])


@login_required
def model_upload(request):
    if not access.can_manage_models(request.user):
        raise PermissionDenied(_("只有平台管理员可以发布模型版本"))
    form = ModelUploadForm(request.POST or None, request.FILES or None)
    problems = []
    if request.method == "POST" and form.is_valid():
        try:
            spec = parse_model_file(form.cleaned_data["file"])
            version = services.publish_version(spec, actor=request.user, change_note=form.cleaned_data["change_note"])
        except maturity.SpecLoadError as exc:
            problems = exc.problems
            form.add_error("file", _("模型文件有 %(n)d 处问题") % {"n": len(problems)})
        except services.AssessmentError as exc:
            form.add_error("file", str(exc))
        else:
            if form.cleaned_data["rescore"]:
                tasks.rescore_version.enqueue(version.pk)
                messages.info(request, _("已开始按新版本重算已提交的评估"))
            messages.success(request, _("已发布 %(name)s %(v)s") % {"name": version.name, "v": version.version})
            return redirect("assessments:model_detail", pk=version.pk)
    return render(request, "assessments/model_upload.html", {"form": form, "problems": problems})
