"""API of funding: the programmes the user may see (with their rules in plain words and, for officers, the budgets),
the eligibility check for the user's own enterprise, the applications the user may see (the applicant's own, an
officer's regions once submitted, a provider's approved vouchers) with tranches and history, and the ledger summary
of an officer's regions. Scoped exactly as the pages: another region's or enterprise's object is a 404."""

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from ninja import Router, Schema
from ninja.pagination import paginate

from accounts.policy import scope_of
from core.api import Code, Id, Page, Problem, choices
from enterprises.models import Enterprise

from . import ledger, services
from .models import Budget, FundingApplication, Programme

router = Router(tags=["扶持资金"])
AppStatus = choices(FundingApplication.Status)


class FundingProgrammeOut(Schema):
    id: int
    code: str
    name: str
    type: str  # voucher | subsidy | award | interest
    type_label: str
    region_code: str
    region_name: str
    year: int | None
    status: str
    status_label: str
    opens_on: dt.date | None
    closes_on: dt.date | None
    accepting: bool
    provisional: bool  # rules not yet checked against an official notice
    synthetic: bool


class FundingStepOut(Schema):
    name: str
    level: str
    deadline_days: int | None


class FundingTrancheRuleOut(Schema):
    name: str
    share: Decimal
    milestone: str


class FundingBudgetOut(Schema):
    region_code: str
    region_name: str
    year: int
    amount: Decimal
    allocated_down: Decimal
    committed: Decimal
    disbursed: Decimal
    remaining: Decimal


class FundingProgrammeDetailOut(FundingProgrammeOut):
    description: str
    note: str
    amount_rule: str
    caps: dict[str, Decimal]  # per_project | per_enterprise | per_provider | per_year → yuan
    rules: list[str]
    documents: list[str]
    chain: list[FundingStepOut]
    tranches: list[FundingTrancheRuleOut]
    provider_required: bool
    reassessment_model: str
    budgets: list[FundingBudgetOut]  # officers of the regions: empty for everyone else


class FundingRuleOutcomeOut(Schema):
    label: str
    outcome: str  # met | not_met | unknown
    actual: str
    required: str
    reason: str


class FundingEligibilityOut(Schema):
    programme_id: int
    enterprise_id: int
    enterprise_name: str
    outcome: str  # met | not_met | unknown
    ok: bool
    accepting: bool
    items: list[FundingRuleOutcomeOut]


class FundingApplicationOut(Schema):
    id: int
    programme_id: int
    programme_name: str
    enterprise_id: int
    enterprise_name: str
    project_name: str
    status: AppStatus  # type: ignore[valid-type]
    status_label: str
    step_name: str
    provider_id: int | None
    amount: Decimal | None
    submitted_at: dt.datetime | None
    decided_at: dt.datetime | None


class FundingTrancheOut(Schema):
    number: int
    name: str
    milestone: str
    amount: Decimal
    status: str
    released_at: dt.datetime | None


class FundingEventOut(Schema):
    kind: str
    summary: str
    at: dt.datetime


class FundingApplicationDetailOut(FundingApplicationOut):
    project_number: str
    contract_number: str
    invoices: list[str]
    solution_id: int | None
    cost: Decimal | None
    voucher_code: str  # the applicant and its officers only
    committed: Decimal
    disbursed: Decimal
    contract_signed_at: dt.datetime | None
    delivered_at: dt.datetime | None
    accepted_at: dt.datetime | None
    level_delta: int | None
    score_delta: float | None
    tranches: list[FundingTrancheOut]
    history: list[FundingEventOut]


class FundingLedgerRowOut(Schema):
    key: str
    name: str
    committed: Decimal
    disbursed: Decimal


class FundingLedgerOut(Schema):
    by_programme: list[FundingLedgerRowOut]
    by_county: list[FundingLedgerRowOut]
    by_provider: list[FundingLedgerRowOut]
    by_year: list[FundingLedgerRowOut]
    budgets: list[FundingBudgetOut]


def _yuan(value) -> Decimal:
    """To the fen, the same on every database (SQLite's sums come back without their scale)."""
    return Decimal(value or 0).quantize(Decimal("0.01"))


def _programme_out(p: Programme) -> dict:
    spec = p.rules
    return {"id": p.pk, "code": p.code, "name": p.name, "type": spec.type, "type_label": spec.type_name,
            "region_code": p.region_id, "region_name": p.region.full_name, "year": p.year, "status": p.status,
            "status_label": p.get_status_display(), "opens_on": spec.opens, "closes_on": spec.closes,
            "accepting": services.accepting(p), "provisional": spec.provisional,
            "synthetic": p.is_synthetic}  # fmt: skip


def _budget_out(budget: Budget) -> dict:
    b = ledger.balance(budget)
    return {"region_code": budget.region_id, "region_name": budget.region.full_name, "year": budget.year,
            "amount": _yuan(b.budget), "allocated_down": _yuan(b.allocated_down), "committed": _yuan(b.committed),
            "disbursed": _yuan(b.disbursed), "remaining": _yuan(b.remaining)}  # fmt: skip


def _programmes(user):
    return Programme.objects.visible_to(user).taking_applications().select_related("region")


@router.get("/programmes", response=list[FundingProgrammeOut], summary="扶持项目列表（本人可见的）")
def list_programmes(request):
    return [_programme_out(p) for p in _programmes(request.user)]


@router.get("/programmes/{pk}", response=FundingProgrammeDetailOut, summary="扶持项目：规则说明与（主管部门）预算执行")
def get_programme(request, pk: Id):
    from .views import explain

    programme = get_object_or_404(_programmes(request.user), pk=pk)
    spec = programme.rules
    explained = explain(spec)
    caps = {k: getattr(spec.caps, k) for k in ("per_project", "per_enterprise", "per_provider", "per_year")
            if getattr(spec.caps, k) is not None}  # fmt: skip
    budgets = Budget.objects.visible_to(request.user).filter(programme=programme).select_related("region")
    return {
        **_programme_out(programme), "description": spec.description, "note": spec.note,
        "amount_rule": str(explained["amount"]), "caps": caps, "rules": explained["rules"],
        "documents": [d.name for d in spec.documents],
        "chain": [{"name": s.name, "level": s.level, "deadline_days": s.deadline_days} for s in spec.chain],
        "tranches": [{"name": t.name, "share": t.share, "milestone": t.milestone} for t in spec.tranches],
        "provider_required": spec.provider_required, "reassessment_model": spec.reassessment_model,
        "budgets": [_budget_out(b) for b in budgets.order_by("year", "region_id")],
    }  # fmt: skip


@router.get("/programmes/{pk}/eligibility", response={200: FundingEligibilityOut, 403: Problem},
            summary="我能申请吗：按平台记录逐条核对本企业的申报条件")  # fmt: skip
def get_eligibility(request, pk: Id, enterprise: Id | None = None):
    programme = get_object_or_404(_programmes(request.user), pk=pk)
    own = Enterprise.objects.filter(pk__in=scope_of(request.user).own_enterprise_ids).order_by("pk")
    if not own.exists():
        raise PermissionDenied(_("只有企业用户可以自查本企业的申报条件"))
    target = get_object_or_404(own, pk=enterprise) if enterprise else own.first()
    check = services.eligibility(programme, target)
    data = check.as_json()
    return {"programme_id": programme.pk, "enterprise_id": target.pk, "enterprise_name": target.name,
            "outcome": data["outcome"], "ok": data["ok"], "accepting": services.accepting(programme),
            "items": data["items"]}  # fmt: skip


def _applications(user):
    return FundingApplication.objects.visible_to(user).select_related("programme", "enterprise")


def _application_out(a: FundingApplication) -> dict:
    step = a.current_step
    return {"id": a.pk, "programme_id": a.programme_id, "programme_name": a.programme.name,
            "enterprise_id": a.enterprise_id, "enterprise_name": a.enterprise.name, "project_name": a.project_name,
            "status": a.status, "status_label": a.get_status_display(), "step_name": step.name if step else "",
            "provider_id": a.provider_id, "amount": a.amount, "submitted_at": a.submitted_at,
            "decided_at": a.decided_at}  # fmt: skip


class _Rows:
    def __init__(self, queryset):
        self.queryset = queryset

    def __len__(self) -> int:
        return self.queryset.count()

    def __getitem__(self, index: slice) -> list[dict]:
        return [_application_out(a) for a in self.queryset[index]]


@router.get("/applications", response=list[FundingApplicationOut],
            summary="扶持资金申请（本企业的、本地区已提交的、本服务商承接的）")  # fmt: skip
@paginate(Page)
def list_applications(request, programme: Code | None = None, status: AppStatus | None = None,  # type: ignore
                      mine: bool = False):  # fmt: skip
    queryset = _applications(request.user).order_by("-created_at", "-pk")
    if programme:
        queryset = queryset.filter(programme__code=programme)
    if status:
        queryset = queryset.filter(status=status)
    if mine:
        queryset = queryset.filter(enterprise_id__in=scope_of(request.user).own_enterprise_ids)
    return _Rows(queryset)


@router.get("/applications/{pk}", response=FundingApplicationDetailOut, summary="扶持资金申请：拨付节点与办理记录")
def get_application(request, pk: Id):
    a = get_object_or_404(_applications(request.user), pk=pk)
    scope = scope_of(request.user)
    sees_code = a.enterprise_id in scope.own_enterprise_ids or scope.manages_code(a.enterprise.county_id)
    held = ledger.of_application(a)
    return {
        **_application_out(a), "project_number": a.project_number, "contract_number": a.contract_number,
        "invoices": a.invoices, "solution_id": a.solution_id, "cost": a.cost,
        "voucher_code": a.voucher_code if sees_code else "", "committed": _yuan(held.committed),
        "disbursed": _yuan(held.disbursed), "contract_signed_at": a.contract_signed_at, "delivered_at": a.delivered_at,
        "accepted_at": a.accepted_at, "level_delta": a.level_delta, "score_delta": a.score_delta,
        "tranches": [{"number": t.number, "name": t.name, "milestone": t.milestone, "amount": t.amount,
                      "status": t.status, "released_at": t.released_at} for t in a.tranches.all()],
        "history": [{"kind": e.kind, "summary": e.summary, "at": e.at} for e in a.events.all()],
    }  # fmt: skip


@router.get("/ledger", response={200: FundingLedgerOut, 403: Problem},
            summary="资金台账汇总：本地区的已承诺、已拨付与预算剩余（主管部门）")  # fmt: skip
def get_ledger(request):
    from .report_views import report_rows

    if not scope_of(request.user).is_authority:
        raise PermissionDenied(_("资金台账仅对主管部门开放"))
    data = report_rows(request.user)

    def rows(section):
        return [{"key": str(r.get("code") or r.get("year") or r["name"]), "name": r["name"],
                 "committed": _yuan(r["committed"]), "disbursed": _yuan(r["disbursed"])}
                for r in data[section]]  # fmt: skip

    return {"by_programme": rows("programme"), "by_county": rows("county"), "by_provider": rows("provider"),
            "by_year": rows("year"), "budgets": [_budget_out(r["budget"]) for r in data["budgets"]]}  # fmt: skip
