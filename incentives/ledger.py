"""The budget ledger: every movement of money is a `LedgerEntry`, balances are sums of entries.

A budget can never be over-committed, even when officers approve at the same moment: `commit` first bumps the
budget row's version (an UPDATE, which takes the row's lock on PostgreSQL and the database's write lock on SQLite,
whose single writer then waits its turn with the busy timeout), and only then reads the balance and writes the
commitment, inside one transaction. Whoever comes second reads the first one's commitment."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.db.models import Case, DecimalField, F, Sum, Value, When
from django.utils.translation import gettext as _

from .models import Budget, FundingApplication, LedgerEntry, Tranche

ZERO = Decimal("0.00")
K = LedgerEntry.Kind


class LedgerError(ValueError):
    """A movement the ledger refuses, with the reason in Chinese."""


@dataclass(frozen=True)
class Balance:
    budget: Decimal
    committed: Decimal  # commitments − cancellations − clawbacks
    disbursed: Decimal  # releases − clawbacks
    allocated_down: Decimal = ZERO  # split down to the regions below (their own budgets)

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.allocated_down - self.committed

    @property
    def undisbursed(self) -> Decimal:
        return self.committed - self.disbursed


def signed_sum(kind_signs: dict[str, int]):
    """SUM(amount × sign by kind) as one aggregate expression."""
    money = DecimalField(max_digits=16, decimal_places=2)
    whens = [When(kind=kind, then=F("amount") * Value(sign)) for kind, sign in kind_signs.items()]
    return Sum(Case(*whens, default=Value(ZERO), output_field=money), output_field=money)


COMMITTED = {K.COMMIT: 1, K.CANCEL: -1, K.CLAWBACK: -1}
DISBURSED = {K.RELEASE: 1, K.CLAWBACK: -1}


def sums(entries) -> tuple[Decimal, Decimal]:
    """(committed, disbursed) of a queryset of ledger entries."""
    totals = entries.aggregate(committed=signed_sum(COMMITTED), disbursed=signed_sum(DISBURSED))
    return ((totals["committed"] or ZERO).quantize(ZERO), (totals["disbursed"] or ZERO).quantize(ZERO))


def balance(budget: Budget) -> Balance:
    committed, disbursed = sums(LedgerEntry.objects.filter(budget=budget))
    down = budget.children.aggregate(s=Sum("amount"))["s"] or ZERO
    return Balance(budget.amount, committed, disbursed, down)


def of_application(application: FundingApplication) -> Balance:
    committed, disbursed = sums(LedgerEntry.objects.filter(application=application))
    return Balance(application.amount or ZERO, committed, disbursed)


def _entry(application: FundingApplication, kind: str, amount: Decimal, *, actor, reason: str = "", tranche=None):
    return LedgerEntry.objects.create(
        budget_id=application.budget_id, application=application, tranche=tranche, kind=kind, amount=amount,
        reason=reason[:300], enterprise_id=application.enterprise_id, provider_id=application.provider_id,
        county_id=application.enterprise.county_id, year=application.budget.year, actor=actor,
    )  # fmt: skip


def lock(budget: Budget) -> None:
    """Take the budget's lock for the rest of the transaction (see the module's docstring): whatever is read after
    it — the balance, the caps' commitments — cannot change under the caller until it commits."""
    Budget.objects.filter(pk=budget.pk).update(version=F("version") + 1)
    budget.refresh_from_db(fields=["amount", "version"])


def commit(application: FundingApplication, budget: Budget, amount: Decimal, *, actor) -> LedgerEntry:
    """Reserve `amount` of `budget` for the application; refused when the budget's remaining balance is less.
    Runs inside the caller's transaction (the approval), or its own."""
    if amount <= 0:
        raise LedgerError(_("核定金额应大于 0"))
    with transaction.atomic():
        lock(budget)
        left = balance(budget).remaining
        if amount > left:
            raise LedgerError(
                _("预算余额不足：%(region)s %(year)s 年度预算剩余 %(left)s 元，本申请核定 %(amount)s 元，未批准")
                % {"region": budget.region.full_name, "year": budget.year, "left": f"{left:,.2f}",
                   "amount": f"{amount:,.2f}"}  # fmt: skip
            )
        application.budget = budget
        return _entry(application, K.COMMIT, amount, actor=actor)


def release(tranche: Tranche, *, actor) -> LedgerEntry:
    application = tranche.application
    held = of_application(application)
    if tranche.amount > held.undisbursed:
        raise LedgerError(_("该笔拨付超过尚未拨付的承诺金额"))
    return _entry(application, K.RELEASE, tranche.amount, actor=actor, tranche=tranche, reason=tranche.name)


def cancel_rest(application: FundingApplication, *, actor, reason: str) -> LedgerEntry | None:
    """Return the commitment not yet paid to the budget (the grant ends or is cut)."""
    rest = of_application(application).undisbursed
    if rest <= 0:
        return None
    return _entry(application, K.CANCEL, rest, actor=actor, reason=reason)


def clawback(application: FundingApplication, amount: Decimal, *, actor, reason: str) -> LedgerEntry:
    paid = of_application(application).disbursed
    if amount <= 0 or amount > paid:
        raise LedgerError(_("追回金额应大于 0 且不超过已拨付的 %(paid)s 元") % {"paid": f"{paid:,.2f}"})
    return _entry(application, K.CLAWBACK, amount, actor=actor, reason=reason)


def budget_for(programme, county_id: str, year: int) -> Budget | None:
    """The budget an application draws on: its county's, else its city's, else the province's — the most specific
    region of the enterprise that has one for the year."""
    codes = [county_id[:n].ljust(6, "0") for n in (6, 4, 2)]
    found = {b.region_id: b for b in Budget.objects.filter(programme=programme, year=year, region_id__in=codes)}
    return next((found[c] for c in codes if c in found), None)


def report(entries, by: str) -> list[dict]:
    """Committed and disbursed grouped by `by` (a LedgerEntry field: "year", "county_id", "provider_id",
    "budget__programme_id" …), in SQL."""
    rows = entries.values(by).annotate(committed=signed_sum(COMMITTED), disbursed=signed_sum(DISBURSED)).order_by(by)
    return list(rows)


def split_ok(parent: Budget, amounts: dict[str, Decimal]) -> None:
    """Children of a budget never exceed it (a split down to cities or counties)."""
    others = parent.children.exclude(region_id__in=list(amounts)).aggregate(s=Sum("amount"))["s"] or ZERO
    total = others + sum(amounts.values(), ZERO)
    committed = balance(parent).committed  # what the parent has already granted itself stays with it
    if total + committed > parent.amount:
        raise LedgerError(
            _("下达的预算合计 %(total)s 元加上本级已承诺的 %(committed)s 元，超过本级预算 %(budget)s 元")
            % {"total": f"{total:,.2f}", "committed": f"{committed:,.2f}", "budget": f"{parent.amount:,.2f}"}
        )

