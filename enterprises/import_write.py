"""Writing a checked enterprise import: the figures, labels and contacts each row changes, then every row in bulk
with one timeline entry per created or changed enterprise. Called inside the commit's transaction (imports.py)."""

from dataclasses import dataclass, field

from django.utils import timezone

from core import bulk, jobs

from . import events
from .import_plan import FIGURE_KEYS, Action, Plan, chunks
from .import_rows import ENTERPRISE_FIELDS, HEADERS
from .models import Contact, EnterpriseFigures, EnterpriseLabel, ImportJob
from .services import apply_size


def _figure_changes(actions: list[Action]) -> tuple[list[EnterpriseFigures], list[EnterpriseFigures]]:
    """Figures rows to create and to update, and their changes recorded on each action."""
    with_figures = [a for a in actions if "year" in a.row.values]
    keys = {(a.enterprise.pk, a.row.values["year"]) for a in with_figures if not a.is_new}
    current: dict[tuple[int, int], EnterpriseFigures] = {}
    ids = sorted({pk for pk, _ in keys})
    for chunk in chunks(ids):
        for fig in EnterpriseFigures.objects.filter(enterprise_id__in=chunk):
            current[(fig.enterprise_id, fig.year)] = fig
    to_create, to_update = [], []
    for action in with_figures:
        values, year = action.row.values, action.row.values["year"]
        fig = None if action.is_new else current.get((action.enterprise.pk, year))
        is_new_fig = fig is None
        fig = fig or EnterpriseFigures(enterprise=action.enterprise, year=year)
        changed = False
        for key in FIGURE_KEYS:
            if key in values and getattr(fig, key) != values[key]:
                if not action.is_new:
                    action.changes.append(
                        events.change(f"{year}.{key}", f"{year}年{HEADERS[key]}", getattr(fig, key), values[key])
                    )
                setattr(fig, key, values[key])
                changed = True
        if is_new_fig:
            to_create.append(fig)
        elif changed:
            to_update.append(fig)
        if changed or is_new_fig:
            enterprise = action.enterprise
            if enterprise.figures_year is None or year >= enterprise.figures_year:
                enterprise.figures_year = year
                enterprise.employees, enterprise.revenue, enterprise.assets = fig.employees, fig.revenue, fig.assets
                apply_size(enterprise)
    return to_create, to_update


def _label_changes(actions: list[Action]) -> tuple[list[EnterpriseLabel], list[EnterpriseLabel]]:
    with_labels = [a for a in actions if "labels" in a.row.values]
    current: dict[tuple[int, str], EnterpriseLabel] = {}
    ids = [a.enterprise.pk for a in with_labels if not a.is_new]
    for chunk in chunks(ids):
        for link in EnterpriseLabel.objects.filter(enterprise_id__in=chunk):
            current[(link.enterprise_id, link.label_id)] = link
    to_create, to_update = [], []
    for action in with_labels:
        for code, year in action.row.values["labels"].items():
            link = None if action.is_new else current.get((action.enterprise.pk, code))
            if link is None:
                to_create.append(EnterpriseLabel(enterprise=action.enterprise, label_id=code, year=year))
                if not action.is_new:
                    action.changes.append(events.change(f"label.{code}", f"标签 {code}", "", year or "有"))
            elif year is not None and link.year != year:
                action.changes.append(events.change(f"label.{code}", f"标签 {code} 年度", link.year, year))
                link.year = year
                to_update.append(link)
    return to_create, to_update


def _contact_changes(actions: list[Action]) -> tuple[list[Contact], list[Contact]]:
    with_contact = [a for a in actions if "contact_name" in a.row.values]
    current: dict[tuple[int, str], Contact] = {}
    ids = [a.enterprise.pk for a in with_contact if not a.is_new]
    for chunk in chunks(ids):
        for contact in Contact.objects.filter(enterprise_id__in=chunk):
            current.setdefault((contact.enterprise_id, contact.name), contact)
    to_create, to_update = [], []
    for action in with_contact:
        values = action.row.values
        contact = None if action.is_new else current.get((action.enterprise.pk, values["contact_name"]))
        fresh = contact is None
        contact = contact or Contact(
            enterprise=action.enterprise, name=values["contact_name"], is_primary=action.is_new
        )
        changed = False
        for key, attname in (("contact_phone", "phone"), ("contact_email", "email")):
            if key in values and getattr(contact, attname) != values[key]:
                setattr(contact, attname, values[key])
                changed = True
        if fresh:
            to_create.append(contact)
        elif changed:
            to_update.append(contact)
        if not action.is_new and (fresh or changed):
            action.changes.append(events.change("contacts", "联系人", "", values["contact_name"]))
    return to_create, to_update


@dataclass
class Related:
    """The rows beside each enterprise that a plan creates or updates: figures, label links, contacts."""

    figures_new: list[EnterpriseFigures] = field(default_factory=list)
    figures_updated: list[EnterpriseFigures] = field(default_factory=list)
    labels_new: list[EnterpriseLabel] = field(default_factory=list)
    labels_updated: list[EnterpriseLabel] = field(default_factory=list)
    contacts_new: list[Contact] = field(default_factory=list)
    contacts_updated: list[Contact] = field(default_factory=list)


def related_changes(plan: Plan, *, for_commit: bool = True) -> Related:
    """Decide the figures, labels and contacts each row changes, recording the changes on its action (so the
    preview counts an enterprise whose only change is this year's figures as updated).

    The check needs this for the enterprises already in the archive only: a new enterprise is "新增" whatever it
    brings, and building its figures, labels and contacts is most of the check's cost on a large first import."""
    actions = plan.actions if for_commit else [a for a in plan.actions if not a.is_new]
    figures = _figure_changes(actions)
    labels = _label_changes(actions)
    contacts = _contact_changes(actions)
    return Related(*figures, *labels, *contacts)


ENTERPRISE_WRITE_FIELDS = [
    *ENTERPRISE_FIELDS.values(),
    "name_initials",
    "figures_year",
    "employees",
    "revenue",
    "assets",
    "size_class",
    "is_above_scale",
    "updated_at",
]


def write(job: ImportJob, plan: Plan, related: Related, phase: jobs.Phase) -> dict:
    """Write every row of a checked plan (inside the commit's transaction); the done job's message and counts."""
    now = timezone.now()
    new = [a.enterprise for a in plan.actions if a.is_new]
    for enterprise in new:
        enterprise.created_at = enterprise.updated_at = now
    bulk.insert_rows(new, key="credit_code")  # linear: bulk_create compiled ~2.7M values (core.bulk)
    phase.tick()  # between the steps of the write: past the limit, the whole transaction rolls back
    changed = [a.enterprise for a in plan.actions if not a.is_new and a.changes]
    for enterprise in changed:
        enterprise.updated_at = now
    bulk.update_rows(changed, ENTERPRISE_WRITE_FIELDS)  # bulk_update's CASE per batch is quadratic (core.bulk)
    for fig in related.figures_new:
        fig.enterprise_id = fig.enterprise.pk
    bulk.insert_rows(related.figures_new)
    bulk.update_rows(related.figures_updated, list(FIGURE_KEYS))
    for link in related.labels_new:
        link.enterprise_id = link.enterprise.pk
    bulk.insert_rows(related.labels_new)
    bulk.update_rows(related.labels_updated, ["year"])
    for contact in related.contacts_new:
        contact.enterprise_id = contact.enterprise.pk
    bulk.insert_rows(related.contacts_new)
    bulk.update_rows(related.contacts_updated, ["phone", "email"])
    phase.tick()
    _write_events(job, plan)
    return {
        "message": f"已导入：新增 {plan.created} 家，更新 {plan.updated} 家，{plan.unchanged} 家无变化",
        "created_count": plan.created,
        "updated_count": plan.updated,
        "unchanged_count": plan.unchanged,
    }


def _write_events(job: ImportJob, plan: Plan) -> None:
    """One timeline entry per created or changed enterprise, naming the file and row it came from."""
    source = f"导入文件“{job.original_name}”第 {{row}} 行"
    written = [a for a in plan.actions if a.is_new or a.changes]
    for chunk in chunks(written):  # built a batch at a time: 100,000 unsaved events at once held ~100 MB
        rows = [
            events.build(
                a.enterprise.pk,
                events.Kind.IMPORTED,
                actor=job.created_by,
                summary=("建档（" if a.is_new else events.summarise(a.changes) + "（")
                + source.format(row=a.row.number)
                + "）",
                data={"import_job": str(job.pk), "row": a.row.number, "changes": a.changes},
            )
            for a in chunk
        ]
        bulk.insert_rows(rows)
