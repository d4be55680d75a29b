"""Rescoring after a model correction, in bulk: every submitted assessment whose current result predates the
corrected version is scored against it, chunk by chunk.

A chunk is read in one query (answers and contexts of the next `chunk` stale results, in assessment order), scored
with one `maturity.batch.score_many_reporting` run, and written in one transaction: the old results stop being
current (they stay, as history, with their node scores in their snapshots), the new results are inserted with a
compact snapshot (as large imports store them; `import_results.full_snapshot` recomputes the rest on demand), and
the assessment's current domain-score rows are brought to the new scores: only rows whose score changed are
rewritten. A correction that leaves the tree as it was (thresholds, bands,
level names) changes no node score, and the domain scores are then not even read. Nodes the corrected model
dropped or added are deleted or inserted. Peer rows get the totals and top-level scores that changed. Assessments
whose answers no longer fit the corrected model are reported with the error `score` gives and keep their old result.

Why: a CMMM result has 36 domain scores, so a million assessments meant 36 million rows flipped to not current
plus 36 million inserted, through four indexes (~26 minutes on SQLite, ~50 on PostgreSQL); moving them to the new
result instead still rewrote 36 million rows (the result column is indexed, so PostgreSQL writes a new version of
each). An assessment's domain scores are therefore its rows with `is_current`, whichever of its results computed
them (see `DomainScore`); every reader selects them so.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from operator import itemgetter

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from maturity.answers import prepared_for
from maturity.batch import BatchResult, score_many_reporting
from maturity.spec import EPS, ModelSpec

from .import_results import _node_meta as node_meta
from .import_results import is_provisional
from .models import Assessment, AssessmentResult, DomainScore, ModelVersion, PeerScore
from .services import peer_scores_refresh, stale_results

logger = logging.getLogger(__name__)

CHUNK = 10_000  # assessments per read, score and write: ~40 MB of answers and results at a time
IN_LIST = 500  # ids per `IN (…)` when flipping old results: well inside SQLite's limit on bound parameters
UNNEST_ROWS = 20_000  # rows per UPDATE … FROM unnest(arrays) on PostgreSQL
SAME = 1e-12  # a domain score within this of the stored one is left as stored (float summation order, not a change)
SQLITE_CACHE_KIB = 262_144  # SQLite page cache while rescoring: the default 2 MB thrashes on million-row indexes

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
    # Rescoring never changes which assessment an enterprise's peer rows come from, only its scores: when the
    # stale results' versions have the same top-level nodes, the rows are updated in place (a chunk's refresh
    # with `peer_scores_refresh` rebuilds them from the whole history and cost more than the rest of the write).
    tops = {n.code for n in spec.nodes}
    earlier = [
        v.parsed() for v in ModelVersion.objects.filter(pk__in=stale_results(version).values("model_version_id"))
    ]
    writer.peers_in_place = all({n.code for n in v.nodes} == tops for v in earlier)
    # A correction of thresholds, bands or texts leaves every node score as it was (they depend only on the tree
    # and the answers): the domain scores and top-level peer rows then need neither reading nor writing.
    writer.nodes_unchanged = all(_same_tree(v, spec) for v in earlier)
    with _sqlite_cache():
        _run(version, spec, chunk, writer, report, total, progress)
    return report


def _run(
    version: ModelVersion,
    spec: ModelSpec,
    chunk: int,
    writer: _Writer,
    report: RescoreReport,
    total: int,
    progress: Progress | None,
) -> None:
    after, done = 0, 0
    while True:
        rows = _stale_chunk(version, after, chunk)
        if not rows:
            break
        after = rows[-1][0]
        batch, errors = score_many_reporting(spec, [r[3] for r in rows], [r[4] for r in rows])
        for i, exc in sorted(errors.items()):
            report.failed[rows[i][0]] = str(exc)  # type: ignore[index]
        keep = [i for i in range(len(rows)) if i not in errors]
        with transaction.atomic():
            writer.write([rows[i] for i in keep], _take(batch, keep))
        report.rescored += len(keep)
        done += len(rows)
        logger.info("rescoring %s %s: %d of %d", version.code, version.version, done, total)
        if progress is not None:
            progress(done, total)


@contextmanager
def _sqlite_cache():
    """A larger page cache on SQLite for the run (this connection only), restored afterwards."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (before,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(before)}")


def _stale_chunk(version: ModelVersion, after: int, chunk: int) -> list[tuple]:
    """The next `chunk` stale results after assessment `after` (`stale_results`, in assessment order), as
    (assessment id, result id, enterprise id, answers, context, old total). Plain SQL so that the walk follows the
    assessments' own index and stops at `chunk` rows: ordered by the result's copy of the id, SQLite sorted every
    remaining row, answers included, for each chunk."""
    qn = connection.ops.quote_name
    a, r = qn(Assessment._meta.db_table), qn(AssessmentResult._meta.db_table)
    sql = (
        f"SELECT a.id, r.id, a.enterprise_id, a.answers, a.context, r.score FROM {a} a "  # noqa: S608 - names from meta
        f"JOIN {r} r ON r.assessment_id = a.id AND r.is_current "
        "WHERE a.model_code = %s AND a.status = %s AND a.id > %s AND r.model_version_id <> %s "
        "ORDER BY a.id LIMIT %s"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [version.code, Assessment.Status.SUBMITTED, after, version.pk, chunk])
        found = cursor.fetchall()
    loads = json.loads
    return [
        (
            aid,
            rid,
            eid,
            loads(answers) if isinstance(answers, str) else answers,
            loads(ctx) if isinstance(ctx, str) else ctx,
            total,
        )
        for aid, rid, eid, answers, ctx, total in found
    ]


class _Writer:
    """The writes of one chunk, with what every chunk shares (the snapshot's fixed text, provisional flags) worked
    out once."""

    def __init__(self, spec: ModelSpec, version: ModelVersion, reason: str) -> None:
        self.spec, self.version, self.reason = spec, version, reason
        self.provisional: dict[tuple, bool] = {}
        self.snapshots = CompactSnapshots(spec)
        self.peers_in_place = False
        self.nodes_unchanged = False

    def _provisional(self, context: dict | None) -> bool:
        key = tuple(sorted((context or {}).items()))
        if key not in self.provisional:
            self.provisional[key] = is_provisional(self.spec, prepared_for(self.spec, context).refs)
        return self.provisional[key]

    def write(self, rows: Sequence[tuple], batch: BatchResult) -> None:
        """`rows[k]` (assessment id, old result id or None, enterprise id, answers, context, old total or None) was
        scored in `batch` row k."""
        if not rows:
            return
        old = [r[1] for r in rows if r[1] is not None]
        for start in range(0, len(old), IN_LIST):
            AssessmentResult.objects.filter(pk__in=old[start : start + IN_LIST]).update(is_current=False)
        snap = self.snapshots
        snap.bind(batch.node_codes)
        scores, levels = batch.scores.tolist(), batch.levels.tolist()
        level_scores, node_scores = batch.level_scores.tolist(), batch.node_scores.tolist()
        now = timezone.now()
        if connection.vendor != "postgresql":
            now = connection.ops.adapt_datetimefield_value(now)
        results = []
        for k, r in enumerate(rows):
            level = None if levels[k] < 0 else levels[k]
            level_name = "" if level is None else self.spec.level_name(level)
            provisional = self._provisional(r[4])
            text = snap.json(scores[k], level, level_name, provisional, node_scores[k], level_scores[k])
            results.append(
                (
                    r[0],
                    self.version.pk,
                    True,
                    scores[k],
                    snap.scale_max,
                    level,
                    level_name,
                    provisional,
                    text,
                    self.reason,
                    now,
                )
            )
        _insert(AssessmentResult, RESULT_COLUMNS, results)
        ids = {  # the new results' ids, through the index of current results by assessment
            assessment: pk
            for assessment, pk, version in AssessmentResult.objects.filter(
                assessment_id__gte=rows[0][0], assessment_id__lte=rows[-1][0], is_current=True
            )
            .order_by()
            .values_list("assessment_id", "pk", "model_version_id")
            if version == self.version.pk
        }
        before: dict[int, dict] = {}
        if not self.nodes_unchanged:
            before = _domain_scores([r[0] for r in rows if r[1] is not None])
            self._domain_score_changes(rows, ids, node_scores, before)
        code = self.version.code
        if self.peers_in_place:
            tops = [(batch.node_codes.index(n.code), n.code) for n in self.spec.nodes]
            changes = []
            for r, total, values in zip(rows, scores, node_scores, strict=True):
                if r[5] != total:  # the peer total is a copy of the result's score, exactly
                    changes.append((r[0], PeerScore.TOTAL, total))
                if self.nodes_unchanged:
                    continue
                was = before.get(r[0], {})
                for col, node in tops:
                    x = None if values[col] != values[col] else values[col]
                    if not _same(was.get(node, (None, None, None, _MISSING))[3], x):
                        changes.append((r[0], node, x))
            _update_peer_scores(code, changes)
        else:
            peer_scores_refresh(enterprise_ids={r[2] for r in rows}, model_code=code)

    def _domain_score_changes(
        self, rows: Sequence[tuple], ids: dict[int, int], node_scores: list, before: dict[int, dict]
    ) -> None:
        """Each assessment's current domain scores brought to the new scores: rows whose score and depth are
        unchanged stay as they are, changed ones get the new score, nodes gone are deleted, new ones inserted (for
        the new result)."""
        code = self.version.code
        order = [
            (col, c, depth)
            for col, (c, _name, depth, _status) in zip(self.snapshots.columns, self.snapshots.nodes, strict=True)
        ]
        inserts, rewrites, deletes = [], [], []
        for r, values in zip(rows, node_scores, strict=True):
            new = ids[r[0]]
            have = dict(before.get(r[0], {}))
            for col, c, depth in order:
                x = None if (x := values[col]) != x else x
                got = have.pop(c, None)
                if got is None:
                    inserts.append((new, r[2], code, c, depth, x, True))
                elif got[2] != depth or not _same(got[3], x):
                    rewrites.append((depth, x, got[0]))
            deletes += [got[0] for got in have.values()]
        table = connection.ops.quote_name(DomainScore._meta.db_table)
        with connection.cursor() as cursor:
            for start in range(0, len(deletes), IN_LIST):
                part = deletes[start : start + IN_LIST]
                cursor.execute(f"DELETE FROM {table} WHERE id IN ({', '.join(['%s'] * len(part))})", part)  # noqa: S608
        _update(DomainScore, ["depth", "score"], ["id"], rewrites)  # no indexed column: SQLite and PostgreSQL
        # rewrite the row alone (PostgreSQL in place where the page has room), not the row and an index entry
        _insert(
            DomainScore,
            ["result_id", "enterprise_id", "model_code", "node_code", "depth", "score", "is_current"],
            inserts,
        )


_MISSING = object()


def _same_tree(old: ModelSpec, new: ModelSpec) -> bool:
    """Whether every node score is the same under both specs for the same answers and context: the same tree
    (items, options, weights, applicability) and the same choice of whether scenes count."""
    return (
        old.nodes == new.nodes
        and old.rule.type == new.rule.type
        and getattr(old.rule, "scenes_in_score", None) == getattr(new.rule, "scenes_in_score", None)
    )


def _same(old: object, new: float | None) -> bool:
    """Whether a stored score (None for "nothing counted") equals a computed one, up to summation order."""
    if old is None or new is None or old is _MISSING:
        return old is new
    return abs(old - new) <= SAME  # type: ignore[operator]


def _domain_scores(assessment_ids: list[int]) -> dict[int, dict[str, tuple]]:
    """The current domain scores of these assessments, whichever of their results computed them:
    assessment id → node code → (id, result id, depth, score)."""
    out: dict[int, dict[str, tuple]] = {}
    qn = connection.ops.quote_name
    d, r = qn(DomainScore._meta.db_table), qn(AssessmentResult._meta.db_table)
    with connection.cursor() as cursor:
        for start in range(0, len(assessment_ids), IN_LIST):
            part = assessment_ids[start : start + IN_LIST]
            cursor.execute(
                f"SELECT d.id, d.result_id, r.assessment_id, d.node_code, d.depth, d.score FROM {d} d "  # noqa: S608
                f"JOIN {r} r ON r.id = d.result_id WHERE d.is_current "
                f"AND r.assessment_id IN ({', '.join(['%s'] * len(part))})",
                part,
            )
            for pk, result, assessment, node, depth, score in cursor.fetchall():
                out.setdefault(assessment, {})[node] = (pk, result, depth, score)
    return out


RESULT_COLUMNS = [
    "assessment_id",
    "model_version_id",
    "is_current",
    "score",
    "scale_max",
    "level",
    "level_name",
    "provisional",
    "snapshot",
    "reason",
    "computed_at",
]


def _number(x: float | None) -> str:
    return "null" if x is None or x != x else repr(float(x))  # NaN is None in a snapshot; repr is what json writes


class CompactSnapshots:
    """The compact snapshot of a scored row (`import_results._BatchRow.to_dict()`: scores, level, nodes and levels;
    no items, trace or blockers) as JSON text, from one format string rendered once per spec: json.dumps of the
    dict cost more than scoring the row. `test_rescoring` checks the text against `json.dumps(_BatchRow.to_dict())`."""

    def __init__(self, spec: ModelSpec) -> None:
        self.spec = spec
        self.nodes = node_meta(spec)
        self.cmmm = spec.rule.type == "cmmm_cumulative"
        self.scale_max = float(len(spec.levels)) if self.cmmm else spec.rule.scale_max
        self.thresholds = [spec.rule.threshold(lv.number) for lv in spec.levels] if self.cmmm else []

        def text(value) -> str:  # fixed text goes through %-formatting: its own % signs are doubled
            return json.dumps(value).replace("%", "%%")

        nodes = ", ".join(
            f'{text(code)}: {{"code": {text(code)}, "name": {text(name)}, "depth": {depth}, "score": %s, '
            f'"status": {text(status)}}}'
            for code, name, depth, status in self.nodes
        )
        levels = (
            ", ".join(
                f'{{"number": {lv.number}, "name": {text(lv.name)}, "score": %s, "threshold": {_number(thr)}, '
                '"passed": %s, "counted": %s}'
                for lv, thr in zip(spec.levels, self.thresholds, strict=True)
            )
            if self.cmmm
            else ""
        )  # other rules list no levels
        self.template = (
            f'{{"compact": true, "model_code": {text(spec.code)}, "model_version": {text(spec.version)}, '
            f'"rule": {text(spec.rule.type)}, "score": %s, "scale_max": {_number(self.scale_max)}, "level": %s, '
            f'"level_name": %s, "items": {{}}, "nodes": {{{nodes}}}, "levels": [{levels}], "trace": [], '
            '"blockers": [], "provisional": %s}'
        )
        self.pick: Callable | None = None

    def bind(self, node_codes: tuple[str, ...]) -> None:
        """The batch's node columns (post-order), in the snapshot's node order (pre-order)."""
        columns = [node_codes.index(code) for code, _name, _depth, _status in self.nodes]
        self.columns = columns
        self.pick = itemgetter(*columns) if len(columns) > 1 else (lambda row: (row[columns[0]],))

    def json(self, score, level, level_name, provisional, node_scores, level_scores) -> str:
        """One row's JSON; `node_scores` is the row of `BatchResult.node_scores` whose columns `bind` named."""
        values = [repr(score), "null" if level is None else str(level), json.dumps(level_name)]
        values += ["null" if x != x else repr(x) for x in self.pick(node_scores)]  # type: ignore[misc]
        if self.cmmm:
            counting = True
            for thr, ls in zip(self.thresholds, level_scores, strict=True):
                passed = ls == ls and ls >= thr - EPS
                values += ("null" if ls != ls else repr(ls), _bool(passed), _bool(counting))
                counting = counting and passed
        values.append(_bool(provisional))
        return self.template % tuple(values)


def _bool(value: bool) -> str:
    return "true" if value else "false"


def _take(batch: BatchResult, keep: list[int]) -> BatchResult:
    """The rows `keep` of a BatchResult (all of them when nothing failed)."""
    if len(keep) == len(batch.scores):
        return batch
    return BatchResult(
        batch.scores[keep], batch.levels[keep], batch.level_scores[keep], batch.node_codes, batch.node_scores[keep]
    )


def _update_peer_scores(model_code: str, changes: Iterable[tuple[int, str, float | None]]) -> None:
    """Set the score of the peer rows that come from (assessment, node): one statement per row on SQLite (its
    UPDATE … FROM a VALUES list scans the table), arrays joined through unnest on PostgreSQL."""
    qn = connection.ops.quote_name
    table = qn(PeerScore._meta.db_table)
    pending = list(changes)
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.executemany(
                f"UPDATE {table} SET score = %s WHERE assessment_id = %s AND node_code = %s AND model_code = %s",  # noqa: S608
                [(score, assessment, node, model_code) for assessment, node, score in pending],
            )
            return
        # Arrays joined through unnest: the planner takes unnest for ~100 rows and probes the index per row. With a
        # VALUES list of 2,000 rows it chose a hash join over a scan of the whole table for each statement.
        for start in range(0, len(pending), UNNEST_ROWS):
            part = pending[start : start + UNNEST_ROWS]
            assessments, nodes, scores = (list(c) for c in zip(*part, strict=True))
            cursor.execute(
                f"UPDATE {table} SET score = v.s "  # noqa: S608 - name from meta
                "FROM unnest(%s::bigint[], %s::text[], %s::double precision[]) AS v (a, n, s) "
                f"WHERE {table}.assessment_id = v.a AND {table}.node_code = v.n AND {table}.model_code = %s",
                [assessments, nodes, scores, model_code],
            )


def _update(model, columns: list[str], keys: list[str], rows: Sequence[tuple]) -> None:
    """`UPDATE … SET columns WHERE keys` for each row (the column values, then the key values): executemany on
    SQLite (one indexed statement per row), arrays joined through unnest on PostgreSQL."""
    if not rows:
        return
    meta = model._meta
    qn = connection.ops.quote_name
    table = qn(meta.db_table)

    def column(name: str) -> str:
        return qn(meta.get_field(name.removesuffix("_id")).column) if name != "id" else qn(meta.pk.column)

    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            sets = ", ".join(f"{column(c)} = %s" for c in columns)
            where = " AND ".join(f"{column(k)} = %s" for k in keys)
            cursor.executemany(f"UPDATE {table} SET {sets} WHERE {where}", rows)  # noqa: S608 - names from meta
            return
        types = [meta.get_field(c.removesuffix("_id")).db_type(connection) if c != "id" else "bigint" for c in columns]
        types += ["bigint"] * len(keys)  # keys here are ids
        names = [f"c{k}" for k in range(len(columns) + len(keys))]
        sets = ", ".join(f"{column(c)} = v.{n}" for c, n in zip(columns, names, strict=False))
        where = " AND ".join(f"{table}.{column(k)} = v.{n}" for k, n in zip(keys, names[len(columns) :], strict=True))
        arrays = ", ".join(f"%s::{t}[]" for t in types)
        sql = f"UPDATE {table} SET {sets} FROM unnest({arrays}) AS v ({', '.join(names)}) WHERE {where}"  # noqa: S608
        for start in range(0, len(rows), UNNEST_ROWS):  # unnest, not VALUES: see _update_peer_scores
            cursor.execute(sql, [list(c) for c in zip(*rows[start : start + UNNEST_ROWS], strict=True)])


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
