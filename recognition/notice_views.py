"""Officer pages around the end of the chain: objections to resolve, recognitions in the officer's region with their
certificates and revocation, and re-review rounds. Thin: scoping on notices.objections_for and
results.recognitions_for (another region's object is a 404), writes in notices, results and rereview (403 there)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Case, When
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.policy import scope_of
from core.forms import StyledMixin

from . import certificates, notices, rereview, results
from .models import Objection, Programme


class ResolveForm(StyledMixin, forms.Form):
    outcome = forms.ChoiceField(label=gettext_lazy("处理结果"), widget=forms.RadioSelect,
                                choices=[("dismissed", gettext_lazy("异议不成立，继续公示")),
                                         ("upheld", gettext_lazy("异议成立，不予认定"))])  # fmt: skip
    resolution = forms.CharField(
        label=gettext_lazy("处理意见"), max_length=2000, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReasonForm(StyledMixin, forms.Form):
    reason = forms.CharField(label=gettext_lazy("撤销原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(StyledMixin, forms.Form):
    within_days = forms.IntegerField(label=gettext_lazy("到期范围（天）"), min_value=0, max_value=730,
                                     initial=rereview.DEFAULT_WITHIN_DAYS)  # fmt: skip


def _officer(user) -> None:
    if not scope_of(user).is_authority:
        raise PermissionDenied(_("只有主管部门可以访问"))


# --- objections ---------------------------------------------------------------------------------------------------


@login_required
def objection_list(request):
    _officer(request.user)
    still_open = Case(When(status=Objection.Status.OPEN, then=0), default=1)  # the ones to act on first
    objections = notices.objections_for(request.user).order_by(still_open, "-submitted_at")
    rows = [(o, notices.may_resolve(request.user, o)) for o in objections[:500]]
    return render(request, "recognition/notice_objections.html", {"rows": rows})


@login_required
def objection_detail(request, pk: int):
    objection = get_object_or_404(notices.objections_for(request.user), pk=pk)
    form = ResolveForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                notices.objection_resolve(actor=request.user, objection=objection,
                                          upheld=form.cleaned_data["outcome"] == "upheld",
                                          resolution=form.cleaned_data["resolution"])  # fmt: skip
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("异议已处理"))
                return redirect("recognition:objection", pk=objection.pk)
        else:
            status = 400
    context = {
        "o": objection,
        "form": form,
        "may_resolve": notices.may_resolve(request.user, objection),
        "period": notices.period(objection.application) if objection.application.step is not None else None,
    }
    return render(request, "recognition/notice_objection.html", context, status=status)  # fmt: skip


# --- recognitions: certificates and revocation ---------------------------------------------------------------------


@login_required
def recognition_list(request):
    _officer(request.user)
    recognitions = results.recognitions_for(request.user).order_by("-recognised_on", "-pk")[:500]
    rows = [(r, certificates.subject_name(r)) for r in recognitions]
    return render(request, "recognition/certificate_list.html", {"rows": rows})


@login_required
def certificate_pdf(request, pk: int):
    recognition = get_object_or_404(results.recognitions_for(request.user), pk=pk)
    if not recognition.certificate_pdf:
        raise Http404(_("该认定没有证书文件"))
    name = f"certificate-{recognition.enterprise.credit_code}-{recognition.certificate_code}.pdf"
    return FileResponse(recognition.certificate_pdf.open("rb"), as_attachment=True, filename=name,
                        content_type="application/pdf")  # fmt: skip


@login_required
def revoke(request, pk: int):
    recognition = get_object_or_404(results.recognitions_for(request.user), pk=pk)
    _officer(request.user)
    form = ReasonForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                results.revoke(actor=request.user, recognition=recognition, reason=form.cleaned_data["reason"])
            except ValidationError as error:
                form.add_error(None, error)
                status = 400
            else:
                messages.success(request, _("认定已撤销"))
                return redirect("recognition:recognitions")
        else:
            status = 400
    context = {"r": recognition, "form": form, "subject": certificates.subject_name(recognition)}
    return render(request, "recognition/certificate_revoke.html", context, status=status)


# --- re-review rounds ---------------------------------------------------------------------------------------------


def _programmes_run_by(user):
    scope = scope_of(user)
    programmes = Programme.objects.exclude(status=Programme.Status.DRAFT).select_related("region")
    return [p for p in programmes if scope.manages_code(p.region_id)]


@login_required
def rereview_round(request):
    """Choose a programme the officer runs; see the recognitions due within N days; open the round."""
    _officer(request.user)
    programmes = _programmes_run_by(request.user)
    chosen = next((p for p in programmes if str(p.pk) == request.GET.get("programme", "")), None)
    form = RoundForm(request.POST or request.GET or None)
    within = form.cleaned_data["within_days"] if form.is_valid() else rereview.DEFAULT_WITHIN_DAYS
    status = 200
    if request.method == "POST" and chosen is not None and form.is_valid():
        try:
            opened = rereview.rereview_open(actor=request.user, programme=chosen, within_days=within)
        except ValidationError as error:
            form.add_error(None, error)
            status = 400
        else:
            messages.success(request, _("已发起复核：%(n)s 家企业，跳过 %(s)s 家")
                             % {"n": len(opened.opened), "s": len(opened.skipped)})  # fmt: skip
            for recognition, why in opened.skipped:
                messages.warning(request, f"{recognition.enterprise.name}：{why}")
            return redirect(f"{request.path}?programme={chosen.pk}&within_days={within}")
    due = rereview.due(chosen, within_days=within) if chosen is not None else []
    context = {"programmes": programmes, "chosen": chosen, "form": form, "due": due, "within": within}
    return render(request, "recognition/rereview_round.html", context, status=status)
