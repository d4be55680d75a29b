"""Writes on recognition: loading programmes, the applicant's draft, submission and withdrawal, and each step's
decision. Every change is checked against the chain (`chain`), the actor's role and level (`access`), and
recorded as an ApplicationEvent (and, for the applicant's milestones, on the enterprise's timeline)."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from regions.models import prefix_range

from . import access, calendar, chain
from .events import record, timeline
from .models import Application, ApplicationEvent, PrerequisiteRun, Programme

# --- programmes ---------------------------------------------------------------------------------------------------


@transaction.atomic
def programme_load(*, actor, region, data: dict, opens_on: dt.date | None = None,
                   closes_on: dt.date | None = None) -> Programme:  # fmt: skip
    """Load (or replace, while nobody has applied) a programme from its file's data, for a region the actor
    governs. The data is checked by `chain.parse`; its message names the field."""
    if actor is not None and not scope_of(actor).manages_code(region.code):
        raise PermissionDenied(_("只有主管该地区的部门可以发布认定项目"))
    try:
        rules = chain.parse(data)
    except chain.SpecError as error:
        raise ValidationError(str(error)) from error
    programme = Programme.objects.filter(code=rules.code).first()
    if programme is not None and programme.applications.exists():
        raise ValidationError(_("该项目已有申请，不能再修改规则；请以新的项目代码发布"))
    fields = {"name": rules.name, "kind": rules.kind, "year": rules.year, "region": region, "spec": data,
              "provisional": rules.provisional, "opens_on": opens_on, "closes_on": closes_on}  # fmt: skip
    if programme is None:
        return Programme.objects.create(code=rules.code, created_by=actor, **fields)
    for key, value in fields.items():
        setattr(programme, key, value)
    programme.save()
    return programme


def programme_set_status(*, actor, programme: Programme, status: str) -> Programme:
    if not scope_of(actor).manages_code(programme.region_id):
        raise PermissionDenied(_("只有组织该项目的部门可以开启或截止申报"))
    programme.status = status
    programme.save(update_fields=["status"])
    return programme


def accepting(programme: Programme, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (programme.status == Programme.Status.OPEN and (programme.opens_on is None or programme.opens_on <= today)
            and (programme.closes_on is None or today <= programme.closes_on))  # fmt: skip


# --- the applicant ------------------------------------------------------------------------------------------------


@transaction.atomic
def application_start(*, actor, programme: Programme, enterprise) -> Application:
    access.require_applicant(actor, enterprise.pk)
    if not accepting(programme):
        raise ValidationError(_("该项目当前不在申报期内"))
    if not enterprise.county_id.startswith(programme.region.path):
        raise ValidationError(_("贵企业不在该项目的申报范围内"))
    if Application.objects.filter(programme=programme, enterprise=enterprise, status__in=chain.OPEN_STATES).exists():
        raise ValidationError(_("贵企业已有该项目的申请，请继续办理原申请"))
    application = Application.objects.create(programme=programme, enterprise=enterprise, created_by=actor)
    record(application, "draft", actor=actor)
    return application


def _editable(actor, application: Application) -> None:
    access.require_applicant(actor, application.enterprise_id)
    if application.status not in (chain.DRAFT, chain.RETURNED):
        raise ValidationError(_("申请已提交，审核期间不能修改"))


@transaction.atomic
def application_update(*, actor, application: Application, summary: str, declared: dict) -> Application:
    _editable(actor, application)
    application.summary, application.declared = summary.strip(), declared
    application.save(update_fields=["summary", "declared"])
    return application


def _arrive(application: Application, index: int) -> None:
    """The application reaches step `index`: its deadline in working days starts now."""
    step = application.programme.rules.step(index)
    application.step, application.step_reached_at = index, timezone.now()
    days = step.notice_days if step.action == "notice" else step.deadline_days
    application.step_due_on = calendar.add(timezone.localdate(), days) if days else None


@transaction.atomic
def application_submit(*, actor, application: Application, check) -> Application:
    """Submit a draft, or resubmit a returned application within the time allowed. `check` is the prerequisite
    check (recognition.prerequisites.check for this application): an unmet prerequisite or a missing required
    piece of evidence refuses the submission with the reasons."""
    _editable(actor, application)
    rules = application.programme.rules
    if application.status == chain.DRAFT and not accepting(application.programme):
        raise ValidationError(_("该项目已截止申报"))
    if (
        application.status == chain.RETURNED
        and application.step_due_on
        and timezone.localdate() > application.step_due_on
    ):
        raise ValidationError(_("已超过补正期限（%(day)s），不能再提交") % {"day": application.step_due_on})
    have = set(application.evidence.values_list("code", flat=True))
    missing = [e.name for e in rules.evidence if e.required and e.code not in have]
    problems = [_("缺少申报材料：%(names)s") % {"names": "、".join(missing)}] if missing else []
    if check.not_met:
        problems.append(_("不满足申报条件：%(names)s") % {"names": "；".join(check.not_met)})
    if problems:
        raise ValidationError(problems)
    resubmitting = application.status == chain.RETURNED
    position = chain.submit(rules, application.position)
    application.status = position.status
    application.prerequisites = check.as_json()
    application.submitted_at = timezone.now()
    _arrive(application, position.step)
    application.save()
    record(application, "resubmit" if resubmitting else "submit", actor=actor, step=rules.step(position.step))
    timeline(application, _("修改后重新提交") if resubmitting else _("提交申请"), actor=actor)
    return application


@transaction.atomic
def application_withdraw(*, actor, application: Application, reason: str = "") -> Application:
    access.require_applicant(actor, application.enterprise_id)
    try:
        position = chain.withdraw(application.programme.rules, application.position)
    except chain.TransitionError as error:
        raise ValidationError(str(error)) from error
    step = application.current_step
    application.status, application.decided_at = position.status, timezone.now()
    application.save(update_fields=["status", "decided_at"])
    record(application, "withdraw", actor=actor, reason=reason.strip(), step=step)
    timeline(application, _("撤回申请"), actor=actor)
    return application


# --- the chain's steps --------------------------------------------------------------------------------------------


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明理由")})
    return reason


def _step_checks(application: Application, step: chain.Step, decision: str) -> dict:
    """What a step needs before its decision; returns data recorded with the decision."""
    from . import experts, notices

    data: dict = {}
    if step.action == "expert_review" and decision in {"pass", "cultivate", "reject"}:
        score = experts.consolidated(application, application.step)
        data["score"] = score
        rules = application.programme.rules
        if decision == "pass" and rules.pass_score is not None and score < rules.pass_score:
            raise ValidationError(
                _("专家评审得分 %(score).1f 低于通过分数 %(pass)s") % {"score": score, "pass": rules.pass_score}
            )
    if step.action == "notice":
        if decision == "pass" and application.step_due_on and timezone.localdate() <= application.step_due_on:
            raise ValidationError(_("公示期至 %(day)s 结束，期满后才能办结") % {"day": application.step_due_on})
        if notices.open_objections(application).exists():
            raise ValidationError(_("还有未处理的异议，请先处理"))
    if step.action == "recommend" and decision == "pass":
        region = access.region_at(application.enterprise.county_id, step.level)
        quota = application.programme.rules.quota_for(region.ljust(6, "0"))
        if quota is not None:
            used = ApplicationEvent.objects.filter(
                application__programme=application.programme, step_code=step.code, action="pass",
                **prefix_range("application__enterprise__county_id", region),
            ).exclude(application=application).count()  # fmt: skip
            if used >= quota:
                raise ValidationError(_("推荐名额已用完（%(n)s 个）") % {"n": quota})
            data["quota"] = {"used": used + 1, "of": quota}
    return data


@transaction.atomic
def application_decide(*, actor, application: Application, decision: str, reason: str) -> Application:
    """The acting step's decision by an officer of the step's region and level, with a reason. `pass` after the
    last step recognises the enterprise (`recognise`)."""
    application = (
        Application.objects.select_for_update().select_related("programme", "enterprise").get(pk=application.pk)
    )
    rules = application.programme.rules
    if application.status != chain.IN_REVIEW:
        raise ValidationError(_("申请不在审核中"))
    step = rules.step(application.step)
    access.require_acts_at(actor, application.enterprise.county_id, step.level, step.name)
    reason = _require_reason(reason)
    data = _step_checks(application, step, decision)
    try:
        position = chain.decide(rules, application.position, decision)
    except chain.TransitionError as error:
        raise ValidationError(str(error)) from error
    if "score" in data:
        application.score = data["score"]
        grade = rules.grade_for(data["score"])
        application.grade = grade.name if grade else ""
    application.status = position.status
    if position.status == chain.IN_REVIEW:
        _arrive(application, position.step)
    elif position.status == chain.RETURNED:
        days = step.deadline_days or 10
        application.step_due_on = calendar.add(timezone.localdate(), days)  # time to correct and resubmit
    else:
        application.decided_at = timezone.now()
    application.save()
    record(application, decision, actor=actor, reason=reason, data=data, step=step)
    if position.status == chain.RECOGNISED:
        from .results import recognise

        recognise(actor=actor, application=application)
    elif position.status != chain.IN_REVIEW or step.action in {"decision", "recommend"}:
        timeline(application, f"{step.name}：{_(chain.DECISION_NAMES[decision])}", actor=actor)
    if position.status in {chain.REJECTED, chain.CULTIVATION} and application.rereview_of_id:
        from .results import rereview_failed

        rereview_failed(actor=actor, application=application, reason=reason)  # a failed re-review revokes
    return application


# --- prerequisite re-checks ---------------------------------------------------------------------------------------


def recheck_start(*, actor, programme: Programme, region) -> PrerequisiteRun:
    """Queue a re-check of the programme's prerequisites for every enterprise of a region the actor governs."""
    from .tasks import recheck_prerequisites

    if not scope_of(actor).manages_code(region.code) or not region.path.startswith(programme.region.path):
        raise PermissionDenied(_("只能核查本部门主管、且属于该项目范围的地区"))
    prerequisite_run = PrerequisiteRun.objects.create(programme=programme, region=region, started_by=actor)
    transaction.on_commit(lambda: recheck_prerequisites.enqueue(prerequisite_run.pk))
    return prerequisite_run
