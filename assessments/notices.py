"""What the assessments app tells people: an enterprise learns when its self-assessment has been verified, and
whether the verification changed the result. The reviewer's item-by-item reasons stay on the assessment page."""

from django.urls import reverse
from django.utils.translation import gettext as _

from maturity.numbers import score_text
from notifications.models import Notification
from notifications.services import in_site_language, notify_enterprise


def verification_submitted(*, verification, result, original_result) -> None:
    def shown(r) -> str:
        return f"{r.level_name or '—'}（{score_text(r.score)}）" if r is not None else "—"

    changed = original_result is None or (
        (original_result.level, score_text(original_result.score)) != (result.level, score_text(result.score))
    )
    with in_site_language():
        if changed:
            title = _("核验调整了您的评估结果：%(model)s") % {"model": verification.model_version.name}
        else:
            title = _("您的自评估已通过核验：%(model)s") % {"model": verification.model_version.name}
        body = _("自评估：%(before)s；核验后：%(after)s。") % {
            "before": shown(original_result),
            "after": shown(result),
        }
    notify_enterprise(
        verification.enterprise_id,
        kind=Notification.Kind.ASSESSMENT_VERIFIED,
        title=title,
        body=body,
        link=reverse("assessments:detail", args=[verification.pk]),
    )
