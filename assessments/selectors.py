"""Reads for the workbench: an enterprise's own assessments, and the verification queue of the programme side.

Each function returns a plain dict for one template partial of this app (templates/assessments/_workbench_*.html)."""

from django.db.models import Exists, OuterRef

from accounts.policy import scope_of
from core.models import UploadJob

from .imports import jobs_visible_to
from .models import Assessment
from .services import current_results_for

QUEUE_ROWS = 8


def _with_results(assessments: list[Assessment]) -> list[Assessment]:
    current = {r.assessment_id: r for r in current_results_for([a.pk for a in assessments])}
    for a in assessments:
        a.result = current.get(a.pk)
    return assessments


def enterprise_workbench(user) -> dict:
    """The assessments of the enterprises this user speaks for: drafts to finish, results to read."""
    ids = scope_of(user).own_enterprise_ids
    mine = Assessment.objects.visible_to(user).filter(enterprise_id__in=ids)
    recent = list(mine.select_related("enterprise", "model_version").order_by("-updated_at", "-id")[:QUEUE_ROWS])
    return {
        "assessments": _with_results(recent),
        "drafts": mine.filter(status=Assessment.Status.DRAFT).count(),
        "submitted": mine.filter(status=Assessment.Status.SUBMITTED).count(),
        "enterprise_ids": sorted(ids),
    }


def unverified_self_assessments(user):
    """Submitted self-assessments in this user's scope that no submitted verification covers yet (excluding the
    enterprises the user speaks for: nobody verifies themselves)."""
    verified = Assessment.objects.filter(
        verifies=OuterRef("pk"), kind=Assessment.Kind.VERIFIED, status=Assessment.Status.SUBMITTED
    )
    return (
        Assessment.objects.visible_to(user)
        .filter(kind=Assessment.Kind.SELF, status=Assessment.Status.SUBMITTED)
        .exclude(enterprise_id__in=scope_of(user).own_enterprise_ids)
        .filter(~Exists(verified))
    )


def verification_workbench(user) -> dict:
    """For commissioners and officers: self-assessments waiting for verification, the diagnoses and verifications
    they have started, and assessment imports waiting for their confirmation."""
    pending = unverified_self_assessments(user)
    in_hand = (
        Assessment.objects.filter(created_by=user, status=Assessment.Status.DRAFT)
        .exclude(kind=Assessment.Kind.SELF)
        .select_related("enterprise", "model_version")
        .order_by("-updated_at")
    )
    imports = jobs_visible_to(user).filter(created_by=user, status=UploadJob.Status.READY).order_by("-created_at")
    return {
        "pending": _with_results(
            list(pending.select_related("enterprise", "model_version").order_by("submitted_at", "id")[:QUEUE_ROWS])
        ),
        "pending_count": pending.count(),
        "in_hand": list(in_hand[:QUEUE_ROWS]),
        "in_hand_count": in_hand.count(),
        "imports_ready": list(imports[:QUEUE_ROWS]),
    }
