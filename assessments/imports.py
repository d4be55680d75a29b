"""Bulk import of submitted assessments (one row per enterprise) for one model version: check, report, then write
all-or-nothing — the same two phases as the enterprise import.

Both phases read the file afresh and plan the same way; the commit re-checks against the archive as it is then.
Cells are validated a column at a time and the whole file is scored with `maturity.score_many` (NumPy), which
equals `maturity.score` row by row. The snapshot of each result is the full `Result.to_dict()` for files up to
FULL_SNAPSHOT_ROWS rows; larger files store a compact snapshot (scores, levels, nodes — no per-item trace), which
`full_snapshot()` expands on demand: scoring one row costs ~5 ms and its full snapshot ~100 KB, which for 50,000
rows would mean four minutes and 5 GB instead of the whole import staying under two minutes."""

from __future__ import annotations

import logging
from pathlib import Path

from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

import maturity
from accounts.policy import scope_of
from core import import_pipeline as pipeline
from core import jobs
from core.import_pipeline import NotReady, UploadError  # noqa: F401 -- the views and the API catch these
from enterprises import events
from enterprises.models import EnterpriseEvent
from maturity.numbers import score_text, score_value

from . import services
from .import_plan import (  # noqa: F401 -- NOT_FOUND and plan_file are part of this module's API
    BATCH,
    MAX_REPORTED_ERRORS,
    NOT_FOUND,
    PREVIEW_ROWS,
    Plan,
    can_import,
    plan_file,
)
from .import_results import batch_rows
from .import_rows import (
    KIND_LABELS,
    PRODUCTION_LABELS,
    drop_cells,
)
from .models import Assessment, AssessmentImportJob, AssessmentResult, DomainScore, ModelVersion

log = logging.getLogger(__name__)
FULL_SNAPSHOT_ROWS = 2000  # up to this many rows, each result keeps its full snapshot
Status = AssessmentImportJob.Status


# ---------------------------------------------------------------- how an assessment file is planned, shown, written


def _report(plan: Plan) -> dict:
    preview = []
    if plan.batch is not None:
        for r in range(min(plan.count, PREVIEW_ROWS)):
            level = int(plan.batch.levels[r])
            preview.append(
                {
                    "row": plan.numbers[r],
                    "credit_code": plan.credit_codes[r],
                    "name": plan.names[r],
                    "kind": KIND_LABELS.get(plan.kinds[r], plan.kinds[r]),
                    "production_type": PRODUCTION_LABELS.get(plan.contexts[r]["production_type"], ""),
                    "score": score_value(float(plan.batch.scores[r])),
                    "level_name": "—" if level < 0 else plan.level_names.get(level, str(level)),
                }
            )
    return {
        "total_rows": plan.total_rows,
        "error_count": plan.error_count,
        "errors": plan.errors[:MAX_REPORTED_ERRORS],
        "warnings": plan.warnings[:50],
        "notes": plan.notes[:50],
        "preview": preview,
        "created_count": plan.count,
    }


class AssessmentImport(pipeline.Importer):
    job_model = AssessmentImportJob
    file_prefix = "assessments-"

    def plan(self, job, progress, *, for_commit):
        return plan_file(
            Path(job.stored_path),
            job.original_name,
            job.created_by,
            job.model_version,
            progress,
            for_commit=for_commit,
            cache=Path(job.stored_path).with_suffix(".cells"),
        )

    def checked(self, job, plan):
        # A file without a single row to write is not ready either, though no cell is wrong.
        errors = plan.error_count or (0 if plan.count else 1)
        fields = _report(plan)
        if not plan.count and not plan.error_count:
            fields["errors"] = [pipeline.file_error(_("文件中没有评估数据行"))]
            fields["error_count"] = 1
        return pipeline.Checked(
            error_count=errors,
            fields=fields,
            ready_message=_("校验通过：%(n)s 份评估，确认后导入") % {"n": plan.count},
        )

    def write(self, job, plan, phase):
        return _write(job, plan, phase)

    def after_write(self, job):
        drop_cells(Path(job.stored_path).with_suffix(".cells"))

    def enqueue_check(self, job_id):
        from .import_tasks import check_assessment_import

        check_assessment_import.enqueue(job_id)

    def enqueue_commit(self, job_id):
        from .import_tasks import commit_assessment_import

        commit_assessment_import.enqueue(job_id)


IMPORTER = AssessmentImport()


def import_check(job: AssessmentImportJob) -> AssessmentImportJob:
    """Phase 1: read, validate and score; nothing is written to the archive."""
    return pipeline.check(IMPORTER, job)


def import_commit(job: AssessmentImportJob) -> AssessmentImportJob:
    """Phase 2: plan again from the file and the archive as it is now, then write everything or nothing."""
    return pipeline.commit(IMPORTER, job)


def _write(job: AssessmentImportJob, plan: Plan, phase: jobs.Phase) -> dict:
    """Score and write every row of a checked plan (inside the commit's transaction)."""
    version, actor = job.model_version, job.created_by
    spec = version.parsed()
    if plan.count <= FULL_SNAPSHOT_ROWS:
        results = [
            maturity.score(spec, answers, context) for answers, context in zip(plan.answers, plan.contexts, strict=True)
        ]
    else:
        assert plan.batch is not None
        results = batch_rows(spec, plan.batch, plan.provisional)
    phase.tick()
    now = timezone.now()
    reason = _("批量导入")
    kind_labels = dict(Assessment.Kind.choices)
    assessments = [
        Assessment(
            enterprise_id=enterprise_id,
            model_version=version,
            model_code=version.code,
            kind=kind,
            status=Assessment.Status.SUBMITTED,
            source=Assessment.Source.IMPORT,
            context=context,
            answers=answers,
            answered_count=len(answers),
            created_by=actor,
            submitted_by=actor,
            submitted_at=now,
        )
        for enterprise_id, kind, context, answers in zip(
            plan.enterprise_ids, plan.kinds, plan.contexts, plan.answers, strict=True
        )
    ]
    Assessment.objects.bulk_create(assessments, batch_size=BATCH)
    phase.tick()  # between the steps of the write: past the limit, the whole transaction rolls back
    stored = AssessmentResult.objects.bulk_create(
        [
            AssessmentResult(**services.result_fields(a, version, r, reason))
            for a, r in zip(assessments, results, strict=True)
        ],
        batch_size=BATCH,
    )
    _insert_domain_scores(stored, assessments, results)
    phase.tick()
    services.peer_scores_refresh(enterprise_ids=plan.enterprise_ids, model_code=version.code)
    source = _("导入文件“%(name)s”第 %(row)s 行")
    events.EnterpriseEvent.objects.bulk_create(
        [
            events.build(
                a.enterprise_id,
                EnterpriseEvent.Kind.ASSESSED,
                actor=actor,
                summary=_("导入%(kind)s：%(model)s，%(level)s（%(score)s 分）")
                % {
                    "kind": kind_labels[a.kind],
                    "model": version.name,
                    "level": r.level_name or "—",
                    "score": score_text(r.score),
                }
                + "（"
                + source % {"name": job.original_name, "row": row}
                + "）",
                data={"assessment": a.pk, "result": s.pk, "import_job": str(job.pk), "row": row},
            )
            for a, s, r, row in zip(assessments, stored, results, plan.numbers, strict=True)
        ],
        batch_size=BATCH,
    )
    return {"message": _("已导入 %(n)s 份评估") % {"n": plan.count}, "created_count": plan.count}


def _insert_domain_scores(stored: list[AssessmentResult], assessments: list[Assessment], results: list) -> None:
    """Node scores straight through the cursor: ~36 rows per CMMM result, 1.8 million for 50,000 assessments,
    where building model instances would cost more than the rest of the commit."""
    meta = DomainScore._meta
    columns = ["result_id", "enterprise_id", "model_code", "node_code", "depth", "score", "is_current"]
    names = ", ".join(connection.ops.quote_name(meta.get_field(c.removesuffix("_id")).column) for c in columns)
    sql = f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * 7)})"  # noqa: S608
    rows = []
    with connection.cursor() as cursor:
        for s, a, r in zip(stored, assessments, results, strict=True):
            for node in r.nodes.values():
                rows.append((s.pk, a.enterprise_id, a.model_code, node.code, node.depth, node.score, True))
            if len(rows) >= 20_000:
                cursor.executemany(sql, rows)
                rows = []
        if rows:
            cursor.executemany(sql, rows)


# ---------------------------------------------------------------- entry points for views, the API and commands


def stored_path_for(job_id) -> Path:
    return pipeline.stored_path_for(IMPORTER, job_id)


def importable_versions():
    return ModelVersion.objects.filter(is_current=True).order_by("code")


def import_start(*, actor, upload, version: ModelVersion) -> AssessmentImportJob:
    """Store an uploaded file and queue its check. Refuses who may not import, and a version that is not current."""
    if not can_import(actor):
        raise PermissionDenied(_("只有主管部门和诊断专员可以批量导入评估"))
    if not version.is_current:
        raise UploadError(_("只能按模型的当前版本导入，请下载当前版本的模板"))
    return pipeline.start(IMPORTER, actor=actor, upload=upload, model_version=version)


def import_confirm(*, actor, job: AssessmentImportJob) -> AssessmentImportJob:
    if job.created_by_id != actor.pk and not scope_of(actor).is_admin:
        raise PermissionDenied(_("只有上传者可以确认导入"))
    pipeline.confirm(IMPORTER, job=job)
    job.refresh_from_db()
    return job


def jobs_visible_to(user):
    scope = scope_of(user)
    visible = AssessmentImportJob.objects.select_related("model_version")
    if scope.is_admin:
        return visible.all()
    if not can_import(user):
        return visible.none()
    return visible.filter(created_by=user)


def get_import_job_for_user(user, pk) -> AssessmentImportJob:
    jobs.sweep_stale([AssessmentImportJob])  # a job whose worker died is failed when its page polls
    job = jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("导入任务不存在"))
    return job
