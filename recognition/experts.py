"""The experts' side of a chain: the expert pool (who may serve which officer), assignment with conflict-of-interest
exclusions (each reason stated and recorded), withdrawing a task, the expert's review (a plain score or the
programme's scoring sheet, scored by the maturity engine) and the consolidated score of an expert step.

Assignment is one call for many applications: the pool, the loads, the providers that served each applicant and
the tasks already given are read once, the pure `review.assign` decides, and the tasks and events are written in
bulk, so its queries do not grow with the number of applications."""

from __future__ import annotations

from collections import defaultdict

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of, under_paths

from . import access, calendar, chain, review
from .events import record
from .models import Application, ApplicationEvent, Expert, ReviewTask

METHOD_NAMES = {"mean": gettext_lazy("平均分"), "trimmed_mean": gettext_lazy("去掉最高分和最低分后的平均分"),
                "chair": gettext_lazy("由组长决定")}  # fmt: skip


def method_name(rules: chain.Spec) -> str:
    if rules.consolidation == "trimmed_mean":
        return _("去掉最高、最低各 %(n)s 个分数后的平均分") % {"n": rules.trim}
    return str(METHOD_NAMES[rules.consolidation])


# --- reads ---------------------------------------------------------------------------------------------------------


def active_tasks(application: Application, step: int):
    return application.reviews.filter(step=step).exclude(status=ReviewTask.Status.WITHDRAWN)


def consolidated(application: Application, step: int) -> float:
    """One score from the step's submitted reviews, as the programme says (mean, trimmed mean, the chair's).
    Every assigned expert must have submitted."""
    tasks = list(active_tasks(application, step))
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
    return dict(ReviewTask.objects.filter(status=ReviewTask.Status.ASSIGNED).values_list("expert_id")
                .annotate(n=Count("pk")).order_by())  # fmt: skip


def pool_for(level_path: str):
    """Active experts of the pool who may serve a step at this region: those of the region, above or below it, and
    those without a region (national experts)."""
    ancestors = [level_path[:n] for n in range(2, len(level_path) + 1, 2)]
    return (
        Expert.objects.filter(is_active=True, user__is_active=True)
        .filter(Q(region__isnull=True) | Q(region__path__in=ancestors) | Q(region__path__startswith=level_path))
        .select_related("user", "region")
    )


def experts_visible_to(user):
    """The pool an officer keeps: experts registered in the regions they govern (the admin: all, also those without
    a region). Others see nothing."""
    scope = scope_of(user)
    qs = Expert.objects.select_related("user", "region")
    if scope.is_admin:
        return qs
    if not scope.officer_paths:
        return qs.none()
    return qs.filter(under_paths("region_id", scope.officer_paths))


def get_expert_for_user(user, pk: int) -> Expert:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(experts_visible_to(user), pk=pk)


# --- the pool ------------------------------------------------------------------------------------------------------


def _require_region(actor, region) -> None:
    scope = scope_of(actor)
    if region is None and not scope.is_admin:
        raise ValidationError({"region": _("请选择专家所在地区")})
    if region is not None and not scope.manages_code(region.code):
        raise PermissionDenied(_("只能在本部门主管的地区登记专家"))


@transaction.atomic
def expert_create(*, actor, username: str, display_name: str, email: str = "", password: str = "",
                  organisation: str, organisation_code: str, region, fields: list[str]) -> Expert:  # fmt: skip
    """A new expert in the pool: a user with the expert role and the card used for assignment."""
    from accounts.models import Membership, Role, User

    _require_region(actor, region)
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%(name)s”已被使用，请换一个") % {"name": username}})
    user = User(username=username, display_name=display_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()  # the expert sets one through the password reset
    user.save()
    Membership.objects.create(user=user, role=Role.EXPERT, region=region)
    return Expert.objects.create(user=user, organisation=organisation, organisation_code=organisation_code,
                                 region=region, fields=list(fields))  # fmt: skip


@transaction.atomic
def expert_update(*, actor, expert: Expert, display_name: str, email: str, organisation: str,
                  organisation_code: str, region, fields: list[str]) -> Expert:  # fmt: skip
    if expert.region_id is not None or not scope_of(actor).is_admin:
        _require_region(actor, expert.region)
    _require_region(actor, region)
    expert.organisation, expert.organisation_code, expert.region, expert.fields = (
        organisation, organisation_code, region, list(fields))  # fmt: skip
    expert.save()
    user = expert.user
    user.display_name, user.email = display_name, email
    user.save(update_fields=["display_name", "email"])
    return expert


@transaction.atomic
def expert_set_active(*, actor, expert: Expert, active: bool) -> Expert:
    """Take an expert out of the pool (no new tasks; tasks already given stay) or back in."""
    _require_region(actor, expert.region)
    expert.is_active = active
    expert.save(update_fields=["is_active"])
    return expert


# --- assignment ----------------------------------------------------------------------------------------------------


def _event(application: Application, action: str, *, actor, step: chain.Step, reason: str = "",
           data: dict) -> ApplicationEvent:  # fmt: skip
    name = (actor.get_full_name() or actor.username) if actor else ""
    return ApplicationEvent(application=application, action=action, step_code=step.code, step_name=step.name,
                            status_after=application.status, actor=actor, actor_name=name, reason=reason,
                            data=data)  # fmt: skip


def _card(expert: Expert, load: int) -> review.ExpertCard:
    return review.ExpertCard(id=expert.pk, name=str(expert.user), organisation=expert.organisation,
                             organisation_code=expert.organisation_code,
                             region_path=expert.region.path if expert.region else "",
                             fields=frozenset(expert.fields or ()), load=load)  # fmt: skip


def _merge(into: review.Assignment, part: review.Assignment) -> None:
    into.chosen.update(part.chosen)
    into.short.update(part.short)
    into.excluded.update(part.excluded)


@transaction.atomic
def assign_experts(*, actor, applications: list[Application]) -> review.Assignment:
    """Assign each application's current expert step its experts from the pool, excluding conflicts as the
    programme says, balanced by open tasks; the first assigned is the chair. Applications must be at an expert
    step the actor's region and level run. An application that already has some experts gets only the missing
    ones, never an expert whose task on it was withdrawn."""
    if not applications:
        return review.Assignment()
    rows = list(Application.objects.select_for_update(of=("self",)).select_related("programme", "enterprise")
                .filter(pk__in=[a.pk for a in applications]).order_by("pk"))  # fmt: skip
    programmes: dict[int, object] = {}
    groups: dict[tuple[int, int, str], list[Application]] = defaultdict(list)
    for application in rows:
        application.programme = programmes.setdefault(application.programme_id, application.programme)
        step = application.current_step
        if application.status != chain.IN_REVIEW or step is None or step.action != "expert_review":
            raise ValidationError(_("申请不在专家评审环节"))
        access.require_acts_at(actor, application.enterprise.county_id, step.level, step.name)
        region_path = access.region_at(application.enterprise.county_id, step.level)
        groups[(application.programme_id, application.step, region_path)].append(application)
    served = served_by([a.enterprise_id for a in rows])
    load = _open_load()
    given: dict[int, list[ReviewTask]] = defaultdict(list)
    for task in ReviewTask.objects.filter(application__in=rows).only("application_id", "step", "expert_id",
                                                                     "status", "is_chair"):  # fmt: skip
        given[task.application_id].append(task)
    pools: dict[str, list[Expert]] = {}
    result, tasks, events, today = review.Assignment(), [], [], timezone.localdate()
    for (programme_id, index, region_path), members in groups.items():
        rules = programmes[programme_id].rules
        step = rules.step(index)
        due = calendar.add(today, step.deadline_days) if step.deadline_days else None
        if region_path not in pools:
            pools[region_path] = list(pool_for(region_path))
        by_barred: dict[int, list[review.CaseCard]] = defaultdict(list)
        for application in members:
            mine = [t for t in given[application.pk] if t.step == index]
            active = {t.expert_id for t in mine if t.status != ReviewTask.Status.WITHDRAWN}
            barred = {t.expert_id for t in mine if t.status == ReviewTask.Status.WITHDRAWN} - active
            e = application.enterprise
            # Withdrawn experts ride in `already` (so they are skipped) with the count raised by as many.
            by_barred[len(barred)].append(review.CaseCard(
                id=application.pk, enterprise_code=e.credit_code, enterprise_name=e.name, county_id=e.county_id,
                served_by=served.get(e.pk, frozenset()), fields=frozenset(filter(None, [e.industry_id])),
                already=frozenset(active | barred),
            ))  # fmt: skip
        for extra, cards in sorted(by_barred.items()):
            experts = [_card(x, load.get(x.pk, 0)) for x in pools[region_path]]
            part = review.assign(cards, experts, step.experts + extra, rules.exclusions)
            for chosen in part.chosen.values():
                for expert_id in chosen:
                    load[expert_id] = load.get(expert_id, 0) + 1
            _merge(result, part)
        names = {x.pk: str(x.user) for x in pools[region_path]}  # the name shown: display name
        for application in members:
            mine = [t for t in given[application.pk] if t.step == index and t.status != ReviewTask.Status.WITHDRAWN]
            has_chair = any(t.is_chair for t in mine)
            chosen = result.chosen.get(application.pk, [])
            for i, expert_id in enumerate(chosen):
                tasks.append(ReviewTask(application=application, step=index, expert_id=expert_id,
                                        is_chair=(i == 0 and not has_chair), due_on=due))  # fmt: skip
            excluded = [{"expert": pk, "name": names.get(pk, ""), "reasons": reasons}
                        for pk, reasons in result.excluded.get(application.pk, [])]  # fmt: skip
            events.append(_event(application, "assign", actor=actor, step=step, data={
                "experts": chosen, "names": [names.get(pk, "") for pk in chosen],
                "short": result.short.get(application.pk, 0), "excluded": excluded,
            }))  # fmt: skip
    ReviewTask.objects.bulk_create(tasks, batch_size=1000)
    ApplicationEvent.objects.bulk_create(events, batch_size=500)
    return result


@transaction.atomic
def review_withdraw(*, actor, task: ReviewTask, reason: str) -> ReviewTask:
    """Withdraw an expert's task (a conflict found late, illness …) with a reason, by an officer acting at the step;
    if it was the chair's, the next assigned expert chairs. Assigning again fills the place with another expert."""
    task = ReviewTask.objects.select_for_update().select_related("application__programme",
                                                                 "application__enterprise", "expert__user").get(
        pk=task.pk)  # fmt: skip
    application = task.application
    step = application.programme.rules.step(task.step)
    access.require_acts_at(actor, application.enterprise.county_id, step.level, step.name)
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明撤回理由")})
    if task.status == ReviewTask.Status.WITHDRAWN:
        raise ValidationError(_("该评审任务已撤回"))
    if application.status != chain.IN_REVIEW or application.step != task.step:
        raise ValidationError(_("申请已不在该评审环节"))
    was_chair = task.is_chair
    task.status, task.is_chair = ReviewTask.Status.WITHDRAWN, False
    task.save(update_fields=["status", "is_chair"])
    if was_chair and (heir := active_tasks(application, task.step).order_by("assigned_at", "pk").first()):
        heir.is_chair = True
        heir.save(update_fields=["is_chair"])
    record(application, "withdraw_expert", actor=actor, step=step, reason=reason,
           data={"task": task.pk, "expert": task.expert_id, "name": str(task.expert.user)})  # fmt: skip
    return task


# --- the expert's review -------------------------------------------------------------------------------------------


def tasks_of(user):
    """The expert's own tasks (withdrawn ones stay listed, without access to the application)."""
    return (ReviewTask.objects.filter(expert__user_id=getattr(user, "pk", None))
            .select_related("application__programme", "application__enterprise"))  # fmt: skip


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
