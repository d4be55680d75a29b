"""API of the registry: the industrial models and agents the user may see — the developer's own (drafts too),
those submitted in an officer's regions, and published ones — with their scene models, deployments, evaluation
records and the programme gates computed from them. Scoped exactly as the pages: another developer's draft or
another region's unpublished entry is a 404. Report files are not exposed here (the pages serve them)."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema
from ninja.pagination import paginate

from core.api import Code, Id, Page, choices

from .facts import gate_results, with_parts
from .models import Entry, Link, Modality

router = Router(tags=["工业模型与智能体"])
Status = choices(Entry.Status)
Kind = choices(Entry.Kind)
LinkCode = choices(Link)
Autonomy = Annotated[int, Field(ge=1, le=5, description="智能体自主等级 1–5")]
ModalityCode = choices(Modality)


class AiEntryOut(Schema):
    id: int
    kind: str  # model | agent
    kind_label: str
    name: str
    version: str
    developer_type: str  # enterprise | provider
    developer_id: int
    developer_name: str
    region_code: str
    modality: str
    parameters: int | None
    industries: list[str]  # GB/T 4754 division codes
    links: list[str]  # value-chain link codes
    autonomy_level: int | None  # agents: 1–5 (provisional wording)
    status: str
    status_label: str
    submitted_at: dt.datetime | None
    published_at: dt.datetime | None
    synthetic: bool


class AiSceneOut(Schema):
    kind: str  # general | specific
    name: str
    link: str


class AiDeploymentOut(Schema):
    client_name: str
    client_id: int | None
    since: dt.date
    scene: str
    benefit: str


class AiEvaluationOut(Schema):
    evaluator: str
    accreditation: str
    standard: str
    standard_version: str
    evaluated_on: dt.date
    scores: dict[str, Decimal]  # performance | industry_fit | safety | efficiency | reliability → 0–100
    report_sha256: str


class AiGateItemOut(Schema):
    label: str
    outcome: str  # met | not_met | unknown
    actual: str
    required: str
    reason: str


class AiGateOut(Schema):
    code: str
    name: str
    provisional: bool
    outcome: str  # met | not_met | unknown
    items: list[AiGateItemOut]


class AiEntryDetailOut(AiEntryOut):
    summary: str
    base_model: str
    base_origin: str
    base_licence: str
    deployment_forms: list[str]
    data_description: str
    systems: list[str]
    task_success: Decimal | None
    status_reason: str
    scenes: list[AiSceneOut]
    deployments: list[AiDeploymentOut]
    evaluations: list[AiEvaluationOut]
    gates: list[AiGateOut]


def _entries(user):
    return Entry.objects.visible_to(user).select_related("developer_enterprise", "developer_provider")


def _out(e: Entry) -> dict:
    return {"id": e.pk, "kind": e.kind, "kind_label": e.get_kind_display(), "name": e.name, "version": e.version,
            "developer_type": "enterprise" if e.developer_enterprise_id else "provider",
            "developer_id": e.developer_enterprise_id or e.developer_provider_id, "developer_name": e.developer.name,
            "region_code": e.region_id, "modality": e.modality, "parameters": e.parameters,
            "industries": e.industries, "links": e.links, "autonomy_level": e.autonomy_level, "status": e.status,
            "status_label": e.get_status_display(), "submitted_at": e.submitted_at, "published_at": e.published_at,
            "synthetic": e.is_synthetic}  # fmt: skip


class _Rows:
    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict]:
        return [_out(e) for e in self.queryset[index]]


@router.get("", response=list[AiEntryOut], summary="工业模型与智能体（本单位的、本地区已提交的、已发布的）")
@paginate(Page)
def list_entries(request, status: Status | None = None, kind: Kind | None = None,  # type: ignore[valid-type]
                 industry: Code | None = None, link: LinkCode | None = None,  # type: ignore[valid-type]
                 modality: ModalityCode | None = None, autonomy: Autonomy | None = None,  # type: ignore[valid-type]
                 mine: bool = False):  # fmt: skip
    queryset = _entries(request.user).order_by("-updated_at", "-pk")
    if status:
        queryset = queryset.filter(status=status)
    if mine:
        queryset = queryset & Entry.objects.own(request.user)
    return _Rows(queryset.matching(kind=kind or "", industry=industry or "", link=link or "",
                                   modality=modality or "", autonomy=str(autonomy or "")))


@router.get("/{pk}", response=AiEntryDetailOut, summary="工业模型或智能体：场景模型、部署应用、第三方评测与门槛核验")
def get_entry(request, pk: Id):
    e = get_object_or_404(with_parts(_entries(request.user)), pk=pk)
    gates = [{"code": r.gate.code, "name": r.gate.name, "provisional": r.gate.provisional, "outcome": r.outcome,
              "items": [vars(i) for i in r.items]} for r in gate_results(e)]  # fmt: skip
    return {
        **_out(e), "summary": e.summary, "base_model": e.base_model, "base_origin": e.base_origin,
        "base_licence": e.base_licence, "deployment_forms": e.deployment_forms, "data_description": e.data_description,
        "systems": e.systems, "task_success": e.task_success, "status_reason": e.status_reason,
        "scenes": [{"kind": s.kind, "name": s.name, "link": s.link} for s in e.scenes.all()],
        "deployments": [{"client_name": d.client_name, "client_id": d.client_id, "since": d.since, "scene": d.scene,
                         "benefit": d.benefit} for d in e.deployments.all()],
        "evaluations": [{"evaluator": v.evaluator, "accreditation": v.accreditation, "standard": v.standard,
                         "standard_version": v.standard_version, "evaluated_on": v.evaluated_on,
                         "scores": {d: getattr(v, d) for d in v.DIMENSIONS if getattr(v, d) is not None},
                         "report_sha256": v.report_sha256} for v in e.evaluations.all()],
        "gates": gates,
    }  # fmt: skip
