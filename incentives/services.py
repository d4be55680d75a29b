"""Writes on funding: programmes and budgets, the applicant's draft, submission, each step's decision and the
approval that commits money, the milestones (contract, delivery confirmed by the provider, acceptance by the
enterprise), tranche releases, cancellation and clawback, and the re-assessment's outcome.

Every change is checked against the chain (`recognition.chain`, the same review-chain machinery), the actor's role
and level (`recognition.access`), the programme's rules (`rules`) and the ledger (`ledger`), and recorded as a
`FundingEvent` (the applicant's milestones also on the enterprise's timeline)."""

from __future__ import annotations

import datetime as dt
import re
import secrets
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from airegistry.facts import gate_names
from assessments.models import AssessmentResult
from catalog.models import Provider, Solution
from enterprises import events as enterprise_events
from enterprises.models import Enterprise, EnterpriseEvent
from recognition import access, chain

from . import ledger, rules
from .facts import facts_of
from .models import Budget, FundingApplication, FundingEvent, LedgerEntry, Programme, ProjectKey, Tranche

A = FundingApplication.Status
ACTIVE_EXCLUDED = (A.WITHDRAWN, A.REJECTED, A.CANCELLED)

# --- programmes and budgets ---------------------------------------------------------------------------------------

KIND_OF_TYPE = {"voucher": Programme.Kind.VOUCHER, "subsidy": Programme.Kind.SUBSIDY,
                "award": Programme.Kind.AWARD, "interest": Programme.Kind.LOAN}  # fmt: skip


@transaction.atomic
def programme_load(*, actor, region, data: dict) -> Programme:
    """Load (or replace, while nobody has applied) a funding programme from its file's data, for a region the actor
    governs; `rules.parse` checks the data and its message names the field."""
    if actor is not None and not scope_of(actor).manages_code(region.code):
        raise PermissionDenied(_("只有主管该地区的部门可以发布扶持项目"))
    try:
        spec = rules.parse(data)
    except rules.SpecError as error:
        raise ValidationError(str(error)) from error
    programme = Programme.objects.filter(code=spec.code).first()
    if programme is not None and programme.applications.exists():
        raise ValidationError(_("该项目已有申请，不能再修改规则；请以新的项目代码发布"))
    rate = spec.rate * 100 if spec.rate is not None else None
    cap = spec.caps.per_project or spec.caps.per_enterprise
    fields = {
        "name": spec.name, "kind": KIND_OF_TYPE[spec.type], "year": spec.year, "region": region, "spec": data,
        "opens_on": spec.opens, "closes_on": spec.closes, "share": int(rate) if rate is not None else None,
        "max_amount": (cap / 10_000) if cap is not None else None, "summary": spec.note,
    }  # fmt: skip
    if programme is None:
        return Programme.objects.create(code=spec.code, **fields)
    for key, value in fields.items():
        setattr(programme, key, value)
    programme.save()
    return programme


def programme_set_status(*, actor, programme: Programme, status: str) -> Programme:
    if not scope_of(actor).manages_code(programme.region_id):
        raise PermissionDenied(_("只有组织该项目的部门可以开启或截止申报"))
    if status not in Programme.Status.values:
        raise ValidationError(_("未知的状态"))
    programme.status = status
    programme.save(update_fields=["status"])
    return programme


@transaction.atomic
def budget_set(*, actor, programme: Programme, region, year: int, amount: Decimal) -> Budget:
    """Set a region's budget for the year. The programme's own region sets its total; a region below gets a share
    split down from its parent region's budget (never more than the parent has left to split), and a budget is
    never set below what it has already committed."""
    if not scope_of(actor).manages_code(region.code) and not scope_of(actor).manages_code(programme.region_id):
        raise PermissionDenied(_("只有主管该地区的部门可以下达预算"))
    if amount < 0:
        raise ValidationError(_("预算不能为负数"))
    if not region.code.startswith(programme.region.path):
        raise ValidationError(_("预算地区应在项目发布地区之内"))
    parent = None
    if region.code != programme.region_id:
        parents = [region.code[:n].ljust(6, "0") for n in (4, 2) if region.code[:n].ljust(6, "0") != region.code]
        found = {b.region_id: b for b in Budget.objects.filter(programme=programme, year=year, region_id__in=parents)}
        parent = next((found[c] for c in parents if c in found), None)
        if parent is None:
            raise ValidationError(_("请先下达上级地区的本年度预算"))
        if not scope_of(actor).manages_code(parent.region_id):
            raise PermissionDenied(_("预算由上级地区下达"))
        Budget.objects.filter(pk=parent.pk).update(version=parent.version + 1)  # serialise splits of one parent
        try:
            ledger.split_ok(parent, {region.code: amount})
        except ledger.LedgerError as error:
            raise ValidationError(str(error)) from error
    budget, _created = Budget.objects.get_or_create(
        programme=programme, region=region, year=year, defaults={"amount": amount, "parent": parent}
    )
    if not _created:
        Budget.objects.filter(pk=budget.pk).update(version=budget.version + 1)
        used = ledger.balance(budget)
        if amount < used.committed + used.allocated_down:
            raise ValidationError(
                _("预算不能低于已承诺和已下达的 %(used)s 元") % {"used": f"{used.committed + used.allocated_down:,.2f}"}
            )
        budget.amount = amount
        budget.save(update_fields=["amount"])
    return budget


# --- the applicant ------------------------------------------------------------------------------------------------


def _record(application, kind: str, summary: str, *, actor, data: dict | None = None, timeline: bool = False):
    FundingEvent.objects.create(application=application, kind=kind, actor=actor, summary=summary[:300],
                                data=data or {})  # fmt: skip
    if timeline:
        enterprise_events.record(application.enterprise, EnterpriseEvent.Kind.FUNDING, actor=actor,
                                 summary=f"{application.programme.name}：{summary}"[:300],
                                 data={"funding_application": application.pk})  # fmt: skip


def accepting(programme: Programme, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return programme.status == Programme.Status.OPEN and programme.rules.is_open(today)


def eligibility(programme: Programme, enterprise) -> rules.Eligibility:
    """The check the applicant reads before applying, rule by rule, with regions, industries and labels by name."""
    facts = facts_of(enterprise)
    return rules.eligibility(programme.rules, facts, names=code_names(programme.rules, facts))


def code_names(spec: rules.Spec, facts: rules.Facts) -> dict[str, str]:
    """{code: name} of the regions, industry divisions and labels the rules and the facts mention."""
    from enterprises.models import Label
    from regions.models import IndustryDivision, Region

    def values(fact: str) -> set[str]:
        found: set[str] = set()
        for rule in spec.rules:
            if rule.fact == fact:
                found |= {str(v) for v in (rule.value if isinstance(rule.value, list | tuple) else [rule.value])}
        return found

    names = dict(Region.objects.filter(code__in=values("county") | {facts.county_id}).values_list("code", "full_name"))
    industries = {v.removeprefix("C") for v in values("industry")} | {facts.industry}
    names |= dict(IndustryDivision.objects.filter(code__in=industries).values_list("code", "name"))
    names |= dict(Label.objects.filter(code__in=values("label") | set(facts.labels)).values_list("code", "name"))
    names |= gate_names()
    return names


def _require_applicant(actor, application):
    access.require_applicant(actor, application.enterprise_id)


def _editable(actor, application):
    _require_applicant(actor, application)
    if application.status not in (A.DRAFT, A.RETURNED):
        raise ValidationError(_("申请已提交，不能修改"))


EDITABLE = ("project_name", "project_number", "contract_number", "invoice_numbers", "provider", "solution", "cost",
            "principal", "grade", "requested", "not_related", "summary")  # fmt: skip


@transaction.atomic
def draft_save(*, actor, programme: Programme, enterprise, application: FundingApplication | None = None,
               **values) -> FundingApplication:  # fmt: skip
    """Create or edit the applicant's draft (or a returned application)."""
    access.require_applicant(actor, enterprise.pk)
    if application is None:
        if not programme.takes_applications:
            raise ValidationError(_("该项目不接受线上申报"))
        application = FundingApplication(programme=programme, enterprise=enterprise, created_by=actor)
    else:
        _editable(actor, application)
    for key, value in values.items():
        if key not in EDITABLE:
            raise ValidationError(_("不能修改的字段：%(key)s") % {"key": key})
        setattr(application, key, value)
    if not (application.project_name or "").strip():
        raise ValidationError({"project_name": _("请填写项目名称")})
    application.full_clean(exclude=["programme", "enterprise", "budget", "baseline_result", "followup_result"])
    is_new = application.pk is None
    application.save()
    if is_new:
        _record(application, "draft", _("创建申请"), actor=actor)
    return application


def normalise_number(value: str) -> str:
    return re.sub(r"[\s\-_/]", "", value or "").upper()


def claimed_keys(application: FundingApplication) -> list[tuple[str, str]]:
    keys = []
    if application.project_number.strip():
        keys.append((ProjectKey.Kind.PROJECT, normalise_number(application.project_number)))
    if application.contract_number.strip():
        keys.append((ProjectKey.Kind.CONTRACT, normalise_number(application.contract_number)))
    keys += [(ProjectKey.Kind.INVOICE, normalise_number(n)) for n in application.invoices]
    return [(k, v) for k, v in dict.fromkeys(keys) if v]


def double_funding(application: FundingApplication) -> list[str]:
    """The other active applications claiming one of this one's project, contract or invoice numbers, named."""
    problems = []
    for kind, value in claimed_keys(application):
        other = (ProjectKey.objects.filter(kind=kind, value=value).exclude(application=application)
                 .select_related("application__programme").first())  # fmt: skip
        if other is not None:
            problems.append(
                _("%(kind)s %(value)s 已用于“%(programme)s”（%(year)s 年度）的申请 第 %(id)s 号，不能重复申请资金")
                % {"kind": ProjectKey.Kind(kind).label, "value": value, "programme": other.application.programme.name,
                   "year": other.application.programme.year or "—", "id": other.application_id}  # fmt: skip
            )
    return problems


def _committed_for(programme: Programme, *, enterprise_id=None, provider_id=None) -> Decimal:
    entries = LedgerEntry.objects.filter(budget__programme=programme)
    if enterprise_id is not None:
        entries = entries.filter(enterprise_id=enterprise_id)
    if provider_id is not None:
        entries = entries.filter(provider_id=provider_id)
    return ledger.sums(entries)[0]


def _committed_in_family(application: FundingApplication) -> Decimal:
    """The enterprise's commitments this year in every programme of the same cap family (the per_year cap)."""
    spec = application.programme.rules
    if spec.caps.per_year is None:
        return Decimal(0)
    same_year = Programme.objects.taking_applications().filter(year=spec.year)
    family = [p.pk for p in same_year if p.rules.cap_family == spec.cap_family]
    entries = LedgerEntry.objects.filter(budget__programme_id__in=family, enterprise_id=application.enterprise_id)
    return ledger.sums(entries)[0]


def quote(application: FundingApplication) -> rules.Amount:
    """The amount the rules give now, with the caps already used by this enterprise and provider in the programme
    (and, for a per-year cap, in the year's programmes of the same family)."""
    spec = application.programme.rules
    return rules.amount(
        spec, cost=application.cost, grade=application.grade, principal=application.principal,
        enterprise_committed=_committed_for(application.programme, enterprise_id=application.enterprise_id),
        provider_committed=(_committed_for(application.programme, provider_id=application.provider_id)
                            if application.provider_id else Decimal(0)),
        year_committed=_committed_in_family(application), requested=application.requested,
    )  # fmt: skip


def submission_problems(application: FundingApplication) -> dict[str, list[str]]:
    """Everything that stops a submission, by field ("__all__" for the rest); empty when it may go."""
    spec = application.programme.rules
    problems: dict[str, list[str]] = {}

    def add(field, message):
        problems.setdefault(field, []).append(message)

    if not accepting(application.programme):
        add("__all__", _("该项目当前不在申报期内"))
    check = eligibility(application.programme, application.enterprise)
    for line in check.not_met:
        add("__all__", _("不符合申报条件：%(line)s") % {"line": line})
    if spec.provider_required:
        if application.provider_id is None or application.solution_id is None:
            add("provider", _("请选择资源池中的服务商及其解决方案"))
        else:
            if not Provider.objects.listed().filter(pk=application.provider_id).exists():
                add("provider", _("所选服务商不在资源池中"))
            if not Solution.objects.filter(pk=application.solution_id, provider_id=application.provider_id,
                                           status="published").exists():  # fmt: skip
                add("solution", _("所选解决方案不是该服务商已发布的方案"))
    if application.provider_id and spec.related_party_forbidden:
        if not application.not_related:
            add("not_related", _("请承诺企业与服务商之间不存在关联关系"))
        if application.provider.credit_code == application.enterprise.credit_code:
            add("provider", _("服务商与申请企业为同一主体，属于关联方，不能申请"))
    if spec.type == "award":
        if application.grade not in spec.fixed:
            add("grade", _("请选择申报的等次"))
        elif application.grade in rules.TIER_CODES:  # a grade named by a tier: the enterprise must hold it
            held = facts_of(application.enterprise).tier_rank
            if held < rules.TIER_CODES[application.grade]:
                add("grade", _("申报等次为%(grade)s，企业目前获得的认定为%(held)s，不能按该等次申报")
                    % {"grade": rules.TIER_ORDER[rules.TIER_CODES[application.grade]],
                       "held": rules.TIER_ORDER[held]})  # fmt: skip
    for message in double_funding(application):
        add("__all__", message)
    attached = set(application.documents.values_list("code", flat=True))
    for document in spec.documents:
        if document.required and document.code not in attached:
            add("__all__", _("缺少申报材料：%(name)s") % {"name": document.name})
    if not problems:
        try:
            quoted = quote(application)
        except ValueError as error:
            add("__all__", str(error))
        else:
            if quoted.value <= 0:
                add("__all__", _("按规则可支持的金额为 0：%(why)s") % {"why": quoted.capped_by or _("无可支持金额")})
    return problems


@transaction.atomic
def submit(*, actor, application: FundingApplication) -> FundingApplication:
    _editable(actor, application)
    if problems := submission_problems(application):
        raise ValidationError(problems)
    resubmitting = application.status == A.RETURNED
    at = chain.submit(application.programme.rules, application.position)
    application.status, application.step = at.status, at.step
    application.step_reached_at = timezone.now()
    application.submitted_at = application.submitted_at or timezone.now()
    application.eligibility = eligibility(application.programme, application.enterprise).as_json()
    quoted = quote(application)
    application.amount_steps = [{"label": s.label, "value": str(s.value)} for s in quoted.steps]
    application.save()
    ProjectKey.objects.filter(application=application).delete()
    try:
        with transaction.atomic():
            ProjectKey.objects.bulk_create(
                [ProjectKey(application=application, kind=k, value=v) for k, v in claimed_keys(application)]
            )
    except IntegrityError:  # a submission racing this one claimed the same number first
        others = double_funding(application) or [_("项目编号、合同或发票已被其他申请使用")]
        raise ValidationError({"__all__": others}) from None
    _record(application, "resubmit" if resubmitting else "submit",
            _("修改后重新提交") if resubmitting else _("提交申请"), actor=actor, timeline=True)  # fmt: skip
    return application


@transaction.atomic
def withdraw(*, actor, application: FundingApplication) -> FundingApplication:
    _require_applicant(actor, application)
    if application.status not in (A.DRAFT, A.IN_REVIEW, A.RETURNED):
        raise ValidationError(_("申请已批准或已办结，不能撤回"))
    application.status, application.step = A.WITHDRAWN, None
    application.save(update_fields=["status", "step"])
    application.keys.all().delete()
    _record(application, "withdraw", _("撤回申请"), actor=actor, timeline=True)
    return application


# --- review and approval ------------------------------------------------------------------------------------------


def _require_step_officer(actor, application):
    step = application.current_step
    if step is None:
        raise ValidationError(_("申请不在审核中"))
    access.require_acts_at(actor, application.enterprise.county_id, step.level, step.name)
    return step


def decide(*, actor, application: FundingApplication, decision: str, reason: str = "",
           amount: Decimal | None = None) -> FundingApplication:  # fmt: skip
    """The acting step's decision. Passing the last step approves: the amount (the rules' quote, or less if the
    officer sets less) is committed on the budget — refused, and the application left at its step, when the budget
    cannot cover it."""
    with transaction.atomic():
        application = FundingApplication.objects.select_for_update(of=("self",)).select_related(
            "programme", "enterprise", "provider"
        ).get(pk=application.pk)
        step = _require_step_officer(actor, application)
        if decision in ("return", "reject") and not reason.strip():
            raise ValidationError({"reason": _("退回或不予通过须写明理由")})
        try:
            at = chain.decide(application.programme.rules, application.position, decision)
        except chain.TransitionError as error:
            raise ValidationError(str(error)) from error
        if at.status == chain.RECOGNISED:
            return _approve(actor, application, step, amount, reason)
        application.status, application.step = at.status, at.step
        application.step_reached_at = timezone.now()
        if at.status == chain.REJECTED:
            application.decided_at = timezone.now()
        application.save()
        if at.status == chain.REJECTED:
            application.keys.all().delete()
        names = {"pass": _("%(step)s：通过"), "return": _("%(step)s：退回修改"), "reject": _("%(step)s：不予通过")}
        _record(application, decision, names.get(decision, decision) % {"step": step.name} +
                (f"（{reason}）" if reason else ""), actor=actor,
                timeline=decision in ("return", "reject"))  # fmt: skip
        return application


def _approve(actor, application, step, amount, reason):
    year = application.programme.year or timezone.localdate().year
    budget = ledger.budget_for(application.programme, application.enterprise.county_id, year)
    if budget is None:
        raise ValidationError(_("本地区尚未下达该项目 %(year)s 年度预算，不能批准") % {"year": year})
    # Locks before the quote, always in this order (budget, enterprise, provider): the caps read what the enterprise
    # and the provider already have committed — possibly on other budgets — and two approvals at once must not
    # both read it before either writes.
    ledger.lock(budget)
    list(Enterprise.objects.select_for_update().filter(pk=application.enterprise_id).values_list("pk"))
    if application.provider_id:
        list(Provider.objects.select_for_update().filter(pk=application.provider_id).values_list("pk"))
    quoted = quote(application)
    granted = quoted.value
    if amount is not None:
        if amount <= 0 or amount > quoted.value:
            raise ValidationError({"amount": _("核定金额应大于 0 且不超过按规则可支持的 %(max)s 元")
                                   % {"max": f"{quoted.value:,.2f}"}})  # fmt: skip
        granted = amount
    if granted <= 0:
        raise ValidationError(_("按规则可支持的金额已为 0（%(why)s），不能批准") % {"why": quoted.capped_by or "—"})
    try:
        ledger.commit(application, budget, granted, actor=actor)
    except ledger.LedgerError as error:
        raise ValidationError(str(error)) from error
    application.status, application.step = A.APPROVED, None
    application.amount = granted
    application.amount_steps = [{"label": s.label, "value": str(s.value)} for s in quoted.steps]
    application.decided_at = timezone.now()
    if application.programme.rules.type == "voucher":
        application.voucher_code = _voucher_code()
    application.baseline_result = _latest_result(application, before=None)
    application.save()
    for number, (tranche, value) in enumerate(rules.tranche_amounts(application.programme.rules, granted), start=1):
        Tranche.objects.create(application=application, number=number, name=tranche.name,
                               milestone=tranche.milestone, amount=value)  # fmt: skip
    _record(application, "approve", _("%(step)s：批准，核定 %(amount)s 元") % {"step": step.name,
            "amount": f"{granted:,.2f}"} + (f"（{reason}）" if reason else ""), actor=actor, timeline=True)  # fmt: skip
    return application


def _voucher_code() -> str:
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
    while True:
        code = "-".join("".join(secrets.choice(alphabet) for _ in range(4)) for _ in range(3))
        if not FundingApplication.objects.filter(voucher_code=code).exists():
            return code


def _latest_result(application, *, before) -> AssessmentResult | None:
    model = application.programme.rules.reassessment_model
    if not model:
        return None
    results = AssessmentResult.objects.filter(
        is_current=True, assessment__enterprise=application.enterprise, assessment__model_code=model,
        assessment__status="submitted",
    )  # fmt: skip
    if before is not None:
        results = results.filter(assessment__submitted_at__gt=before)
    return results.order_by("-assessment__submitted_at", "-id").first()


# --- milestones and money -----------------------------------------------------------------------------------------


def _approved(application):
    if application.status != A.APPROVED:
        raise ValidationError(_("只有已批准的项目可以办理"))


@transaction.atomic
def contract_signed(*, actor, application: FundingApplication) -> FundingApplication:
    _require_applicant(actor, application)
    _approved(application)
    if application.contract_signed_at is None:
        application.contract_signed_at = timezone.now()
        application.save(update_fields=["contract_signed_at"])
        _record(application, "contract", _("企业确认已签订服务合同"), actor=actor)
    return application


@transaction.atomic
def confirm_delivery(*, actor, voucher_code: str) -> FundingApplication:
    """The provider redeems a voucher: it names the code it was given and confirms it has delivered."""
    scope = scope_of(actor)
    code = (voucher_code or "").strip().upper()
    application = FundingApplication.objects.select_for_update().filter(voucher_code=code).first() if code else None
    if application is None or application.provider_id not in scope.provider_ids:
        raise ValidationError({"voucher_code": _("券码不存在，或该券不是由本服务商承接")})
    _approved(application)
    if application.delivered_at is not None:
        raise ValidationError({"voucher_code": _("该券已确认交付")})
    application.delivered_at = timezone.now()
    application.save(update_fields=["delivered_at"])
    _record(application, "deliver", _("服务商确认交付"), actor=actor, timeline=True)
    return application


@transaction.atomic
def accept(*, actor, application: FundingApplication) -> FundingApplication:
    _require_applicant(actor, application)
    _approved(application)
    if application.programme.rules.provider_required and application.delivered_at is None:
        raise ValidationError(_("服务商尚未确认交付，不能验收"))
    if application.accepted_at is None:
        application.accepted_at = timezone.now()
        application.save(update_fields=["accepted_at"])
        _record(application, "accept", _("企业验收通过"), actor=actor, timeline=True)
    return application


def milestone_reached(application: FundingApplication, milestone: str) -> bool:
    return {
        "approval": True,
        "contract": application.contract_signed_at is not None,
        "delivery": application.delivered_at is not None,
        "acceptance": application.accepted_at is not None,
        "reassessment": application.followup_result_id is not None,
    }.get(milestone, False)


def _require_governs(actor, application):
    if not scope_of(actor).manages_code(application.enterprise.county_id):
        raise PermissionDenied(_("只有主管该企业所在地区的部门可以办理"))
    budget_region = application.budget.region_id if application.budget_id else application.programme.region_id
    if not scope_of(actor).manages_code(budget_region):
        raise PermissionDenied(_("只有预算所在地区的主管部门可以办理拨付"))


@transaction.atomic
def release(*, actor, tranche: Tranche) -> Tranche:
    related = ("application__enterprise", "application__budget", "application__programme")
    tranche = Tranche.objects.select_for_update(of=("self",)).select_related(*related).get(pk=tranche.pk)
    application = tranche.application
    _require_governs(actor, application)
    _approved(application)
    if tranche.status != Tranche.Status.PENDING:
        raise ValidationError(_("该笔已拨付或已取消"))
    if not milestone_reached(application, tranche.milestone):
        milestone = MILESTONES.get(tranche.milestone, tranche.milestone)
        raise ValidationError(
            _("“%(name)s”的前提尚未满足：%(milestone)s") % {"name": tranche.name, "milestone": milestone}
        )
    earlier = application.tranches.filter(number__lt=tranche.number, status=Tranche.Status.PENDING)
    if earlier.exists():
        raise ValidationError(_("请先拨付前面的节点"))
    try:
        ledger.release(tranche, actor=actor)
    except ledger.LedgerError as error:
        raise ValidationError(str(error)) from error
    tranche.status, tranche.released_at = Tranche.Status.RELEASED, timezone.now()
    tranche.save(update_fields=["status", "released_at"])
    _record(application, "release", _("拨付“%(name)s” %(amount)s 元") % {"name": tranche.name,
            "amount": f"{tranche.amount:,.2f}"}, actor=actor, timeline=True)  # fmt: skip
    if not application.tranches.filter(status=Tranche.Status.PENDING).exists():
        application.status = A.COMPLETED
        application.save(update_fields=["status"])
    return tranche


MILESTONES = {"approval": _("批准"), "contract": _("签订合同"), "delivery": _("服务商确认交付"),
              "acceptance": _("企业验收"), "reassessment": _("完成复评")}  # fmt: skip


@transaction.atomic
def cancel(*, actor, application: FundingApplication, reason: str) -> FundingApplication:
    """End an approved grant: what has not been paid returns to the budget (a ledger row), pending tranches are
    cancelled and the project numbers are freed."""
    _require_governs(actor, application)
    _approved(application)
    if not reason.strip():
        raise ValidationError({"reason": _("请写明终止原因")})
    ledger.cancel_rest(application, actor=actor, reason=reason)
    application.tranches.filter(status=Tranche.Status.PENDING).update(status=Tranche.Status.CANCELLED)
    application.status = A.CANCELLED
    application.save(update_fields=["status"])
    application.keys.all().delete()
    _record(application, "cancel", _("终止资助：%(reason)s") % {"reason": reason}, actor=actor, timeline=True)
    return application


@transaction.atomic
def clawback(*, actor, application: FundingApplication, amount: Decimal, reason: str) -> LedgerEntry:
    """Recover money already paid (e.g. the project was not delivered): a ledger row with the reason; the grant is
    ended, and what had not yet been paid returns to the budget too."""
    _require_governs(actor, application)
    if application.status not in (A.APPROVED, A.COMPLETED):
        raise ValidationError(_("只有已批准的项目可以追回资金"))
    if not reason.strip():
        raise ValidationError({"reason": _("请写明追回原因")})
    try:
        entry = ledger.clawback(application, amount, actor=actor, reason=reason)
    except ledger.LedgerError as error:
        raise ValidationError({"amount": str(error)}) from error
    ledger.cancel_rest(application, actor=actor, reason=reason)
    application.tranches.filter(status=Tranche.Status.PENDING).update(status=Tranche.Status.CANCELLED)
    application.status = A.CANCELLED
    application.save(update_fields=["status"])
    _record(application, "clawback", _("追回资金 %(amount)s 元：%(reason)s") % {"amount": f"{amount:,.2f}",
            "reason": reason}, actor=actor, timeline=True)  # fmt: skip
    return entry


# --- the outcome --------------------------------------------------------------------------------------------------


@transaction.atomic
def request_reassessment(*, actor, application: FundingApplication) -> FundingApplication:
    """After acceptance, the enterprise (or its officer) asks for the re-assessment on the programme's model."""
    scope = scope_of(actor)
    if application.enterprise_id not in scope.own_enterprise_ids and not scope.manages_code(
        application.enterprise.county_id
    ):
        raise PermissionDenied(_("只有申请企业或其主管部门可以申请复评"))
    if application.accepted_at is None:
        raise ValidationError(_("项目验收后才能申请复评"))
    if not application.programme.rules.reassessment_model:
        raise ValidationError(_("该项目不要求复评"))
    if application.reassessment_requested_at is None:
        application.reassessment_requested_at = timezone.now()
        application.save(update_fields=["reassessment_requested_at"])
        _record(application, "reassess", _("申请复评"), actor=actor, timeline=True)
    return record_outcome(application)


def record_outcome(application: FundingApplication) -> FundingApplication:
    """Once a result on the programme's model has been submitted after acceptance, record it and the change from
    the baseline on the grant, and pass the outcome to the provider's record (its evaluation counts it)."""
    if application.followup_result_id or application.accepted_at is None:
        return application
    followup = _latest_result(application, before=application.accepted_at)
    if followup is None:
        return application
    application.followup_result = followup
    base = application.baseline_result
    if base is not None:
        application.score_delta = round(followup.score - base.score, 4)
        application.level_delta = (followup.level or 0) - (base.level or 0)
    application.save(update_fields=["followup_result", "score_delta", "level_delta"])
    _record(application, "outcome", _("复评结果：%(level)s，得分 %(score).2f") % {
        "level": followup.level_name or "—", "score": followup.score}, actor=None, timeline=True,
        data={"score_delta": application.score_delta, "level_delta": application.level_delta})  # fmt: skip
    if application.provider_id and application.level_delta is not None:
        from catalog.outcomes import record_outcome as provider_outcome

        provider_outcome(provider=application.provider, enterprise=application.enterprise,
                         source=application.programme.name, reference=f"funding:{application.pk}",
                         level_delta=application.level_delta, score_delta=application.score_delta)  # fmt: skip
    return application


def record_outcomes() -> int:
    """Nightly: every accepted grant awaiting its re-assessment result."""
    count = 0
    waiting = FundingApplication.objects.filter(reassessment_requested_at__isnull=False, followup_result__isnull=True)
    for application in waiting.select_related("programme", "enterprise", "provider", "baseline_result"):
        if record_outcome(application).followup_result_id:
            count += 1
    return count
