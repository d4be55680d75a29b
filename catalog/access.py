"""Who may do what in the resource pools. Views ask here; they never decide themselves.

Out of scope means 404 (the record does not exist for this user); in scope but not allowed means 403."""

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext as _

from accounts.policy import scope_of

from .models import Case, Need, NeedResponse, Provider, Solution

VIEW, EDIT, REVIEW, RESPOND, DECIDE = "view", "edit", "review", "respond", "decide"


def own_provider(user) -> Provider | None:
    """The provider organisation a provider user acts for (the first, if a user somehow holds several)."""
    ids = scope_of(user).provider_ids
    return Provider.objects.filter(pk__in=ids).order_by("pk").first() if ids else None


def can_review(user) -> bool:
    return scope_of(user).is_authority


def can_post_need(user) -> bool:
    return bool(scope_of(user).own_enterprise_ids)


def get_provider_for_user(user, pk, action: str = VIEW) -> Provider:
    provider = Provider.objects.visible_to(user).select_related("region").filter(pk=pk).first()
    if provider is None:
        raise Http404(_("服务商不存在或不在您的管辖范围内"))
    scope = scope_of(user)
    if action == EDIT and not (scope.is_admin or provider.pk in scope.provider_ids):
        raise PermissionDenied(_("只有服务商本身可以修改其档案"))
    if action == REVIEW and not Provider.objects.managed_by(user).filter(pk=pk).exists():
        raise PermissionDenied(_("只有注册地的主管部门可以审核该服务商"))
    return provider


def get_solution_for_user(user, pk, action: str = VIEW) -> Solution:
    solution = Solution.objects.visible_to(user).select_related("provider").filter(pk=pk).first()
    if solution is None:
        raise Http404(_("解决方案不存在或不在您的管辖范围内"))
    scope = scope_of(user)
    if action == EDIT and not (scope.is_admin or solution.provider_id in scope.provider_ids):
        raise PermissionDenied(_("只有所属服务商可以修改该解决方案"))
    if action == REVIEW and not Provider.objects.managed_by(user).filter(pk=solution.provider_id).exists():
        raise PermissionDenied(_("只有服务商注册地的主管部门可以审核该解决方案"))
    return solution


def cases_visible_to(user):
    """A case is public where its provider is: the directory, the provider itself, the officers of its region."""
    return Case.objects.filter(provider__in=Provider.objects.visible_to(user))


def get_case_for_user(user, pk) -> Case:
    case = (
        cases_visible_to(user)
        .select_related("provider", "solution", "industry", "region", "enterprise")
        .filter(pk=pk)
        .first()
    )
    if case is None:
        raise Http404(_("案例不存在或不在您的管辖范围内"))
    return case


def get_need_for_user(user, pk, action: str = VIEW) -> Need:
    need = Need.objects.visible_to(user).select_related("enterprise").filter(pk=pk).first()
    if need is None:
        raise Http404(_("需求不存在或不在您的管辖范围内"))
    scope = scope_of(user)
    if action == DECIDE and need.enterprise_id not in scope.own_enterprise_ids:
        raise PermissionDenied(_("只有发布需求的企业可以处理响应"))
    if action == RESPOND and not scope.provider_ids:
        raise PermissionDenied(_("只有服务商可以响应需求"))
    return need


def get_response_for_user(user, pk) -> NeedResponse:
    """A response is decided on (shortlist, contract, rate) by the enterprise that posted the need, nobody else."""
    response = NeedResponse.objects.select_related("need", "provider").filter(pk=pk).first()
    if response is None or not Need.objects.visible_to(user).filter(pk=response.need_id).exists():
        raise Http404(_("响应不存在或不在您的管辖范围内"))
    if response.need.enterprise_id not in scope_of(user).own_enterprise_ids:
        raise PermissionDenied(_("只有发布需求的企业可以处理响应"))
    return response
