"""Re-checking a programme's prerequisites for every enterprise of a region, in bulk: the facts are read in a few
queries (latest CMMM result by trust, tier labels, current declarations), each distinct combination of facts is
evaluated once (a province has a few thousand among 300,000 enterprises), and the outcomes are written in
batches with progress. Run as a background task (`tasks.recheck_prerequisites`)."""

from __future__ import annotations

import time
from collections.abc import Iterator

from django.db import transaction
from django.utils import timezone

from airegistry.facts import gate_labels_in
from assessments import tiers
from assessments.facts import TierFact
from assessments.models import AssessmentResult
from core.bulk import insert_rows
from enterprises.models import Enterprise, EnterpriseLabel
from maturity.conditions import facts_in_force
from maturity.tier_model import resolve
from regions.models import prefix_range

from .models import PrerequisiteResult, PrerequisiteRun
from .prerequisites import Facts, _hashable, items_for

BATCH = 20_000
BLOCKING = ("not_met", "unknown", "undeclared")


def _latest_cmmm(path: str) -> dict[int, int | None]:
    """Each enterprise's CMMM level from its most trusted, then latest, current result (as tiers.cmmm_result)."""
    best: dict[int, tuple] = {}
    rows = AssessmentResult.objects.filter(
        is_current=True, assessment__model_code="cmmm", **prefix_range("assessment__enterprise__county_id", path)
    ).values_list("assessment__enterprise_id", "assessment__kind", "assessment__submitted_at", "level")
    for enterprise_id, kind, submitted_at, level in rows.iterator(chunk_size=10_000):
        key = (tiers.KIND_WEIGHT[kind], submitted_at)
        held = best.get(enterprise_id)
        if held is None or key > held[0]:
            best[enterprise_id] = (key, level)
    return {pk: level for pk, (_key, level) in best.items()}


def _held_ranks(path: str) -> dict[int, int]:
    ranks: dict[int, int] = {}
    rows = EnterpriseLabel.objects.filter(
        label_id__in=list(tiers.TIER_LABELS), **prefix_range("enterprise__county_id", path)
    ).values_list("enterprise_id", "label_id")
    for enterprise_id, label in rows.iterator(chunk_size=10_000):
        rank = tiers.ORDER.index(tiers.TIER_LABELS[label])
        ranks[enterprise_id] = max(rank, ranks.get(enterprise_id, 0))
    return ranks


def _declarations(path: str) -> dict[int, list[tuple]]:
    found: dict[int, list[tuple]] = {}
    rows = TierFact.objects.filter(is_current=True, **prefix_range("enterprise__county_id", path)).values_list(
        "enterprise_id", "key", "value", "status", "reason"
    )
    for enterprise_id, key, value, status, _reason in rows.iterator(chunk_size=10_000):
        # The reason a declaration was sent back is for the enterprise's own page; the outcome does not depend on it.
        found.setdefault(enterprise_id, []).append((key, _hashable(value), status, ""))
    return found


def facts_in(path: str) -> Iterator[tuple[int, Facts]]:
    """(enterprise id, Facts) for every enterprise in the archive under `path`, as `prerequisites.facts_of` reads
    one enterprise (but for the stand-in county and the reasons of declarations sent back, which change no
    outcome)."""
    cmmm, held, declared = _latest_cmmm(path), _held_ranks(path), _declarations(path)
    gates = gate_labels_in(path)
    model = tiers.tier_model()
    in_force: dict[str, tuple[str, tuple[str, ...]]] = {}  # county → (its stand-in county, declared keys in force)
    stand_ins: dict[tuple[str, ...], str] = {}
    rows = Enterprise.objects.filter(removed_at__isnull=True, **prefix_range("county_id", path)).values_list(
        "pk", "county_id", "is_above_scale"
    )
    for pk, county_id, above in rows.order_by("pk").iterator(chunk_size=10_000):
        known = in_force.get(county_id)
        if known is None:
            # Counties under the same provincial/city overrides evaluate alike: one of them stands in for all, so
            # the memo of `run` holds a few hundred combinations of facts, not one per county.
            overrides = resolve(model, county_id).overrides
            stand_in = stand_ins.setdefault(overrides, county_id)
            known = in_force[county_id] = (stand_in, facts_in_force(model, county_id, source="declared"))
        stand_in, keys = known
        mine = tuple(sorted(d for d in declared.get(pk, ()) if d[0] in keys))
        yield pk, Facts(stand_in, bool(above), held.get(pk, 0), cmmm.get(pk), mine, frozenset(gates.get(pk, ())))


def run(prerequisite_run: PrerequisiteRun) -> PrerequisiteRun:
    """Compute a run's outcomes for its region, writing results and progress in batches."""
    started = time.perf_counter()
    rules = prerequisite_run.programme.rules
    path = prerequisite_run.region.path
    PrerequisiteRun.objects.filter(pk=prerequisite_run.pk).update(
        status=PrerequisiteRun.Status.RUNNING,
        total=Enterprise.objects.filter(removed_at__isnull=True, **prefix_range("county_id", path)).count(),
    )
    PrerequisiteResult.objects.filter(run=prerequisite_run).delete()  # a rerun of a failed run starts over
    memo: dict[Facts, tuple[str, str]] = {}
    counts: dict[str, int] = {}
    batch: list[PrerequisiteResult] = []
    done = 0
    try:
        for pk, facts in facts_in(path):
            verdict = memo.get(facts)
            if verdict is None:
                check = items_for(rules, facts)
                blockers = "、".join(i.name for i in check.items if i.outcome in BLOCKING)[:300]
                verdict = memo[facts] = (check.outcome, blockers)
            counts[verdict[0]] = counts.get(verdict[0], 0) + 1
            batch.append(PrerequisiteResult(run_id=prerequisite_run.pk, enterprise_id=pk, outcome=verdict[0],
                                            blockers=verdict[1]))  # fmt: skip
            if len(batch) >= BATCH:
                done += _flush(prerequisite_run, batch, done)
        done += _flush(prerequisite_run, batch, done)
    except Exception as error:
        PrerequisiteRun.objects.filter(pk=prerequisite_run.pk).update(
            status=PrerequisiteRun.Status.FAILED, error=str(error)[:500], finished_at=timezone.now()
        )
        raise
    PrerequisiteRun.objects.filter(pk=prerequisite_run.pk).update(
        status=PrerequisiteRun.Status.DONE, counts=counts, done=done, finished_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 2),
    )  # fmt: skip
    prerequisite_run.refresh_from_db()
    return prerequisite_run


def _flush(prerequisite_run: PrerequisiteRun, batch: list, done: int) -> int:
    n = len(batch)
    if n:
        with transaction.atomic():
            insert_rows(batch)
        PrerequisiteRun.objects.filter(pk=prerequisite_run.pk).update(done=done + n)
        batch.clear()
    return n
