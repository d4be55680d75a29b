"""Risk assessments and AI safety-risk reports: the enterprise records a completed assessment (period, assessor,
findings, rectification); the report is due with the regulator within the working days of the clock rules (10, the
2024 细则) and is filed; the rectification is then recorded as done. The yearly cycle: the next assessment is due
`valid_months` after the last one's completion (keylist.assessment_due), and provinces roll up to MIIT by the
rules' date. The AI report's form is provisional (the guideline is still to be formulated): the system or model
assessed and the AI risk types of rules/incidents.yaml.

Writes as datasecurity.services: keyword arguments, PermissionDenied / ValidationError (Chinese), one transaction,
an Event, `now` settable."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, calendar, clocks, events, grading
from .models import RiskAssessment
from .services import _now

AI_EXTRA = ("leak", "system_failure")


def ai_risk_types() -> dict[str, str]:
    """The AI risk types a report ticks: the AI incident kinds (provisional) plus data leaks and system failures."""
    kinds, _provisional, _levels = grading.incident_spec()
    return {code: name for code, name in kinds.items() if code.startswith("ai_") or code in AI_EXTRA}


@transaction.atomic
def risk_record(*, actor, enterprise, kind: str, period_start: dt.date, period_end: dt.date, assessor: str,
                findings: str, completed_at: dt.datetime, rectification: str = "", system_name: str = "",
                risk_types: list[str] | None = None, now: dt.datetime | None = None) -> RiskAssessment:  # fmt: skip
    access.require_own(actor, enterprise.pk)
    now = _now(now)
    if kind not in RiskAssessment.Kind.values:
        raise ValidationError(_("请选择评估类型"))
    if period_end < period_start:
        raise ValidationError(_("评估期止不能早于评估期起"))
    if completed_at > now:
        raise ValidationError(_("评估完成时间不能晚于现在"))
    if not assessor.strip() or not findings.strip():
        raise ValidationError(_("请填写评估机构和发现的风险"))
    risk_types = list(risk_types or [])
    if kind == RiskAssessment.Kind.AI:
        if not system_name.strip():
            raise ValidationError(_("人工智能安全风险报告须写明评估的系统或模型"))
        known = ai_risk_types()
        if not risk_types or any(code not in known for code in risk_types):
            raise ValidationError(_("请选择人工智能安全风险类型"))
    else:
        risk_types, system_name = [], ""
    # the working day ends at midnight in Asia/Shanghai, whatever zone the completion time came in (API: UTC)
    due = clocks.risk_filing_due(calendar.current(), clocks.shipped(), timezone.localtime(completed_at))
    assessment = RiskAssessment.objects.create(
        enterprise=enterprise, region_code=enterprise.county_id, kind=kind, period_start=period_start,
        period_end=period_end, assessor=assessor.strip()[:200], system_name=system_name.strip()[:200],
        risk_types=sorted(set(risk_types)), findings=findings.strip(), rectification=rectification.strip(),
        completed_at=completed_at, due_at=due, created_by=actor,
    )  # fmt: skip
    events.record("risk_record", actor=actor, assessment=assessment, at=now, data={"due_at": due.isoformat()})
    return assessment


def _load(assessment: RiskAssessment, actor) -> RiskAssessment:
    assessment = RiskAssessment.objects.select_for_update().get(pk=assessment.pk)
    access.require_own(actor, assessment.enterprise_id)
    return assessment


@transaction.atomic
def risk_file(*, actor, assessment: RiskAssessment, now: dt.datetime | None = None) -> RiskAssessment:
    """File the report with the regulator; on time or late against its deadline."""
    assessment = _load(assessment, actor)
    now = _now(now)
    if assessment.status != RiskAssessment.Status.COMPLETED:
        raise ValidationError(_("评估报告已报送"))
    assessment.filed_on_time = now <= assessment.due_at
    assessment.status, assessment.filed_at, assessment.due_at = RiskAssessment.Status.FILED, now, None
    assessment.save()
    events.record("risk_file", actor=actor, assessment=assessment, at=now, data={"on_time": assessment.filed_on_time})
    return assessment


@transaction.atomic
def risk_rectify(*, actor, assessment: RiskAssessment, rectification: str,
                 now: dt.datetime | None = None) -> RiskAssessment:  # fmt: skip
    assessment = _load(assessment, actor)
    now = _now(now)
    if assessment.status != RiskAssessment.Status.FILED:
        raise ValidationError(_("报送后才能登记整改完成"))
    if not rectification.strip():
        raise ValidationError(_("请写明已完成的整改措施"))
    assessment.rectification = rectification.strip()
    assessment.status, assessment.rectified_at = RiskAssessment.Status.RECTIFIED, now
    assessment.save()
    events.record("risk_rectify", actor=actor, assessment=assessment, at=now)
    return assessment


def rollup(user, year: int, now: dt.datetime) -> list[dict]:
    """Per city, data-security assessments completed in `year`: filed (on time), awaiting filing, overdue — the
    figures a province rolls up to MIIT by the rules' date."""
    rows = (RiskAssessment.objects.visible_to(user).filter(kind=RiskAssessment.Kind.DATA, completed_at__year=year)
            .annotate(city=Substr("region_code", 1, 4)).values("city").annotate(
                total=Count("pk"), filed=Count("pk", filter=Q(filed_at__isnull=False)),
                on_time=Count("pk", filter=Q(filed_on_time=True)),
                overdue=Count("pk", filter=Q(due_at__lt=now))).order_by("city"))  # fmt: skip
    return list(rows)
