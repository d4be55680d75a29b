"""JSON API for diagnosis reports: list and read issued reports, issue one, download its PDF, and verify a PDF.

Same scope and services as the pages: out of scope → 404, not allowed → 403, nothing to report → 409."""

import datetime as dt
from typing import Any

from django.http import FileResponse
from ninja import File, Query, Router, Schema, UploadedFile
from ninja.errors import HttpError
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.responses import Status
from pydantic import Field

from enterprises.access import get_enterprise_for_user

from . import access, services
from .compose import NothingToReport
from .forms import MAX_PDF_BYTES

router = Router(tags=["诊断报告"])


class ReportOut(Schema):
    id: int
    enterprise_id: int
    version: int
    code: str
    title: str
    issuer: str
    issued_at: dt.datetime
    pdf_sha256: str
    pdf_size: int


class ReportDetailOut(ReportOut):
    content: dict[str, Any]


class ReportFilter(Schema):
    enterprise_id: int | None = None


class IssueIn(Schema):
    enterprise_id: int
    target_level: int | None = Field(None, ge=1, le=9)
    target_tier: str | None = Field(None, pattern="^(basic|advanced|excellent|leading)$")


class VerificationOut(Schema):
    genuine: bool
    message: str
    issued_on: str = ""
    version: int | None = None


@router.get("/reports", response=list[ReportOut])
@paginate(LimitOffsetPagination)
def report_list(request, filters: Query[ReportFilter]):
    qs = access.visible_reports(request.auth).order_by("-issued_at", "-id")
    if filters.enterprise_id is not None:
        qs = qs.filter(enterprise_id=filters.enterprise_id)
    return qs


@router.post("/reports", response={201: ReportDetailOut})
def report_issue(request, payload: IssueIn):
    enterprise = get_enterprise_for_user(request.auth, payload.enterprise_id)
    if not access.can_issue(request.auth, enterprise):
        raise HttpError(403, "您没有权限为该企业出具诊断报告")
    if payload.target_level and payload.target_tier:
        raise HttpError(422, "目标等级与梯度目标只能选一个。")
    try:
        report = services.issue_report(
            actor=request.auth,
            enterprise=enterprise,
            target_level=payload.target_level,
            target_tier=payload.target_tier,
        )
    except NothingToReport as exc:
        raise HttpError(409, str(exc)) from exc
    except ValueError as exc:
        raise HttpError(422, str(exc)) from exc
    return Status(201, report)


@router.get("/reports/{report_id}", response=ReportDetailOut)
def report_detail(request, report_id: int):
    return access.get_report_for_user(request.auth, report_id)


@router.get("/reports/{report_id}/pdf")
def report_pdf(request, report_id: int):
    report = access.get_report_for_user(request.auth, report_id)
    return FileResponse(
        report.pdf.open("rb"), as_attachment=True, filename=f"{report.code}.pdf", content_type="application/pdf"
    )


@router.post("/reports/verify/{code}", response=VerificationOut, auth=None)
def report_verify(request, code: str, pdf: File[UploadedFile]):
    """Public, like the page: is this file the genuine, unaltered report issued under `code`?"""
    if pdf.size > MAX_PDF_BYTES:
        raise HttpError(413, "文件超过 20 MB，不是平台出具的报告。")
    return services.verify(code, pdf.read())
