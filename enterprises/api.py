"""JSON API for the archive: the same scope and the same services as the pages."""

import datetime as dt
from decimal import Decimal
from uuid import UUID

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.errors import HttpError
from ninja.files import UploadedFile
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

from core.api import Id, Page, Problem, choices
from core.api import ImportJobOut as BaseImportJobOut

from . import access, creditcode, imports, services
from .models import Enterprise, EnterpriseEvent, Label, SizeClass, Visibility

router = Router(tags=["企业档案"])


class LabelOut(Schema):
    code: str
    name: str
    year: int | None


def _pick(obj, key: str, attname: str):
    return obj[key] if isinstance(obj, dict) else getattr(obj, attname)


class EnterpriseOut(Schema):
    id: int
    credit_code: str
    name: str
    former_names: list[str]
    county_code: str
    industry_code: str
    address: str
    founded_on: dt.date | None
    figures_year: int | None
    employees: int | None
    revenue_wan: Decimal | None
    assets_wan: Decimal | None
    size_class: str
    is_above_scale: bool | None
    is_synthetic: bool

    @staticmethod
    def resolve_county_code(obj) -> str:
        return _pick(obj, "county_code", "county_id")

    @staticmethod
    def resolve_industry_code(obj) -> str:
        return _pick(obj, "industry_code", "industry_id")

    @staticmethod
    def resolve_revenue_wan(obj):
        return _pick(obj, "revenue_wan", "revenue")

    @staticmethod
    def resolve_assets_wan(obj):
        return _pick(obj, "assets_wan", "assets")


class EnterpriseDetailOut(EnterpriseOut):
    notes: str
    labels: list[LabelOut]
    clusters: list[str]
    chains: list[dict]


class EnterpriseFilter(Schema):
    q: str | None = None
    region: str | None = Field(None, pattern=r"^\d{6}$")
    industry: str | None = Field(None, pattern=r"^\d{2}$")
    size: SizeClass | None = None
    label: str | None = None
    above_scale: bool | None = None


class EnterpriseIn(Schema):
    credit_code: str = Field(max_length=40)
    name: str = Field(min_length=2, max_length=200)
    county_code: str = Field(pattern=r"^\d{6}$")
    industry_code: str = Field(pattern=r"^\d{2}$")
    address: str = Field("", max_length=300)
    founded_on: dt.date | None = None
    notes: str = Field("", max_length=2000)


class EnterprisePatch(Schema):
    name: str | None = Field(None, min_length=2, max_length=200)
    county_code: str | None = Field(None, pattern=r"^\d{6}$")
    industry_code: str | None = Field(None, pattern=r"^\d{2}$")
    address: str | None = Field(None, max_length=300)
    founded_on: dt.date | None = None
    notes: str | None = Field(None, max_length=2000)


class EventOut(Schema):
    """One timeline entry. `visibility` is "internal" only for users who may read internal entries."""

    id: int
    kind: choices(EnterpriseEvent.Kind)
    kind_label: str
    at: dt.datetime
    summary: str
    text: str  # the full note, for kind "note"; empty otherwise
    actor: str
    visibility: Visibility

    @staticmethod
    def resolve_kind_label(obj) -> str:
        return str(obj.get_kind_display())

    @staticmethod
    def resolve_text(obj) -> str:
        return obj.data.get("text", "") if obj.kind == EnterpriseEvent.Kind.NOTE else ""

    @staticmethod
    def resolve_actor(obj) -> str:
        return (obj.actor.display_name or obj.actor.username) if obj.actor else "系统"


class NoteIn(Schema):
    text: str = Field(min_length=1, max_length=2000)
    # Unsaid: internal for officers, commissioners and experts; an enterprise's own note is always shared.
    visibility: Visibility | None = None


class ImportJobOut(BaseImportJobOut):
    updated_count: int
    unchanged_count: int


def _detail(e: Enterprise) -> dict:
    data = EnterpriseOut.from_orm(e).model_dump()
    data["notes"] = e.notes
    data["labels"] = [
        {"code": link.label_id, "name": link.label.name, "year": link.year}
        for link in e.label_links.select_related("label")
    ]
    data["clusters"] = list(e.cluster_memberships.values_list("cluster__name", flat=True))
    data["chains"] = [
        {"chain": name, "position": pos} for name, pos in e.chain_memberships.values_list("chain__name", "position")
    ]
    return data


# Model fields a client sets through this API, and the names it knows them by.
API_FIELDS = {"credit_code", "name", "county", "industry", "address", "founded_on", "notes"}
API_NAMES = {"county": "county_code", "industry": "industry_code"}


def _validate(enterprise: Enterprise, fields: set[str]) -> None:
    """The model's own checks (lengths, existing county and industry, unique code) on the fields the client set.
    The rest are the service's to fill in (initials, size class, above-scale status) and are not the client's fault;
    `is_above_scale` is nullable but not blank, so a full check would refuse every new enterprise."""
    try:
        enterprise.full_clean(exclude=[f.name for f in Enterprise._meta.fields if f.name not in fields])
    except ValidationError as exc:
        raise ValidationError({API_NAMES.get(k, k): v for k, v in exc.error_dict.items()}) from exc


def _check_county(request, code: str) -> None:
    from accounts.policy import scope_of
    from regions.models import Region

    if not Region.objects.filter(pk=code, is_leaf=True, is_active=True, level__gte=2).exists():
        raise HttpError(422, _("county_code 不是有效的区县代码"))
    if not scope_of(request.user).manages_code(code):
        raise HttpError(403, _("该区县不在您的管辖范围内"))


@router.get("/enterprises", response=list[EnterpriseOut], summary="企业列表（按用户权限范围）")
@paginate(Page)
def list_enterprises(request, filters: Query[EnterpriseFilter]):
    from regions.models import code_prefix

    qs = Enterprise.objects.visible_to(request.user)
    if filters.q:
        qs = qs.search(filters.q)
    if filters.region:
        qs = qs.in_region(code_prefix(filters.region))
    if filters.industry:
        qs = qs.filter(industry_id=filters.industry)
    if filters.size:
        qs = qs.filter(size_class=filters.size)
    if filters.above_scale is not None:
        qs = qs.filter(is_above_scale=filters.above_scale)
    if filters.label:
        qs = qs.filter(pk__in=Label.objects.filter(code=filters.label).values("links__enterprise_id"))
    return qs.order_by("county_id", "name", "id")  # served in index order (ent_active_county_name)


@router.get("/enterprises/{pk}", response=EnterpriseDetailOut, summary="企业详情")
def get_enterprise(request, pk: Id):
    return _detail(access.get_enterprise_for_user(request.user, pk))


@router.post("/enterprises", response={201: EnterpriseDetailOut, 409: Problem}, summary="新建企业档案")
def create_enterprise(request, payload: EnterpriseIn):
    if not access.can(request.user, "create"):
        raise HttpError(403, _("只有主管部门可以新建企业档案"))
    code = creditcode.normalise(payload.credit_code)
    if error := creditcode.validate(code):
        raise HttpError(422, error.message)
    if Enterprise.objects.filter(credit_code=code).exists():
        raise HttpError(409, _("该信用代码已建档"))
    _check_county(request, payload.county_code)
    enterprise = Enterprise(
        credit_code=code,
        name=payload.name,
        county_id=payload.county_code,
        industry_id=payload.industry_code,
        address=payload.address,
        founded_on=payload.founded_on,
        notes=payload.notes,
    )
    _validate(enterprise, API_FIELDS)
    services.enterprise_create(actor=request.user, enterprise=enterprise)
    return 201, _detail(enterprise)


@router.patch("/enterprises/{pk}", response=EnterpriseDetailOut, summary="修改企业档案")
def update_enterprise(request, pk: Id, payload: EnterprisePatch):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.CHANGE)
    data = payload.model_dump(exclude_unset=True)
    if "county_code" in data:
        _check_county(request, data["county_code"])
    renames = {"county_code": "county_id", "industry_code": "industry_id"}
    values = {renames.get(k, k): ("" if v is None and k in {"address", "notes"} else v) for k, v in data.items()}
    if any(v is None for k, v in values.items() if k in {"name", "county_id", "industry_id"}):
        raise HttpError(422, _("名称、区县和行业不能为空"))
    for field, value in values.items():
        setattr(enterprise, field, value)
    _validate(enterprise, {field.removesuffix("_id") for field in values})  # e.g. an industry code that does not exist
    with transaction.atomic():
        services.enterprise_update(actor=request.user, enterprise=enterprise, data=values)
    return _detail(Enterprise.objects.get(pk=pk))


@router.delete("/enterprises/{pk}", response={204: None}, summary="移出档案（保留历史）")
def remove_enterprise(request, pk: Id, reason: str = "通过 API 移出"):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.DELETE)
    services.enterprise_remove(actor=request.user, enterprise=enterprise, reason=reason[:200])
    return 204, None


@router.get("/enterprises/{pk}/events", response=list[EventOut], summary="企业档案时间线（按可见范围）")
@paginate(Page)
def list_events(request, pk: Id):
    enterprise = access.get_enterprise_for_user(request.user, pk)
    return EnterpriseEvent.objects.visible_to(request.user).filter(enterprise=enterprise).select_related("actor")


@router.post("/enterprises/{pk}/notes", response={201: EventOut}, summary="添加工作记录")
def add_note(request, pk: Id, payload: NoteIn):
    enterprise = access.get_enterprise_for_user(request.user, pk, access.NOTE)
    if not payload.text.strip():
        raise HttpError(422, _("工作记录不能为空"))
    event = services.enterprise_add_note(
        actor=request.user, enterprise=enterprise, text=payload.text, visibility=payload.visibility
    )
    return 201, event


@router.post(
    "/imports",
    response={201: ImportJobOut, 403: Problem, 422: Problem},
    summary="上传企业名单（后台校验，确认后才写入）",
)
def import_upload(request, file: File[UploadedFile]):
    if not access.can(request.user, "import"):
        raise PermissionDenied(_("您没有批量导入企业的权限"))
    try:
        job = imports.import_start(actor=request.user, upload=file)
    except imports.UploadError as exc:
        return Status(422, {"detail": str(exc)})
    job.refresh_from_db()
    return Status(201, job)


@router.get("/imports/{pk}", response=ImportJobOut, summary="导入任务状态、表格识别说明、待回答的问题与校验报告")
def import_status(request, pk: UUID):
    return access.get_import_job_for_user(request.user, pk)


class ImportAnswerIn(Schema):
    """Answers for the whole file; a field left out keeps the earlier answer."""

    year: int | None = Field(None, ge=1949, le=2100, description="经营数据所属年度（文件没有“数据年度”列时）")
    county_column: int | None = Field(None, ge=0, le=255, description="哪一列是所在区县（从 0 起的列序号）")
    confirm_groupings: bool | None = Field(None, description="是否新建文件中出现的、尚不存在的产业集群和产业链")


@router.post(
    "/imports/{pk}/answer",
    response={200: ImportJobOut, 404: Problem, 422: Problem},
    summary="回答导入任务对整个文件的提问（年度、区县列、新建集群/产业链），并按此重新校验",
)
def import_answer(request, pk: UUID, payload: ImportAnswerIn):
    job = access.get_import_job_for_user(request.user, pk)
    if payload.year is not None and payload.year > dt.date.today().year:
        return Status(422, {"detail": "年度不能晚于今年", "problems": {"year": "年度不能晚于今年"}})
    candidates = [index for index, _header in job.questions.get("county_column") or []]
    if payload.county_column is not None and payload.county_column not in candidates:
        message = "该列不是可选的区县列" if candidates else "这个文件没有询问区县列"
        return Status(422, {"detail": message, "problems": {"county_column": message}})
    try:
        imports.import_answer(actor=request.user, job=job, **payload.dict())
    except imports.NotReady as exc:
        return Status(422, {"detail": str(exc)})
    job.refresh_from_db()
    return job


@router.post(
    "/imports/{pk}/confirm",
    response={200: ImportJobOut, 403: Problem, 404: Problem, 422: Problem},
    summary="确认导入（全部写入或全部不写入）",
)
def import_confirm(request, pk: UUID):
    job = access.get_import_job_for_user(request.user, pk)
    try:
        imports.import_confirm(actor=request.user, job=job)
    except imports.NotReady as exc:
        return Status(422, {"detail": str(exc)})
    job.refresh_from_db()
    return job


__all__ = ["router", "PermissionDenied"]
