"""What a recognition changes: the Recognition record (validity, certificate code), the enterprise's tier label
and its timeline. The tier label follows the record: set here on recognition, removed on revocation."""

from __future__ import annotations

import datetime as dt
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from enterprises import events as enterprise_events
from enterprises.models import EnterpriseEvent, EnterpriseLabel

from . import chain
from .models import Application, Recognition

TIER_LABEL = {"basic": "tier-basic", "advanced": "tier-advanced", "excellent": "tier-excellent",
              "leading": "tier-leading"}  # fmt: skip
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud and typed from paper


def recognitions_for(user):
    """Recognitions a user may open (certificate, revocation page): the enterprise's own, and those of enterprises in
    an officer's region or below; the admin all. Anything else is a 404 in the pages."""
    from django.db.models import Q

    from regions.models import prefix_range

    scope = scope_of(user)
    qs = Recognition.objects.select_related("programme", "enterprise", "enterprise__county")
    if scope.is_admin:
        return qs
    q = Q(enterprise_id__in=scope.own_enterprise_ids)
    for path in scope.officer_paths:
        q |= Q(**prefix_range("enterprise__county_id", path))
    return qs.filter(q)


def new_code() -> str:
    return "RC" + "".join(secrets.choice(CODE_ALPHABET) for _ in range(10))


def _years_later(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


@transaction.atomic
def recognise(*, actor, application: Application) -> Recognition:
    rules = application.programme.rules
    today = timezone.localdate()
    recognition = Recognition.objects.create(
        application=application, programme=application.programme, enterprise=application.enterprise,
        subject=rules.subject, grade=application.grade, recognised_on=today,
        valid_until=_years_later(today, rules.validity_years) if rules.validity_years else None,
        certificate_code=new_code(),
    )  # fmt: skip
    if rules.kind == "tier" and rules.subject in TIER_LABEL:
        EnterpriseLabel.objects.update_or_create(
            enterprise=application.enterprise, label_id=TIER_LABEL[rules.subject], defaults={"year": rules.year}
        )
    enterprise_events.record(
        application.enterprise, EnterpriseEvent.Kind.RECOGNITION, actor=actor,
        summary=_("%(programme)s：认定通过") % {"programme": application.programme.name},
        data={"application": application.pk, "recognition": recognition.pk},
    )  # fmt: skip
    from . import certificates

    certificates.issue(recognition)
    if application.rereview_of_id:  # a confirmed re-review: the new certificate replaces the old one
        original = application.rereview_of
        if original.in_force:
            end(actor=actor, recognition=original,
                reason=_("复核通过，换发新证书（%(code)s）") % {"code": recognition.certificate_code})  # fmt: skip
    return recognition


def rereview_failed(*, actor, application: Application, reason: str) -> Recognition | None:
    """A re-review (复核) that ended without recognition (rejected, or only into the cultivation pool) revokes the
    recognition it re-reviewed, with the step's reason. Called by services.application_decide at the end."""
    original = application.rereview_of
    if original is None or not original.in_force:
        return None
    return end(actor=actor, recognition=original, reason=_("复核未通过：%(reason)s") % {"reason": reason})


@transaction.atomic
def revoke(*, actor, recognition: Recognition, reason: str) -> Recognition:
    """Withdraw a recognition with the reason, by an officer of the recognising level; the tier label goes unless
    another recognition in force still carries it."""
    from . import access

    rules = recognition.programme.rules
    if not access.acts_at(actor, recognition.enterprise.county_id, rules.level) and not scope_of(actor).is_admin:
        raise PermissionDenied(_("只有作出认定的主管部门可以撤销"))
    reason = (reason or "").strip()
    if len(reason) < 2:
        raise ValidationError({"reason": _("请写明撤销原因")})
    return end(actor=actor, recognition=recognition, reason=reason)


@transaction.atomic
def end(*, actor, recognition: Recognition, reason: str) -> Recognition:
    """A recognition ends (revoked, or replaced after a re-review): the record, the application, the tier label and
    the timeline. The caller has checked who may: `revoke` for an officer's revocation, the chain for a re-review."""
    from .events import record

    rules = recognition.programme.rules
    if recognition.revoked_at:
        raise ValidationError(_("该认定已撤销"))
    recognition.revoked_at, recognition.revoked_reason, recognition.revoked_by = timezone.now(), reason[:300], actor
    recognition.save(update_fields=["revoked_at", "revoked_reason", "revoked_by"])
    application = recognition.application
    application.status = chain.REVOKED
    application.save(update_fields=["status"])
    record(application, "revoke", actor=actor, reason=reason)
    label = TIER_LABEL.get(rules.subject) if rules.kind == "tier" else None
    still = Recognition.objects.filter(in_force_q(timezone.localdate()), enterprise=recognition.enterprise,
                                       subject=rules.subject, programme__kind="tier")  # fmt: skip
    if label and not still.exists():
        EnterpriseLabel.objects.filter(enterprise=recognition.enterprise, label_id=label).delete()
    enterprise_events.record(
        recognition.enterprise, EnterpriseEvent.Kind.RECOGNITION, actor=actor,
        summary=_("%(programme)s：认定已撤销（%(reason)s）") % {"programme": recognition.programme.name,
                                                            "reason": reason[:100]},
        data={"recognition": recognition.pk},
    )  # fmt: skip
    return recognition


def in_force_q(today: dt.date):
    """Recognitions in force on `today`: not revoked, and not past their validity."""
    from django.db.models import Q

    return Q(revoked_at__isnull=True) & (Q(valid_until__isnull=True) | Q(valid_until__gte=today))


@transaction.atomic
def expire(today: dt.date | None = None) -> int:
    """Take the tier label off enterprises whose tier recognitions have all run out (valid_until passed, no other in
    force for the tier), with a timeline entry; run nightly (`manage.py recognition_expire`). Idempotent: an
    enterprise whose label is already gone is left alone. Returns how many labels were taken off."""
    today = today or timezone.localdate()
    taken = 0
    lapsed = Recognition.objects.filter(
        revoked_at__isnull=True, valid_until__lt=today, programme__kind="tier", subject__in=list(TIER_LABEL)
    ).select_related("programme", "enterprise")
    for recognition in lapsed:
        label = TIER_LABEL[recognition.subject]
        still = Recognition.objects.filter(in_force_q(today), enterprise=recognition.enterprise_id,
                                           subject=recognition.subject, programme__kind="tier")  # fmt: skip
        if still.exists():
            continue
        removed, _detail = EnterpriseLabel.objects.filter(enterprise=recognition.enterprise, label_id=label).delete()
        if removed:
            taken += 1
            enterprise_events.record(
                recognition.enterprise, EnterpriseEvent.Kind.RECOGNITION, actor=None,
                summary=_("%(programme)s：认定有效期已于 %(day)s 届满") % {"programme": recognition.programme.name,
                                                                     "day": recognition.valid_until},
                data={"recognition": recognition.pk},
            )  # fmt: skip
    return taken
