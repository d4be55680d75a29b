"""Reads and scoping for recognition: who sees which programme and application, the officer's queue, the
recommendation board and the cultivation pool.

Who sees an application: the applicant's own users (every state, drafts included); officers of the enterprise's
region or above, once it has been submitted (a draft is the enterprise's own working copy); experts only the
applications they are assigned to (a task not withdrawn); the admin everything. Anything else is a 404 in the
pages and the API; "may see, may not act" is a 403 raised by the services (recognition.access)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import models
from django.db.models import Exists, OuterRef, Q

from accounts.policy import scope_of, under_paths
from regions.models import prefix_range

from . import access, chain


class ApplicationQuerySet(models.QuerySet):
    def visible_to(self, user) -> ApplicationQuerySet:
        scope = scope_of(user)
        if scope.is_admin:
            return self
        q = Q(enterprise_id__in=scope.own_enterprise_ids)
        q |= under_paths("enterprise__county_id", scope.officer_paths) & Q(submitted_at__isnull=False)
        if scope.is_expert:
            from .models import ReviewTask

            tasks = ReviewTask.objects.filter(application=OuterRef("pk"), expert__user=user).exclude(
                status=ReviewTask.Status.WITHDRAWN
            )
            q |= Q(Exists(tasks))
        return self.filter(q)


class ProgrammeQuerySet(models.QuerySet):
    def visible_to(self, user) -> ProgrammeQuerySet:
        """Programmes the user applies to, runs or takes a step in: for an enterprise, published programmes whose
        region covers it; for an officer, those of their regions and below (drafts included: they prepare them)
        and published ones of the regions above theirs (a province's programme has county and city steps)."""
        scope = scope_of(user)
        if scope.is_admin:
            return self
        published = ~Q(status="draft")
        q = Q(pk__in=[])
        for path in scope.officer_paths:
            q |= Q(**prefix_range("region_id", path))
            q |= published & Q(region__path__in=[path[:n] for n in range(2, len(path), 2)])
        if scope.own_enterprise_ids:
            from enterprises.models import Enterprise

            own = Enterprise.objects.filter(pk__in=scope.own_enterprise_ids)
            counties = set(own.values_list("county_id", flat=True))
            above = {county[:n] for county in counties for n in range(2, len(county) + 1, 2)}
            q |= published & Q(region__path__in=above)
        if scope.is_expert:
            from .models import ReviewTask

            q |= Q(pk__in=ReviewTask.objects.filter(expert__user=user).values("application__programme_id"))
        return self.filter(q)


def governs_programme(user, programme) -> bool:
    return scope_of(user).manages_code(programme.region_id)


def acts_now(user, application) -> bool:
    """Whether `user` is the officer who decides the application's current step."""
    step = application.current_step
    return (
        application.status == chain.IN_REVIEW
        and step is not None
        and access.acts_at(user, application.enterprise.county_id, step.level)
    )


def queue(user, programme) -> list:
    """Applications of `programme` waiting at a step the user's office decides, oldest deadline first."""
    from .models import Application

    waiting = (
        Application.objects.visible_to(user)
        .filter(programme=programme, status=chain.IN_REVIEW)
        .select_related("enterprise__county", "programme")
        .order_by("step_due_on", "submitted_at", "pk")
    )
    return [a for a in waiting if acts_now(user, a)]


def rank_score(application, cmmm: dict) -> float | None:
    """What a recommendation is ranked by: the experts' consolidated score when there is one, otherwise the
    enterprise's current CMMM score (the most trusted assessment, as the tier check reads it)."""
    if application.score is not None:
        return application.score
    return cmmm.get(application.enterprise_id)


def cmmm_scores(enterprise_ids) -> dict[int, float]:
    from assessments.models import AssessmentResult
    from assessments.tiers import KIND_WEIGHT

    best: dict[int, tuple] = {}
    results = AssessmentResult.objects.filter(
        is_current=True, assessment__enterprise_id__in=list(enterprise_ids), assessment__model_code="cmmm"
    ).values_list("assessment__enterprise_id", "assessment__kind", "assessment__submitted_at", "score")
    for enterprise_id, kind, at, score in results:
        key = (KIND_WEIGHT.get(kind, 0), at)
        if enterprise_id not in best or key > best[enterprise_id][0]:
            best[enterprise_id] = (key, score)
    return {pk: value[1] for pk, value in best.items()}


@dataclass
class Column:
    """One region's recommendations at a recommend step: waiting and recommended, ranked, against its quota."""

    region: object
    waiting: list = field(default_factory=list)
    recommended: list = field(default_factory=list)
    declined: list = field(default_factory=list)  # not recommended: rejected or placed in the cultivation pool
    quota: int | None = None

    @property
    def used(self) -> int:
        return len(self.recommended)

    @property
    def remaining(self) -> int | None:
        return None if self.quota is None else max(self.quota - self.used, 0)


def recommend_board(user, programme, step_index: int) -> list[Column]:
    """Every region of the step's level the user may see, side by side: the applications waiting at the recommend
    step, those it passed upward and those it did not (the step's last decision on each), each group ranked by
    `rank_score`, with the quota."""
    from regions.models import Region

    from .models import Application, ApplicationEvent

    step = programme.rules.step(step_index)
    width = chain.LEVEL_WIDTH[step.level]
    visible = Application.objects.visible_to(user).filter(programme=programme).select_related("enterprise__county")
    acted = dict(
        ApplicationEvent.objects.filter(application__programme=programme, step_code=step.code,
                                        action__in=["pass", "reject", "cultivate"])
        .order_by("at", "pk").values_list("application_id", "action")
    )  # fmt: skip  # the last decision at the step for each application
    waiting = [a for a in visible.filter(status=chain.IN_REVIEW, step=step_index)]
    recommended = [a for a in visible.filter(pk__in=[pk for pk, action in acted.items() if action == "pass"])]
    declined = [a for a in visible.filter(pk__in=[pk for pk, action in acted.items() if action != "pass"])]
    everyone = [*waiting, *recommended, *declined]
    cmmm = cmmm_scores({a.enterprise_id for a in everyone})
    columns: dict[str, Column] = {}
    codes = {a.enterprise.county_id[:width] for a in everyone}
    scope = scope_of(user)
    for region in Region.objects.filter(code__in=[c.ljust(6, "0") for c in codes]).order_by("code"):
        columns[region.path] = Column(region, quota=programme.rules.quota_for(region.code))
    # Every region of that level the user governs shows, even with nothing in it yet.
    level = {"province": 1, "city": 2, "county": 3}[step.level]
    for region in Region.objects.filter(level=level, is_active=True, **prefix_range("code", programme.region.path)):
        if scope.manages_code(region.code):
            columns.setdefault(region.path, Column(region, quota=programme.rules.quota_for(region.code)))
    for application in waiting:
        application.rank_score = rank_score(application, cmmm)
        columns[application.enterprise.county_id[:width]].waiting.append(application)
    for application in recommended:
        application.rank_score = rank_score(application, cmmm)
        columns[application.enterprise.county_id[:width]].recommended.append(application)
    for application in declined:
        application.rank_score = rank_score(application, cmmm)
        columns[application.enterprise.county_id[:width]].declined.append(application)
    for column in columns.values():
        for items in (column.waiting, column.recommended, column.declined):
            items.sort(key=lambda a: (a.rank_score is None, -(a.rank_score or 0), a.pk))
    return sorted(columns.values(), key=lambda c: c.region.code)


def cultivation_pool(user):
    """Applications the review placed in the cultivation pool (纳入培育库), in the user's regions."""
    from .models import Application

    return (
        Application.objects.visible_to(user)
        .filter(status=chain.CULTIVATION)
        .select_related("enterprise__county", "programme")
        .order_by("-decided_at", "-pk")
    )


HIDDEN_FROM_APPLICANT = frozenset({"assign", "review", "withdraw_expert"})  # who reviews, and each expert's act


def sees_internals(user, application) -> bool:
    """Officers of the enterprise's region (and above) read the whole file: experts, their scores and comments."""
    scope = scope_of(user)
    return scope.is_admin or scope.manages_code(application.enterprise.county_id)


def history_for(user, application) -> list:
    """The application's events as this user may read them. Officers: all, with the person who acted. Others (the
    applicant, an expert): every state change with its reason, the acting office instead of the officer's name,
    without the experts' assignment and reviews, and without an objector's text."""
    from .events import ACTION_TEXT

    events = list(application.events.all())
    for event in events:
        event.text = ACTION_TEXT.get(event.action, event.action)
    if sees_internals(user, application):
        return events
    rules = application.programme.rules
    shown = []
    for event in events:
        if event.action in HIDDEN_FROM_APPLICANT:
            continue
        if event.action == "object":
            event.reason = ""
        if event.action not in {"draft", "submit", "resubmit", "withdraw"}:
            try:
                level = rules.step(rules.index_of(event.step_code)).level
            except KeyError:
                level = rules.level
            event.actor_name = _office(level)
        event.data = {}
        shown.append(event)
    return shown


def _office(level: str) -> str:
    from django.utils.translation import gettext as _

    return _("%(level)s主管部门") % {"level": _(chain.LEVEL_NAMES[level])}
