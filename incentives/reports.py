"""Funding reports for officers: committed, disbursed and remaining by programme, region, provider and year (sums
of ledger rows in SQL, scoped to the officer's regions), and the outcomes of funded enterprises against comparable
unfunded ones.

Outcomes, the rule: a funded enterprise's change is its grant's recorded re-assessment delta (the level of the
result after acceptance minus the level at approval). The comparison group is every enterprise in the officer's
regions of the same size classes as the funded ones, not funded by the programme, with a result on the same model
before the programme's first approval and another after it: its change is the latest level minus the latest level
before that date. Both means are shown with their counts; a group under `MIN_GROUP` shows counts only."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Avg, Count, Min, OuterRef, Subquery
from django.db.models.functions import Coalesce

from accounts.policy import scope_of, under_paths
from assessments.models import AssessmentResult
from catalog.models import Provider
from enterprises.models import Enterprise
from regions.models import Region

from . import ledger
from .models import Budget, FundingApplication, LedgerEntry, Programme

MIN_GROUP = 5
ZERO = Decimal("0.00")


def _entries(user):
    scope = scope_of(user)
    entries = LedgerEntry.objects.all()
    return entries if scope.is_admin else entries.filter(under_paths("county_id", scope.officer_paths))


def _names(model, pks, field: str = "name") -> dict:
    return dict(model.objects.filter(pk__in=set(pks)).values_list("pk", field))


def summary(user, *, year: int | None = None) -> dict:
    """{"programmes", "regions", "providers", "years"}: rows with committed and disbursed, only what happened in the
    user's regions; programme rows also give the user's own budget and what remains of it (None: no budget of
    theirs)."""
    entries = _entries(user)
    visible = Budget.objects.visible_to(user)
    if year is not None:
        entries, visible = entries.filter(year=year), visible.filter(year=year)
    # The user's budgets of a programme: those they see whose parent they do not see (their region's own). What
    # remains is read on those budgets (their splits and commitments); money spent in the user's regions from a
    # budget above them (the province's, for a city) counts in committed and disbursed but has no budget here.
    own: dict[int, list[Budget]] = {}
    for budget in visible.exclude(parent__in=visible):
        own.setdefault(budget.programme_id, []).append(budget)
    spent = {row["budget__programme_id"]: row for row in ledger.report(entries, "budget__programme_id")}
    names = _names(Programme, set(own) | set(spent))
    programmes = []
    for pk in sorted(set(own) | set(spent), key=lambda pk: names.get(pk, "")):
        row = spent.get(pk, {"committed": ZERO, "disbursed": ZERO})
        held = own.get(pk)
        programmes.append({
            "id": pk, "name": names.get(pk, "—"), "committed": row["committed"], "disbursed": row["disbursed"],
            "budget": sum((b.amount for b in held), ZERO) if held else None,
            "remaining": sum((ledger.balance(b).remaining for b in held), ZERO) if held else None,
        })  # fmt: skip
    counties = ledger.report(entries, "county_id")
    region_names = dict(Region.objects.filter(code__in=[r["county_id"] for r in counties])
                        .values_list("code", "full_name"))  # fmt: skip
    regions = [{"name": region_names.get(r["county_id"], r["county_id"]), "code": r["county_id"],
                "committed": r["committed"], "disbursed": r["disbursed"]} for r in counties]  # fmt: skip
    by_provider = ledger.report(entries.exclude(provider_id=None), "provider_id")
    provider_names = _names(Provider, [r["provider_id"] for r in by_provider])
    providers = [{"name": provider_names.get(r["provider_id"], "—"), "committed": r["committed"],
                  "disbursed": r["disbursed"]} for r in by_provider]  # fmt: skip
    years = [{"year": r["year"], "committed": r["committed"], "disbursed": r["disbursed"]}
             for r in ledger.report(entries, "year")]  # fmt: skip
    return {"programmes": programmes, "regions": regions, "providers": providers, "years": years}


def outcomes(user, programme: Programme) -> dict:
    """Funded enterprises' mean level change after their project against comparable unfunded enterprises'."""
    model = programme.rules.reassessment_model
    grants = FundingApplication.objects.visible_to(user).filter(programme=programme,
                                                               status__in=["approved", "completed"])  # fmt: skip
    measured = grants.exclude(level_delta=None)
    funded = measured.aggregate(n=Count("pk"), level=Avg("level_delta"), score=Avg("score_delta"))
    out = {"model": model, "grants": grants.count(), "funded": funded, "comparison": {"n": 0, "level": None},
           "min_group": MIN_GROUP}  # fmt: skip
    start = grants.aggregate(d=Min("decided_at"))["d"]
    if not model or start is None:
        return out
    scope = scope_of(user)
    sizes = set(grants.values_list("enterprise__size_class", flat=True))
    pool = Enterprise.objects.filter(removed_at__isnull=True, size_class__in=sizes).exclude(
        pk__in=FundingApplication.objects.filter(programme=programme).values("enterprise_id")
    )
    if not scope.is_admin:
        pool = pool.filter(under_paths("county_id", scope.officer_paths))
    results = AssessmentResult.objects.filter(
        is_current=True, assessment__model_code=model, assessment__status="submitted",
        assessment__enterprise=OuterRef("pk"),
    ).annotate(at_level=Coalesce("level", 0)).order_by("-assessment__submitted_at", "-id")  # fmt: skip
    before = results.filter(assessment__submitted_at__lt=start).values("at_level")[:1]
    after = results.filter(assessment__submitted_at__gte=start).values("at_level")[:1]
    pairs = pool.annotate(before=Subquery(before), after=Subquery(after)).exclude(before=None).exclude(after=None)
    deltas = [after - before for before, after in pairs.values_list("before", "after")]
    out["comparison"] = {"n": len(deltas), "level": sum(deltas) / len(deltas) if deltas else None}
    return out
