"""Writes to the archive. Views, the API, imports, commands and tasks all call these; each is one transaction
and records what changed on the enterprise's timeline."""

from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

from django.db import transaction
from django.utils import timezone
from pypinyin import Style
from pypinyin.converter import UltimateConverter
from pypinyin.core import Pinyin

from . import events
from .models import (
    Chain,
    ChainMembership,
    Cluster,
    ClusterMembership,
    Enterprise,
    EnterpriseFigures,
    EnterpriseLabel,
)
from .sizing import class_and_scale

Kind = events.Kind

# Fields whose changes appear in the audit trail, with the words users see.
TRACKED = {
    "name": "企业名称",
    "county_id": "所在区县",
    "address": "详细地址",
    "industry_id": "行业大类",
    "industry_group_id": "行业中类",
    "founded_on": "成立日期",
    "notes": "备注",
    "former_names": "曾用名",
}


# What `lazy_pinyin` builds on every call, built once: the name is cut into words as lazy_pinyin cuts it (runs of
# Han characters split by the phrase dictionary, other runs whole), and each word converted alone, so a polyphonic
# character still reads as in its phrase (银行 → YH, 行业 → HY).
_PINYIN = Pinyin(UltimateConverter(v_to_u=False, neutral_tone_with_five=False, tone_sandhi=False))


@lru_cache(maxsize=1 << 16)
def _word_initials(word: str) -> str:
    """A word's conversion depends on the word alone: names share most of theirs (江西, 机械, 有限公司), so an import
    of 100,000 names converts a few thousand words instead of a million characters (~0.4 ms a name before)."""
    return "".join(part[0] for part in _PINYIN.lazy_pinyin([word], style=Style.FIRST_LETTER) if part)


def initials(name: str) -> str:
    """Pinyin initials for search: 江西华联机械 → JXHLJX. Letters and digits in the name are kept as they are.
    The same as `lazy_pinyin(name, style=Style.FIRST_LETTER)` joined by first letters (a test compares them)."""
    return "".join(_word_initials(word) for word in _PINYIN.seg(name)).upper()[:200]


@dataclass
class Figures:
    year: int
    employees: int | None = None
    revenue: Decimal | None = None
    assets: Decimal | None = None


def refresh_derived(enterprise: Enterprise) -> None:
    """Copy the latest year's figures onto the enterprise and derive size class and above-scale status."""
    latest = enterprise.figures.order_by("-year").first()
    if latest is None:
        enterprise.figures_year = enterprise.employees = enterprise.revenue = enterprise.assets = None
    else:
        enterprise.figures_year = latest.year
        enterprise.employees, enterprise.revenue, enterprise.assets = latest.employees, latest.revenue, latest.assets
    apply_size(enterprise)


def apply_size(enterprise: Enterprise) -> None:
    enterprise.size_class, enterprise.is_above_scale = class_and_scale(enterprise.employees, enterprise.revenue)


def _prepare_name(enterprise: Enterprise, old_name: str | None) -> None:
    enterprise.name_initials = initials(enterprise.name)
    if old_name and old_name != enterprise.name and old_name not in enterprise.former_names:
        enterprise.former_names = [*enterprise.former_names, old_name]


@transaction.atomic
def enterprise_create(*, actor, enterprise: Enterprise, figures: Figures | None = None) -> Enterprise:
    """Create from a validated, unsaved Enterprise (form or schema)."""
    _prepare_name(enterprise, None)
    enterprise.save()
    if figures is not None:
        EnterpriseFigures.objects.create(enterprise=enterprise, **figures.__dict__)
        refresh_derived(enterprise)
        enterprise.save(
            update_fields=["figures_year", "employees", "revenue", "assets", "size_class", "is_above_scale"]
        )
    events.record(enterprise, Kind.CREATED, actor=actor, summary="新建企业档案")
    return enterprise


@transaction.atomic
def enterprise_update(*, actor, enterprise: Enterprise, data: dict) -> list[dict]:
    """Apply field changes; returns the recorded changes (empty when nothing changed, and then nothing is written)."""
    before = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    for field, value in data.items():
        setattr(enterprise, field, value)
    _prepare_name(enterprise, before.name)
    changes = [
        events.change(field, label, getattr(before, field), getattr(enterprise, field))
        for field, label in TRACKED.items()
        if getattr(before, field) != getattr(enterprise, field)
    ]
    if changes:
        enterprise.save()
        events.record(
            enterprise, Kind.CHANGED, actor=actor, summary=events.summarise(changes), data={"changes": changes}
        )
    return changes


@transaction.atomic
def enterprise_set_figures(*, actor, enterprise: Enterprise, figures: Figures) -> list[dict]:
    row, created = EnterpriseFigures.objects.get_or_create(enterprise=enterprise, year=figures.year)
    changes = []
    for field, label in (("employees", "从业人员"), ("revenue", "营业收入（万元）"), ("assets", "资产总额（万元）")):
        old, new = (None if created else getattr(row, field)), getattr(figures, field)
        if created or old != new:
            if new is not None or old is not None:
                changes.append(events.change(f"{figures.year}.{field}", f"{figures.year}年{label}", old, new))
            setattr(row, field, new)
    if not changes:
        if created:
            row.delete()
        return []
    row.save()
    refresh_derived(enterprise)
    enterprise.save()
    events.record(enterprise, Kind.CHANGED, actor=actor, summary=events.summarise(changes), data={"changes": changes})
    return changes


@transaction.atomic
def enterprise_set_labels(*, actor, enterprise: Enterprise, labels: dict[str, int | None]) -> list[dict]:
    """Replace the enterprise's labels with {label code: year}."""
    current = {link.label_id: link for link in enterprise.label_links.select_related("label")}
    changes = []
    for code, link in current.items():
        if code not in labels:
            changes.append(events.change(f"label.{code}", f"标签“{link.label.name}”", link.year or "有", ""))
            link.delete()
    for code, year in labels.items():
        link = current.get(code)
        if link is None:
            link = EnterpriseLabel.objects.create(enterprise=enterprise, label_id=code, year=year)
            changes.append(events.change(f"label.{code}", f"标签“{link.label.name}”", "", year or "有"))
        elif link.year != year:
            changes.append(events.change(f"label.{code}", f"标签“{link.label.name}”年度", link.year, year))
            link.year = year
            link.save(update_fields=["year"])
    if changes:
        events.record(
            enterprise, Kind.CHANGED, actor=actor, summary=events.summarise(changes), data={"changes": changes}
        )
    return changes


@transaction.atomic
def enterprise_set_contacts(*, actor, enterprise: Enterprise, formset) -> bool:
    """Save a contacts formset; the audit trail names who was added or removed but keeps no phone numbers."""
    before = sorted(enterprise.contacts.values_list("name", flat=True))
    formset.save()
    after = sorted(enterprise.contacts.values_list("name", flat=True))
    if not formset.has_changed():
        return False
    changes = [events.change("contacts", "联系人", before, after)]
    events.record(enterprise, Kind.CHANGED, actor=actor, summary="修改了联系人", data={"changes": changes})
    return True


def enterprise_add_note(*, actor, enterprise: Enterprise, text: str, visibility: str | None = None):
    """A work record. The governing side chooses internal or shared (internal when unsaid); an enterprise's own
    note is always shared with it, whatever was asked."""
    text = text.strip()
    if visibility is None or not events.may_choose_visibility(actor, enterprise):
        visibility = events.note_visibility(actor, enterprise)
    return events.record(
        enterprise, Kind.NOTE, actor=actor, summary=text[:120], data={"text": text}, visibility=visibility
    )


@transaction.atomic
def enterprise_remove(*, actor, enterprise: Enterprise, reason: str) -> Enterprise:
    """Soft delete: the record leaves every list but its history is kept and it can be restored."""
    enterprise.removed_at = timezone.now()
    enterprise.save(update_fields=["removed_at", "updated_at"])
    events.record(enterprise, Kind.REMOVED, actor=actor, summary=f"移出档案：{reason}"[:300], data={"reason": reason})
    return enterprise


@transaction.atomic
def grouping_add_member(*, actor, grouping: Cluster | Chain, enterprise: Enterprise, position: str = "") -> None:
    if isinstance(grouping, Cluster):
        _, created = ClusterMembership.objects.get_or_create(cluster=grouping, enterprise=enterprise)
        summary = f"加入产业集群“{grouping.name}”"
    else:
        link, created = ChainMembership.objects.get_or_create(
            chain=grouping, enterprise=enterprise, defaults={"position": position}
        )
        if not created and link.position != position:
            link.position = position
            link.save(update_fields=["position"])
            created = True
        summary = f"产业链“{grouping.name}”：{ChainMembership.Position(position).label}"
    if created:
        events.record(enterprise, Kind.GROUPING, actor=actor, summary=summary)


@transaction.atomic
def grouping_remove_member(*, actor, grouping: Cluster | Chain, enterprise: Enterprise) -> None:
    deleted, _ = grouping.memberships.filter(enterprise=enterprise).delete()
    if deleted:
        kind = "产业集群" if isinstance(grouping, Cluster) else "产业链"
        events.record(enterprise, Kind.GROUPING, actor=actor, summary=f"移出{kind}“{grouping.name}”")
