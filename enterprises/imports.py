"""Enterprise import: check a stored file and report per row, then write it all-or-nothing (upsert by credit code).

Both phases read the file afresh and plan the same way, so what is written is exactly what was previewed
— unless the archive changed in between, in which case the commit re-checks and refuses."""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.policy import scope_of
from core import jobs, uploads
from core.spreadsheets import SpreadsheetError, store_upload

from . import events
from .import_rows import (
    ENTERPRISE_FIELDS,
    HEADERS,
    AmbiguousColumn,
    HeaderError,
    Lookups,
    Row,
    RowError,
    RowValidator,
    map_headers,
)
from .import_sheet import locate
from .models import Contact, Enterprise, EnterpriseFigures, EnterpriseLabel, ImportJob
from .services import apply_size, initials

log = logging.getLogger(__name__)
MAX_REPORTED_ERRORS = 2000
PREVIEW_ROWS = 50
BATCH = 2000
Status = ImportJob.Status


@dataclass
class Action:
    row: Row
    enterprise: Enterprise  # unsaved for a new one; the loaded instance with new values applied for an update
    is_new: bool
    changes: list[dict] = field(default_factory=list)


@dataclass
class Plan:
    actions: list[Action] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # how the table was found: sheet, skipped rows, filled cells
    # What the importer is asked to answer for the whole file: {"year": 2025} when no year column holds the figures'
    # year, {"county_column": [[index, header], …]} when two columns could be the county.
    questions: dict = field(default_factory=dict)
    total_rows: int = 0

    @property
    def created(self) -> int:
        return sum(1 for a in self.actions if a.is_new)

    @property
    def updated(self) -> int:
        return sum(1 for a in self.actions if not a.is_new and a.changes)

    @property
    def unchanged(self) -> int:
        return sum(1 for a in self.actions if not a.is_new and not a.changes)


def _chunks(items: list, size: int = BATCH):
    for start in range(0, len(items), size):
        yield items[start : start + size]


FIGURE_KEYS = ("employees", "revenue", "assets")


def default_year() -> int:
    """The year figures are taken for when the file does not say: last year, the one annual lists report."""
    return timezone.localdate().year - 1


def plan_file(
    path: Path,
    filename: str,
    actor,
    progress: Callable[[int], None] = lambda _: None,
    *,
    for_commit: bool = False,
    answers: dict | None = None,
) -> Plan:
    """Read, validate and decide each row's action. Pinyin initials (the slowest step) only for the commit.

    `answers` are what the importer said for the whole file: "year" (figures' year when no column holds it) and
    "county_column" (0-based position of the county column when two could be)."""
    plan = Plan()
    answers = answers or {}
    choose = {"county": answers["county_column"]} if answers.get("county_column") is not None else {}
    try:
        table = locate(path, filename)
        plan.notes = table.notes
        mapping, plan.warnings = map_headers(table.headers, choose=choose)
    except AmbiguousColumn as exc:
        plan.questions["county_column"] = [[index, header] for index, header in exc.candidates]
        plan.errors.append(RowError(table.header_row, "文件", "", str(exc)))
        return plan
    except (SpreadsheetError, HeaderError) as exc:
        plan.errors.append(RowError(1, "文件", "", str(exc)))
        return plan
    asked_year = None
    if "year" not in mapping and any(key in mapping for key in FIGURE_KEYS):
        # No column says which year the figures are for: ask once for the whole file (default last year), and give
        # each row with figures that year as if the file had the column.
        asked_year = int(answers.get("year") or default_year())
        plan.questions["year"] = asked_year
        mapping = {**mapping, "year": len(table.headers)}
    plan.total_rows = len(table.rows)
    scope = scope_of(actor)
    validator = RowValidator(Lookups(scope), mapping)
    rows: list[Row] = []
    step = max(len(table.rows) // 20, 1)
    for offset, (number, cells) in enumerate(table.rows):
        if offset % step == 0:
            progress(int(60 * offset / len(table.rows)))
        if not any(cell.strip() for cell in cells):
            continue  # blank lines in the middle of a sheet are skipped, not errors
        if asked_year is not None:
            has_figures = any(cells[mapping[key]].strip() for key in FIGURE_KEYS if key in mapping)
            cells = [*cells, str(asked_year) if has_figures else ""]
        row, errors = validator.validate(number, cells)
        plan.errors.extend(errors)
        if row is not None:
            rows.append(row)
    existing: dict[str, Enterprise] = {}
    codes = [row.values["credit_code"] for row in rows]
    for chunk in _chunks(codes):
        for enterprise in Enterprise.objects.filter(credit_code__in=chunk):
            existing[enterprise.credit_code] = enterprise
    progress(75)
    for row in rows:
        current = existing.get(row.values["credit_code"])
        if current is None:
            plan.actions.append(_new_action(row, for_commit))
        elif current.removed_at is not None or not scope.manages_code(current.county_id):
            # Never reveal or touch another region's record: the importer only learns the code is taken.
            plan.errors.append(
                RowError(
                    row.number,
                    HEADERS["credit_code"],
                    row.values["credit_code"],
                    "该信用代码的企业已在其他地区建档或已移出档案，不能通过导入修改，请联系上级主管部门",
                )
            )
        else:
            plan.actions.append(_update_action(row, current, for_commit))
    progress(90)
    return plan


def _new_action(row: Row, with_initials: bool) -> Action:
    values = row.values
    enterprise = Enterprise(credit_code=values["credit_code"], is_synthetic=False)
    for key, attname in ENTERPRISE_FIELDS.items():
        if key in values:
            setattr(enterprise, attname, values[key])
    if with_initials:
        enterprise.name_initials = initials(enterprise.name)
    return Action(row=row, enterprise=enterprise, is_new=True)


def _update_action(row: Row, enterprise: Enterprise, with_initials: bool) -> Action:
    values = row.values
    changes = []
    for key, attname in ENTERPRISE_FIELDS.items():
        if key not in values:
            continue  # an empty cell never clears what the archive holds
        old, new = getattr(enterprise, attname), values[key]
        if key == "former_names":
            new = list(dict.fromkeys([*old, *new]))
        if old != new:
            changes.append(events.change(attname, HEADERS[key], old, new))
            setattr(enterprise, attname, new)
    if "name" in values and any(c["field"] == "name" for c in changes):
        old_name = next(c["old"] for c in changes if c["field"] == "name")
        if old_name not in enterprise.former_names:
            enterprise.former_names = [*enterprise.former_names, old_name]
        if with_initials:
            enterprise.name_initials = initials(enterprise.name)
    action = Action(row=row, enterprise=enterprise, is_new=False, changes=changes)
    return action


def _figure_changes(plan: Plan) -> tuple[list[EnterpriseFigures], list[EnterpriseFigures]]:
    """Figures rows to create and to update, and their changes recorded on each action."""
    with_figures = [a for a in plan.actions if "year" in a.row.values]
    keys = {(a.enterprise.pk, a.row.values["year"]) for a in with_figures if not a.is_new}
    current: dict[tuple[int, int], EnterpriseFigures] = {}
    ids = sorted({pk for pk, _ in keys})
    for chunk in _chunks(ids):
        for fig in EnterpriseFigures.objects.filter(enterprise_id__in=chunk):
            current[(fig.enterprise_id, fig.year)] = fig
    to_create, to_update = [], []
    for action in with_figures:
        values, year = action.row.values, action.row.values["year"]
        fig = None if action.is_new else current.get((action.enterprise.pk, year))
        is_new_fig = fig is None
        fig = fig or EnterpriseFigures(enterprise=action.enterprise, year=year)
        changed = False
        for key in ("employees", "revenue", "assets"):
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


def _label_changes(plan: Plan) -> tuple[list[EnterpriseLabel], list[EnterpriseLabel]]:
    with_labels = [a for a in plan.actions if "labels" in a.row.values]
    current: dict[tuple[int, str], EnterpriseLabel] = {}
    ids = [a.enterprise.pk for a in with_labels if not a.is_new]
    for chunk in _chunks(ids):
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


def _contact_changes(plan: Plan) -> tuple[list[Contact], list[Contact]]:
    with_contact = [a for a in plan.actions if "contact_name" in a.row.values]
    current: dict[tuple[int, str], Contact] = {}
    ids = [a.enterprise.pk for a in with_contact if not a.is_new]
    for chunk in _chunks(ids):
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


def _update_job(job: ImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    ImportJob.objects.filter(pk=job.pk).update(**fields)


def _report(job: ImportJob, plan: Plan) -> dict:
    preview = []
    for action in plan.actions[:PREVIEW_ROWS]:
        preview.append(
            {
                "row": action.row.number,
                "credit_code": action.enterprise.credit_code,
                "name": action.enterprise.name,
                "action": "新增" if action.is_new else ("更新" if action.changes else "无变化"),
                "changes": [c["label"] for c in action.changes],
            }
        )
    return {
        "total_rows": plan.total_rows,
        "error_count": len(plan.errors),
        "errors": [e.as_dict() for e in plan.errors[:MAX_REPORTED_ERRORS]],
        "warnings": plan.warnings[:50],
        "preview": preview,
        "notes": plan.notes[:50],
        "questions": plan.questions,
    }


def _progress_writer(job: ImportJob, phase: jobs.Phase) -> Callable[[int], None]:
    def write(percent: int) -> None:
        phase.tick()  # past the time limit this raises JobTimeout; otherwise a heartbeat now and then
        if percent != job.progress:
            _update_job(job, progress=percent)

    return write


def _full_plan(job: ImportJob, progress, *, for_commit: bool) -> tuple[Plan, list, list, list, list, list, list]:
    plan = plan_file(
        Path(job.stored_path),
        job.original_name,
        job.created_by,
        progress,
        for_commit=for_commit,
        answers=job.answers,
    )
    if plan.errors:
        return plan, [], [], [], [], [], []
    figures = _figure_changes(plan)
    labels = _label_changes(plan)
    contacts = _contact_changes(plan)
    return plan, *figures, *labels, *contacts


def import_check(job: ImportJob) -> ImportJob:
    """Phase 1: read and validate; nothing is written to the archive."""
    phase = jobs.Phase(job, Status.CHECKING)
    try:
        plan, *_ = _full_plan(job, _progress_writer(job, phase), for_commit=False)
    except jobs.JobTimeout as exc:
        phase.fail(str(exc))  # the reason is on the job; the worker goes on to the next task
        return job
    except Exception:
        log.exception("import check failed for %s", job.pk)
        _update_job(
            job, status=Status.FAILED, message="校验时发生内部错误，请联系平台管理员", finished_at=timezone.now()
        )
        raise
    report = _report(job, plan)
    status = Status.INVALID if plan.errors else Status.READY
    message = f"发现 {len(plan.errors)} 处问题，未导入任何数据" if plan.errors else "校验通过，确认后导入"
    _update_job(
        job,
        status=status,
        progress=100,
        message=message,
        created_count=plan.created,
        updated_count=plan.updated,
        unchanged_count=plan.unchanged,
        **report,
    )
    return job


def import_commit(job: ImportJob) -> ImportJob:
    """Phase 2: plan again from the file, then write everything in one transaction, or nothing."""
    phase = jobs.Phase(job, Status.IMPORTING)
    try:
        return _commit(job, phase)
    except jobs.JobTimeout as exc:
        phase.fail(str(exc))  # raised inside the transaction, so nothing was written
        return job
    except Exception:
        # The transaction has rolled back: nothing was written. Say so rather than leave the job "importing".
        log.exception("import commit failed for %s", job.pk)
        _update_job(
            job,
            status=Status.FAILED,
            message="导入时发生内部错误，未写入任何数据，请联系平台管理员",
            finished_at=timezone.now(),
        )
        raise


def _commit(job: ImportJob, phase: jobs.Phase) -> ImportJob:
    progress = _progress_writer(job, phase)
    plan, fig_new, fig_upd, lab_new, lab_upd, con_new, con_upd = _full_plan(job, progress, for_commit=True)
    if plan.errors:
        _update_job(
            job,
            status=Status.INVALID,
            progress=100,
            message="档案在确认前发生了变化，重新校验发现问题，未导入任何数据",
            **_report(job, plan),
        )
        return job
    actor = job.created_by
    fields = [
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
    now = timezone.now()
    # Other connections cannot see progress written inside the transaction, so say what the last step is now.
    _update_job(job, progress=90, message="校验通过，正在一次性写入数据库（大文件约需一分钟）")
    with transaction.atomic():
        new = [a.enterprise for a in plan.actions if a.is_new]
        for enterprise in new:
            enterprise.created_at = enterprise.updated_at = now
        Enterprise.objects.bulk_create(new, batch_size=BATCH)
        phase.tick()  # between the steps of the write: past the limit, the whole transaction rolls back
        changed = [a.enterprise for a in plan.actions if not a.is_new and a.changes]
        for enterprise in changed:
            enterprise.updated_at = now
        Enterprise.objects.bulk_update(changed, fields, batch_size=BATCH)
        for fig in fig_new:
            fig.enterprise_id = fig.enterprise.pk
        EnterpriseFigures.objects.bulk_create(fig_new, batch_size=BATCH)
        EnterpriseFigures.objects.bulk_update(fig_upd, ["employees", "revenue", "assets"], batch_size=BATCH)
        for link in lab_new:
            link.enterprise_id = link.enterprise.pk
        EnterpriseLabel.objects.bulk_create(lab_new, batch_size=BATCH)
        EnterpriseLabel.objects.bulk_update(lab_upd, ["year"], batch_size=BATCH)
        for contact in con_new:
            contact.enterprise_id = contact.enterprise.pk
        Contact.objects.bulk_create(con_new, batch_size=BATCH)
        Contact.objects.bulk_update(con_upd, ["phone", "email"], batch_size=BATCH)
        phase.tick()
        source = f"导入文件“{job.original_name}”第 {{row}} 行"
        rows = [
            events.build(
                a.enterprise.pk,
                events.Kind.IMPORTED,
                actor=actor,
                summary=("建档（" if a.is_new else events.summarise(a.changes) + "（")
                + source.format(row=a.row.number)
                + "）",
                data={"import_job": str(job.pk), "row": a.row.number, "changes": a.changes},
            )
            for a in plan.actions
            if a.is_new or a.changes
        ]
        events.EnterpriseEvent.objects.bulk_create(rows, batch_size=BATCH)
        _update_job(
            job,
            status=Status.DONE,
            progress=100,
            finished_at=timezone.now(),
            message=f"已导入：新增 {plan.created} 家，更新 {plan.updated} 家，{plan.unchanged} 家无变化",
            created_count=plan.created,
            updated_count=plan.updated,
            unchanged_count=plan.unchanged,
        )
    return job


def stored_path_for(job_id) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{job_id}.upload"


UploadError = uploads.UploadError  # one error for every refused upload; the views and the API catch it


def import_start(*, actor, upload) -> ImportJob:
    """Store an uploaded file and queue its check. Refuses oversized uploads before reading them, and files that are
    no spreadsheet (or a workbook whose archive declares too much) before queueing anything."""
    from .tasks import check_import

    if upload.size == 0:
        raise UploadError(_("文件是空的"))
    if upload.size > settings.TIDU_IMPORT_MAX_BYTES:
        limit = settings.TIDU_IMPORT_MAX_BYTES // (1024 * 1024)
        raise UploadError(_("文件超过 %(n)s MB 上限，请拆分后分批导入") % {"n": limit})
    job = ImportJob(created_by=actor, original_name=uploads.safe_name(upload.name)[:200], size=upload.size)
    path = stored_path_for(job.pk)
    store_upload(upload, path)
    job.stored_path = str(path)
    job.save()
    # The job row is saved (autocommit) before the task is queued, so a worker always finds it.
    check_import.enqueue(str(job.pk))
    return job


class NotReady(ValueError):
    pass


def import_answer(*, actor, job: ImportJob, year: int | None = None, county_column: int | None = None) -> ImportJob:
    """Record the importer's answers for the whole file (the figures' year, which column is the county) and check
    the file again with them; only a job that is not running or written yet, whose file is still kept."""
    from .tasks import check_import

    if job.file_purged_at is not None:
        raise NotReady(_("上传的文件已按保留期限删除，请重新上传后再导入"))
    answers = dict(job.answers)
    if year is not None:
        answers["year"] = year
    if county_column is not None:
        answers["county_column"] = county_column
    updated = ImportJob.objects.filter(
        pk=job.pk, status__in=[Status.READY, Status.INVALID], file_purged_at=None
    ).update(answers=answers, status=Status.QUEUED, progress=0, started_at=None, heartbeat_at=None)
    if not updated:
        raise NotReady(_("该导入任务当前不能修改（可能正在校验或已导入）"))
    job.answers, job.status = answers, Status.QUEUED
    check_import.enqueue(str(job.pk))
    return job


def import_confirm(*, actor, job: ImportJob) -> ImportJob:
    from .tasks import commit_import

    if job.file_purged_at is not None:
        raise NotReady(_("上传的文件已按保留期限删除，请重新上传后再导入"))
    # Not started yet: the sweep leaves a job waiting in the queue alone (started_at is the worker's to set).
    updated = ImportJob.objects.filter(pk=job.pk, status=Status.READY, file_purged_at=None).update(
        status=Status.IMPORTING, progress=0, started_at=None, heartbeat_at=None
    )
    if not updated:
        raise NotReady(_("该导入任务当前不能确认（可能已导入或校验未通过）"))
    job.status = Status.IMPORTING
    commit_import.enqueue(str(job.pk))
    return job
