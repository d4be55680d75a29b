"""The registry's records as the gates read them, and the gates an enterprise's reviewed entries pass — as facts
that funding and recognition programmes can use as prerequisites.

A programme names a gate as a label fact: an enterprise "carries" `ai-gate:<gate code>` when at least one of its
entries that an officer has accepted or published passes that gate (drafts and submitted entries never count).
`gate_labels_of(enterprise_id)` answers for one enterprise, `gate_labels_in(path)` for a region in a few queries."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from functools import cache

from django.utils import timezone
from django.utils.translation import gettext as _

from regions.models import prefix_range

from . import gates
from .models import Entry, Evaluation, SceneModel

LABEL_PREFIX = "ai-gate:"
REVIEWED = (Entry.Status.ACCEPTED, Entry.Status.PUBLISHED)


@cache
def gate_specs() -> tuple[gates.Gate, ...]:
    return tuple(gates.shipped())


def with_parts(queryset):
    """The entries with the rows their facts read, in three more queries whatever their number."""
    return queryset.prefetch_related("scenes", "deployments", "evaluations")


def facts_of(entry: Entry) -> gates.Facts:
    scenes = list(entry.scenes.all())
    deployments = list(entry.deployments.all())
    evaluations = tuple(
        gates.Evaluation(standard=e.standard, evaluated_on=e.evaluated_on,
                         scores=tuple((d, getattr(e, d)) for d in Evaluation.DIMENSIONS if getattr(e, d) is not None))
        for e in entry.evaluations.all()
    )  # fmt: skip
    return gates.Facts(
        kind=entry.kind, parameters=entry.parameters,
        general_scenes=sum(1 for s in scenes if s.kind == SceneModel.Kind.GENERAL),
        specific_scenes=sum(1 for s in scenes if s.kind == SceneModel.Kind.SPECIFIC),
        evaluations=evaluations, deployments=len(deployments),
        benefit_deployments=sum(1 for d in deployments if d.benefit.strip()),
        autonomy_level=entry.autonomy_level, task_success=entry.task_success, base_origin=entry.base_origin,
    )  # fmt: skip


def gate_results(entry: Entry, *, today: dt.date | None = None) -> list[gates.Result]:
    """Every shipped gate for this entry's kind, evaluated on its records now."""
    facts = facts_of(entry)
    today = today or timezone.localdate()
    return [gates.evaluate(g, facts, today=today) for g in gate_specs() if not g.kind or g.kind == entry.kind]


def _labels(entries: Iterable[Entry], today: dt.date) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for entry in entries:
        facts = facts_of(entry)
        for gate in gate_specs():
            if gates.evaluate(gate, facts, today=today).met:
                out.setdefault(entry.developer_enterprise_id, set()).add(LABEL_PREFIX + gate.code)
    return out


def gate_labels_of(enterprise_id: int, *, today: dt.date | None = None) -> set[str]:
    """`ai-gate:<code>` for every gate one of the enterprise's reviewed entries passes (empty when none)."""
    entries = with_parts(Entry.objects.filter(developer_enterprise_id=enterprise_id, status__in=REVIEWED))
    return _labels(entries, today or timezone.localdate()).get(enterprise_id, set())


def gate_labels_in(path: str, *, today: dt.date | None = None) -> dict[int, set[str]]:
    """enterprise id → its gate labels, for every developer enterprise in the region `path` (a code prefix)."""
    entries = with_parts(Entry.objects.filter(developer_enterprise__isnull=False, status__in=REVIEWED,
                                              **prefix_range("developer_enterprise__county_id", path)))  # fmt: skip
    return _labels(entries, today or timezone.localdate())


def gate_names() -> dict[str, str]:
    """Label code → name, for the pages of programmes that show a rule on a gate."""
    return {LABEL_PREFIX + g.code: g.name for g in gate_specs()}


def gate_item(code: str, labels: Iterable[str]) -> tuple[str, str, str, str, str]:
    """One prerequisite line for a programme that requires gate `code`, from the enterprise's gate labels:
    (name, outcome met|not_met, actual, required, reason) — the order of recognition.prerequisites.Item's fields."""
    names = gate_names()
    label = LABEL_PREFIX + code
    name = names.get(label, code)
    required = _("至少一项经审核的登记满足该门槛")
    if label in set(labels):
        return name, "met", _("已满足"), required, _("按工业模型与智能体登记记录核验")
    return name, "not_met", _("未满足"), required, _("没有经审核、满足该门槛的工业模型或智能体登记")
