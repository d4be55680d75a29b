"""Who may start, fill in, submit and read assessments. Out of scope → 404; in scope but not allowed → 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.policy import scope_of

from .models import Assessment

VIEW, EDIT = "view", "edit"


def can_start(user, enterprise, kind: str) -> bool:
    """Self-assessments by the enterprise itself; diagnoses and verifications by a commissioner who covers it
    (the caller has already fetched `enterprise` through the scoped queryset) or an officer governing it."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if kind == Assessment.Kind.SELF:
        return enterprise.pk in scope.own_enterprise_ids
    return scope.is_commissioner or scope.manages_code(enterprise.county_id)


def can_edit(user, assessment: Assessment) -> bool:
    if not assessment.is_draft:
        return False
    scope = scope_of(user)
    if scope.is_admin:
        return True
    if assessment.kind == Assessment.Kind.SELF:
        return assessment.enterprise_id in scope.own_enterprise_ids
    return assessment.created_by_id == user.pk


def can_verify(user, assessment: Assessment) -> bool:
    return (
        assessment.status == Assessment.Status.SUBMITTED
        and assessment.kind != Assessment.Kind.VERIFIED
        and (
            can_start(user, assessment.enterprise, Assessment.Kind.VERIFIED)
            and assessment.enterprise_id not in scope_of(user).own_enterprise_ids
        )
    )


def can_manage_models(user) -> bool:
    return scope_of(user).is_admin


def can_see_provenance(user) -> bool:
    """Where each part of a model comes from (verified, partial, remembered) is working knowledge for officers and
    admins, who decide how far to rely on a provisional model; enterprises and providers see only "暂定"."""
    return scope_of(user).is_authority


def get_assessment_for_user(user, pk, action: str = VIEW) -> Assessment:
    assessment = (
        Assessment.objects.visible_to(user)
        .select_related("enterprise", "enterprise__county", "model_version", "verifies", "created_by")
        .filter(pk=pk)
        .first()
    )
    if assessment is None:
        raise Http404(_("评估不存在或不在您的管辖范围内"))
    if action == EDIT and not can_edit(user, assessment):
        raise PermissionDenied(_("该评估已提交或不由您填写，不能修改"))
    return assessment
