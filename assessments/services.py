"""Writes for assessments: drafts, answers, submission with its snapshot, verification, library sync, rescoring.

Views and the API call these; they never write assessment rows themselves. Every submission is recorded on the
enterprise's timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import OperationalError, connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Substr
from django.utils import timezone
from django.utils.translation import gettext as _

import maturity
from core.db import is_contention
from enterprises import events
from enterprises.models import Enterprise, EnterpriseEvent
from maturity.answers import applies, points_for
from maturity.library import LIBRARY
from maturity.numbers import score_text
from maturity.spec import NA, ModelSpec

from . import notices
from .models import Assessment, AssessmentResult, DomainScore, ModelVersion, PeerScore, PeerScoreSync
from .specs import digest_of, item_count, item_refs, spec_json

# Shipped ModelSpec files loaded into the database (other YAML files in the library are not ModelSpecs).
LIBRARY_MODELS = ("cmmm-2020", "sme-2024", "sme-2022", "dcmm-2018", "ai-level-2026")

# GB/T 4754 divisions usually run as process (流程型) manufacturing: a default the user confirms, not a fact.
PROCESS_DIVISIONS = frozenset({"13", "14", "15", "16", "17", "22", "25", "26", "27", "28", "30", "31", "32"})


class AssessmentError(ValueError):
    """A request the assessment rules refuse; `problems` maps item codes (or "") to Chinese messages."""

    def __init__(self, message: str, problems: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.problems = problems or {}


# ---------------------------------------------------------------- model versions


@transaction.atomic
def publish_version(
    spec: ModelSpec, *, actor=None, origin: str = ModelVersion.Origin.UPLOAD, change_note: str = "", current=True
) -> ModelVersion:
    """Store a validated spec as a new version; the current version of the same code becomes what it corrects."""
    data = spec_json(spec)
    if ModelVersion.objects.filter(code=spec.code, version=spec.version).exists():
        raise AssessmentError(
            _("模型 %(code)s 的版本 %(v)s 已存在，请提高版本号") % {"code": spec.code, "v": spec.version}
        )
    previous = ModelVersion.objects.select_for_update().filter(code=spec.code, is_current=True).first()
    if current and previous:
        previous.is_current = False
        previous.save(update_fields=["is_current"])
    return ModelVersion.objects.create(
        code=spec.code,
        version=spec.version,
        name=spec.name,
        status=spec.status,
        spec=data,
        digest=digest_of(data),
        origin=origin,
        is_current=current or previous is None,
        corrects=previous,
        change_note=change_note,
        item_count=item_count(spec),
        created_by=actor,
    )


def sync_library() -> list[ModelVersion]:
    """Load the shipped model files; a file whose version is already stored with other content must be re-versioned
    (stored versions are pinned by assessments and never change underneath them)."""
    added = []
    for stem in LIBRARY_MODELS:
        path = LIBRARY / f"{stem}.yaml"
        if not path.exists():
            continue
        spec = maturity.load_yaml(path)
        data = spec_json(spec)
        existing = ModelVersion.objects.filter(code=spec.code, version=spec.version).first()
        if existing is None:
            added.append(publish_version(spec, origin=ModelVersion.Origin.LIBRARY, change_note=_("平台内置模型")))
        elif existing.digest != digest_of(data):
            if existing.assessments.exists():
                raise AssessmentError(
                    _("内置模型 %(stem)s 内容已变但版本号 %(v)s 未变，且已有评估使用该版本：请提高版本号")
                    % {"stem": stem, "v": spec.version}
                )
            existing.spec, existing.digest, existing.name = data, digest_of(data), spec.name
            existing.status, existing.item_count = spec.status, item_count(spec)
            existing.save(update_fields=["spec", "digest", "name", "status", "item_count"])
    return added


# ---------------------------------------------------------------- drafts and answers


def default_context(enterprise: Enterprise) -> dict:
    """The facts a model's applicability reads, taken from the archive at the time the draft starts."""
    return {
        "production_type": "process" if enterprise.industry_id in PROCESS_DIVISIONS else "discrete",
        "industry": enterprise.industry_id,
        "size": enterprise.size_class or None,
    }


def start(
    *,
    actor,
    enterprise: Enterprise,
    version: ModelVersion,
    kind: str,
    verifies: Assessment | None = None,
    production_type: str | None = None,
    source: str = Assessment.Source.WEB,
) -> Assessment:
    """A new draft. A verification starts from the answers it verifies, so the reviewer changes only what differs."""
    context = default_context(enterprise)
    if production_type:
        if production_type not in ("discrete", "process"):
            raise AssessmentError(_("生产类型须为离散型或流程型"))
        context["production_type"] = production_type
    answers: dict = {}
    if kind == Assessment.Kind.VERIFIED and verifies is None:
        raise AssessmentError(_("核验评估须指定所核验的评估"))
    if verifies is not None:
        if verifies.enterprise_id != enterprise.pk or verifies.status != Assessment.Status.SUBMITTED:
            raise AssessmentError(_("只能核验本企业已提交的评估"))
        if verifies.model_code != version.code:
            raise AssessmentError(_("核验须使用同一模型"))
        context = dict(verifies.context)
        known = item_refs(version.parsed())
        answers = {k: v for k, v in verifies.answers.items() if k in known}
    assessment = Assessment.objects.create(
        enterprise=enterprise,
        model_version=version,
        model_code=version.code,
        kind=kind,
        verifies=verifies,
        context=context,
        answers=answers,
        answered_count=len(answers),
        created_by=actor,
        source=source,
    )
    return assessment


def check_answer(spec: ModelSpec, context: dict, code: str, value: object) -> str | None:
    """The problem with one answer, in Chinese, or None. Drafts are checked item by item; submit checks the whole."""
    ref = item_refs(spec).get(code)
    if ref is None:
        return _("未知条目 %(code)s") % {"code": code}
    item = ref.item
    if not applies(ref, context):
        return None if value == NA else _("该条目不适用于本企业")
    if value == NA:
        return None if item.not_applicable_allowed else _("该条目不允许选择“不适用”")
    try:
        points_for(item, value)
    except maturity.ScoringError as exc:
        return str(exc)
    return None


def save_answers(*, actor, assessment: Assessment, updates: dict[str, object], reasons: dict[str, str] | None = None):
    """Merge answers into a draft: valid ones are stored, None clears an answer, invalid ones are reported.

    Returns {item code: problem}. Nothing valid is lost because another answer on the page is wrong."""
    if not assessment.is_draft:
        raise AssessmentError(_("评估已提交，答案已冻结"))
    spec = assessment.model_version.parsed()
    problems: dict[str, str] = {}
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        answers = dict(locked.answers)
        for code, value in updates.items():
            if value is None:
                answers.pop(code, None)
            elif problem := check_answer(spec, locked.context, code, value):
                problems[code] = problem
            else:
                answers[code] = value
        locked.answers = answers
        locked.answered_count = len(answers)
        fields = ["answers", "answered_count", "updated_at"]
        if reasons is not None:
            merged = {**locked.reasons, **{k: v.strip()[:500] for k, v in reasons.items()}}
            locked.reasons = {k: v for k, v in merged.items() if v}
            fields.append("reasons")
        locked.save(update_fields=fields)
    assessment.answers, assessment.answered_count, assessment.reasons = (
        locked.answers,
        locked.answered_count,
        locked.reasons,
    )
    return problems


# ---------------------------------------------------------------- submission and results


@dataclass(frozen=True)
class Difference:
    code: str
    name: str
    before: object
    after: object
    reason: str


def differences(assessment: Assessment) -> list[Difference]:
    """Items whose answer differs from the assessment this one verifies, in model order, with the reviewer's reason."""
    if assessment.verifies_id is None:
        return []
    before = assessment.verifies.answers
    out = []
    for ref in assessment.model_version.parsed().iter_items():
        code = ref.item.code
        if before.get(code) != assessment.answers.get(code):
            out.append(
                Difference(
                    code,
                    ref.item.name,
                    before.get(code),
                    assessment.answers.get(code),
                    assessment.reasons.get(code, ""),
                )
            )
    return out


def submit(*, actor, assessment: Assessment) -> AssessmentResult:
    """Score the whole assessment, freeze it and store its snapshot; refuses with every problem named."""
    spec = assessment.model_version.parsed()
    try:
        result = maturity.score(spec, assessment.answers, assessment.context)
    except maturity.ScoringError as exc:
        raise AssessmentError(_("无法提交：%(why)s") % {"why": exc}, {exc.code or "": str(exc)}) from exc
    if assessment.kind == Assessment.Kind.VERIFIED:
        missing = {d.code: _("请填写与原评估不一致的理由") for d in differences(assessment) if not d.reason}
        if missing:
            raise AssessmentError(_("%(n)d 个条目与原评估不一致，须逐条说明理由") % {"n": len(missing)}, missing)
    with transaction.atomic():
        locked = Assessment.objects.select_for_update().get(pk=assessment.pk)
        if not locked.is_draft:
            raise AssessmentError(_("评估已提交，答案已冻结"))
        locked.status = Assessment.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.submitted_by = actor
        locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
        stored = store_result(locked, locked.model_version, result, reason=_("提交"))
        events.record(
            locked.enterprise,
            EnterpriseEvent.Kind.ASSESSED,
            actor=actor,
            summary=_("提交%(kind)s：%(model)s，%(level)s（%(score)s 分）")
            % {
                "kind": locked.get_kind_display(),
                "model": locked.model_version.name,
                "level": result.level_name or "—",
                "score": score_text(result.score),
            },
            data={"assessment": locked.pk, "result": stored.pk},
        )
        if locked.kind == Assessment.Kind.VERIFIED and locked.verifies_id:
            notices.verification_submitted(
                verification=locked, result=stored, original_result=current_result(locked.verifies)
            )
    assessment.status, assessment.submitted_at = locked.status, locked.submitted_at
    return stored


def store_result(assessment: Assessment, version: ModelVersion, result, *, reason: str) -> AssessmentResult:
    """Write a snapshot and its domain scores, making it the assessment's current result."""
    AssessmentResult.objects.filter(assessment=assessment, is_current=True).update(is_current=False)
    DomainScore.objects.filter(result__assessment=assessment, is_current=True).update(is_current=False)
    stored = AssessmentResult.objects.create(**result_fields(assessment, version, result, reason))
    DomainScore.objects.bulk_create(domain_rows(stored, assessment, result))
    peer_scores_refresh(enterprise_ids=[assessment.enterprise_id], model_code=assessment.model_code)
    return stored


def result_fields(assessment: Assessment, version: ModelVersion, result, reason: str) -> dict:
    return {
        "assessment": assessment,
        "model_version": version,
        "is_current": True,
        "score": result.score,
        "scale_max": result.scale_max,
        "level": result.level,
        "level_name": result.level_name,
        "provisional": result.provisional,
        "snapshot": result.to_dict(),
        "reason": reason,
    }


def domain_rows(stored: AssessmentResult, assessment: Assessment, result) -> list[DomainScore]:
    return [
        DomainScore(
            result=stored,
            enterprise_id=assessment.enterprise_id,
            model_code=assessment.model_code,
            node_code=node.code,
            depth=node.depth,
            score=node.score,
        )
        for node in result.nodes.values()
    ]


def current_result(assessment: Assessment) -> AssessmentResult | None:
    return assessment.results.filter(is_current=True).select_related("model_version", "assessment").first()


# ---------------------------------------------------------------- rescoring after a correction


def stale_results(version: ModelVersion):
    """Current results of submitted assessments of this model that were computed with another version."""
    return AssessmentResult.objects.filter(
        is_current=True, assessment__model_code=version.code, assessment__status=Assessment.Status.SUBMITTED
    ).exclude(model_version=version)


def rescore(*, version: ModelVersion, **options):
    """Rescore every stale result of `version.code` against it, in bulk: see `assessments.rescoring.rescore`."""
    from .rescoring import rescore as bulk_rescore  # its own module; it calls back into this one for peer rows

    return bulk_rescore(version=version, **options)


# ---------------------------------------------------------------- evidence


def attach_evidence(*, actor, assessment: Assessment, item_code: str, upload):
    """Store a checked file for one item; for an evidence-file item the file also becomes its answer."""
    from . import evidence as evidence_files

    if not assessment.is_draft:
        raise AssessmentError(_("评估已提交，不能再上传材料"))
    ref = item_refs(assessment.model_version.parsed()).get(item_code)
    item = ref.item if ref is not None else None
    if item is None:
        raise AssessmentError(_("未知条目 %(code)s") % {"code": item_code})
    stored = evidence_files.store(actor=actor, assessment=assessment, item_code=item_code, upload=upload)
    if item.kind == "evidence_file":
        ids = [str(e.pk) for e in assessment.evidence.filter(item_code=item_code)]
        save_answers(actor=actor, assessment=assessment, updates={item_code: ids})
    return stored


def remove_evidence(*, actor, assessment: Assessment, evidence) -> None:
    if not assessment.is_draft:
        raise AssessmentError(_("评估已提交，材料已冻结"))
    code = evidence.item_code
    evidence.file.delete(save=False)
    evidence.delete()
    ref = item_refs(assessment.model_version.parsed()).get(code)
    if ref is not None and ref.item.kind == "evidence_file":
        ids = [str(e.pk) for e in assessment.evidence.filter(item_code=code)]
        save_answers(actor=actor, assessment=assessment, updates={code: ids or None})


def current_results_for(assessment_ids: list[int]):
    return AssessmentResult.objects.filter(assessment_id__in=assessment_ids, is_current=True).defer("snapshot")


# ---------------------------------------------------------------- peer scores (what reports.peers counts)

PEER_CHUNK = 500  # enterprises per refresh statement: well inside SQLite's limit on bound parameters
# Timeline kinds that can move an enterprise to another peer group, or out of every group and back.
ARCHIVE_KINDS = (
    EnterpriseEvent.Kind.CHANGED,
    EnterpriseEvent.Kind.IMPORTED,
    EnterpriseEvent.Kind.REMOVED,
    EnterpriseEvent.Kind.RESTORED,
)
# Events written up to this long before the last follow are read again: a change whose transaction was still
# open when that follow ran is picked up. One committed later than this is not; `rebuild_peer_scores` repairs it.
FOLLOW_MARGIN = dt.timedelta(minutes=1)
FOLLOW_WRITE_EVERY = dt.timedelta(seconds=30)  # reading a slightly wider window is cheaper than a write per read


def _peer_rows_sql(where: str) -> str:
    """INSERT … SELECT of the peer rows of every (enterprise, model) the WHERE clause on `a` (assessments) keeps.

    The latest submitted assessment with a current result wins, by submitted_at then id; its total comes from
    the result and its top-level nodes (depth 0) from its current domain scores (whichever of its results computed
    them, see `DomainScore`), unscored ones (all N/A) as NULL so that every enterprise has a row for every top-level
    node of its version. Enterprises removed from the archive are left out. Plain SQL that SQLite and PostgreSQL
    both run, so a province rebuilds in one statement."""
    qn = connection.ops.quote_name
    a, r, d = (qn(m._meta.db_table) for m in (Assessment, AssessmentResult, DomainScore))
    e, p = qn(Enterprise._meta.db_table), qn(PeerScore._meta.db_table)
    return f"""
        INSERT INTO {p} (enterprise_id, model_code, node_code, score, assessment_id, industry, size_class,
                         province, city)
        WITH latest AS (
            SELECT a.id AS assessment_id, a.enterprise_id, a.model_code, r.id AS result_id, r.score,
                   ROW_NUMBER() OVER (
                       PARTITION BY a.enterprise_id, a.model_code ORDER BY a.submitted_at DESC, a.id DESC
                   ) AS n
            FROM {a} a JOIN {r} r ON r.assessment_id = a.id AND r.is_current
            WHERE a.status = %s {where}
        ),
        chosen AS (
            SELECT l.assessment_id, l.enterprise_id, l.model_code, l.result_id, l.score, e.industry_id,
                   e.size_class, SUBSTR(e.county_id, 1, 2) AS province, SUBSTR(e.county_id, 1, 4) AS city
            FROM latest l JOIN {e} e ON e.id = l.enterprise_id
            WHERE l.n = 1 AND e.removed_at IS NULL
        )
        SELECT enterprise_id, model_code, '', score, assessment_id, industry_id, size_class, province, city
        FROM chosen
        UNION ALL
        SELECT c.enterprise_id, c.model_code, d.node_code, d.score, c.assessment_id, c.industry_id, c.size_class,
               c.province, c.city
        FROM chosen c JOIN {r} dr ON dr.assessment_id = c.assessment_id
        JOIN {d} d ON d.result_id = dr.id AND d.is_current
        WHERE d.depth = 0
    """  # noqa: S608 - table names from the models' meta, every value a bound parameter


def peer_scores_refresh(*, enterprise_ids: Iterable[int], model_code: str | None = None) -> int:
    """Rewrite the peer rows of these enterprises (for one model, or all) from their assessments and their archive
    record as they are now; returns the rows written. Every write of a result calls this in its transaction."""
    ids = sorted(set(enterprise_ids))
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        for start_at in range(0, len(ids), PEER_CHUNK):
            chunk = ids[start_at : start_at + PEER_CHUNK]
            # Two refreshes of one enterprise at once would both delete, then both insert: the second would break
            # the one-row-per-node constraint. Holding the enterprises' rows makes the second wait (ids in order, so
            # no two refreshes wait on each other). SQLite has one writer anyway and ignores this.
            list(Enterprise.objects.select_for_update().filter(pk__in=chunk).values_list("pk", flat=True))
            rows = PeerScore.objects.filter(enterprise_id__in=chunk)
            where, params = f"AND a.enterprise_id IN ({', '.join(['%s'] * len(chunk))})", [*chunk]
            if model_code is not None:
                rows = rows.filter(model_code=model_code)
                where, params = where + " AND a.model_code = %s", [*params, model_code]
            rows.delete()
            cursor.execute(_peer_rows_sql(where), [Assessment.Status.SUBMITTED, *params])
            written += cursor.rowcount
    return written


@transaction.atomic
def peer_scores_rebuild() -> int:
    """Every peer row again from scratch (the management command; also repairs what following missed)."""
    started = timezone.now()
    if connection.vendor == "postgresql":  # refreshes wait until the rebuild is in; reads go on
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(PeerScore._meta.db_table)} IN EXCLUSIVE MODE")
    PeerScore.objects.all().delete()
    with connection.cursor() as cursor:
        cursor.execute(_peer_rows_sql(""), [Assessment.Status.SUBMITTED])
        written = cursor.rowcount
    PeerScoreSync.objects.update_or_create(pk=1, defaults={"followed_until": started})
    return written


def peer_scores_follow_archive() -> int:
    """Bring the copied keys up to date with archive changes since the last call; returns the enterprises redone.

    The archive is another app's (and must not call this one), but every change to it writes a timeline event,
    so the events since the last follow name the enterprises to look at. Of those, only the ones whose rows no
    longer match their record (moved, reclassified, resized, removed) or that were restored are refreshed: after
    quiet times this is one indexed read of the timeline."""
    now = timezone.now()
    state = PeerScoreSync.objects.filter(pk=1).first()
    events = EnterpriseEvent.objects.filter(kind__in=ARCHIVE_KINDS)
    if state is not None:
        events = events.filter(at__gt=state.followed_until - FOLLOW_MARGIN)
    redo = _peer_rows_to_redo(events) if events.exists() else set()
    try:
        with transaction.atomic():  # a savepoint inside a caller's transaction, so a lost race leaves it usable
            if redo:
                peer_scores_refresh(enterprise_ids=redo)
            if state is None:
                PeerScoreSync.objects.update_or_create(pk=1, defaults={"followed_until": now})
            elif now - state.followed_until > FOLLOW_WRITE_EVERY:
                PeerScoreSync.objects.filter(pk=1).update(followed_until=now)
    except OperationalError as exc:
        if not is_contention(exc):
            raise
        # Another request holds the lock, typically following the same events right now. Nothing is lost by
        # stepping aside: the mark did not move, so the next call re-reads these events. A report being issued
        # must not fail over this bookkeeping (issue 16: concurrent issues never give a 500).
        return 0
    return len(redo)


def _peer_rows_to_redo(events) -> set[int]:
    """Enterprises named by these events whose rows no longer match their record, or that were restored."""
    changed = events.values("enterprise_id")
    moved = (
        PeerScore.objects.filter(node_code=PeerScore.TOTAL, enterprise_id__in=changed)
        .filter(
            Q(enterprise__removed_at__isnull=False)
            | ~Q(industry=F("enterprise__industry_id"))
            | ~Q(size_class=F("enterprise__size_class"))
            | ~Q(city=Substr("enterprise__county_id", 1, 4))
        )
        .values_list("enterprise_id", flat=True)
    )
    restored = events.filter(kind=EnterpriseEvent.Kind.RESTORED).values_list("enterprise_id", flat=True)
    return {*moved, *restored}
