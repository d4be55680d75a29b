"""Re-checking a funding programme's eligibility for every enterprise of a region, in bulk (as
`recognition.rechecks` does for a recognition programme's prerequisites): the facts are read in a few queries
(`facts.facts_in`), each distinct combination of the facts the programme's rules read is evaluated once, and the
outcomes (met / unknown / not_met, with the rules holding the enterprise back) are written in batches with
progress. `start` queues it as a background task (`tasks.recheck_eligibility`); `run` is what the task runs."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core.bulk import gc_paused, insert_rows
from enterprises.models import Enterprise
from regions.models import prefix_range

from . import rules
from .facts import facts_in
from .models import EligibilityResult, EligibilityRun, Programme

BATCH = 20_000
BLOCKING = ("not_met", "unknown")


def start(*, actor, programme: Programme, region) -> EligibilityRun:
    """Queue a re-check of the programme's eligibility rules for every enterprise of a region the actor governs and
    the programme covers."""
    from .tasks import recheck_eligibility

    if not scope_of(actor).manages_code(region.code):
        raise PermissionDenied(_("只能核查本部门主管地区的企业"))
    if not region.path.startswith(programme.region.path):
        raise ValidationError(_("%(region)s 不在该项目的发布地区（%(programme_region)s）之内")
                              % {"region": region.full_name, "programme_region": programme.region.full_name})
    if not programme.takes_applications:
        raise ValidationError(_("该项目没有申报条件，无法核查"))
    eligibility_run = EligibilityRun.objects.create(programme=programme, region=region, started_by=actor)
    transaction.on_commit(lambda: recheck_eligibility.enqueue(eligibility_run.pk))
    return eligibility_run


def relevant(spec: rules.Spec) -> Callable[[rules.Facts], tuple]:
    """The memo key of an enterprise's facts: only what the programme's rules read. Two enterprises that differ only
    in facts no rule reads (another industry, a label no rule names …) get the same outcome and the same blockers,
    and so do two whose staff numbers sit on the same side of every staff threshold (12 and 15 against "≥ 20"): a
    province's 300,000 enterprises fall into a few hundred keys instead of one each. The outcome of a key is
    computed from the facts of the first enterprise that has it (`run`)."""
    read = {rule.fact for rule in spec.rules}
    models = frozenset(rule.model for rule in spec.rules if rule.fact == "level")
    named: set[str] = set()
    for rule in spec.rules:
        if rule.fact == "label":
            named.update(rule.value if isinstance(rule.value, tuple) else (rule.value,))
    named_labels = frozenset(named)
    thresholds = tuple(sorted({rule.value for rule in spec.rules if rule.fact == "employees"}))
    county, industry, size = "county" in read, "industry" in read, "size_class" in read
    above, tier = "above_scale" in read, "tier" in read

    def key(facts: rules.Facts) -> tuple:
        staff = facts.employees
        return (
            facts.county_id if county else "", facts.industry if industry else "",
            facts.size_class if size else "", facts.above_scale if above else None,
            facts.tier_rank if tier else 0,
            None if staff is None else tuple((staff > t) - (staff < t) for t in thresholds),
            facts.labels & named_labels if named_labels else frozenset(),
            tuple(pair for pair in facts.levels if pair[0] in models) if models else (),
        )  # fmt: skip

    return key


def run(run_id: int | EligibilityRun) -> EligibilityRun:
    """Compute a run's outcomes for its region, writing results and progress in batches. A failure marks the run
    failed with the message (and is raised again, so the task shows it too)."""
    started = time.perf_counter()
    pk = run_id.pk if isinstance(run_id, EligibilityRun) else run_id
    eligibility_run = EligibilityRun.objects.select_related("programme", "region").get(pk=pk)
    path = eligibility_run.region.path
    EligibilityRun.objects.filter(pk=pk).update(
        status=EligibilityRun.Status.RUNNING, done=0, counts={}, error="", finished_at=None, seconds=None,
        total=Enterprise.objects.filter(removed_at__isnull=True, **prefix_range("county_id", path)).count(),
    )  # fmt: skip
    counts: dict[str, int] = {}
    done = 0
    try:
        EligibilityResult.objects.filter(run_id=pk).delete()  # a re-run of this run starts over; other runs stay
        spec = eligibility_run.programme.rules
        key_of = relevant(spec)
        memo: dict[tuple, tuple[str, str]] = {}
        batch: list[EligibilityResult] = []
        with gc_paused():
            for enterprise_id, facts in facts_in(path):
                key = key_of(facts)
                verdict = memo.get(key)
                if verdict is None:
                    check = rules.eligibility(spec, facts)
                    blockers = "、".join(i.label for i in check.items if i.outcome in BLOCKING)[:300]
                    verdict = memo[key] = (check.outcome, blockers)
                counts[verdict[0]] = counts.get(verdict[0], 0) + 1
                batch.append(_result(pk, enterprise_id, *verdict))
                if len(batch) >= BATCH:
                    done += _flush(pk, batch, done)
        done += _flush(pk, batch, done)
    except Exception as error:
        EligibilityRun.objects.filter(pk=pk).update(
            status=EligibilityRun.Status.FAILED, error=(str(error) or type(error).__name__)[:500],
            finished_at=timezone.now(), seconds=round(time.perf_counter() - started, 2),
        )  # fmt: skip
        raise
    EligibilityRun.objects.filter(pk=pk).update(
        status=EligibilityRun.Status.DONE, counts=counts, done=done, finished_at=timezone.now(),
        seconds=round(time.perf_counter() - started, 2),
    )  # fmt: skip
    eligibility_run.refresh_from_db()
    return eligibility_run


def _result(run_id: int, enterprise_id: int, outcome: str, blockers: str) -> EligibilityResult:
    """A result to insert, its fields set directly rather than through `Model.__init__`: 300,000 of those took
    ~5 s of a province's run, and `insert_rows` only reads the fields' attributes."""
    result = _new(EligibilityResult)
    result.__dict__.update({"_state": ModelState(), "id": None, "run_id": run_id, "enterprise_id": enterprise_id,
                            "outcome": outcome, "blockers": blockers})  # fmt: skip
    return result


_new = EligibilityResult.__new__


def _flush(pk: int, batch: list, done: int) -> int:
    n = len(batch)
    if n:
        with transaction.atomic():
            insert_rows(batch)
        EligibilityRun.objects.filter(pk=pk).update(done=done + n)
        batch.clear()
    return n
