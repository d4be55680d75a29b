"""Public notice (公示): which applications are on notice, objections lodged while the notice runs, and how officers
of the notice step's level resolve them. An upheld objection rejects the application through the chain
(services.application_decide), so the step, its level and its record stay the chain's."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of, under_paths

from . import access, chain
from .events import record
from .models import Application, Objection, Programme

LEVEL_ROLE = {"province": "province_officer", "city": "city_officer", "county": "county_officer"}


def open_objections(application: Application):
    return application.objections.filter(status=Objection.Status.OPEN)


def notice_steps(programme: Programme) -> list[int]:
    return [i for i, step in enumerate(programme.rules.chain) if step.action == "notice"]


def on_notice(programmes=None) -> QuerySet[Application]:
    """Applications standing at a notice step now (every published programme, or those given)."""
    programmes = programmes if programmes is not None else Programme.objects.exclude(status=Programme.Status.DRAFT)
    q = Q(pk__in=[])
    for programme in programmes:
        if steps := notice_steps(programme):
            q |= Q(programme=programme, step__in=steps)
    return (
        Application.objects.filter(q, status=chain.IN_REVIEW)
        .select_related("programme", "enterprise", "enterprise__county")
        .order_by("programme__code", "enterprise__name", "pk")
    )


@dataclass(frozen=True)
class Period:
    starts: dt.date
    ends: dt.date | None
    days: int  # working days the notice runs

    def open_on(self, day: dt.date) -> bool:
        return self.starts <= day and (self.ends is None or day <= self.ends)


def period(application: Application) -> Period:
    """The notice runs from the day the application reached the notice step to its deadline (working days)."""
    step = application.programme.rules.step(application.step)
    starts = timezone.localdate(application.step_reached_at) if application.step_reached_at else timezone.localdate()
    return Period(starts, application.step_due_on, step.notice_days)


def _at_notice(application: Application) -> chain.Step | None:
    if application.status != chain.IN_REVIEW or application.step is None:
        return None
    step = application.programme.rules.step(application.step)
    return step if step.action == "notice" else None


@transaction.atomic
def objection_lodge(*, application: Application, name: str, contact: str, text: str) -> Objection:
    """Anyone may object while the notice runs; outside the notice period the objection is refused."""
    application = Application.objects.select_related("programme").get(pk=application.pk)  # where it stands now
    step = _at_notice(application)
    if step is None or not period(application).open_on(timezone.localdate()):
        raise ValidationError(_("该申请当前不在公示期内，不能提出异议"))
    name, contact, text = name.strip(), contact.strip(), text.strip()
    if not name or not contact or len(text) < 10:
        raise ValidationError(_("请填写署名、联系方式和不少于 10 个字的异议内容"))
    objection = Objection.objects.create(application=application, name=name[:100], contact=contact[:100],
                                         text=text[:4000])  # fmt: skip
    record(application, "object", actor=None, step=step, data={"objection": objection.pk})
    _tell_officers(application, step, objection)
    return objection


def _tell_officers(application: Application, step: chain.Step, objection: Objection) -> None:
    """The officers of the notice step's region and level learn of the objection at once: the notice is short."""
    from django.urls import reverse

    from accounts.models import Membership
    from notifications.models import Notification
    from notifications.services import in_site_language, notify

    region = access.region_at(application.enterprise.county_id, step.level).ljust(6, "0")
    memberships = Membership.objects.filter(region_id=region, role=LEVEL_ROLE[step.level], is_active=True,
                                            user__is_active=True).select_related("user")  # fmt: skip
    officers = [m.user for m in memberships]
    with in_site_language():
        notify(recipients=officers, kind=Notification.Kind.RECOGNITION_OBJECTION,
               title=_("%(programme)s：%(enterprise)s 的公示收到异议") % {
                   "programme": application.programme.name, "enterprise": application.enterprise.name},
               body=_("公示期内收到一条异议，请核实处理；有未处理的异议时，公示环节不能办结。"),
               link=reverse("recognition:objection", args=[objection.pk]))  # fmt: skip


def objections_for(user) -> QuerySet[Objection]:
    """Objections on applications in the officer's region or below (resolving needs the notice step's level)."""
    scope = scope_of(user)
    qs = Objection.objects.select_related("application__programme", "application__enterprise")
    if scope.is_admin:
        return qs
    return qs.filter(under_paths("application__enterprise__county_id", scope.officer_paths))


def may_resolve(user, objection: Objection) -> bool:
    step = _at_notice(objection.application)
    return (
        step is not None
        and objection.status == Objection.Status.OPEN
        and access.acts_at(user, objection.application.enterprise.county_id, step.level)
    )


@transaction.atomic
def objection_resolve(*, actor, objection: Objection, upheld: bool, resolution: str) -> Objection:
    """An officer of the notice step's level resolves an objection with a written resolution. Upheld, the
    application is rejected at the notice step through the chain; dismissed, the notice goes on."""
    objection = Objection.objects.select_for_update().select_related("application").get(pk=objection.pk)
    application = objection.application
    step = _at_notice(application)
    if step is None:
        raise ValidationError(_("该申请已不在公示环节"))
    access.require_acts_at(actor, application.enterprise.county_id, step.level, step.name)
    if objection.status != Objection.Status.OPEN:
        raise ValidationError(_("该异议已处理"))
    resolution = (resolution or "").strip()
    if len(resolution) < 2:
        raise ValidationError({"resolution": _("请写明处理意见")})
    objection.status = Objection.Status.UPHELD if upheld else Objection.Status.DISMISSED
    objection.resolution, objection.resolved_by, objection.resolved_at = resolution[:2000], actor, timezone.now()
    objection.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    record(application, "resolve", actor=actor, reason=resolution, step=step,
           data={"objection": objection.pk, "upheld": upheld})  # fmt: skip
    if upheld:
        from .services import application_decide

        application_decide(actor=actor, application=application, decision="reject",
                           reason=_("异议成立：%(resolution)s") % {"resolution": resolution})  # fmt: skip
    return objection
