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
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

import maturity
from accounts.models import Membership
from accounts.policy import scope_of
from core.spreadsheets import SpreadsheetError
from enterprises import creditcode, events
from enterprises.models import Enterprise, EnterpriseEvent
from maturity.answers import prepare
from maturity.encoding import AnswerMatrix

from . import services
from .import_results import batch_rows, is_provisional
from .import_rows import (
    KIND_LABELS,
    KINDS,
    MISSING,
    PRODUCTION_LABELS,
    PRODUCTION_TYPES,
    HeaderError,
    ItemColumn,
    clean,
    drop_cells,
    map_headers,
    read_cells,
)
from .models import Assessment, AssessmentImportJob, AssessmentResult, DomainScore, ModelVersion

log = logging.getLogger(__name__)
MAX_REPORTED_ERRORS = 2000
PREVIEW_ROWS = 50
BATCH = 2000
FULL_SNAPSHOT_ROWS = 2000
Status = AssessmentImportJob.Status
NOT_FOUND = "在您可导入的范围内找不到该信用代码的企业，请核对信用代码"


@dataclass
class Plan:
    """What a file would write: valid rows (indexes into the table) with their enterprise, kind and context,
    their scores, and every problem found."""

    total_rows: int = 0
    errors: list[dict] = field(default_factory=list)
    error_count: int = 0
    warnings: list[str] = field(default_factory=list)
    numbers: list[int] = field(default_factory=list)  # sheet row numbers of the valid rows
    enterprise_ids: list[int] = field(default_factory=list)
    credit_codes: list[str] = field(default_factory=list)
    names: list[str] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    contexts: list[dict] = field(default_factory=list)
    answers: list[dict] = field(default_factory=list)  # only for the commit
    batch: maturity.BatchResult | None = None
    provisional: list[bool] = field(default_factory=list)
    level_names: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.numbers)


class _Errors:
    """Problems as (row index, column index, raw value, message); only the first ones by row are reported."""

    def __init__(self) -> None:
        self.parts: list[tuple[np.ndarray, int, list[str] | None, str | list[str]]] = []
        self.rows_bad: set[int] = set()

    def add(self, row: int, column: int, raw: str, message: str) -> None:
        self.parts.append((np.array([row]), column, [raw], message))

    def add_many(self, rows: np.ndarray, column: int, col: list[str], message: str | list[str]) -> None:
        if len(rows):
            self.parts.append((rows, column, col, message))

    def bad_rows(self, n: int) -> np.ndarray:
        bad = np.zeros(n, dtype=bool)
        for rows, *_rest in self.parts:
            bad[rows] = True
        return bad

    def report(self, headers: list[str], numbers: list[int]) -> tuple[list[dict], int]:
        total = sum(len(rows) for rows, *_ in self.parts)
        flat = []
        for part, (rows, column, _col, _message) in enumerate(self.parts):
            for pos in range(min(len(rows), MAX_REPORTED_ERRORS)):
                flat.append((int(rows[pos]), column, part, pos))
        flat.sort()
        out = []
        for row, column, part, pos in flat[:MAX_REPORTED_ERRORS]:
            rows, _c, col, message = self.parts[part]
            raw = (col[pos] if len(col) == 1 else col[row]) if col is not None else ""
            text = message if isinstance(message, str) else message[pos]
            header = headers[column] if 0 <= column < len(headers) else _("文件")
            out.append({"row": numbers[row], "column": header, "value": str(raw)[:100], "message": text})
        return out, total


def can_import(user) -> bool:
    """Officers and admins import for enterprises they govern; commissioners diagnoses for those assigned to them."""
    scope = scope_of(user)
    return scope.is_admin or scope.is_officer or scope.is_commissioner


def _importable(actor, codes: list[str]) -> dict[str, tuple[int, str, str, str, str | None, frozenset[str]]]:
    """credit code → (pk, name, county, industry, size, kinds allowed) for the enterprises this actor may import.

    Anything else is absent, so an enterprise in another region reads exactly like an unknown code."""
    scope = scope_of(actor)
    assigned: set[int] = set()
    if scope.is_commissioner:
        through = Membership.assigned_enterprises.through.objects
        assigned = set(
            through.filter(membership_id__in=scope.commissioner_membership_ids).values_list("enterprise_id", flat=True)
        )
    out = {}
    base = Enterprise.objects.visible_to(actor)
    fields = ("credit_code", "pk", "name", "county_id", "industry_id", "size_class")
    for start in range(0, len(codes), BATCH):
        chunk = codes[start : start + BATCH]
        for code, pk, name, county, industry, size in base.filter(credit_code__in=chunk).values_list(*fields):
            if scope.is_admin or scope.manages_code(county):
                kinds = frozenset({Assessment.Kind.SELF, Assessment.Kind.DIAGNOSIS})
            elif pk in assigned:
                kinds = frozenset({Assessment.Kind.DIAGNOSIS})
            else:
                continue
            out[code] = (pk, name, county, industry, size or None, kinds)
    return out


def plan_file(
    path: Path,
    filename: str,
    actor,
    version: ModelVersion,
    progress: Callable[[int], None] = lambda _: None,
    *,
    for_commit: bool = False,
    cache: Path | None = None,
) -> Plan:
    """Read (or, for the commit, reload what the check read), validate every cell, look every enterprise up in
    the actor's scope, and score the valid rows."""
    spec = version.parsed()
    plan = Plan(level_names={0: spec.below_level_name} | {lv.number: lv.name for lv in spec.levels})
    try:
        table = read_cells(path, filename, cache, reuse=for_commit)
        layout, plan.warnings = map_headers(table.headers, spec)
    except (SpreadsheetError, HeaderError) as exc:
        plan.errors, plan.error_count = [{"row": 1, "column": _("文件"), "value": "", "message": str(exc)}], 1
        return plan
    progress(30)
    columns, numbers = table.columns, table.numbers
    n = plan.total_rows = len(numbers)
    errors = _Errors()
    fixed = layout.fixed
    raw_codes = [clean(text) for text in columns[fixed["credit_code"]]]
    codes = [creditcode.normalise(code) for code in raw_codes]
    known = _importable(actor, sorted(set(codes)))
    progress(40)

    # Row facts: enterprise, kind, production type → context (its group index selects item applicability).
    seen: dict[int, int] = {}
    groups: dict[tuple, int] = {}
    group_contexts: list[dict] = []
    group_of = np.full(n, -1)
    enterprise_of: list[tuple | None] = [None] * n
    kind_of: list[str] = [""] * n
    ci_name, ci_kind, ci_pt = fixed.get("name"), fixed.get("kind"), fixed.get("production_type")
    for i in range(n):
        cells = _Row(columns, i)
        code = codes[i]
        found = known.get(code)
        if not code:
            errors.add(i, fixed["credit_code"], "", _("必填项不能为空"))
        elif found is None:
            errors.add(i, fixed["credit_code"], raw_codes[i], _(NOT_FOUND))
        elif (first := seen.setdefault(found[0], i)) != i:
            message = _("与第 %(row)s 行是同一家企业：每家企业只能有一行") % {"row": numbers[first]}
            errors.add(i, fixed["credit_code"], raw_codes[i], message)
            found = None
        kind = Assessment.Kind.SELF
        if ci_kind is not None and (text := clean(cells[ci_kind])):
            kind = KINDS.get(text) or KINDS.get(text.lower())
            if kind is None:
                errors.add(i, ci_kind, cells[ci_kind], _("评估类型应为“自评估”或“诊断评估”"))
        if found is not None and kind and kind not in found[5]:
            where = fixed["credit_code"] if ci_kind is None else ci_kind
            errors.add(i, where, cells[where], _("您只能为分配给您的企业导入诊断评估"))
        production = None
        if ci_pt is not None and (text := clean(cells[ci_pt])):
            production = PRODUCTION_TYPES.get(text) or PRODUCTION_TYPES.get(text.lower())
            if production is None:
                errors.add(i, ci_pt, cells[ci_pt], _("生产类型应为“离散型”或“流程型”"))
        if found is None:
            continue
        pk, name, _county, industry, size, _kinds = found
        context = {
            "production_type": production or ("process" if industry in services.PROCESS_DIVISIONS else "discrete"),
            "industry": industry,
            "size": size,
        }
        key = (context["production_type"], industry, size)
        if key not in groups:
            groups[key] = len(group_contexts)
            group_contexts.append(context)
        group_of[i] = groups[key]
        enterprise_of[i], kind_of[i] = found, kind or ""
        given = clean(cells[ci_name]) if ci_name is not None else ""
        if given and given != name and len(plan.warnings) < 50:
            plan.warnings.append(
                _("第 %(row)s 行企业名称“%(given)s”与档案中的“%(name)s”不一致，以信用代码为准")
                % {"row": numbers[i], "given": given[:60], "name": name}
            )
    progress(50)

    # Cells, a column at a time.
    items = [item for _i, item in layout.items]
    item_index = {r.item.code: k for k, r in enumerate(spec.iter_items())}
    applies = np.ones((max(len(group_contexts), 1), len(items)), dtype=bool)
    provisional_of_group = []
    for g, context in enumerate(group_contexts):
        refs = prepare(spec, context).refs
        applies[g] = [refs[item_index[item.code]][1] for item in items]
        provisional_of_group.append(is_provisional(spec, refs))
    has_context = group_of >= 0
    row_applies = applies[np.where(has_context, group_of, 0)]  # (n, items)
    values = np.full((n, len(items)), np.nan)
    answer_maps: list[dict[str, object]] = []
    for j, (column, item) in enumerate(layout.items):
        parser = ItemColumn(item, table.headers[column])
        col = columns[column]
        parsed = {text: parser.parse(text) for text in set(col)}
        numbers_of = {t: (p[1] if isinstance(p, tuple) else math.nan) for t, p in parsed.items()}
        values[:, j] = np.fromiter((numbers_of[t] for t in col), float, count=n)
        bad_texts = {t: p for t, p in parsed.items() if isinstance(p, str)}
        if bad_texts:
            bad = np.array([i for i, t in enumerate(col) if t in bad_texts], dtype=int)
            errors.add_many(bad, column, col, [bad_texts[col[i]] for i in bad])
        answer_maps.append({t: p[0] for t, p in parsed.items() if isinstance(p, tuple)})
        app = row_applies[:, j]
        cell = values[:, j]
        answered = ~np.isnan(cell)
        is_na = cell == -np.inf
        not_applicable = np.flatnonzero(has_context & ~app & answered & ~is_na)
        if len(not_applicable):
            pts = [PRODUCTION_LABELS.get(p, p) for p in item.applies_to.production_types]
            message = (
                _("该条目只适用于%(p)s企业，本企业不应作答（请留空或填“不适用”）") % {"p": "、".join(pts)}
                if pts
                else _("该条目不适用于本企业，请留空")
            )
            errors.add_many(not_applicable, column, col, message)
        if not item.not_applicable_allowed:
            errors.add_many(np.flatnonzero(has_context & app & is_na), column, col, _("该条目不允许填写“不适用”"))
        if item.required:
            empty_texts = {t for t, p in parsed.items() if isinstance(p, tuple) and p[0] is MISSING}
            empty = np.fromiter((t in empty_texts for t in col), bool, count=n)
            errors.add_many(np.flatnonzero(has_context & app & empty), column, col, _("必答条目未填写"))
        if j % 20 == 0:
            progress(50 + int(30 * j / max(len(items), 1)))
    bad_rows = errors.bad_rows(n)
    valid = np.flatnonzero(~bad_rows & has_context)
    plan.errors, plan.error_count = errors.report(table.headers, numbers)
    if plan.error_count:
        return plan
    progress(85)

    # Score every valid row at once (rows are grouped by context inside score_many).
    contexts = [group_contexts[group_of[i]] for i in valid]
    matrix = AnswerMatrix(tuple(item.code for item in items), values[valid])
    try:
        plan.batch = maturity.score_many(spec, matrix, contexts)
    except maturity.ScoringError as exc:  # our checks should have caught it; report it rather than fail
        plan.errors = [{"row": 0, "column": exc.code or "", "value": "", "message": str(exc)}]
        plan.error_count = 1
        return plan
    for i in valid:
        found = enterprise_of[i]
        plan.numbers.append(numbers[i])
        plan.enterprise_ids.append(found[0])
        plan.names.append(found[1])
        plan.credit_codes.append(codes[i])
        plan.kinds.append(kind_of[i])
        plan.provisional.append(provisional_of_group[group_of[i]])
    plan.contexts = contexts
    if for_commit:
        plan.answers = _answers(columns, valid, layout.items, answer_maps)
    progress(95)
    return plan


class _Row:
    """Row i of column-major cells, for the few fixed columns read row by row."""

    __slots__ = ("columns", "i")

    def __init__(self, columns: list[list[str]], i: int) -> None:
        self.columns, self.i = columns, i

    def __getitem__(self, column: int) -> str:
        return self.columns[column][self.i]


def _answers(columns, valid, items, answer_maps) -> list[dict]:
    out: list[dict] = [{} for _ in valid]
    for (column, item), amap in zip(items, answer_maps, strict=True):
        code, col = item.code, columns[column]
        for answers, i in zip(out, valid, strict=True):
            value = amap[col[i]]
            if value is not MISSING:
                answers[code] = value
    return out


# ---------------------------------------------------------------- the job's two phases


def _update_job(job: AssessmentImportJob, **fields) -> None:
    for name, value in fields.items():
        setattr(job, name, value)
    AssessmentImportJob.objects.filter(pk=job.pk).update(**fields)


def _progress_writer(job: AssessmentImportJob) -> Callable[[int], None]:
    def write(percent: int) -> None:
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
                    "score": round(float(plan.batch.scores[r]), 2),
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


def _plan(job: AssessmentImportJob, *, for_commit: bool) -> Plan:
    plan = plan_file(
        Path(job.stored_path),
        job.original_name,
        job.created_by,
        job.model_version,
        _progress_writer(job),
        for_commit=for_commit,
        cache=Path(job.stored_path).with_suffix(".cells"),
    )
    return plan


def import_check(job: AssessmentImportJob) -> AssessmentImportJob:
    """Phase 1: read, validate and score; nothing is written to the archive."""
    _update_job(job, status=Status.CHECKING, progress=0)
    try:
        plan = _plan(job, for_commit=False)
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
    try:
        return _commit(job)
    except Exception:
        log.exception("assessment import commit failed for %s", job.pk)
        _update_job(
            job,
            status=Status.FAILED,
            message=_("导入时发生内部错误，未写入任何数据，请联系平台管理员"),
            finished_at=timezone.now(),
        )
        raise


def _commit(job: AssessmentImportJob) -> AssessmentImportJob:
    _update_job(job, status=Status.IMPORTING, progress=0)
    plan = _plan(job, for_commit=True)
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
        stored = AssessmentResult.objects.bulk_create(
            [
                AssessmentResult(**services.result_fields(a, version, r, reason))
                for a, r in zip(assessments, results, strict=True)
            ],
            batch_size=BATCH,
        )
        _insert_domain_scores(stored, assessments, results)
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
                        "score": f"{r.score:.2f}",
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


class UploadError(ValueError):
    pass


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
        created_by=actor, model_version=version, original_name=Path(upload.name).name[:200], size=upload.size
    )
    path = stored_path_for(job.pk)
    with path.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    job.stored_path = str(path)
    job.save()
    check_assessment_import.enqueue(str(job.pk))  # the row is committed first, so a worker always finds it
    return job


def import_confirm(*, actor, job: AssessmentImportJob) -> AssessmentImportJob:
    from .import_tasks import commit_assessment_import

    if job.created_by_id != actor.pk and not scope_of(actor).is_admin:
        raise PermissionDenied(_("只有上传者可以确认导入"))
    updated = AssessmentImportJob.objects.filter(pk=job.pk, status=Status.READY).update(
        status=Status.IMPORTING, progress=0
    )
    if not updated:
        raise NotReady(_("该导入任务当前不能确认（可能已导入或校验未通过）"))
    job.status = Status.IMPORTING
    commit_assessment_import.enqueue(str(job.pk))
    job.refresh_from_db()
    return job


def jobs_visible_to(user):
    scope = scope_of(user)
    jobs = AssessmentImportJob.objects.select_related("model_version")
    if scope.is_admin:
        return jobs.all()
    if not can_import(user):
        return jobs.none()
    return jobs.filter(created_by=user)


def get_import_job_for_user(user, pk) -> AssessmentImportJob:
    job = jobs_visible_to(user).filter(pk=pk).first()
    if job is None:
        raise Http404(_("导入任务不存在"))
    return job
