"""Public pages (no login): applications on public notice (公示) with the objection form, and the published list of
recognitions in force with their certificate verification codes. They show only what a notice or a published list
prints — the enterprise, its credit code and county, the programme, the period — never scores, reasons or history."""

from __future__ import annotations

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from assessments.tiers import TIERS
from core import throttle
from core.forms import StyledMixin

from . import certificates, notices
from .models import Programme, Recognition

OBJECTIONS_PER_HOUR = 10  # per address: a person objecting to a few notices, not a flood
PAGE_SIZE = 50


class ObjectionForm(StyledMixin, forms.Form):
    name = forms.CharField(label=gettext_lazy("署名（单位或个人）"), max_length=100)
    contact = forms.CharField(label=gettext_lazy("联系方式"), max_length=100,
                              help_text=gettext_lazy("电话或电子邮箱，仅供主管部门核实，不公开"))  # fmt: skip
    text = forms.CharField(label=gettext_lazy("异议内容"), min_length=10, max_length=4000,
                           widget=forms.Textarea(attrs={"rows": 6}),
                           help_text=gettext_lazy("请写明异议的事实和理由，并尽量提供可核实的线索"))  # fmt: skip


def _published_programmes():
    return Programme.objects.exclude(status=Programme.Status.DRAFT).select_related("region")


def notice_list(request):
    """Every application on notice now, by programme (?programme=<code> for one)."""
    programmes = _published_programmes()
    if code := request.GET.get("programme"):
        programmes = programmes.filter(code=code)
    today = timezone.localdate()
    groups: dict = {}
    for application in notices.on_notice(list(programmes)):
        period = notices.period(application)
        groups.setdefault(application.programme, []).append((application, period, period.open_on(today)))
    return render(request, "recognition/public_notices.html", {"groups": groups, "today": today})


def notice_detail(request, pk: int):
    """One application's notice and the objection form, open while the notice runs."""
    application = get_object_or_404(notices.on_notice(), pk=pk)
    period = notices.period(application)
    open_now = period.open_on(timezone.localdate())
    form = ObjectionForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if not throttle.take(f"recognition:objection:{throttle.client_ip(request)}", OBJECTIONS_PER_HOUR):
            form.add_error(None, _("提交过于频繁，请一小时后再试"))
            status = 429
        elif form.is_valid():
            try:
                notices.objection_lodge(application=application, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("异议已收到，主管部门将核实处理。"))
                return redirect("recognition:public_notice", pk=application.pk)
        else:
            status = 400
    context = {"a": application, "period": period, "open_now": open_now, "form": form,
               "subject": _subject(application.programme, application.grade)}  # fmt: skip
    return render(request, "recognition/public_notice.html", context, status=status)


def _subject(programme: Programme, grade: str) -> str:
    if programme.kind == Programme.Kind.TIER and programme.rules.subject in TIERS:
        return _(TIERS[programme.rules.subject])
    return grade


def recognised_list(request):
    """Recognitions in force (not revoked, not expired), by programme, year and tier. A revoked recognition is not
    listed: the list is what stands today; its certificate's code still says 已撤销 on the verification page."""
    today = timezone.localdate()
    qs = (
        Recognition.objects.filter(revoked_at__isnull=True)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .select_related("programme", "enterprise", "enterprise__county")
        .order_by("-programme__year", "programme__code", "enterprise__name", "pk")
    )
    chosen = {key: request.GET.get(key, "") for key in ("programme", "year", "tier")}
    if chosen["programme"]:
        qs = qs.filter(programme__code=chosen["programme"])
    if chosen["year"].isdigit():
        qs = qs.filter(programme__year=int(chosen["year"]))
    if chosen["tier"] in TIERS:
        qs = qs.filter(programme__kind=Programme.Kind.TIER, subject=chosen["tier"])
    page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(r, certificates.subject_name(r)) for r in page]
    years = sorted(set(_published_programmes().values_list("year", flat=True)), reverse=True)
    query = urlencode({k: v for k, v in chosen.items() if v})
    context = {"page": page, "rows": rows, "chosen": chosen, "programmes": _published_programmes(),
               "years": years, "tiers": [(code, _(name)) for code, name in TIERS.items()], "query": query}  # fmt: skip
    return render(request, "recognition/public_recognised.html", context)
