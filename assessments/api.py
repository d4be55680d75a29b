"""JSON API for maturity models and assessments: the same scope, permission helpers and services as the pages.

Out of scope → 404, visible but not allowed → 403, refused by the assessment rules → 422 with a Chinese `detail`
and `problems` keyed by item code ("" for the assessment as a whole)."""

import datetime as dt
from typing import Any, Literal

from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate
from ninja.responses import Status
from pydantic import Field

import maturity
from core.api import Id, Page, Problem, choices
from enterprises.access import get_enterprise_for_user
from maturity.numbers import score_text

from . import access, results, services
from .import_results import full_snapshot
from .models import Assessment, AssessmentResult, ModelVersion
from .specs import without_provenance

# Scores are returned as stored (unrounded, for computing) and as displayed: one rounding rule for every surface.
SCORE_DISPLAY = Field(
    None, description="得分的显示值：存储的未舍入得分按四舍五入（half-up）保留两位小数，与页面、报告、导出所示一致"
)

router = Router(tags=["成熟度评估"])

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---------------------------------------------------------------- schemas


class ModelVersionOut(Schema):
    id: int
    code: str
    version: str
    name: str
    status: str
    origin: str
    is_current: bool
    item_count: int
    corrects_id: int | None
    created_at: dt.datetime


class ModelVersionDetailOut(ModelVersionOut):
    change_note: str
    digest: str
    spec: dict[str, Any]


class AssessmentFilter(Schema):
    enterprise_id: Id | None = None
    model_code: str | None = Field(None, max_length=40)
    kind: choices(Assessment.Kind) | None = None
    status: choices(Assessment.Status) | None = None


class AssessmentOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    model_version_id: int
    model_code: str
    kind: str
    status: str
    source: str
    verifies_id: int | None
    context: dict[str, Any]
    answered_count: int
    created_at: dt.datetime
    updated_at: dt.datetime
    submitted_at: dt.datetime | None
    level: int | None = None
    level_name: str = ""
    score: float | None = Field(None, description="存储的未舍入得分")
    score_display: str | None = SCORE_DISPLAY

    @staticmethod
    def resolve_enterprise_name(obj) -> str:
        return obj.enterprise.name

    @staticmethod
    def resolve_score_display(obj) -> str | None:
        return _score_display(obj)


class AssessmentDetailOut(AssessmentOut):
    answers: dict[str, Any]
    reasons: dict[str, str]
    can_edit: bool = False


class AssessmentIn(Schema):
    enterprise_id: Id
    model_version_id: Id | None = Field(None, description="模型版本 id；不填则用 model_code 的当前版本")
    model_code: str | None = Field(None, max_length=40, description="模型代码，如 cmmm、sme-2024")
    kind: choices(Assessment.Kind) = Assessment.Kind.SELF.value
    verifies_id: Id | None = Field(None, description="核验评估（kind=verified）所核验的已提交评估")
    production_type: Literal["discrete", "process"] | None = Field(None, description="不填则按行业推断")


class AnswersIn(Schema):
    answers: dict[str, Any] = Field(
        default_factory=dict, description='条目代码 → 答案（引擎格式）；null 清除该条目的答案；"na" 表示不适用'
    )
    reasons: dict[str, str] | None = Field(None, description="仅核验评估：条目代码 → 与原评估不一致的理由")


class AnswersOut(Schema):
    detail: str
    saved: int
    answered_count: int
    problems: dict[str, str]


class SnapshotOut(Schema):
    id: int
    model_version_id: int
    is_current: bool
    score: float
    score_display: str | None = SCORE_DISPLAY
    scale_max: float
    level: int | None
    level_name: str
    provisional: bool
    reason: str
    computed_at: dt.datetime

    @staticmethod
    def resolve_score_display(obj) -> str | None:
        return _score_display(obj)


class HistoryOut(Schema):
    assessment_id: int
    kind: str
    submitted_at: dt.datetime | None
    score: float
    score_display: str | None = SCORE_DISPLAY
    level: int | None
    level_name: str
    delta: float | None = Field(description="与上一次的差值：两次得分的显示值之差")
    level_delta: int | None

    @staticmethod
    def resolve_score_display(obj) -> str | None:
        return _score_display(obj)


class ResultOut(Schema):
    assessment_id: int
    model_version_id: int
    model_code: str
    model_version: str
    rule: str
    score: float = Field(description="存储的未舍入得分")
    score_display: str | None = SCORE_DISPLAY
    scale_max: float
    level: int | None
    level_name: str
    provisional: bool
    reason: str
    computed_at: dt.datetime
    levels: list[dict[str, Any]]
    nodes: dict[str, dict[str, Any]]
    items: dict[str, dict[str, Any]]
    trace: list[Any]
    blockers: list[dict[str, Any]]
    unscored: list[dict[str, Any]] = Field(
        default_factory=list,
        description="不计入总分、按等级评定的已答条目（如 2024 版中小企业的数字化经营场景）及其含义",
    )
    snapshots: list[SnapshotOut] = Field(description="本评估的全部结果快照（模型修订重算会新增快照），按时间先后")
    history: list[HistoryOut] = Field(description="本企业同一模型的已提交评估，按提交先后，含与上一次的差值")


# ---------------------------------------------------------------- helpers


def _score_display(obj) -> str | None:
    value = obj.get("score") if isinstance(obj, dict) else getattr(obj, "score", None)
    return None if value is None else score_text(value)


def _refused(exc: services.AssessmentError) -> Status:
    return Status(422, {"detail": str(exc), "problems": exc.problems})


def _with_results(assessments: list[Assessment]) -> list[Assessment]:
    current = {r.assessment_id: r for r in services.current_results_for([a.pk for a in assessments])}
    for a in assessments:
        r = current.get(a.pk)
        if r is not None:
            a.level, a.level_name, a.score = r.level, r.level_name, r.score
    return assessments


def _detail(user, assessment: Assessment) -> Assessment:
    _with_results([assessment])
    assessment.can_edit = access.can_edit(user, assessment)
    return assessment


def _version_for(payload: AssessmentIn, verifies: Assessment | None) -> ModelVersion:
    """The version asked for, which must be current (as on the start page); a code means its current version."""
    if payload.model_version_id is not None:
        version = get_object_or_404(ModelVersion, pk=payload.model_version_id)
        if not version.is_current:
            raise HttpError(422, _("该模型版本已被修订，请使用当前版本"))
        if payload.model_code and payload.model_code != version.code:
            raise HttpError(422, _("model_code 与 model_version_id 不一致"))
        return version
    code = payload.model_code or (verifies.model_code if verifies else None)
    if not code:
        raise HttpError(422, _("请指定 model_version_id 或 model_code"))
    version = ModelVersion.objects.current().filter(code=code).first()
    if version is None:
        raise HttpError(422, _("没有代码为 %(code)s 的评估模型") % {"code": code})
    return version


# ---------------------------------------------------------------- models


@router.get("/models", response=list[ModelVersionOut], summary="评估模型版本列表")
def list_models(request):
    return ModelVersion.objects.order_by("code", "-is_current", "-created_at")


@router.get("/models/{pk}", response=ModelVersionDetailOut, summary="评估模型版本详情（含完整模型定义）")
def get_model(request, pk: Id):
    version = get_object_or_404(ModelVersion, pk=pk)
    if not access.can_see_provenance(request.user):
        version.spec = without_provenance(version.spec)  # not saved: where facts come from is for officers only
    return version


@router.get("/models/{pk}/export", summary="下载模型定义（YAML 或 XLSX）", response={200: None})
def export_model(request, pk: Id, format: Literal["yaml", "xlsx"] = "yaml"):  # noqa: A002 - the query parameter
    version = get_object_or_404(ModelVersion, pk=pk)
    spec = version.parsed()
    if not access.can_see_provenance(request.user):
        spec = maturity.parse_spec(without_provenance(spec.model_dump(mode="json")))
    if format == "xlsx":
        from maturity.xlsx import export_xlsx  # imported on use: openpyxl is only needed for this download

        response = HttpResponse(export_xlsx(spec), content_type=XLSX)
    else:
        response = HttpResponse(maturity.dump_yaml(spec), content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{version.code}-{version.version}.{format}"'
    return response


# ---------------------------------------------------------------- assessments


@router.get("/assessments", response=list[AssessmentOut], summary="评估列表（按用户权限范围）")
@paginate(Page)
def list_assessments(request, filters: Query[AssessmentFilter]):
    qs = Assessment.objects.visible_to(request.user).select_related("enterprise")
    if filters.enterprise_id is not None:
        qs = qs.filter(enterprise_id=filters.enterprise_id)
    if filters.model_code:
        qs = qs.filter(model_code=filters.model_code)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.status:
        qs = qs.filter(status=filters.status)
    current = AssessmentResult.objects.filter(assessment=OuterRef("pk"), is_current=True)
    return qs.annotate(
        level=Subquery(current.values("level")[:1]),
        level_name=Coalesce(Subquery(current.values("level_name")[:1]), Value("")),
        score=Subquery(current.values("score")[:1]),
    ).order_by("-updated_at", "-id")


@router.post(
    "/assessments",
    response={201: AssessmentDetailOut, 404: Problem, 422: Problem},
    summary="发起评估（自评估、诊断评估或核验评估），返回草稿",
)
def create_assessment(request, payload: AssessmentIn):
    user = request.user
    enterprise = get_enterprise_for_user(user, payload.enterprise_id)
    verifies = None
    if payload.kind == Assessment.Kind.VERIFIED:
        if payload.verifies_id is None:
            return Status(422, {"detail": "核验评估须指定所核验的评估（verifies_id）", "problems": {}})
        verifies = access.get_assessment_for_user(user, payload.verifies_id)
        if verifies.enterprise_id != enterprise.pk:
            return Status(422, {"detail": "只能核验本企业已提交的评估", "problems": {}})
        if not access.can_verify(user, verifies):
            raise HttpError(403, _("您不能核验该评估"))
    elif payload.verifies_id is not None:
        return Status(422, {"detail": "只有核验评估（kind=verified）可以指定 verifies_id", "problems": {}})
    elif not access.can_start(user, enterprise, payload.kind):
        raise HttpError(403, _("您不能为该企业发起此类评估"))
    version = _version_for(payload, verifies)
    try:
        assessment = services.start(
            actor=user,
            enterprise=enterprise,
            version=version,
            kind=payload.kind,
            verifies=verifies,
            production_type=payload.production_type,
            source=Assessment.Source.API,
        )
    except services.AssessmentError as exc:
        return _refused(exc)
    return Status(201, _detail(user, access.get_assessment_for_user(user, assessment.pk)))


@router.get("/assessments/{pk}", response=AssessmentDetailOut, summary="评估详情（含答案）")
def get_assessment(request, pk: Id):
    return _detail(request.user, access.get_assessment_for_user(request.user, pk))


def _for_change(user, pk: int) -> Assessment:
    """A draft the user fills in; a submitted one is left to the service, which refuses it with a 422."""
    assessment = access.get_assessment_for_user(user, pk)
    if assessment.is_draft and not access.can_edit(user, assessment):
        raise HttpError(403, _("该评估不由您填写，不能修改"))
    return assessment


@router.patch(
    "/assessments/{pk}/answers",
    response={200: AnswersOut, 422: AnswersOut | Problem},
    summary="保存答案（可部分保存）",
    description=(
        "合并保存答案：`null` 清除答案。每个答案单独检查：有效的答案**总会保存**，无效的逐条列在 `problems` 中，"
        "此时返回 422（`saved` 为已保存的条目数）。已提交的评估返回 422。"
    ),
)
def save_answers(request, pk: Id, payload: AnswersIn):
    assessment = _for_change(request.user, pk)
    reasons = payload.reasons if assessment.verifies_id else None
    try:
        problems = services.save_answers(
            actor=request.user, assessment=assessment, updates=payload.answers, reasons=reasons
        )
    except services.AssessmentError as exc:
        return Status(
            422, {"detail": str(exc), "saved": 0, "answered_count": assessment.answered_count, "problems": {}}
        )
    body = {
        "detail": f"有 {len(problems)} 个答案未保存，请按提示修改" if problems else "已保存",
        "saved": len(payload.answers) - len(problems),
        "answered_count": assessment.answered_count,
        "problems": problems,
    }
    return Status(422 if problems else 200, body)


@router.post(
    "/assessments/{pk}/submit",
    response={200: SnapshotOut, 422: Problem},
    summary="提交评估并生成结果快照",
)
def submit_assessment(request, pk: Id):
    assessment = _for_change(request.user, pk)
    try:
        return services.submit(actor=request.user, assessment=assessment)
    except services.AssessmentError as exc:
        return _refused(exc)


@router.get("/assessments/{pk}/result", response=ResultOut, summary="评估结果（当前快照与历史）")
def get_result(request, pk: Id):
    assessment = access.get_assessment_for_user(request.user, pk)
    current: AssessmentResult | None = services.current_result(assessment)
    if current is None:
        raise HttpError(404, _("评估尚未提交，还没有结果"))
    snap = full_snapshot(current)  # the one reader: a bulk import's compact snapshot is expanded like on the page
    history = [
        {
            "assessment_id": row["a"].pk,
            "kind": row["a"].kind,
            "submitted_at": row["a"].submitted_at,
            "score": row["r"].score,
            "level": row["r"].level,
            "level_name": row["r"].level_name,
            "delta": row["delta"],
            "level_delta": row["level_delta"],
        }
        for row in results.history(assessment, request.user)
    ]
    return {
        "assessment_id": assessment.pk,
        "model_version_id": current.model_version_id,
        "model_code": snap.get("model_code", assessment.model_code),
        "model_version": snap.get("model_version", current.model_version.version),
        "rule": snap.get("rule", ""),
        "score": current.score,
        "score_display": score_text(current.score),
        "scale_max": current.scale_max,
        "level": current.level,
        "level_name": current.level_name,
        "provisional": current.provisional,
        "reason": current.reason,
        "computed_at": current.computed_at,
        "levels": snap.get("levels", []),
        "nodes": snap.get("nodes", {}),
        "items": snap.get("items", {}),
        "trace": results.readable_trace(snap.get("trace", [])),
        "blockers": snap.get("blockers", []),
        "unscored": results.unscored(current.model_version.parsed(), assessment.answers, assessment.context),
        "snapshots": list(assessment.results.order_by("computed_at", "id").defer("snapshot")),
        "history": history,
    }
