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

WRITE_BATCH = 2000  # rows written at a time: what is built for them lives only while they are written


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


def related_changes(plan: Plan) -> Related:
    """Decide the figures, labels and contacts each row changes for the enterprises already in the archive,
    recording the changes on its action (so the preview counts an enterprise whose only change is this year's
    figures as updated). Both phases plan this the same way.

    A new enterprise is "新增" whatever it brings: its figures, labels and contacts are built while it is written, a
    batch at a time (`write`). Built for all rows at once they were most of a large first import's check, and held
    ~90 MB at the peak of a 100,000-row commit."""
    actions = [a for a in plan.actions if not a.is_new]
    figures = _figure_changes(actions)
    labels = _label_changes(actions)
    contacts = _contact_changes(actions)
    return Related(*figures, *labels, *contacts)


def _in_row_order(chunk: list[Action], built: list, planned: list, start: int) -> tuple[list, int]:
    """The rows to insert for a batch of actions, in the order of the file's rows: `built` for the batch's new
    enterprises, `planned[start:]` (in row order, made by `related_changes`) for those already in the archive.
    Returns them and where the next batch's planned rows begin, so every table gets its rows (and ids) in the
    order of the file, as when all were inserted at once."""
    members = {id(a.enterprise) for a in chunk if not a.is_new}
    end = start
    while end < len(planned) and id(planned[end].enterprise) in members:
        end += 1
    by_enterprise: dict[int, list] = {}
    for obj in [*built, *planned[start:end]]:
        by_enterprise.setdefault(id(obj.enterprise), []).append(obj)
    rows = [obj for a in chunk for obj in by_enterprise.get(id(a.enterprise), ())]
    for obj in rows:
        obj.enterprise_id = obj.enterprise.pk
    return rows, end


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
    """Write every row of a checked plan (inside the commit's transaction); the done job's message and counts.

    A batch of rows at a time: the new enterprises' figures, labels and contacts are built (the figures set the
    enterprise's latest ones, so before it is inserted), then the batch's enterprises, their rows beside them and
    their timeline entries are inserted, and what was built is dropped (core.bulk)."""
    now = timezone.now()
    changed = [a.enterprise for a in plan.actions if not a.is_new and a.changes]
    for enterprise in changed:
        enterprise.updated_at = now
    bulk.update_rows(changed, ENTERPRISE_WRITE_FIELDS)  # bulk_update's CASE per batch is quadratic (core.bulk)
    bulk.update_rows(related.figures_updated, list(FIGURE_KEYS))
    bulk.update_rows(related.labels_updated, ["year"])
    bulk.update_rows(related.contacts_updated, ["phone", "email"])
    source = f"导入文件“{job.original_name}”第 {{row}} 行"
    at = {"figures": 0, "labels": 0, "contacts": 0}
    for chunk in chunks(plan.actions, WRITE_BATCH):
        phase.tick()  # between the batches: past the time limit, the whole transaction rolls back
        fresh = [a for a in chunk if a.is_new]
        figures = _figure_changes(fresh)[0]  # new enterprises: nothing to update
        labels = _label_changes(fresh)[0]
        contacts = _contact_changes(fresh)[0]
        new = [a.enterprise for a in fresh]
        for enterprise in new:
            enterprise.created_at = enterprise.updated_at = now
        bulk.insert_rows(new, key="credit_code")  # linear: bulk_create compiled ~2.7M values (core.bulk)
        for name, built, planned in (
            ("figures", figures, related.figures_new),
            ("labels", labels, related.labels_new),
            ("contacts", contacts, related.contacts_new),
        ):
            rows, at[name] = _in_row_order(chunk, built, planned, at[name])
            bulk.insert_rows(rows)
        _write_events(job, [a for a in chunk if a.is_new or a.changes], source)
    return {
        "message": f"已导入：新增 {plan.created} 家，更新 {plan.updated} 家，{plan.unchanged} 家无变化",
        "created_count": plan.created,
        "updated_count": plan.updated,
        "unchanged_count": plan.unchanged,
    }


def _write_events(job: ImportJob, written: list[Action], source: str) -> None:
    """One timeline entry per created or changed enterprise, naming the file and row it came from."""
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
        for a in written
    ]
    bulk.insert_rows(rows)
