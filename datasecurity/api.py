"""API of industrial data security: the catalogue filings and incidents the user may see (the enterprise's own, an
officer's regions), with their deadlines; the overdue list; submitting, reviewing, recording and reporting through
the services the pages use. Another region's object is a 404; one the user may see but not act on a 403; a move
the state refuses a 422 with the reason."""

import datetime as dt
from typing import Annotated, Literal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja.pagination import paginate
from ninja.responses import Status

from core.api import Id, Page, Problem, choices

from . import keylist, selectors, services
from .models import Drill, Filing, Incident, IncidentLevel, KeyEnterprise, RiskAssessment, Scenario

router = Router(tags=["工业数据安全"])
REFUSED = {403: Problem, 422: Problem}


class DataSecFilingOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    status: choices(Filing.Status)  # type: ignore[valid-type]
    status_label: str
    version: int
    due_at: dt.datetime | None
    due_kind: str  # review | resubmit | refile | attest
    overdue: bool
    change_reason: str


class DataSecFilingVersionOut(Schema):
    number: int
    entries: list[dict]  # the 11 catalogue fields per important or core data item, as submitted
    submitted_at: dt.datetime
    review_due_at: dt.datetime
    decision: str
    reasons: str
    decided_at: dt.datetime | None


class DataSecFilingDetailOut(DataSecFilingOut):
    versions: list[DataSecFilingVersionOut]


class DataSecReviewIn(Schema):
    decision: Literal["accept", "return"]
    reasons: str = Field("", max_length=2000)


class DataSecClockOut(Schema):
    code: str  # miit | cac
    name: str
    hours: float
    due_at: dt.datetime
    state: str  # running | expired | met | late
    provisional: bool


class DataSecIncidentOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    title: str
    kind: str
    level: choices(IncidentLevel)  # type: ignore[valid-type]
    cii: bool
    status: choices(Incident.Status)  # type: ignore[valid-type]
    discovered_at: dt.datetime
    reported_at: dt.datetime | None
    due_at: dt.datetime | None
    due_kind: str
    overdue: bool
    escalations: int
    clocks: list[DataSecClockOut]
    self_level: str  # the enterprise's own grade; `level` is the regulator's when re-graded
    regraded_at: dt.datetime | None
    regrade_reason: str


class DataSecIncidentIn(Schema):
    title: str = Field(min_length=2, max_length=200)
    kind: str = Field(max_length=16)
    level: choices(IncidentLevel)  # type: ignore[valid-type]
    cii: bool = False
    discovered_at: dt.datetime
    description: str = Field("", max_length=4000)


class DataSecRiskOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    kind: choices(RiskAssessment.Kind)  # type: ignore[valid-type]
    status: choices(RiskAssessment.Status)  # type: ignore[valid-type]
    period_start: dt.date
    period_end: dt.date
    assessor: str
    system_name: str  # AI reports (provisional form)
    risk_types: list[str]  # AI reports: codes of the AI risk types (provisional)
    findings: str
    rectification: str
    completed_at: dt.datetime
    due_at: dt.datetime | None  # the filing deadline while not filed
    overdue: bool
    filed_at: dt.datetime | None
    filed_on_time: bool | None
    rectified_at: dt.datetime | None


class DataSecOverdueOut(Schema):
    filings: list[DataSecFilingOut]
    filings_count: int
    incidents: list[DataSecIncidentOut]
    incidents_count: int
    risks: list[DataSecRiskOut]  # risk-assessment reports not filed in time
    risks_count: int


def _filing_out(f: Filing, now) -> dict:
    return {"id": f.pk, "enterprise_id": f.enterprise_id, "enterprise_name": f.enterprise.name, "status": f.status,
            "status_label": f.get_status_display(), "version": f.version, "due_at": f.due_at, "due_kind": f.due_kind,
            "overdue": bool(f.due_at and f.due_at < now), "change_reason": f.change_reason}  # fmt: skip


def _incident_out(i: Incident, now) -> dict:
    return {"id": i.pk, "enterprise_id": i.enterprise_id, "enterprise_name": i.enterprise.name, "title": i.title,
            "kind": i.kind, "level": i.level, "cii": i.cii, "status": i.status, "discovered_at": i.discovered_at,
            "reported_at": i.reported_at, "due_at": i.due_at, "due_kind": i.due_kind,
            "overdue": bool(i.due_at and i.due_at < now), "escalations": i.escalations,
            "self_level": i.self_level, "regraded_at": i.regraded_at, "regrade_reason": i.regrade_reason,
            "clocks": [{"code": c["code"], "name": c["name"], "hours": c["hours"], "due_at": c["due"],
                        "state": c["state"], "provisional": c["provisional"]}
                       for c in selectors.clock_rows(i, now)]}  # fmt: skip


def _filing(user, pk: int) -> Filing:
    return get_object_or_404(Filing.objects.visible_to(user).select_related("enterprise"), pk=pk)


def _incident(user, pk: int) -> Incident:
    return get_object_or_404(Incident.objects.visible_to(user).select_related("enterprise"), pk=pk)


class _Rows:
    def __init__(self, queryset, out):
        self.queryset, self.out = queryset, out

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict]:
        now = timezone.now()
        return [self.out(row, now) for row in self.queryset[index]]


@router.get("/filings", response=list[DataSecFilingOut], summary="目录备案列表（本企业的、本地区已提交的）")
@paginate(Page)
def list_filings(request, status: choices(Filing.Status) | None = None):  # type: ignore[valid-type]
    queryset = Filing.objects.visible_to(request.user).select_related("enterprise").order_by("pk")
    if status:
        queryset = queryset.filter(status=status)
    return _Rows(queryset, _filing_out)


@router.get("/filings/{pk}", response=DataSecFilingDetailOut, summary="目录备案：各版本备案事项、审核结果和期限")
def get_filing(request, pk: Id):
    filing = _filing(request.user, pk)
    versions = [{"number": v.number, "entries": v.entries, "submitted_at": v.submitted_at,
                 "review_due_at": v.review_due_at, "decision": v.decision, "reasons": v.reasons,
                 "decided_at": v.decided_at} for v in filing.versions.all()]  # fmt: skip
    return {**_filing_out(filing, timezone.now()), "versions": versions}


@router.post("/filings/{pk}/review", response={200: DataSecFilingDetailOut, **REFUSED},
             summary="审核目录备案：准予备案，或退回补正（须写明理由）")  # fmt: skip
def review_filing(request, pk: Id, payload: DataSecReviewIn):
    services.filing_review(actor=request.user, filing=_filing(request.user, pk), decision=payload.decision,
                           reasons=payload.reasons)  # fmt: skip
    return get_filing(request, pk)


@router.get("/incidents", response=list[DataSecIncidentOut], summary="数据安全事件列表，含两个上报时限")
@paginate(Page)
def list_incidents(request, level: choices(IncidentLevel) | None = None):  # type: ignore[valid-type]
    queryset = Incident.objects.visible_to(request.user).select_related("enterprise")
    if level:
        queryset = queryset.filter(level=level)
    return _Rows(queryset, _incident_out)


@router.get("/incidents/{pk}", response=DataSecIncidentOut, summary="数据安全事件")
def get_incident(request, pk: Id):
    return _incident_out(_incident(request.user, pk), timezone.now())


@router.post(
    "/incidents", response={201: DataSecIncidentOut, **REFUSED}, summary="登记事件（本企业），较大及以上开始计时"
)
def record_incident(request, payload: DataSecIncidentIn):
    enterprise = selectors.own_enterprise(request.user)
    if enterprise is None:
        raise PermissionDenied(_("只有企业本身可以办理"))
    incident = services.incident_record(actor=request.user, enterprise=enterprise, **payload.dict())
    return Status(201, _incident_out(_incident(request.user, incident.pk), timezone.now()))


@router.post("/incidents/{pk}/report", response={200: DataSecIncidentOut, **REFUSED}, summary="正式上报事件")
def report_incident(request, pk: Id):
    services.incident_report(actor=request.user, incident=_incident(request.user, pk))
    return get_incident(request, pk)


@router.get(
    "/overdue", response=DataSecOverdueOut, summary="超期事项：审核、补正、变更或年度确认超期的备案，上报超时的事件"
)
def overdue(request, limit: Annotated[int, Field(ge=1, le=500)] = 50):
    now = timezone.now()
    result = selectors.overdue(request.user, now, limit)
    return {"filings": [_filing_out(f, now) for f in result.filings], "filings_count": result.filings_count,
            "incidents": [_incident_out(i, now) for i in result.incidents],
            "incidents_count": result.incidents_count, "risks": [_risk_out(r, now) for r in result.risks],
            "risks_count": result.risks_count}  # fmt: skip


# --- drills -------------------------------------------------------------------------------------------------------


class DataSecInjectOut(Schema):
    order: int
    text: str
    expected: str
    deadline_minutes: int
    decision: str
    decided_at: dt.datetime | None
    met: bool | None


class DataSecDrillActionOut(Schema):
    text: str
    owner: str
    due_on: dt.date
    done_at: dt.datetime | None


class DataSecDrillOut(Schema):
    id: int
    enterprise_id: int | None
    enterprise_name: str
    region_code: str
    title: str
    scenario: choices(Scenario)  # type: ignore[valid-type]
    planned_on: dt.date
    status: choices(Drill.Status)  # type: ignore[valid-type]
    started_at: dt.datetime | None
    finished_at: dt.datetime | None
    score: float | None  # share of the injects whose expected action was met in time, 0–1
    retest_of: int | None


class DataSecDrillDetailOut(DataSecDrillOut):
    participants: str
    findings: str
    injects: list[DataSecInjectOut]
    actions: list[DataSecDrillActionOut]


class DataSecCityDrillsOut(Schema):
    city: str  # the first 4 digits of the region code
    drills: int
    score: float | None


def _drill_out(d: Drill, now=None) -> dict:
    return {"id": d.pk, "enterprise_id": d.enterprise_id, "enterprise_name": d.enterprise.name if d.enterprise else "",
            "region_code": d.region_code, "title": d.title, "scenario": d.scenario, "planned_on": d.planned_on,
            "status": d.status, "started_at": d.started_at, "finished_at": d.finished_at, "score": d.score,
            "retest_of": d.retest_of_id}  # fmt: skip


@router.get("/drills", response=list[DataSecDrillOut], summary="应急演练列表（本企业的、本地区的）")
@paginate(Page)
def list_drills(request, scenario: choices(Scenario) | None = None, status: choices(Drill.Status) | None = None):  # type: ignore[valid-type]
    queryset = Drill.objects.visible_to(request.user).select_related("enterprise").order_by("pk")
    if scenario:
        queryset = queryset.filter(scenario=scenario)
    if status:
        queryset = queryset.filter(status=status)
    return _Rows(queryset, _drill_out)


@router.get("/drills/by-city", response=list[DataSecCityDrillsOut], summary="各市某年完成的演练次数和平均得分")
def drills_by_city(request, year: Annotated[int | None, Field(ge=2000, le=2100)] = None):
    year = year or timezone.localtime().year
    return [{"city": c, **d} for c, d in sorted(selectors.drills_by_city(request.user, year).items())]


@router.get("/drills/{pk}", response=DataSecDrillDetailOut, summary="应急演练：情景注入、处置决策、得分和整改事项")
def get_drill(request, pk: Id):
    drill = get_object_or_404(Drill.objects.visible_to(request.user).select_related("enterprise"), pk=pk)
    injects = [{f: getattr(i, f) for f in ("order", "text", "expected", "deadline_minutes", "decision", "decided_at",
                                           "met")} for i in drill.injects.all()]  # fmt: skip
    actions = [{"text": a.text, "owner": a.owner, "due_on": a.due_on, "done_at": a.done_at}
               for a in drill.actions.all()]  # fmt: skip
    return {**_drill_out(drill), "participants": drill.participants, "findings": drill.findings, "injects": injects,
            "actions": actions}  # fmt: skip


# --- the key networked-enterprise list ----------------------------------------------------------------------------


class DataSecKeyEnterpriseOut(Schema):
    id: int
    enterprise_id: int
    enterprise_name: str
    region_code: str
    status: choices(KeyEnterprise.Status)  # type: ignore[valid-type]
    protection_level: str  # 1 | 2 | 3 (provisional grading), "" before listing
    networked_devices: int | None
    platforms: str
    reason: str
    listed_at: dt.datetime | None
    removed_at: dt.datetime | None
    last_assessed: dt.datetime | None  # the latest data-security risk assessment's completion
    assessment_overdue: bool


def _key_out(e: KeyEnterprise, now) -> dict:
    _due, overdue = keylist.assessment_due(e, now)
    return {"id": e.pk, "enterprise_id": e.enterprise_id, "enterprise_name": e.enterprise.name,
            "region_code": e.region_code, "status": e.status, "protection_level": e.protection_level,
            "networked_devices": e.networked_devices, "platforms": e.platforms, "reason": e.reason,
            "listed_at": e.listed_at, "removed_at": e.removed_at, "last_assessed": e.last_assessed,
            "assessment_overdue": overdue}  # fmt: skip


@router.get("/key-enterprises", response=list[DataSecKeyEnterpriseOut],
            summary="重点联网工业企业清单（状态、地区、防护等级、行业、名称筛选）")  # fmt: skip
@paginate(Page)
def list_key_enterprises(request, status: choices(KeyEnterprise.Status) | None = None,  # type: ignore[valid-type]
                         city: Annotated[str, Field(max_length=6)] = "", level: str = "",
                         industry: Annotated[str, Field(max_length=4)] = "",
                         q: Annotated[str, Field(max_length=100)] = ""):  # fmt: skip
    return _Rows(keylist.entries(request.user, status=status or "", city=city, level=level, industry=industry, q=q),
                 _key_out)  # fmt: skip


@router.get("/key-enterprises/{pk}", response=DataSecKeyEnterpriseOut, summary="清单中的一家企业")
def get_key_enterprise(request, pk: Id):
    return _key_out(get_object_or_404(keylist.entries(request.user), pk=pk), timezone.now())


class DataSecKeyListPublicationOut(Schema):
    id: int
    province: str
    number: int  # 第 N 期, counted per province
    published_on: dt.date
    published_at: dt.datetime
    note: str
    entry_count: int  # entries the user may see (an officer: of its regions; an enterprise: its own)


class DataSecKeyListPublishedEntryOut(Schema):
    enterprise_id: int | None
    enterprise_name: str
    credit_code: str
    region_code: str
    protection_level: str  # 1 | 2 | 3 (provisional grading), frozen as published


class DataSecKeyListPublicationDetailOut(DataSecKeyListPublicationOut):
    entries: list[DataSecKeyListPublishedEntryOut]


def _publication_out(user, p, entries=None) -> dict:
    entries = entries if entries is not None else keylist.published_entries(user, p)
    count = len(entries) if isinstance(entries, list) else entries.count()
    return {"id": p.pk, "province": p.province, "number": p.number, "published_on": p.published_on,
            "published_at": p.published_at, "note": p.note, "entry_count": count}  # fmt: skip


@router.get("/key-list-publications", response=list[DataSecKeyListPublicationOut],
            summary="重点联网工业企业清单的历次公布（最新在前）")  # fmt: skip
@paginate(Page)
def list_key_list_publications(request):
    rows = keylist.publications(request.user).order_by("-published_at", "-pk")
    return _Rows(rows, lambda p, _now: _publication_out(request.user, p))


@router.get("/key-list-publications/{pk}", response=DataSecKeyListPublicationDetailOut,
            summary="一期已公布的清单：可查看的企业及其公布时的防护等级")  # fmt: skip
def get_key_list_publication(request, pk: Id):
    publication = get_object_or_404(keylist.publications(request.user), pk=pk)
    entries = list(keylist.published_entries(request.user, publication))
    return {**_publication_out(request.user, publication, entries),
            "entries": [{f: getattr(e, f) for f in ("enterprise_id", "enterprise_name", "credit_code", "region_code",
                                                    "protection_level")} for e in entries]}  # fmt: skip


# --- risk assessments ---------------------------------------------------------------------------------------------


def _risk_out(a: RiskAssessment, now) -> dict:
    fields = ("kind", "status", "period_start", "period_end", "assessor", "system_name", "risk_types", "findings",
              "rectification", "completed_at", "due_at", "filed_at", "filed_on_time", "rectified_at")  # fmt: skip
    return {"id": a.pk, "enterprise_id": a.enterprise_id, "enterprise_name": a.enterprise.name,
            "overdue": bool(a.due_at and a.due_at < now), **{f: getattr(a, f) for f in fields}}  # fmt: skip


@router.get("/risk-assessments", response=list[DataSecRiskOut],
            summary="风险评估和人工智能安全风险报告（本企业的、本地区的），含报送期限")  # fmt: skip
@paginate(Page)
def list_risk_assessments(request, kind: choices(RiskAssessment.Kind) | None = None):  # type: ignore[valid-type]
    queryset = RiskAssessment.objects.visible_to(request.user).select_related("enterprise").order_by("pk")
    if kind:
        queryset = queryset.filter(kind=kind)
    return _Rows(queryset, _risk_out)


@router.get("/risk-assessments/{pk}", response=DataSecRiskOut, summary="一份风险评估或人工智能安全风险报告")
def get_risk_assessment(request, pk: Id):
    assessment = get_object_or_404(RiskAssessment.objects.visible_to(request.user).select_related("enterprise"), pk=pk)
    return _risk_out(assessment, timezone.now())


class DataSecRegradeIn(Schema):
    level: choices(IncidentLevel)  # type: ignore[valid-type]
    reason: str = Field(max_length=1000)


@router.post("/incidents/{pk}/regrade", response={200: DataSecIncidentOut, **REFUSED},
             summary="主管部门调整事件级别（须说明理由），上报时限按新级别重算")  # fmt: skip
def regrade_incident(request, pk: Id, payload: DataSecRegradeIn):
    services.incident_regrade(actor=request.user, incident=_incident(request.user, pk), level=payload.level,
                              reason=payload.reason)  # fmt: skip
    return get_incident(request, pk)
