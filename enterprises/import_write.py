"""Writing a checked enterprise import, a batch of rows at a time: the figures, labels and contacts each row
changes, then the batch's rows in bulk with one timeline entry per created or changed enterprise. Called inside the
commit's transaction (imports.py); the check counts the same changes batch by batch (`record_related_changes`)."""

import functools

from django.utils import timezone

from core import bulk, jobs

from . import events
from .import_plan import FIGURE_KEYS, Action, Plan, chunks
from .import_rows import ENTERPRISE_FIELDS, HEADERS
from .models import Contact, EnterpriseFigures, EnterpriseLabel, ImportJob
from .services import apply_size

WRITE_BATCH = 2000  # rows written at a time: what is built for them lives only while they are written


@functools.cache
def _figure_names(year: int, key: str) -> tuple[str, str]:
    """A figure change's field and label: one pair of strings for every row that changes it, not one per row."""
    return f"{year}.{key}", f"{year}年{HEADERS[key]}"


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
                    name, label = _figure_names(year, key)
                    action.changes.append(events.change(name, label, getattr(fig, key), values[key]))
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


def _related_changes(actions: list[Action]) -> tuple[list, list]:
    """The figures, labels and contacts a batch of rows changes, recording the changes on each archived
    enterprise's action (so one whose only change is this year's figures counts as updated): the rows to insert, in
    the order of the file (a row's own rows in the order they are built: ids as when all were inserted at once), and
    the rows to update with the fields each table updates."""
    figures_new, figures_updated = _figure_changes(actions)
    labels_new, labels_updated = _label_changes(actions)
    contacts_new, contacts_updated = _contact_changes(actions)
    inserts = [figures_new, labels_new, contacts_new]
    updates = [
        (figures_updated, list(FIGURE_KEYS)),
        (labels_updated, ["year"]),
        (contacts_updated, ["phone", "email"]),
    ]
    return inserts, updates


# What remains of a row once it is counted (the check) or written (the commit): whether it is new, updated or
# unchanged, all Plan's counts read. Replacing a row's action by one of these drops its enterprise, its values and
# its changes (for 100,000 archived enterprises ~130 MB); nothing else is read from them.
_COUNTED_NEW = Action(row=None, enterprise=None, is_new=True)  # type: ignore[arg-type]
_COUNTED_UPDATED = Action(row=None, enterprise=None, is_new=False, changes=[{}])  # type: ignore[arg-type]
_COUNTED_UNCHANGED = Action(row=None, enterprise=None, is_new=False)  # type: ignore[arg-type]


def _counted(action: Action) -> Action:
    if action.is_new:
        return _COUNTED_NEW
    return _COUNTED_UPDATED if action.changes else _COUNTED_UNCHANGED


def _keep_counts(plan: Plan, start: int, end: int, keep: int) -> None:
    """Replace the actions of rows start..end (past the first `keep`, which the report shows) by their counts."""
    for index in range(max(start, keep), end):
        plan.actions[index] = _counted(plan.actions[index])


def record_related_changes(plan: Plan, *, keep: int) -> None:
    """Record on each archived enterprise's action the figures, labels and contacts its row changes, for the
    check's counts and report, a batch of rows at a time: the rows built to compare are dropped after each batch
    (held for a whole 100,000-row re-import they were ~250 MB at its peak). A new enterprise is "新增" whatever it
    brings, so nothing is built for it here.

    Only the first `keep` rows (the report's preview) stay as they are: the others are replaced by their counts
    once counted. The commit does not call this: `write` records the same changes batch by batch while it writes
    them."""
    for start in range(0, len(plan.actions), WRITE_BATCH):
        end = min(start + WRITE_BATCH, len(plan.actions))
        _related_changes([a for a in plan.actions[start:end] if not a.is_new])
        _keep_counts(plan, start, end, keep)


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


def write(job: ImportJob, plan: Plan, phase: jobs.Phase) -> dict:
    """Write every row of a checked plan (inside the commit's transaction); the done job's message and counts.

    A batch of rows at a time, in the order of the file: the figures, labels and contacts the batch's rows change
    are decided (recording the archived enterprises' changes on their actions; the figures set each enterprise's
    latest ones, so before it is written), then the batch's enterprises are updated or inserted, their rows beside
    them inserted or updated and their timeline entries inserted, and what was built is dropped (core.bulk). Only
    the counts outlive the batches: each written action is replaced by them (`_counted`)."""
    now = timezone.now()
    source = f"导入文件“{job.original_name}”第 {{row}} 行"
    for start in range(0, len(plan.actions), WRITE_BATCH):
        chunk = plan.actions[start : start + WRITE_BATCH]
        phase.tick()  # between the batches: past the time limit, the whole transaction rolls back
        inserts, updates = _related_changes(chunk)
        changed = [a.enterprise for a in chunk if not a.is_new and a.changes]
        for enterprise in changed:
            enterprise.updated_at = now
        bulk.update_rows(changed, ENTERPRISE_WRITE_FIELDS)  # bulk_update's CASE per batch is quadratic (core.bulk)
        new = [a.enterprise for a in chunk if a.is_new]
        for enterprise in new:
            enterprise.created_at = enterprise.updated_at = now
        bulk.insert_rows(new, key="credit_code")  # linear: bulk_create compiled ~2.7M values (core.bulk)
        for rows in inserts:
            for obj in rows:
                obj.enterprise_id = obj.enterprise.pk
            bulk.insert_rows(rows)
        for rows, fields in updates:
            bulk.update_rows(rows, fields)
        _write_events(job, [a for a in chunk if a.is_new or a.changes], source)
        del inserts, updates, changed, new
        _keep_counts(plan, start, start + len(chunk), 0)  # written: only its counts are read from now on
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
