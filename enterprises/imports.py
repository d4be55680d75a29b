"""Enterprise import: check a stored file and report per row, then write it all-or-nothing (upsert by credit code).

The steps every import shares (upload, job states, time limits, answers, confirm) are core.import_pipeline's; this
module says how an enterprise list is planned (import_plan.py), shown and written (import_write.py)."""

from dataclasses import dataclass
from pathlib import Path

from core import bulk
from core import import_pipeline as pipeline
from core.import_pipeline import NotReady, UploadError  # noqa: F401 -- the views and the API catch these

from . import import_groups
from .import_plan import Plan, default_year, plan_file  # noqa: F401 -- default_year is shown by the views
from .import_write import record_related_changes, write
from .models import ImportJob

MAX_REPORTED_ERRORS = 2000
PREVIEW_ROWS = 50


@dataclass
class Planned:
    plan: Plan
    # False for a commit's plan that will be written: the write records the figures', labels' and contacts' changes
    # on the actions batch by batch (import_write.write), so its counts are only final once written.
    counted: bool = True


def _report(plan: Plan) -> dict:
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


def _unanswered(plan: Plan) -> str:
    """What must be answered before the file may be written (new clusters and chains to confirm), or ""."""
    if plan.groupings and plan.groupings.needs_confirmation:
        return "请核对文件中新的产业集群/产业链名称，确认新建后重新校验"
    return ""


class EnterpriseImport(pipeline.Importer):
    job_model = ImportJob
    file_prefix = ""

    def plan(self, job, progress, *, for_commit):
        with bulk.gc_paused():  # a 100,000-row list makes ~a million objects at once (core.bulk.gc_paused)
            plan = plan_file(
                Path(job.stored_path),
                job.original_name,
                job.created_by,
                progress,
                for_commit=for_commit,
                answers=job.answers,
            )
            if plan.errors:
                return Planned(plan)  # nothing would be written: its rows beside the enterprises do not matter
            if for_commit and not _unanswered(plan):
                return Planned(plan, counted=False)  # decided while written, a batch at a time
            # The check, or a commit that writes nothing but shows the report: count what each row changes, keeping
            # only the rows the report shows and the counts.
            record_related_changes(plan, keep=PREVIEW_ROWS)
            return Planned(plan)

    def checked(self, job, planned):
        plan = planned.plan
        counts = {"created_count": plan.created, "updated_count": plan.updated, "unchanged_count": plan.unchanged}
        return pipeline.Checked(
            error_count=len(plan.errors),
            fields={**_report(plan), **counts},
            ready_message="校验通过，确认后导入",
            unanswered=_unanswered(plan),
        )

    def write(self, job, planned, phase):
        assert not planned.counted, "a plan written records its rows' changes while written, not before"
        with bulk.gc_paused():
            done = write(job, planned.plan, phase)
        # Same transaction, enterprises saved: the confirmed new clusters and chains, then the memberships (their
        # timeline lines are already among the import's changes, written above).
        import_groups.write(planned.plan.groupings, source=job.original_name)
        return done

    def enqueue_check(self, job_id):
        from .tasks import check_import

        check_import.enqueue(job_id)

    def enqueue_commit(self, job_id):
        from .tasks import commit_import

        commit_import.enqueue(job_id)


IMPORTER = EnterpriseImport()


def import_check(job: ImportJob) -> ImportJob:
    return pipeline.check(IMPORTER, job)


def import_commit(job: ImportJob) -> ImportJob:
    return pipeline.commit(IMPORTER, job)


def stored_path_for(job_id) -> Path:
    return pipeline.stored_path_for(IMPORTER, job_id)


def import_start(*, actor, upload) -> ImportJob:
    return pipeline.start(IMPORTER, actor=actor, upload=upload)


def import_answer(
    *,
    actor,
    job: ImportJob,
    year: int | None = None,
    county_column: int | None = None,
    confirm_groupings: bool | None = None,
) -> ImportJob:
    """The figures' year when no column holds it, which column is the county when two could be, and whether the
    clusters and chains the file names that do not exist yet are to be created."""
    answers = {"year": year, "county_column": county_column, "confirm_groupings": confirm_groupings}
    return pipeline.answer(IMPORTER, job=job, answers=answers)


def import_confirm(*, actor, job: ImportJob) -> ImportJob:
    return pipeline.confirm(IMPORTER, job=job)
