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
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

import maturity
from accounts.policy import scope_of
from core import jobs, uploads
from core.spreadsheets import store_upload
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


# ---------------------------------------------------------------- the job's two phases


def _update_job(job: AssessmentImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    AssessmentImportJob.objects.filter(pk=job.pk).update(**fields)


def _progress_writer(job: AssessmentImportJob, phase: jobs.Phase) -> Callable[[int], None]:
    def write(percent: int) -> None:
        phase.tick()  # past the time limit this raises JobTimeout; otherwise a heartbeat now and then
        if percent != job.progress:
            _update_job(job, progress=percent)

    return write


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
        "preview": preview,
    }


def _plan(job: AssessmentImportJob, phase: jobs.Phase, *, for_commit: bool) -> Plan:
    plan = plan_file(
        Path(job.stored_path),
        job.original_name,
        job.created_by,
        job.model_version,
        _progress_writer(job, phase),
        for_commit=for_commit,
        cache=Path(job.stored_path).with_suffix(".cells"),
    )
    return plan


def import_check(job: AssessmentImportJob) -> AssessmentImportJob:
    """Phase 1: read, validate and score; nothing is written to the archive."""
    phase = jobs.Phase(job, Status.CHECKING)
    try:
        plan = _plan(job, phase, for_commit=False)
    except jobs.JobTimeout as exc:
        phase.fail(str(exc))  # the reason is on the job; the worker goes on to the next task
        return job
    except Exception:
        log.exception("assessment import check failed for %s", job.pk)
        _update_job(
            job, status=Status.FAILED, message=_("校验时发生内部错误，请联系平台管理员"), finished_at=timezone.now()
        )
        raise
    if plan.error_count:
        status, message = Status.INVALID, _("发现 %(n)s 处问题，未导入任何数据") % {"n": plan.error_count}
    else:
        status, message = Status.READY, _("校验通过：%(n)s 份评估，确认后导入") % {"n": plan.count}
    _update_job(job, status=status, progress=100, message=message, created_count=plan.count, **_report(plan))
    return job


def import_commit(job: AssessmentImportJob) -> AssessmentImportJob:
    """Phase 2: plan again from the file and the archive as it is now, then write everything or nothing."""
    phase = jobs.Phase(job, Status.IMPORTING)
    try:
        return _commit(job, phase)
    except jobs.JobTimeout as exc:
        phase.fail(str(exc))  # raised before or inside the transaction, so nothing was written
        return job
    except Exception:
        log.exception("assessment import commit failed for %s", job.pk)
        _update_job(
            job,
            status=Status.FAILED,
            message=_("导入时发生内部错误，未写入任何数据，请联系平台管理员"),
            finished_at=timezone.now(),
        )
        raise


def _commit(job: AssessmentImportJob, phase: jobs.Phase) -> AssessmentImportJob:
    plan = _plan(job, phase, for_commit=True)
    if plan.error_count or not plan.count:
        _update_job(
            job,
            status=Status.INVALID,
            progress=100,
            message=_("档案在确认前发生了变化，重新校验发现问题，未导入任何数据"),
            **_report(plan),
        )
        return job
    version, actor = job.model_version, job.created_by
    spec = version.parsed()
    _update_job(job, progress=90, message=_("校验通过，正在一次性写入数据库（大文件约需一分钟）"))
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
    with transaction.atomic():
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
        _update_job(
            job,
            status=Status.DONE,
            progress=100,
            finished_at=timezone.now(),
            message=_("已导入 %(n)s 份评估") % {"n": plan.count},
            created_count=plan.count,
        )
    drop_cells(Path(job.stored_path).with_suffix(".cells"))
    return job


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


UploadError = uploads.UploadError  # one error for every refused upload; the views and the API catch it


class NotReady(ValueError):
    pass


def stored_path_for(job_id) -> Path:
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"assessments-{job_id}.upload"


def importable_versions():
    return ModelVersion.objects.filter(is_current=True).order_by("code")


def import_start(*, actor, upload, version: ModelVersion) -> AssessmentImportJob:
    """Store an uploaded file and queue its check. Refuses who may not import and oversized uploads first."""
    from .import_tasks import check_assessment_import

    if not can_import(actor):
        raise PermissionDenied(_("只有主管部门和诊断专员可以批量导入评估"))
    if not version.is_current:
        raise UploadError(_("只能按模型的当前版本导入，请下载当前版本的模板"))
    if upload.size == 0:
        raise UploadError(_("文件是空的"))
    if upload.size > settings.TIDU_IMPORT_MAX_BYTES:
        limit = settings.TIDU_IMPORT_MAX_BYTES // (1024 * 1024)
        raise UploadError(_("文件超过 %(n)s MB 上限，请拆分后分批导入") % {"n": limit})
    job = AssessmentImportJob(
        created_by=actor, model_version=version, original_name=uploads.safe_name(upload.name)[:200], size=upload.size
    )
    path = stored_path_for(job.pk)
    store_upload(upload, path)  # refuses what is no spreadsheet before anything is queued
    job.stored_path = str(path)
    job.save()
    check_assessment_import.enqueue(str(job.pk))  # the row is committed first, so a worker always finds it
    return job


def import_confirm(*, actor, job: AssessmentImportJob) -> AssessmentImportJob:
    from .import_tasks import commit_assessment_import

    if job.created_by_id != actor.pk and not scope_of(actor).is_admin:
        raise PermissionDenied(_("只有上传者可以确认导入"))
    if job.file_purged_at is not None:
        raise NotReady(_("上传的文件已按保留期限删除，请重新上传后再导入"))
    # Not started yet: the sweep leaves a job waiting in the queue alone (started_at is the worker's to set).
    updated = AssessmentImportJob.objects.filter(pk=job.pk, status=Status.READY, file_purged_at=None).update(
        status=Status.IMPORTING, progress=0, started_at=None, heartbeat_at=None
    )
    if not updated:
        raise NotReady(_("该导入任务当前不能确认（可能已导入或校验未通过）"))
    job.status = Status.IMPORTING
    commit_assessment_import.enqueue(str(job.pk))
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
