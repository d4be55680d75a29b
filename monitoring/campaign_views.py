"""Campaign pages: list and start one for a region, follow completion by region, invite, remind, send back, close,
and export the summary. A campaign outside the officer's regions is a 404; its members outside them are not shown."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core import pdf
from core.exports import XLSX_TYPE, SheetOut, write_workbook
from enterprises.models import Enterprise
from regions.models import Region
from reports.batch import BatchError, batch_create

from . import campaigns, selectors
from .forms import CampaignForm, ReturnForm, filtered_enterprises
from .models import Campaign, CampaignMember
from .views import _authority, _governed_region

STATE_LABELS = {
    campaigns.SUBMITTED: gettext_lazy("已提交"),
    campaigns.RETURNED: gettext_lazy("已退回"),
    campaigns.PENDING: gettext_lazy("未提交"),
}


def _campaign_for_user(request, pk: int) -> Campaign:
    _authority(request)
    return get_object_or_404(
        campaigns.campaigns_visible_to(request.user).select_related("region", "model_version"), pk=pk
    )


def _rows_for(user, campaign: Campaign) -> list[Region]:
    """The regions completion is shown by: the campaign's regions below, as far as the user governs them."""
    scope = scope_of(user)
    children = Region.objects.filter(parent=campaign.region, is_active=True).order_by("code")
    rows = [r for r in children if scope.is_admin or scope.manages_code(r.code)]
    if not rows:  # a county officer following a province campaign: their own region
        rows = [r for r in Region.objects.filter(path__in=scope.officer_paths)]
    return rows


@login_required
def campaign_list(request, code: str):
    region = _governed_region(request, code)
    items = campaigns.campaigns_visible_to(request.user).select_related("region", "model_version")
    context = {"region": region, "items": items, "crumbs": selectors.breadcrumbs(request.user, region)}
    return render(request, "monitoring/campaign_list.html", context)


@login_required
def campaign_create(request, code: str):
    """Start a campaign. Arriving from the enterprise list (`?list=<its query string>`), the chosen enterprises are
    the ones that list shows with those filters."""
    region = _governed_region(request, code)
    list_query = request.GET.get("list", "")
    initial = {"selection": CampaignForm.CHOSEN, "list_query": list_query} if list_query else {}
    form = CampaignForm(request.POST or None, user=request.user, initial=initial)
    if request.method == "POST" and form.is_valid():
        fields = {k: v for k, v in form.cleaned_data.items() if k not in {"selection", "chosen_codes", "list_query"}}
        try:
            campaign = campaigns.campaign_create(actor=request.user, region=region, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("已发起专项行动，共 %(n)s 家企业") % {"n": campaign.members.count()})
            return redirect("monitoring:campaign", pk=campaign.pk)
    list_query = form["list_query"].value() or ""
    context = {
        "form": form,
        "region": region,
        "list_query": list_query,
        "list_count": filtered_enterprises(request.user, list_query).count() if list_query else None,
    }
    return render(request, "monitoring/campaign_form.html", context)


@login_required
def campaign_detail(request, pk: int):
    campaign = _campaign_for_user(request, pk)
    members = campaigns.members_with_status(campaign).filter(enterprise__in=Enterprise.objects.visible_to(request.user))
    scope = scope_of(request.user)
    shown = list(
        members.select_related("enterprise__county", "commissioner").order_by("enterprise__county_id", "pk")[:500]
    )
    for member in shown:
        member.state = campaigns.state_of(member)
        member.state_label = STATE_LABELS[member.state]
    context = {
        "campaign": campaign,
        "rows": campaigns.completion(campaign, _rows_for(request.user, campaign), members),
        "members": shown,
        "total": members.count(),
        "manages": scope.manages_code(campaign.region_id) and campaign.status == Campaign.Status.OPEN,
        "return_form": ReturnForm(auto_id=False),
        "crumbs": selectors.breadcrumbs(request.user, campaign.region),
    }
    return render(request, "monitoring/campaign_detail.html", context)


def _act(request, pk: int, action, done_message: str):
    campaign = _campaign_for_user(request, pk)
    try:
        result = action(actor=request.user, campaign=campaign)
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, done_message % {"n": result if isinstance(result, int) else ""})
    return redirect("monitoring:campaign", pk=campaign.pk)


@login_required
@require_POST
def campaign_invite(request, pk: int):
    return _act(request, pk, campaigns.campaign_invite, _("已邀请 %(n)s 家企业"))


@login_required
@require_POST
def campaign_remind(request, pk: int):
    return _act(request, pk, campaigns.campaign_remind, _("已提醒 %(n)s 家未提交的企业"))


@login_required
@require_POST
def campaign_close(request, pk: int):
    return _act(request, pk, campaigns.campaign_close, _("专项行动已结束"))


@login_required
@require_POST
def member_return(request, pk: int, member_pk: int):
    campaign = _campaign_for_user(request, pk)
    visible = Enterprise.objects.visible_to(request.user)
    member = get_object_or_404(CampaignMember.objects.filter(campaign=campaign, enterprise__in=visible), pk=member_pk)
    form = ReturnForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("请填写退回原因"))
        return redirect("monitoring:campaign", pk=campaign.pk)
    try:
        campaigns.campaign_return(actor=request.user, member=member, reason=form.cleaned_data["reason"])
    except ValidationError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(request, _("已退回，并通知企业"))
    return redirect("monitoring:campaign", pk=campaign.pk)


def _summary(request, campaign: Campaign) -> dict:
    """What the summary (XLSX and PDF) says, over the members the officer may see."""
    members = campaigns.members_with_status(campaign).filter(enterprise__in=Enterprise.objects.visible_to(request.user))
    rows = campaigns.completion(campaign, _rows_for(request.user, campaign), members)
    total = {key: sum(r[key] for r in rows) for key in ("members", campaigns.SUBMITTED, campaigns.RETURNED,
                                                        campaigns.PENDING)}  # fmt: skip
    total["rate"] = round(total[campaigns.SUBMITTED] * 100 / total["members"], 1) if total["members"] else None
    returned = [m for m in members.filter(returned_at__isnull=False).select_related("enterprise") if not m.done]
    return {
        "campaign": campaign,
        "title": f"{campaign.name}（{campaign.starts_on:%Y-%m-%d}—{campaign.ends_on:%Y-%m-%d}）",
        "members": members,
        "rows": rows,
        "total": total,
        "levels": campaigns.level_counts(campaign, members),
        "commissioners": campaigns.by_commissioner(members),
        "returned": returned,
        "made_on": timezone.localdate(),
    }


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else str(_("未分配"))


@login_required
def campaign_export(request, pk: int):
    """The summary as a workbook: completion by region, levels reached, commissioners, and every member the officer
    may see with its state."""
    s = _summary(request, _campaign_for_user(request, pk))
    summary = [
        [r["region"].name, r["members"], r[campaigns.SUBMITTED], r[campaigns.RETURNED], r[campaigns.PENDING],
         r["rate"]]
        for r in s["rows"]
    ]  # fmt: skip
    listing = [
        [m.enterprise.name, m.enterprise.credit_code, m.enterprise.county.name if m.enterprise.county else "",
         _who(m.commissioner) if m.commissioner else "", str(STATE_LABELS[campaigns.state_of(m)]), m.returned_reason]
        for m in s["members"].select_related("enterprise__county", "commissioner").order_by("enterprise__county_id",
                                                                                             "pk")
    ]  # fmt: skip
    people = [[_who(r["commissioner"]), r["assigned"], r["done"], r["rate"]] for r in s["commissioners"]]
    response = HttpResponse(content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="campaign-{pk}-{timezone.localdate():%Y%m%d}.xlsx"'
    summary_headers = [_("地区"), _("企业数"), _("已提交"), _("已退回"), _("未提交"), _("完成率（%）")]
    list_headers = [_("企业名称"), _("统一社会信用代码"), _("所在区县"), _("数字专员"), _("状态"), _("退回原因")]
    title = s["title"]
    write_workbook(
        response,
        [
            SheetOut(_("完成情况"), summary_headers, summary, title_line=title),
            SheetOut(_("达到等级"), [_("等级"), _("企业数")], [list(row) for row in s["levels"]], title_line=title),
            SheetOut(_("数字专员"), [_("数字专员"), _("分配企业"), _("已提交"), _("完成率（%）")], people,
                     title_line=title),
            SheetOut(_("企业名单"), list_headers, listing, title_line=title),
        ],
    )  # fmt: skip
    return response


@login_required
def campaign_pdf(request, pk: int):
    """The summary as a PDF to file or send upward: the figures, not the member list."""
    s = _summary(request, _campaign_for_user(request, pk))
    s["issuer"] = request.user.get_full_name() or request.user.username
    html = render_to_string("monitoring/campaign_pdf.html", s)
    response = HttpResponse(pdf.render_pdf(html), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="campaign-{pk}-{timezone.localdate():%Y%m%d}.pdf"'
    return response


@login_required
@require_POST
def campaign_reports(request, pk: int):
    """Issue diagnosis reports to the campaign's enterprises (those the officer sees) as one report batch."""
    campaign = _campaign_for_user(request, pk)
    ids = list(campaign.members.values_list("enterprise_id", flat=True))
    try:
        created = batch_create(
            actor=request.user, scope={}, description=_("专项行动：%(name)s") % {"name": campaign.name},
            enterprise_ids=ids,
        )  # fmt: skip
    except BatchError as error:
        messages.error(request, str(error))
        return redirect("monitoring:campaign", pk=campaign.pk)
    return redirect("reports:batch_detail", pk=created.pk)
