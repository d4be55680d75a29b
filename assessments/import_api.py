"""JSON API for the bulk assessment import: template, upload (checked in the background), status, confirm.

Same rules as the pages: officers, admins and commissioners (diagnoses of their assigned enterprises) may import;
a job is visible to its uploader (and admins) only."""

import io
from uuid import UUID

from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import File, Form, Router
from ninja.files import UploadedFile
from ninja.responses import Status

from core.api import Id, ImportJobOut, Problem

from . import imports
from .import_rows import write_template

router = Router(tags=["成熟度评估导入"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class AssessmentImportOut(ImportJobOut):
    model_version_id: int


@router.get(
    "/assessment-imports/template/{version_id}",
    response={200: None, 403: Problem},
    summary="下载评估导入模板（XLSX，按模型版本生成）",
)
def import_template(request, version_id: Id):
    if not imports.can_import(request.user):
        raise PermissionDenied(_("只有主管部门和诊断专员可以批量导入评估"))
    version = get_object_or_404(imports.importable_versions(), pk=version_id)
    buffer = io.BytesIO()
    write_template(buffer, version.parsed(), version_label=f"{version.name} {version.version}")
    response = HttpResponse(buffer.getvalue(), content_type=XLSX)
    response["Content-Disposition"] = f'attachment; filename="assessment-import-{version.code}-{version.version}.xlsx"'
    return response


@router.post(
    "/assessment-imports",
    response={201: AssessmentImportOut, 403: Problem, 404: Problem, 422: Problem},
    summary="上传评估导入文件（后台校验，确认后才写入）",
)
def import_upload(request, model_version_id: Form[Id], file: File[UploadedFile]):
    version = get_object_or_404(imports.importable_versions(), pk=model_version_id)
    try:
        job = imports.import_start(actor=request.user, upload=file, version=version)
    except imports.UploadError as exc:
        return Status(422, {"detail": str(exc)})
    job.refresh_from_db()
    return Status(201, job)


@router.get("/assessment-imports/{pk}", response=AssessmentImportOut, summary="评估导入任务状态与校验报告")
def import_status(request, pk: UUID):
    return imports.get_import_job_for_user(request.user, pk)


@router.post(
    "/assessment-imports/{pk}/confirm",
    response={200: AssessmentImportOut, 403: Problem, 422: Problem},
    summary="确认导入（全部写入或全部不写入）",
)
def import_confirm(request, pk: UUID):
    job = imports.get_import_job_for_user(request.user, pk)
    try:
        return imports.import_confirm(actor=request.user, job=job)
    except imports.NotReady as exc:
        return Status(422, {"detail": str(exc)})
