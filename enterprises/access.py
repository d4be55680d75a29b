"""Who may do what to an enterprise. Views and API handlers ask here; they never decide themselves.

Out of scope means 404 (the object does not exist for this user); in scope but not allowed means 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core import jobs

from .models import Chain, Cluster, Enterprise, ImportJob

VIEW, CHANGE, DELETE, NOTE, LABEL = "view", "change", "delete", "note", "label"


def can(user, action: str, enterprise: Enterprise | None = None) -> bool:
    """Enterprise-level actions. `enterprise` is None for create / import / export of a list."""
    scope = scope_of(user)
    if scope.is_admin:
        return True
    officer = scope.is_officer and (enterprise is None or scope.manages_code(enterprise.county_id))
    if action in {"create", "import", "export", DELETE, LABEL}:
        return officer
    if enterprise is None:
        return False
    own = enterprise.pk in scope.own_enterprise_ids
    if action == CHANGE:
        return officer or own
    if action == NOTE:
        return officer or own or scope.is_commissioner
    return action == VIEW


def get_enterprise_for_user(user, pk, action: str = VIEW) -> Enterprise:
    enterprise = (
        Enterprise.objects.visible_to(user).select_related("county", "industry", "industry_group").filter(pk=pk).first()
    )
    if enterprise is None:
        raise Http404(_("企业不存在或不在您的管辖范围内"))
    if not can(user, action, enterprise):
        raise PermissionDenied(_("您没有权限执行此操作"))
    return enterprise


def can_see_contacts(user, enterprise: Enterprise) -> bool:
    return Enterprise.objects.contacts_visible_to(user).filter(pk=enterprise.pk).exists()


def get_cluster_for_user(user, pk, action: str = VIEW) -> Cluster:
    return _get_grouping(Cluster, user, pk, action)


def get_chain_for_user(user, pk, action: str = VIEW) -> Chain:
    return _get_grouping(Chain, user, pk, action)


def _get_grouping(model, user, pk, action):
    obj = model.objects.visible_to(user).select_related("region").filter(pk=pk).first()
    if obj is None:
        raise Http404(_("不存在或不在您的管辖范围内"))
    if action != VIEW and not model.objects.managed_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("只有所属区域的主管部门可以修改"))
    return obj


def get_import_job_for_user(user, pk) -> ImportJob:
    jobs.sweep_stale([ImportJob])  # a job whose worker died is failed when its page polls
    job = ImportJob.objects.visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("导入任务不存在"))
    return job
