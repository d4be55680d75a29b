"""The experts' side of a chain: the consolidated score of an expert step (assignment, scoring sheets and the
expert's workbench build on this)."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import access, calendar, chain, review
from .events import record
from .models import Application, Expert, ReviewTask


def consolidated(application: Application, step: int) -> float:
    """One score from the step's submitted reviews, as the programme says (mean, trimmed mean, the chair's).
    Every assigned expert must have submitted."""
    tasks = list(application.reviews.filter(step=step).exclude(status=ReviewTask.Status.WITHDRAWN))
    if not tasks:
        raise ValidationError(_("尚未分配评审专家"))
    if waiting := [t for t in tasks if t.status != ReviewTask.Status.SUBMITTED]:
        raise ValidationError(_("还有 %(n)s 位专家未提交评审意见") % {"n": len(waiting)})
    rules = application.programme.rules
    chair = next((t.expert_id for t in tasks if t.is_chair), None)
    try:
        return review.consolidate({t.expert_id: t.score for t in tasks}, rules.consolidation, trim=rules.trim,
                                  chair=chair)  # fmt: skip
    except review.ConsolidationError as error:
        raise ValidationError(str(error)) from error


def served_by(enterprise_ids) -> dict[int, frozenset[str]]:
    """Credit codes of providers that served each enterprise: a contract or intention at a matching event, or a
    benchmark case the provider published with it."""
    from catalog.models import Case, MeetingOutcome

    found: dict[int, set[str]] = {pk: set() for pk in enterprise_ids}
    outcomes = MeetingOutcome.objects.filter(
        enterprise_id__in=enterprise_ids,
        result__in=[MeetingOutcome.Result.CONTRACTED, MeetingOutcome.Result.INTENTION],
    ).values_list("enterprise_id", "provider__credit_code")
    cases = Case.objects.filter(enterprise_id__in=enterprise_ids).values_list("enterprise_id", "provider__credit_code")
    for enterprise_id, code in [*outcomes, *cases]:
        if code:
            found[enterprise_id].add(code)
    return {pk: frozenset(codes) for pk, codes in found.items()}


def _open_load() -> dict[int, int]:
    from django.db.models import Count

    return dict(ReviewTask.objects.filter(status=ReviewTask.Status.ASSIGNED).values_list("expert_id")
                .annotate(n=Count("pk")).order_by())  # fmt: skip


def pool_for(level_path: str):
    """Active experts of the pool who may serve a step at this region: those of the region, above or below it, and
    those without a region (national experts)."""
    from django.db.models import Q

    ancestors = [level_path[:n] for n in range(2, len(level_path) + 1, 2)]
    return (
        Expert.objects.filter(is_active=True, user__is_active=True)
        .filter(Q(region__isnull=True) | Q(region__path__in=ancestors) | Q(region__path__startswith=level_path))
        .select_related("user", "region")
    )


@transaction.atomic
def assign_experts(*, actor, applications: list[Application]) -> review.Assignment:
    """Assign each application's current expert step its experts from the pool, excluding conflicts as the
    programme says, balanced by open tasks; the first assigned is the chair. Applications must be at an expert
    step the actor's region and level run."""
    if not applications:
        return review.Assignment()
    cards, steps = [], {}
    for application in applications:
        step = application.current_step
        if application.status != chain.IN_REVIEW or step is None or step.action != "expert_review":
            raise ValidationError(_("申请不在专家评审环节"))
        access.require_acts_at(actor, application.enterprise.county_id, step.level, step.name)
        steps[application.pk] = step
    served = served_by([a.enterprise_id for a in applications])
    first = applications[0]
    step0 = steps[first.pk]
    region_path = access.region_at(first.enterprise.county_id, step0.level)
    pool = list(pool_for(region_path))
    experts = [review.ExpertCard(id=e.pk, name=str(e), organisation=e.organisation,
                                 organisation_code=e.organisation_code, region_path=e.region.path if e.region else "",
                                 fields=frozenset(e.fields or ()), load=0) for e in pool]  # fmt: skip
    load = _open_load()
    experts = [review.ExpertCard(**{**c.__dict__, "load": load.get(c.id, 0)}) for c in experts]
    already: dict[int, set[int]] = {}
    for application_id, expert_id in ReviewTask.objects.filter(
        application__in=applications
    ).exclude(status=ReviewTask.Status.WITHDRAWN).values_list("application_id", "expert_id"):  # fmt: skip
        already.setdefault(application_id, set()).add(expert_id)
    for application in applications:
        e = application.enterprise
        cards.append(review.CaseCard(
            id=application.pk, enterprise_code=e.credit_code, enterprise_name=e.name, county_id=e.county_id,
            served_by=served.get(e.pk, frozenset()), fields=frozenset(filter(None, [e.industry_id])),
            already=frozenset(already.get(application.pk, ())),
        ))  # fmt: skip
    rules = first.programme.rules
    result = review.assign(cards, experts, max(steps.values(), key=lambda s: s.experts).experts, rules.exclusions)
    tasks = []
    for application in applications:
        step = steps[application.pk]
        due = calendar.add(timezone.localdate(), step.deadline_days) if step.deadline_days else None
        has_chair = bool(already.get(application.pk))
        for i, expert_id in enumerate(result.chosen.get(application.pk, [])):
            tasks.append(ReviewTask(application=application, step=application.step, expert_id=expert_id,
                                    is_chair=(i == 0 and not has_chair), due_on=due))  # fmt: skip
        excluded = [[pk, reasons] for pk, reasons in result.excluded.get(application.pk, [])]
        chosen, short = result.chosen.get(application.pk, []), result.short.get(application.pk, 0)
        record(application, "assign", actor=actor, step=step,
               data={"experts": chosen, "short": short, "excluded": excluded})  # fmt: skip
    ReviewTask.objects.bulk_create(tasks)
    return result


@transaction.atomic
def review_submit(*, actor, task: ReviewTask, score: float | None = None, answers: dict | None = None,
                  comment: str, visit_report: str = "") -> ReviewTask:  # fmt: skip
    """The expert's review: a score (or the scoring sheet's answers, scored by the maturity engine), the comment,
    and the on-site record where the step has a visit. Only the assigned expert, once, before the deadline."""
    task = ReviewTask.objects.select_for_update().select_related("application__programme", "expert").get(pk=task.pk)
    if task.expert.user_id != getattr(actor, "pk", None):
        raise PermissionDenied(_("只有被指派的专家可以提交评审意见"))
    if task.status != ReviewTask.Status.ASSIGNED:
        raise ValidationError(_("该评审任务已提交或已撤回"))
    application = task.application
    if application.status != chain.IN_REVIEW or application.step != task.step:
        raise ValidationError(_("申请已不在该评审环节"))
    if task.due_on and timezone.localdate() > task.due_on:
        raise ValidationError(_("已超过评审期限（%(day)s），请联系主管部门重新安排") % {"day": task.due_on})
    step = application.programme.rules.step(task.step)
    if answers is not None:
        from . import sheets

        score, answers = sheets.score(application.programme.rules, answers)
    if score is None or not 0 <= float(score) <= 100:
        raise ValidationError({"score": _("请给出 0—100 之间的评分")})
    comment = (comment or "").strip()
    if len(comment) < 2:
        raise ValidationError({"comment": _("请填写评审意见")})
    if step.visit and len((visit_report or "").strip()) < 2:
        raise ValidationError({"visit_report": _("本环节须现场核查，请填写现场核查记录")})
    task.score, task.answers, task.comment = float(score), answers or {}, comment
    task.visit_report, task.status, task.submitted_at = (visit_report or "").strip(), ReviewTask.Status.SUBMITTED, \
        timezone.now()  # fmt: skip
    task.save()
    record(application, "review", actor=actor, step=step, data={"task": task.pk, "score": task.score})
    return task
