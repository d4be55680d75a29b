"""Pages for clusters (产业集群) and chains (产业链): region-scoped groupings that officers manage."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts.policy import scope_of

from . import access, services
from .forms import ChainForm, GroupingForm, MemberForm
from .models import Chain, Cluster, Enterprise

KINDS = {
    # Titles stay untranslated source strings: the templates translate them, with and without the "plural" context.
    "clusters": (Cluster, GroupingForm, gettext_noop("产业集群"), access.get_cluster_for_user),
    "chains": (Chain, ChainForm, gettext_noop("产业链"), access.get_chain_for_user),
}


def _kind(kind: str):
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


@login_required
def grouping_list(request, kind: str):
    model, _form, title, _get = _kind(kind)
    items = model.objects.visible_to(request.user).select_related("region").annotate(size=Count("memberships"))
    can_create = scope_of(request.user).is_authority
    return render(
        request,
        "enterprises/grouping_list.html",
        {"items": items, "kind": kind, "title": title, "can_create": can_create},
    )


@login_required
def grouping_edit(request, kind: str, pk: int | None = None):
    model, form_class, title, get = _kind(kind)
    if pk is None:
        scope = scope_of(request.user)
        if not scope.is_authority:
            raise PermissionDenied(_("只有主管部门可以新建"))
        instance = model()
    else:
        instance = get(request.user, pk, "change")
    form = form_class(request.POST or None, instance=instance, user=request.user)
    if request.method == "POST" and form.is_valid():
        obj = form.save()
        messages.success(request, _("%(kind)s“%(name)s”已保存") % {"kind": _(title), "name": obj.name})
        return redirect("enterprises:grouping_detail", kind=kind, pk=obj.pk)
    return render(
        request, "enterprises/grouping_form.html", {"form": form, "kind": kind, "title": title, "obj": instance}
    )


@login_required
def grouping_detail(request, kind: str, pk: int):
    model, _form, title, get = _kind(kind)
    obj = get(request.user, pk)
    visible = Enterprise.objects.visible_to(request.user)
    members = obj.memberships.filter(enterprise__in=visible).select_related(
        "enterprise__county", "enterprise__industry"
    )
    hidden = obj.memberships.count() - members.count()
    can_manage = model.objects.managed_by(request.user).filter(pk=pk).exists()
    context = {
        "obj": obj,
        "kind": kind,
        "title": title,
        "members": members[:500],
        "hidden": hidden,
        "can_manage": can_manage,
        "member_form": MemberForm(),
    }
    return render(request, "enterprises/grouping_detail.html", context)


@login_required
@require_POST
def grouping_member(request, kind: str, pk: int):
    model, _form, _title, get = _kind(kind)
    obj = get(request.user, pk, "change")
    form = MemberForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写企业信用代码"))
        return redirect("enterprises:grouping_detail", kind=kind, pk=pk)
    code = form.cleaned_data["credit_code"]
    enterprise = Enterprise.objects.visible_to(request.user).filter(credit_code=code).first()
    if enterprise is None:
        messages.error(request, _("在您的管辖范围内没有信用代码为 %(code)s 的企业") % {"code": code})
    elif request.POST.get("remove"):
        services.grouping_remove_member(actor=request.user, grouping=obj, enterprise=enterprise)
        messages.success(request, _("已移出：%(name)s") % {"name": enterprise.name})
    elif model is Chain and not form.cleaned_data.get("position"):
        messages.error(request, _("请选择企业在产业链上的位置"))
    else:
        services.grouping_add_member(
            actor=request.user, grouping=obj, enterprise=enterprise, position=form.cleaned_data.get("position") or ""
        )
        messages.success(request, _("已加入：%(name)s") % {"name": enterprise.name})
    return redirect("enterprises:grouping_detail", kind=kind, pk=pk)
