"""Funding pages: programmes (their rules in plain words, budgets by region and year, loading and opening one), the
enterprise's eligibility check, application, documents, submission and milestones, the officers' queue, decisions,
tranche releases, cancellation and clawback, and the provider's voucher redemption (the officers' report is in
report_views).

Thin: scoping in incentives.querysets (another region's or enterprise's object is a 404), writes in
incentives.services / incentives.documents, which raise PermissionDenied (a 403) for a user who may see but not act
and ValidationError (shown as a message or on the form) for a move the chain, the rules or the ledger refuse."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views.decorators.http import require_POST

from accounts.policy import scope_of
from core.uploads import UploadError, stored_file_response
from enterprises.models import Enterprise
from recognition import access, chain
from regions.models import prefix_range

from . import documents, ledger, rules, services
from .forms import (
    DECISIONS,
    ApplicationForm,
    BudgetForm,
    ClawbackForm,
    DecisionForm,
    DocumentForm,
    ProgrammeLoadForm,
    ReasonForm,
    VoucherForm,
    example_data,
    example_paths,
)
from .models import Budget, FundingApplication, FundingDocument, Programme, Tranche

A = FundingApplication.Status


def _messages_of(error: ValidationError) -> str:
    return "；".join(error.messages)


def _programme_for_user(user, pk: int) -> Programme:
    return get_object_or_404(Programme.objects.visible_to(user).select_related("region"), pk=pk)


def _application_for_user(user, pk: int) -> FundingApplication:
    queryset = FundingApplication.objects.visible_to(user).select_related(
        "programme__region", "enterprise__county", "provider", "solution", "budget__region"
    )
    return get_object_or_404(queryset, pk=pk)


def _own_enterprises(user, programme: Programme) -> list[Enterprise]:
    own = Enterprise.objects.filter(pk__in=scope_of(user).own_enterprise_ids, **prefix_range(
        "county_id", programme.region.path)).select_related("county").order_by("pk")  # fmt: skip
    return list(own)


def _require_officer(user) -> None:
    if not scope_of(user).is_authority:
        raise PermissionDenied(_("本页面仅对主管部门开放"))


def _governs(user, programme: Programme) -> bool:
    return scope_of(user).manages_code(programme.region_id)


def _can_load(user) -> bool:
    scope = scope_of(user)
    return scope.is_admin or bool(scope.officer_paths)


ACTIONS = {"check": _lazy("审核"), "decision": _lazy("审批")}  # a funding chain's two kinds of step


def explain(spec: rules.Spec) -> dict:
    """The programme's rules in plain words, for the detail page and the API."""
    caps = [(rules.CAP_NAMES[key], rules.yuan(getattr(spec.caps, key)))
            for key in ("per_project", "per_enterprise", "per_provider", "per_year")
            if getattr(spec.caps, key) is not None]  # fmt: skip
    if spec.type in ("voucher", "subsidy"):
        amount = _("%(cost)s × %(rate)s") % {"cost": spec.cost_label or _("项目投入"),
                                             "rate": f"{(spec.rate * 100).normalize():f}%"}  # fmt: skip
    elif spec.type == "award":
        amount = "；".join(f"{spec.grade_names.get(c, c)} {rules.yuan(v)}" for c, v in spec.fixed.items())
    else:
        amount = _("贷款本金 × 年贴息 %(rate)s × %(years)s 年") % {
            "rate": f"{(spec.interest_rate * 100).normalize():f}%", "years": spec.interest_years}  # fmt: skip
    steps = [{"name": s.name, "level": _(chain.LEVEL_NAMES[s.level]), "deadline": s.deadline_days,
              "action": ACTIONS.get(s.action, s.action)} for s in spec.chain]  # fmt: skip
    tranches = [{"name": t.name, "share": f"{(t.share * 100).normalize():f}%",
                 "milestone": services.MILESTONES.get(t.milestone, t.milestone)} for t in spec.tranches]  # fmt: skip
    return {"type": spec.type_name, "amount": amount, "caps": caps, "steps": steps, "tranches": tranches,
            "rules": [r.label for r in spec.rules], "documents": spec.documents}  # fmt: skip


# --- programmes ---------------------------------------------------------------------------------------------------


@login_required
def index(request):
    """The programmes the user may see; the enterprise's applications; the officer's waiting work."""
    scope = scope_of(request.user)
    programmes = list(Programme.objects.visible_to(request.user).taking_applications().select_related("region"))
    mine = []
    if scope.own_enterprise_ids:
        mine = list(FundingApplication.objects.filter(enterprise_id__in=scope.own_enterprise_ids)
                    .select_related("programme", "enterprise"))  # fmt: skip
    context = {
        "programmes": programmes, "mine": mine, "is_officer": scope.is_authority,
        "waiting": len(_queue(request.user)) if scope.is_authority else 0,
        "is_provider": bool(scope.provider_ids), "can_load": _can_load(request.user),
        "has_enterprise": bool(scope.own_enterprise_ids),
    }  # fmt: skip
    return render(request, "incentives/index.html", context)


def _budget_rows(user, programme: Programme) -> list[dict]:
    rows = []
    budgets = Budget.objects.visible_to(user).filter(programme=programme).select_related("region")
    for budget in budgets.order_by("year", "region_id"):
        rows.append({"budget": budget, "balance": ledger.balance(budget)})
    return rows


def _programme_page(request, programme: Programme, *, budget_form=None, status=200):
    user = request.user
    spec = programme.rules
    governs = _governs(user, programme)
    scope = scope_of(user)
    context = {
        "programme": programme, "spec": spec, "explained": explain(spec),
        "accepting": services.accepting(programme),
        "governs": governs, "is_officer": scope.is_authority,
        "budgets": _budget_rows(user, programme) if scope.is_authority or scope.is_admin else [],
        "budget_form": budget_form or (BudgetForm(programme=programme, user=user) if scope.is_authority else None),
        "own": _own_enterprises(user, programme),
    }  # fmt: skip
    return render(request, "incentives/programme_detail.html", context, status=status)


@login_required
def programme_detail(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    if not programme.takes_applications:
        raise Http404
    return _programme_page(request, programme)


@login_required
@require_POST
def programme_status(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    status = request.POST.get("status", "")
    if status not in (Programme.Status.OPEN, Programme.Status.CLOSED):
        messages.error(request, _("无效的状态"))
    else:
        services.programme_set_status(actor=request.user, programme=programme, status=status)
        messages.success(request, _("已开启申报") if status == Programme.Status.OPEN else _("已截止申报"))
    return redirect("incentives:programme", pk=programme.pk)


@login_required
@require_POST
def budget_set(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    _require_officer(request.user)
    form = BudgetForm(request.POST, programme=programme, user=request.user)
    if form.is_valid():
        try:
            services.budget_set(actor=request.user, programme=programme, region=form.cleaned_data["region"],
                                year=form.cleaned_data["year"], amount=form.cleaned_data["amount"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        except ledger.LedgerError as error:  # a split beyond the parent's budget
            form.add_error("amount", str(error))
        else:
            messages.success(request, _("已下达 %(region)s %(year)s 年度预算") % {
                "region": form.cleaned_data["region"].full_name, "year": form.cleaned_data["year"]})  # fmt: skip
            return redirect(reverse("incentives:programme", args=[programme.pk]) + "#budgets")
    return _programme_page(request, programme, budget_form=form, status=422)


@login_required
def programme_load(request):
    if not _can_load(request.user):
        raise PermissionDenied(_("只有主管部门可以发布扶持项目"))
    form = ProgrammeLoadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST" and form.is_valid() and form.cleaned_data.get("rules"):
        try:
            programme = services.programme_load(actor=request.user, region=form.cleaned_data["region"],
                                                data=form.cleaned_data["rules"])  # fmt: skip
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            messages.success(request, _("已载入扶持项目（未发布），核对规则、下达预算后可开启申报"))
            return redirect("incentives:programme", pk=programme.pk)
    examples = [(path.stem, (example_data(path.stem) or {}).get("name", path.stem)) for path in
                example_paths().values()]  # fmt: skip
    return render(request, "incentives/programme_load.html", {"form": form, "examples": examples},
                  status=422 if form.is_bound and form.errors else 200)  # fmt: skip


@login_required
def programme_example(request, code: str):
    """A shipped example's rules file, to edit and upload as the region's own."""
    _require_officer(request.user)
    path = example_paths().get(code)
    if path is None:
        raise Http404
    response = HttpResponse(path.read_bytes(), content_type="application/x-yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{path.name}"'
    return response


# --- the applicant ------------------------------------------------------------------------------------------------


@login_required
def eligibility(request, pk: int):
    """我能申请吗: the programme's rules checked against each of the user's enterprises, rule by rule."""
    programme = _programme_for_user(request.user, pk)
    own = _own_enterprises(request.user, programme)
    if not own:
        raise PermissionDenied(_("只有本项目覆盖地区的企业可以自查申报条件"))
    checks = []
    for enterprise in own:
        current = FundingApplication.objects.filter(programme=programme, enterprise=enterprise,
                                                    status__in=[A.DRAFT, A.IN_REVIEW, A.RETURNED]).first()  # fmt: skip
        checks.append({"enterprise": enterprise, "check": services.eligibility(programme, enterprise),
                       "application": current})  # fmt: skip
    context = {"programme": programme, "spec": programme.rules, "checks": checks,
               "accepting": services.accepting(programme)}  # fmt: skip
    return render(request, "incentives/eligibility.html", context)


@login_required
def apply(request, pk: int):
    programme = _programme_for_user(request.user, pk)
    own = _own_enterprises(request.user, programme)
    wanted = request.POST.get("enterprise") or request.GET.get("enterprise")
    enterprise = next((e for e in own if str(e.pk) == wanted), own[0] if own else None)
    if enterprise is None:
        raise PermissionDenied(_("只有申请企业本身可以办理"))
    form = ApplicationForm(request.POST or None, spec=programme.rules)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.draft_save(actor=request.user, programme=programme, enterprise=enterprise,
                                               **form.values())  # fmt: skip
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存申请草稿：请上传申报材料，核对测算金额后提交"))
            return redirect("incentives:application", pk=application.pk)
    context = {"programme": programme, "enterprise": enterprise, "form": form, "application": None,
               "check": services.eligibility(programme, enterprise)}  # fmt: skip
    return render(request, "incentives/application_form.html", context, status=422 if form.errors else 200)


def _form_errors(form, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, _messages_of(error))


@login_required
def application_edit(request, pk: int):
    application = _application_for_user(request.user, pk)
    access.require_applicant(request.user, application.enterprise_id)
    if application.status not in (A.DRAFT, A.RETURNED):
        messages.error(request, _("申请已提交，不能修改"))
        return redirect("incentives:application", pk=application.pk)
    programme = application.programme
    form = ApplicationForm(request.POST or None, spec=programme.rules, initial=ApplicationForm.initial_for(application))
    if request.method == "POST" and form.is_valid():
        try:
            services.draft_save(actor=request.user, programme=programme, enterprise=application.enterprise,
                                application=application, **form.values())  # fmt: skip
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已保存申请"))
            return redirect("incentives:application", pk=application.pk)
    context = {"programme": programme, "enterprise": application.enterprise, "form": form, "application": application,
               "check": services.eligibility(programme, application.enterprise)}  # fmt: skip
    return render(request, "incentives/application_form.html", context, status=422 if form.errors else 200)


def _quote(application):
    try:
        return services.quote(application), ""
    except ValueError as error:
        return None, str(error)


def _document_rows(application, editable: bool) -> list[dict]:
    files: dict[str, list[FundingDocument]] = {}
    for item in application.documents.all():
        files.setdefault(item.code, []).append(item)
    return [{"item": d, "files": files.get(d.code, []),
             "form": DocumentForm(initial={"code": d.code}, prefix=d.code) if editable else None}
            for d in application.programme.rules.documents]  # fmt: skip


def _acting_step(user, application):
    step = application.current_step
    if step is not None and access.acts_at(user, application.enterprise.county_id, step.level):
        return step
    return None


def _application_page(request, application, *, decision_form=None, reason_forms=None, status=200):
    user = request.user
    spec = application.programme.rules
    scope = scope_of(user)
    is_applicant = access.is_applicant(user, application.enterprise_id)
    governs = scope.manages_code(application.enterprise.county_id)
    editable = is_applicant and application.status in (A.DRAFT, A.RETURNED)
    acting = _acting_step(user, application)
    last = acting is not None and application.step == len(spec.chain) - 1
    problems = services.submission_problems(application) if editable else {}
    quote, quote_error = _quote(application) if application.status in (A.DRAFT, A.RETURNED, A.IN_REVIEW) else (None, "")
    if application.status in (A.DRAFT, A.RETURNED):
        check_items, check_live = services.eligibility(application.programme, application.enterprise).items, True
    else:
        check_items = [rules.Outcome(**i) for i in application.eligibility.get("items", [])]
        check_live = False
    tranches = list(application.tranches.all())
    for tranche in tranches:
        tranche.ready = services.milestone_reached(application, tranche.milestone)
        tranche.milestone_name = services.MILESTONES.get(tranche.milestone, tranche.milestone)
    approved = application.status == A.APPROVED
    forms = reason_forms or {}
    grant = ledger.of_application(application) if application.amount else None
    paid = grant is not None and grant.disbursed > 0
    context = {
        "a": application, "programme": application.programme, "spec": spec, "explained": explain(spec),
        "is_applicant": is_applicant, "is_officer": governs, "editable": editable, "problems": problems,
        "quote": quote, "quote_error": quote_error, "check_items": check_items, "check_live": check_live,
        "documents": _document_rows(application, editable), "max_mb": documents.max_bytes() // (1024 * 1024),
        "acting": acting, "decision_form": decision_form or (DecisionForm(last_step=last) if acting else None),
        "decisions": [d for d, _label in DECISIONS if acting and d in acting.decisions],
        "can_withdraw": is_applicant and application.status in (A.DRAFT, A.IN_REVIEW, A.RETURNED),
        "can_contract": is_applicant and approved and application.contract_signed_at is None,
        "can_accept": is_applicant and approved and application.accepted_at is None
        and (application.delivered_at is not None or not spec.provider_required),
        "can_reassess": (is_applicant or governs) and application.accepted_at is not None
        and bool(spec.reassessment_model) and application.followup_result_id is None,
        "can_release": governs and approved, "tranches": tranches,
        "cancel_form": forms.get("cancel") or (ReasonForm(prefix="cancel") if governs and approved else None),
        "clawback_form": forms.get("clawback") or (
            ClawbackForm(prefix="clawback") if governs and paid and application.status in (A.APPROVED, A.COMPLETED)
            else None),
        "events": application.events.select_related("actor"),
        "entries": application.entries.select_related("budget__region", "actor") if governs or is_applicant else [],
        "grant": grant,
    }  # fmt: skip
    return render(request, "incentives/application.html", context, status=status)


@login_required
def application_detail(request, pk: int):
    return _application_page(request, _application_for_user(request.user, pk))


@login_required
@require_POST
def document_upload(request, pk: int):
    application = _application_for_user(request.user, pk)
    code = request.POST.get("code", "")
    upload = request.FILES.get(f"{code}-file") or request.FILES.get("file")
    if upload is None:
        messages.error(request, _("请选择要上传的文件"))
    else:
        try:
            item = documents.document_attach(actor=request.user, application=application, code=code, upload=upload)
        except (UploadError, ValidationError) as error:
            text = str(error) if isinstance(error, UploadError) else _messages_of(error)
            messages.error(request, _("文件未上传：%(reason)s") % {"reason": text})
        else:
            messages.success(request, _("已上传“%(name)s”") % {"name": item.name})
    return redirect(reverse("incentives:application", args=[application.pk]) + "#documents")


@login_required
def document_download(request, pk: int, doc: int):
    application = _application_for_user(request.user, pk)
    item = get_object_or_404(FundingDocument, pk=doc, application=application)
    return stored_file_response(item.file, filename=item.name, content_type=documents.content_type(item))


@login_required
@require_POST
def document_delete(request, pk: int, doc: int):
    application = _application_for_user(request.user, pk)
    item = get_object_or_404(FundingDocument, pk=doc, application=application)
    try:
        documents.document_remove(actor=request.user, document=item)
    except ValidationError as error:
        messages.error(request, _messages_of(error))
    else:
        messages.success(request, _("已删除“%(name)s”") % {"name": item.name})
    return redirect(reverse("incentives:application", args=[application.pk]) + "#documents")


def _act(request, pk: int, service, success: str, **kwargs):
    """Run one service on the application the user may see; a refusal is shown as a message."""
    application = _application_for_user(request.user, pk)
    try:
        service(actor=request.user, application=application, **kwargs)
    except ValidationError as error:
        messages.error(request, _("未能办理：%(reasons)s") % {"reasons": _messages_of(error)})
    else:
        messages.success(request, success)
    return redirect("incentives:application", pk=application.pk)


@login_required
@require_POST
def application_submit(request, pk: int):
    return _act(request, pk, services.submit, _("已提交，进入审核"))


@login_required
@require_POST
def application_withdraw(request, pk: int):
    return _act(request, pk, services.withdraw, _("已撤回申请"))


@login_required
@require_POST
def contract_signed(request, pk: int):
    return _act(request, pk, services.contract_signed, _("已确认签订服务合同"))


@login_required
@require_POST
def accept(request, pk: int):
    return _act(request, pk, services.accept, _("已验收"))


@login_required
@require_POST
def reassess(request, pk: int):
    return _act(request, pk, services.request_reassessment, _("已申请复评：完成新的评估并提交后，结果会记录在本项目上"))


# --- officers -----------------------------------------------------------------------------------------------------


def _queue(user) -> list[FundingApplication]:
    """Applications under review at a step this officer acts on (the step's level is the officer's own)."""
    waiting = FundingApplication.objects.visible_to(user).filter(status=A.IN_REVIEW).select_related(
        "programme", "enterprise__county").order_by("step_reached_at", "pk")[:1000]  # fmt: skip
    return [a for a in waiting if _acting_step(user, a) is not None]


@login_required
def queue(request):
    _require_officer(request.user)
    waiting = _queue(request.user)
    approved = FundingApplication.objects.visible_to(request.user).filter(status=A.APPROVED).select_related(
        "programme", "enterprise__county", "provider").order_by("-decided_at")[:200]  # fmt: skip
    return render(request, "incentives/queue.html", {"waiting": waiting, "approved": approved})


@login_required
@require_POST
def decide(request, pk: int):
    application = _application_for_user(request.user, pk)
    step = application.current_step
    if step is None:
        messages.error(request, _("申请不在审核中"))
        return redirect("incentives:application", pk=application.pk)
    access.require_acts_at(request.user, application.enterprise.county_id, step.level, step.name)
    form = DecisionForm(request.POST, last_step=application.step == len(application.programme.rules.chain) - 1)
    if form.is_valid():
        try:
            services.decide(actor=request.user, application=application, decision=form.cleaned_data["decision"],
                            reason=form.cleaned_data["reason"], amount=form.cleaned_data.get("amount"))  # fmt: skip
        except ValidationError as error:
            _form_errors(form, error)
        else:
            label = dict(DECISIONS)[form.cleaned_data["decision"]]
            messages.success(request, _("已办理：%(step)s · %(decision)s") % {"step": step.name, "decision": label})
            return redirect("incentives:application", pk=application.pk)
    return _application_page(request, application, decision_form=form, status=422)


@login_required
@require_POST
def release(request, pk: int, tranche: int):
    application = _application_for_user(request.user, pk)
    item = get_object_or_404(Tranche, pk=tranche, application=application)
    try:
        services.release(actor=request.user, tranche=item)
    except ValidationError as error:
        messages.error(request, _("未能拨付：%(reasons)s") % {"reasons": _messages_of(error)})
    else:
        text = _("已拨付“%(name)s” %(amount)s") % {"name": item.name, "amount": rules.yuan(item.amount)}
        messages.success(request, text)
    return redirect(reverse("incentives:application", args=[application.pk]) + "#tranches")


@login_required
@require_POST
def cancel(request, pk: int):
    application = _application_for_user(request.user, pk)
    form = ReasonForm(request.POST, prefix="cancel")
    if form.is_valid():
        try:
            services.cancel(actor=request.user, application=application, reason=form.cleaned_data["reason"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已终止资助，未拨付的金额已退回预算"))
            return redirect("incentives:application", pk=application.pk)
    return _application_page(request, application, reason_forms={"cancel": form}, status=422)


@login_required
@require_POST
def clawback(request, pk: int):
    application = _application_for_user(request.user, pk)
    form = ClawbackForm(request.POST, prefix="clawback")
    if form.is_valid():
        try:
            services.clawback(actor=request.user, application=application, amount=form.cleaned_data["amount"],
                              reason=form.cleaned_data["reason"])  # fmt: skip
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已追回资金并记入台账"))
            return redirect("incentives:application", pk=application.pk)
    return _application_page(request, application, reason_forms={"clawback": form}, status=422)


# --- the provider -------------------------------------------------------------------------------------------------


@login_required
def vouchers(request):
    """兑付服务券: the provider enters the voucher code the enterprise gave it and confirms delivery."""
    scope = scope_of(request.user)
    if not scope.provider_ids:
        raise PermissionDenied(_("本页面仅对服务商开放"))
    form = VoucherForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            application = services.confirm_delivery(actor=request.user, voucher_code=form.cleaned_data["voucher_code"])
        except ValidationError as error:
            _form_errors(form, error)
        else:
            messages.success(request, _("已确认交付：%(project)s（%(enterprise)s）") % {
                "project": application.project_name, "enterprise": application.enterprise.name})  # fmt: skip
            return redirect("incentives:vouchers")
    mine = (FundingApplication.objects.visible_to(request.user).filter(provider_id__in=scope.provider_ids)
            .select_related("programme", "enterprise", "solution").order_by("-decided_at"))  # fmt: skip
    return render(request, "incentives/vouchers.html", {"form": form, "vouchers": mine},
                  status=422 if form.errors else 200)  # fmt: skip
