"""What the eligibility rules read about enterprises (`rules.Facts`), for one enterprise or a whole region in a
few queries: its county, industry, size, above-scale flag, the highest tier it holds, its labels, and the level of
its latest current result per model (the most trusted kind first, then the latest — as the tier check reads).
Labels include `ai-gate:<code>` for every AI registry gate the enterprise's reviewed models and agents pass
(airegistry.facts), so a programme can require one like any title."""

from __future__ import annotations

from collections.abc import Iterator

from airegistry.facts import gate_labels_in, gate_labels_of
from assessments import tiers
from assessments.models import AssessmentResult
from enterprises.models import Enterprise, EnterpriseLabel
from regions.models import prefix_range

from .rules import Facts


def _levels(results) -> dict[int, dict[str, int]]:
    best: dict[tuple[int, str], tuple] = {}
    rows = results.values_list(
        "assessment__enterprise_id", "assessment__model_code", "assessment__kind", "assessment__submitted_at", "level"
    )
    for enterprise_id, model, kind, submitted_at, level in rows.iterator(chunk_size=10_000):
        key = (tiers.KIND_WEIGHT.get(kind, 0), submitted_at)
        held = best.get((enterprise_id, model))
        if held is None or key > held[0]:
            best[(enterprise_id, model)] = (key, level or 0)
    out: dict[int, dict[str, int]] = {}
    for (enterprise_id, model), (_key, level) in best.items():
        out.setdefault(enterprise_id, {})[model] = level
    return out


def _labels(links) -> dict[int, set[str]]:
    out: dict[int, set[str]] = {}
    for enterprise_id, label in links.values_list("enterprise_id", "label_id").iterator(chunk_size=10_000):
        out.setdefault(enterprise_id, set()).add(label)
    return out


def _facts(row: tuple, levels: dict[str, int], labels: set[str]) -> Facts:
    _pk, county, industry, size, above, employees = row
    rank = max((tiers.ORDER.index(tiers.TIER_LABELS[label]) for label in labels if label in tiers.TIER_LABELS),
               default=0)  # fmt: skip
    # above_scale and employees stay None when the archive does not say: the rule is then "unknown", not "not met".
    return Facts(county_id=county, industry=industry or "", size_class=size or "", above_scale=above,
                 tier_rank=rank, levels=tuple(sorted(levels.items())), labels=frozenset(labels),
                 employees=employees)  # fmt: skip


FIELDS = ("pk", "county_id", "industry_id", "size_class", "is_above_scale", "employees")


def facts_of(enterprise: Enterprise) -> Facts:
    results = AssessmentResult.objects.filter(
        is_current=True, assessment__enterprise=enterprise, assessment__status="submitted"
    )
    labels = _labels(EnterpriseLabel.objects.filter(enterprise=enterprise)).get(enterprise.pk, set())
    labels |= gate_labels_of(enterprise.pk)
    row = tuple(getattr(enterprise, name) for name in FIELDS)
    return _facts(row, _levels(results).get(enterprise.pk, {}), labels)


def facts_in(path: str) -> Iterator[tuple[int, Facts]]:
    """(enterprise id, facts) of every enterprise on the archive in the region `path`, in a few queries."""
    results = AssessmentResult.objects.filter(
        is_current=True, assessment__status="submitted", **prefix_range("assessment__enterprise__county_id", path)
    )
    levels = _levels(results)
    labels = _labels(EnterpriseLabel.objects.filter(**prefix_range("enterprise__county_id", path)))
    for pk, gates in gate_labels_in(path).items():
        labels.setdefault(pk, set()).update(gates)
    rows = Enterprise.objects.filter(removed_at__isnull=True, **prefix_range("county_id", path)).order_by("pk")
    for row in rows.values_list(*FIELDS).iterator(chunk_size=10_000):
        yield row[0], _facts(row, levels.get(row[0], {}), labels.get(row[0], set()))
