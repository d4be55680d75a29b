"""Re-review (复核) of recognitions coming due: which are due (valid until within N days, or the programme's re-review
period since recognition has run), and an officer's round that opens a draft application with `rereview_of` for each
due recognition in the programme's region. The enterprise is told; the programme's chain applies unchanged; a re-review
that fails revokes the original (results.rereview_failed), one that passes replaces it (results.recognise).

Also how Anhui and Jiangsu re-review existing recognitions against new conditions: the round runs on the new
programme, whose prerequisites and chain are the new ones."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from notifications.models import Notification
from notifications.services import in_site_language, notify_enterprise
from regions.models import prefix_range

from . import chain
from .events import record, timeline
from .models import Application, Programme, Recognition
from .results import _years_later

DEFAULT_WITHIN_DAYS = 90


def due_on(recognition: Recognition) -> dt.date | None:
    """When a recognition falls due: its expiry, or the re-review period after recognition, whichever comes first."""
    dates = [recognition.valid_until] if recognition.valid_until else []
    if years := recognition.programme.rules.rereview_years:
        dates.append(_years_later(recognition.recognised_on, years))
    return min(dates) if dates else None


def due(programme: Programme, *, within_days: int = DEFAULT_WITHIN_DAYS, today: dt.date | None = None
        ) -> list[tuple[Recognition, dt.date]]:  # fmt: skip
    """Recognitions in force of the programme's kind and subject in its region, due within `within_days`, with no
    re-review already open; the earliest due first."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=within_days)
    candidates = (
        Recognition.objects.filter(revoked_at__isnull=True, programme__kind=programme.kind,
                                   subject=programme.rules.subject,
                                   **prefix_range("enterprise__county_id", programme.region.path))
        .exclude(rereviews__status__in=chain.OPEN_STATES)
        .select_related("programme", "enterprise", "enterprise__county")
    )  # fmt: skip
    found = [(r, day) for r in candidates if (day := due_on(r)) is not None and day <= horizon]
    return sorted(found, key=lambda pair: (pair[1], pair[0].pk))


@dataclass
class Round:
    opened: list[Application] = field(default_factory=list)
    skipped: list[tuple[Recognition, str]] = field(default_factory=list)


@transaction.atomic
def rereview_open(*, actor, programme: Programme, within_days: int = DEFAULT_WITHIN_DAYS) -> Round:
    """An officer governing the programme's region opens a re-review round on it: a draft application per due
    recognition, an event on each, the enterprise notified. The programme must be accepting applications (the
    enterprise submits the draft through the usual chain)."""
    from .services import accepting

    if not scope_of(actor).manages_code(programme.region_id):
        raise PermissionDenied(_("只有组织该项目的部门可以发起复核"))
    if not accepting(programme):
        raise ValidationError(_("复核所用的项目须在申报期内：请先开启申报"))
    result = Round()
    for recognition, day in due(programme, within_days=within_days):
        busy = Application.objects.filter(programme=programme, enterprise=recognition.enterprise,
                                          status__in=chain.OPEN_STATES).exists()  # fmt: skip
        if busy:
            result.skipped.append((recognition, _("企业在该项目已有未办结的申请")))
            continue
        application = Application.objects.create(programme=programme, enterprise=recognition.enterprise,
                                                 created_by=actor, rereview_of=recognition)  # fmt: skip
        record(application, "draft", actor=actor, reason=_("认定复核"),
               data={"rereview_of": recognition.pk, "due_on": day.isoformat()})  # fmt: skip
        timeline(application, _("主管部门发起认定复核"), actor=actor)
        with in_site_language():
            notify_enterprise(
                recognition.enterprise_id, kind=Notification.Kind.RECOGNITION_REREVIEW,
                title=_("%(programme)s：请参加认定复核") % {"programme": recognition.programme.name},
                body=_("贵企业的认定（证书验证码 %(code)s）将于 %(day)s 到期复核。已为贵企业创建"
                       "“%(new)s”的复核申请草稿，请在申报期内补充材料并提交；复核未通过的，原认定将被撤销。")
                % {"code": recognition.certificate_code, "day": day, "new": programme.name},
                link=reverse("recognition:application", args=[application.pk]),
            )  # fmt: skip
        result.opened.append(application)
    return result
