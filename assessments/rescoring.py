"""Rescoring after a model correction, in bulk: every submitted assessment whose current result predates the
corrected version is scored against it, chunk by chunk.

A chunk is read in one query (answers and contexts of the next `chunk` stale results, in assessment order), scored
with one `maturity.batch.score_many_reporting` run, and written in one transaction: the old results and their
domain scores stop being current (they stay, as history), the new results are inserted with a compact snapshot
(as large imports store them; `import_results.full_snapshot` recomputes the rest on demand), their domain scores go
straight through the cursor (COPY on PostgreSQL), and the peer rows of the chunk's enterprises are refreshed.
Assessments whose answers no longer fit the corrected model are reported with the error `score` gives and keep
their old result. Calling `maturity.score` once per assessment took ~30 minutes for a million.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils.translation import gettext as _

from maturity.answers import prepared_for
from maturity.batch import score_many_reporting
from maturity.spec import ModelSpec

from .import_results import batch_rows, is_provisional
from .models import AssessmentResult, DomainScore, ModelVersion
from .services import peer_scores_refresh, stale_results

logger = logging.getLogger(__name__)

CHUNK = 10_000  # assessments per read, score and write: ~40 MB of answers and results at a time
IN_LIST = 500  # ids per `IN (…)` when flipping old results: well inside SQLite's limit on bound parameters

Progress = Callable[[int, int], None]  # (assessments done, assessments to do)


@dataclass
class RescoreReport:
    rescored: int = 0
    failed: dict[int, str] | None = None  # assessment id → why its answers do not fit the corrected model


def rescore(*, version: ModelVersion, chunk: int = CHUNK, progress: Progress | None = None) -> RescoreReport:
    """Score every submitted assessment of `version.code` whose current result predates `version` against it.

    Old snapshots stay (no longer current); a new one is added with the reason. Assessments whose answers do not
    fit the corrected model are reported, and keep their old result. Each chunk is its own transaction, so an
    interrupted run leaves every assessment with exactly one current result and a second run finishes the rest."""
    spec = version.parsed()
    report = RescoreReport(failed={})
    reason = _("模型修订重算（%(v)s）") % {"v": version.version}
    total = stale_results(version).count()
    writer = _Writer(spec, version, reason)
    after, done = 0, 0
    while True:
        rows = list(
            stale_results(version)
            .filter(assessment_id__gt=after)
            .order_by("assessment_id")
            .values_list(
                "assessment_id", "pk", "assessment__enterprise_id", "assessment__answers", "assessment__context"
            )[:chunk]
        )
        if not rows:
            break
        after = rows[-1][0]
        batch, errors = score_many_reporting(spec, [r[3] for r in rows], [r[4] for r in rows])
        for i, exc in sorted(errors.items()):
            report.failed[rows[i][0]] = str(exc)  # type: ignore[index]
        keep = [i for i in range(len(rows)) if i not in errors]
        with transaction.atomic():
            writer.write([rows[i] for i in keep], batch, keep)
        report.rescored += len(keep)
        done += len(rows)
        logger.info("rescoring %s %s: %d of %d", version.code, version.version, done, total)
        if progress is not None:
            progress(done, total)
    return report


class _Writer:
    """The writes of one chunk, with what every chunk shares (the spec's nodes, provisional flags) worked out once."""

    def __init__(self, spec: ModelSpec, version: ModelVersion, reason: str) -> None:
        self.spec, self.version, self.reason = spec, version, reason
        self.provisional: dict[tuple, bool] = {}

    def _provisional(self, context: dict | None) -> bool:
        key = tuple(sorted((context or {}).items()))
        if key not in self.provisional:
            self.provisional[key] = is_provisional(self.spec, prepared_for(self.spec, context).refs)
        return self.provisional[key]

    def write(self, rows: Sequence[tuple], batch, keep: list[int]) -> None:
        """`rows[k]` (assessment id, old result id, enterprise id, answers, context) was scored in `keep[k]`."""
        if not rows:
            return
        old = [r[1] for r in rows]
        for start in range(0, len(old), IN_LIST):
            part = old[start : start + IN_LIST]
            AssessmentResult.objects.filter(pk__in=part).update(is_current=False)
            DomainScore.objects.filter(result_id__in=part, is_current=True).update(is_current=False)
        scored = _take(batch, keep)
        built = batch_rows(self.spec, scored, [self._provisional(r[4]) for r in rows])
        stored = AssessmentResult.objects.bulk_create(
            [
                AssessmentResult(
                    assessment_id=r[0],
                    model_version=self.version,
                    is_current=True,
                    score=b.score,
                    scale_max=b.scale_max,
                    level=b.level,
                    level_name=b.level_name,
                    provisional=b.provisional,
                    snapshot=b.to_dict(),
                    reason=self.reason,
                )
                for r, b in zip(rows, built, strict=True)
            ],
            batch_size=2000,
        )
        code = self.version.code
        _insert(
            DomainScore,
            ["result_id", "enterprise_id", "model_code", "node_code", "depth", "score", "is_current"],
            (
                (s.pk, r[2], code, n.code, n.depth, n.score, True)
                for s, r, b in zip(stored, rows, built, strict=True)
                for n in b.nodes.values()
            ),
        )
        peer_scores_refresh(enterprise_ids={r[2] for r in rows}, model_code=code)


def _take(batch, keep: list[int]):
    """The rows `keep` of a BatchResult (all of them when nothing failed)."""
    if len(keep) == len(batch.scores):
        return batch
    return type(batch)(
        batch.scores[keep], batch.levels[keep], batch.level_scores[keep], batch.node_codes, batch.node_scores[keep]
    )


def _insert(model, columns: list[str], rows: Iterable[tuple]) -> None:
    """Plain rows straight into the model's table: COPY on PostgreSQL, executemany elsewhere. Building model
    instances for ~36 domain scores per CMMM result would cost more than scoring them."""
    meta = model._meta
    qn = connection.ops.quote_name
    names = ", ".join(qn(meta.get_field(c.removesuffix("_id")).column) for c in columns)
    table = qn(meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # noqa: S608 - names from meta
                for row in rows:
                    copy.write_row(row)
            return
        sql = f"INSERT INTO {table} ({names}) VALUES ({', '.join(['%s'] * len(columns))})"  # noqa: S608
        buffer: list[tuple] = []
        for row in rows:
            buffer.append(row)
            if len(buffer) >= 20_000:
                cursor.executemany(sql, buffer)
                buffer = []
        if buffer:
            cursor.executemany(sql, buffer)
