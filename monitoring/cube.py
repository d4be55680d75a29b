"""The tallies behind the dashboards (`Tally`), rebuilt in bulk: one INSERT … SELECT per measure (and per year and
basis for levels), with a window function picking each enterprise's latest result. Nothing is loaded into Python.

Each statement works out its enterprises once (a common table expression) and writes them keyed four ways in one
go (UNION ALL): by county and industry (what the dashboards read), by county, industry and size class, and by
county, size class and industrial cluster or industry chain (the cluster/chain figure and the index's units). The
statement of a year's levels also writes the domain scores of the same results (sums and counts) and, for the
current year, the gaps against the next level (see `monitoring.gaps`): of the nodes, from their stored scores, and
of the items, from narrow rows (result, item) kept beside the tallies (`ResultItemGap`): each chosen result's
snapshot is read once (in SQL: `json_each` on SQLite, `jsonb_each` on PostgreSQL), at the first rebuild that chooses
it, not at every rebuild (`_derive_item_gaps`).

The dashboards read the tallies, so a figure is as fresh as the last rebuild (shown on the page): an officer's
"重新计算", `manage.py monitoring_refresh` (run it from the scheduler, e.g. nightly) and the demo seeding rebuild."""

from __future__ import annotations

import hashlib
import json
import time

from django.db import connection, transaction
from django.utils import timezone

from assessments.models import Assessment, AssessmentResult, DomainScore
from assessments.tiers import TIER_LABELS, TIERS
from enterprises.models import ChainMembership, ClusterMembership, Enterprise, EnterpriseLabel

from . import gaps
from .metrics import BASIS_KINDS, Measure
from .models import CubeRefresh, ExpandedResult, ResultItemGap, Tally, TallyItem

YEARS = 5  # the current year and the four before it
COLUMNS = (
    "year, measure, model_code, basis, node_code, level, n, score_sum, "
    "grouping, group_id, county_id, industry_id, above_scale, size_class"
)
PLAIN, SIZE, CLUSTER, CHAIN = (g.value for g in Tally.Grouping)
# Typed NULLs: PostgreSQL matches the columns of UNION ALL legs by type, an untyped NULL reads as text.
NO_SUM, NO_GROUP, NO_INDUSTRY = "CAST(NULL AS FLOAT)", "CAST(NULL AS INTEGER)", "CAST(NULL AS VARCHAR(2))"


def _tables() -> dict[str, str]:
    q = connection.ops.quote_name
    models = {
        "tally": Tally, "a": Assessment, "r": AssessmentResult, "d": DomainScore, "e": Enterprise,
        "l": EnterpriseLabel, "cm": ClusterMembership, "ch": ChainMembership, "x": ExpandedResult,
        "g": ResultItemGap, "ti": TallyItem,
    }  # fmt: skip
    return {key: q(model._meta.db_table) for key, model in models.items()}


def _legs(
    values: str, params: list, *, source: str = "c", keys: str = "", groupings=(PLAIN, SIZE, CLUSTER, CHAIN),
    by_industry: bool = True,
):  # fmt: skip
    """SELECTs of one measure over `source` (rows with enterprise_id, county_id, industry_id, is_above_scale and
    size_class), one per grouping, joined by UNION ALL. `values` gives year … score_sum; `keys` the measure's own
    GROUP BY expressions (level, node …); `by_industry=False` leaves the industry out of the plain rows."""
    t = _tables()
    extra = f", {keys}" if keys else ""
    layouts = {
        PLAIN: (f"'', {NO_GROUP}, c.county_id, c.industry_id, c.is_above_scale, ''", "",
                "c.county_id, c.industry_id"),
        SIZE: (f"'size', {NO_GROUP}, c.county_id, c.industry_id, c.is_above_scale, c.size_class", "",
               "c.county_id, c.industry_id, c.size_class"),
        CLUSTER: (f"'cluster', g.cluster_id, c.county_id, {NO_INDUSTRY}, c.is_above_scale, c.size_class",
                  f"JOIN {t['cm']} g ON g.enterprise_id = c.enterprise_id", "g.cluster_id, c.county_id, c.size_class"),
        CHAIN: (f"'chain', g.chain_id, c.county_id, {NO_INDUSTRY}, c.is_above_scale, c.size_class",
                f"JOIN {t['ch']} g ON g.enterprise_id = c.enterprise_id", "g.chain_id, c.county_id, c.size_class"),
    }  # fmt: skip
    if not by_industry:
        layouts[PLAIN] = (f"'', {NO_GROUP}, c.county_id, {NO_INDUSTRY}, c.is_above_scale, ''", "", "c.county_id")
    selects, all_params = [], []
    for grouping in groupings:
        key_columns, join, group_by = layouts[grouping]
        selects.append(
            f"SELECT {values}, {key_columns} FROM {source} {join} GROUP BY {group_by}, c.is_above_scale{extra}"  # noqa: S608
        )
        all_params += params
    return " UNION ALL ".join(selects), all_params


def _population() -> tuple[str, list]:
    t = _tables()
    legs, params = _legs(f"0, 'population', '', '', '', 0, COUNT(*), {NO_SUM}", [])
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        WITH c AS MATERIALIZED (
            SELECT id AS enterprise_id, county_id, industry_id, is_above_scale, size_class
            FROM {t["e"]} WHERE removed_at IS NULL
        ) {legs}""",  # noqa: S608
        params,
    )


def _levels(year: int, basis: str, *, with_gaps: bool) -> tuple[str, list]:
    """A year's levels on a basis, the domain scores of the same results, and (this year) the gaps."""
    t = _tables()
    kinds = BASIS_KINDS[basis]
    end = Measure(metric="level", year=year).year_bounds()[1]
    kind_marks = ", ".join(["%s"] * len(kinds))
    levels, level_params = _legs(
        f"%s, 'level', c.model_code, %s, '', c.level, COUNT(*), {NO_SUM}", [year, basis], keys="c.model_code, c.level"
    )

    def scored(condition: str) -> str:
        """The node scores of the chosen results (the CTE `s` below) that meet `condition`."""
        return f"(SELECT * FROM s WHERE {condition}) c"  # noqa: S608

    statement, params = levels, level_params
    if basis == Assessment.Kind.SELF:
        # The index's mean domain scores (it reads results on the self-assessment basis): the top-level nodes
        # (CMMM: the four elements), in the groupings the index reads. Deeper nodes would multiply these rows.
        domains, domain_params = _legs(
            "%s, 'domain', c.model_code, %s, c.node_code, 0, COUNT(*), SUM(c.score)", [year, basis],
            source=scored("depth = 0"), keys="c.model_code, c.node_code", groupings=(SIZE, CLUSTER, CHAIN),
        )  # fmt: skip
        statement, params = f"{statement} UNION ALL {domains}", params + domain_params
    marks = gaps.current_marks() if with_gaps else {}
    if marks:
        case, case_params = _marks_case(marks)
        gap_legs, gap_params = _legs(
            f"%s, 'gap', c.model_code, %s, c.node_code, c.depth, COUNT(*), {NO_SUM}", [year, basis, *case_params],
            source=scored(f"score < {case}"), keys="c.model_code, c.node_code, c.depth", groupings=(PLAIN,),
            by_industry=False,
        )  # fmt: skip
        statement, params = f"{statement} UNION ALL {gap_legs}", params + gap_params
    if with_gaps and gaps.current_item_marks():
        # The items below the next level of the chosen results, from the narrow rows `_derive_item_gaps` keeps (one
        # per result and item), grouped by the item's number before its code is joined.
        item_legs = f"""SELECT %s, 'item_gap', ig.model_code, %s, ti.code, 0, ig.n, {NO_SUM}, '', {NO_GROUP},
                   ig.county_id, {NO_INDUSTRY}, ig.is_above_scale, ''
            FROM (
                SELECT c.county_id, c.is_above_scale, c.model_code, g.item_id, COUNT(*) AS n
                FROM c JOIN {t["g"]} g ON g.result_id = c.result_id
                GROUP BY c.county_id, c.is_above_scale, c.model_code, g.item_id
            ) ig JOIN {t["ti"]} ti ON ti.id = ig.item_id"""  # noqa: S608
        # The enterprises by level whose chosen result has item scores at all: a large import stores compact
        # snapshots without them (`assessments.import_results`), so the items figure counts against these.
        with_items = f"(SELECT c.* FROM c JOIN {t['x']} x ON x.result_id = c.result_id WHERE x.has_items) c"  # noqa: S608
        scored_legs, scored_params = _legs(
            f"%s, 'item_scored', c.model_code, %s, '', c.level, COUNT(*), {NO_SUM}", [year, basis], source=with_items,
            keys="c.model_code, c.level", groupings=(PLAIN,), by_industry=False,
        )  # fmt: skip
        statement = f"{statement} UNION ALL {item_legs} UNION ALL {scored_legs}"
        params = params + [year, basis] + scored_params
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        WITH latest AS (
            SELECT a.id AS assessment_id, r.id AS result_id, a.enterprise_id, a.model_code,
                   COALESCE(r.level, 0) AS level,
                   ROW_NUMBER() OVER (PARTITION BY a.enterprise_id, a.model_code
                                      ORDER BY a.submitted_at DESC, a.id DESC) AS position
            FROM {t["a"]} a JOIN {t["r"]} r ON r.assessment_id = a.id AND r.is_current = %s
            WHERE a.status = %s AND a.kind IN ({kind_marks}) AND a.submitted_at < %s
        ),
        c AS MATERIALIZED (
            SELECT latest.assessment_id, latest.result_id, latest.enterprise_id, latest.model_code, latest.level,
                   e.county_id, e.industry_id, e.is_above_scale, e.size_class
            FROM latest JOIN {t["e"]} e ON e.id = latest.enterprise_id
            WHERE latest.position = 1 AND e.removed_at IS NULL
        ),
        s AS MATERIALIZED (
            SELECT c.*, d.node_code, d.depth, d.score FROM c
            JOIN {t["r"]} dr ON dr.assessment_id = c.assessment_id
            JOIN {t["d"]} d ON d.result_id = dr.id AND d.is_current = %s
            WHERE d.score IS NOT NULL
        ) {statement}""",  # noqa: S608
        [True, Assessment.Status.SUBMITTED, *kinds, end, True, *params],
    )


def _snapshot_items(result: str) -> tuple[str, str]:
    """The items of the snapshot of result row `result`, as a FROM-clause table function `j` (one row per item: its
    code in `j.key`), and the expression of an item's normalised score (NULL where the snapshot has null)."""
    if connection.vendor == "postgresql":
        return f"jsonb_each({result}.snapshot -> 'items') j", "(j.value ->> 'normalised')::float"
    return f"json_each({result}.snapshot, '$.items') j", "json_extract(j.value, '$.normalised')"


def _has_items(result: str) -> str:
    """Whether the snapshot of result row `result` holds item scores: not a compact one of an import, which says so
    (`"compact": true`, what `full_snapshot` reads). Testing the marker, not the items: SQLite 3.40's json_extract
    of a 169-item object writes it out again, which cost a rebuild ~15 s at 300,000 enterprises."""
    if connection.vendor == "postgresql":
        return f"NOT COALESCE(({result}.snapshot ->> 'compact')::boolean, false)"
    return f"COALESCE(json_extract({result}.snapshot, '$.compact'), 0) = 0"


CHOSEN = "monitoring_itemgaps_chosen"  # a temporary table of one rebuild
REBUILD_LOCK = 190_001  # PostgreSQL advisory lock key: two rebuilds (the officer's, the nightly) wait for each other


def _marks_digest(by_model: dict[str, dict[tuple[str, int], float]]) -> str:
    rows = sorted([model, *key, mark] for model, marks in by_model.items() for key, mark in marks.items())
    return hashlib.sha256(json.dumps(rows).encode()).hexdigest()


def _item_numbers(by_model: dict[str, dict[tuple[str, int], float]]) -> dict[tuple[str, str], int]:
    """{(model, item code): its `TallyItem` number}, numbering the items met for the first time."""
    wanted = {(model, item) for model, marks in by_model.items() for item, _level in marks}
    TallyItem.objects.bulk_create([TallyItem(model_code=m, code=c) for m, c in sorted(wanted)], ignore_conflicts=True)
    numbers = TallyItem.objects.filter(model_code__in=list(by_model)).values_list("model_code", "code", "id")
    return {(model, code): pk for model, code, pk in numbers if (model, code) in wanted}


def _derive_item_gaps(cursor, by_model: dict[str, dict[tuple[str, int], float]], end) -> None:
    """Bring the narrow item-gap rows (`ResultItemGap`, `ExpandedResult`) up to the results the current year's
    tallies choose: every result that is the latest on some basis (`BASIS_KINDS`; current, submitted before `end`,
    of an enterprise in the archive) — a result is immutable, so only those not expanded yet are read from their
    snapshots (`json_each` / `jsonb_each`), and those no longer chosen (rescored, superseded by a newer assessment,
    removed) are dropped. Marker rows per result rather than a high-water mark, so a result committed late is read
    at the next rebuild. When the marks change (a new model version, a rule), everything is read again."""
    t = _tables()
    digest = _marks_digest(by_model)
    kept = CubeRefresh.objects.filter(pk=1).values_list("item_marks", flat=True).first()
    if kept != digest:
        cursor.execute(f"DELETE FROM {t['g']}")  # noqa: S608
        cursor.execute(f"DELETE FROM {t['x']}")  # noqa: S608
    numbers = _item_numbers(by_model)
    latest, params = [], []
    for kinds in BASIS_KINDS.values():
        latest.append(
            f"""SELECT r.id AS result_id, a.enterprise_id, a.model_code, COALESCE(r.level, 0) AS level,
                   ROW_NUMBER() OVER (PARTITION BY a.enterprise_id, a.model_code
                                      ORDER BY a.submitted_at DESC, a.id DESC) AS position
            FROM {t["a"]} a JOIN {t["r"]} r ON r.assessment_id = a.id AND r.is_current = %s
            WHERE a.status = %s AND a.kind IN ({", ".join(["%s"] * len(kinds))}) AND a.submitted_at < %s"""  # noqa: S608
        )
        params += [True, Assessment.Status.SUBMITTED, *kinds, end]
    cursor.execute(f"DROP TABLE IF EXISTS {CHOSEN}")
    cursor.execute(
        f"CREATE TEMPORARY TABLE {CHOSEN} (result_id INTEGER PRIMARY KEY, model_code VARCHAR(40), level INTEGER)"
    )
    cursor.execute(
        f"""INSERT INTO {CHOSEN} (result_id, model_code, level)
        SELECT DISTINCT l.result_id, l.model_code, l.level FROM ({" UNION ALL ".join(latest)}) l
        JOIN {t["e"]} e ON e.id = l.enterprise_id
        WHERE l.position = 1 AND e.removed_at IS NULL""",  # noqa: S608
        params,
    )
    gone = f"NOT EXISTS (SELECT 1 FROM {CHOSEN} ch WHERE ch.result_id = x.result_id)"  # noqa: S608
    cursor.execute(f"DELETE FROM {t['g']} WHERE result_id IN (SELECT x.result_id FROM {t['x']} x WHERE {gone})")  # noqa: S608
    cursor.execute(f"DELETE FROM {t['x']} WHERE result_id IN (SELECT x.result_id FROM {t['x']} x WHERE {gone})")  # noqa: S608
    # Left in the temporary table: the chosen results not read yet (PostgreSQL read every snapshot before testing it).
    cursor.execute(f"DELETE FROM {CHOSEN} WHERE result_id IN (SELECT result_id FROM {t['x']})")  # noqa: S608
    cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {CHOSEN})")  # noqa: S608
    if not cursor.fetchone()[0]:  # nothing new: no statement over the snapshots at all (PostgreSQL planned one badly)
        cursor.execute(f"DROP TABLE {CHOSEN}")
        return
    if connection.vendor == "postgresql":
        cursor.execute(f"ANALYZE {CHOSEN}")
    rows = [(model, item, numbers[model, item], level, mark)
            for model, marks in by_model.items() for (item, level), mark in marks.items()]  # fmt: skip
    typed = (
        "(CAST(%s AS VARCHAR(40)), CAST(%s AS VARCHAR(60)), CAST(%s AS INTEGER), CAST(%s AS INTEGER), "
        "CAST(%s AS FLOAT))"
    )
    values = ", ".join([typed] + ["(%s, %s, %s, %s, %s)"] * (len(rows) - 1))
    items, score = _snapshot_items("r")
    # An item the marks leave out (a higher CMMM level, one that does not count) and a null score (not applicable,
    # excluded) count no gap. CROSS JOIN keeps SQLite's order: each snapshot parsed once, then its items looked up
    # in the marks (joined the other way round, it parsed the snapshot again for each of the level's marks).
    cursor.execute(
        f"""INSERT INTO {t["g"]} (result_id, item_id)
        WITH m (model_code, item_code, item_id, level, mark) AS (VALUES {values})
        SELECT ch.result_id, m.item_id
        FROM {CHOSEN} ch JOIN {t["r"]} r ON r.id = ch.result_id
        CROSS JOIN {items} CROSS JOIN m
        WHERE m.model_code = ch.model_code AND m.level = ch.level AND m.item_code = j.key
              AND {score} < m.mark""",  # noqa: S608
        [value for row in rows for value in row],
    )
    cursor.execute(
        f"""INSERT INTO {t["x"]} (result_id, has_items)
        SELECT ch.result_id, {_has_items("r")} FROM {CHOSEN} ch JOIN {t["r"]} r ON r.id = ch.result_id"""  # noqa: S608
    )
    cursor.execute(f"DROP TABLE {CHOSEN}")
    if connection.vendor == "postgresql":  # the planner's row counts for the tallies' join (the first read: millions)
        cursor.execute(f"ANALYZE {t['g']}, {t['x']}")


def _marks_case(marks: dict[str, dict[tuple[str | None, int], float]]) -> tuple[str, list]:
    """A CASE giving, per row of node scores, the mark its enterprise's next level asks of the node (`gaps`): nested
    by model, node and level so each row makes a few comparisons; NULL (no next level) counts no gap."""

    def by_level(pairs: list) -> str:
        return "CASE level " + " ".join(["WHEN %s THEN %s"] * (len(pairs) // 2)) + " END"

    models, params = [], []
    for model_code, by_node in marks.items():
        nodes: dict[str | None, list] = {}
        for (node, level), mark in by_node.items():
            nodes.setdefault(node, []).extend([level, mark])
        params.append(model_code)
        if None in nodes:  # the same marks for every node
            models.append(f"WHEN %s THEN {by_level(nodes[None])}")
            params += nodes[None]
            continue
        models.append("WHEN %s THEN CASE node_code " + " ".join(f"WHEN %s THEN {by_level(v)}" for v in nodes.values())
                      + " END")  # fmt: skip
        for node, pairs in nodes.items():
            params += [node, *pairs]
    return "CASE model_code " + " ".join(models) + " END", params


def _assessed(year: int) -> tuple[str, list]:
    t = _tables()
    start, end = Measure(metric="assessed", year=year).year_bounds()
    legs, params = _legs(f"%s, 'assessed', '', c.kind, '', 0, COUNT(*), {NO_SUM}", [year], keys="c.kind")
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        WITH c AS MATERIALIZED (
            SELECT DISTINCT e.id AS enterprise_id, a.kind, e.county_id, e.industry_id, e.is_above_scale, e.size_class
            FROM {t["a"]} a JOIN {t["e"]} e ON e.id = a.enterprise_id
            WHERE a.status = %s AND a.submitted_at >= %s AND a.submitted_at < %s AND e.removed_at IS NULL
        ) {legs}""",  # noqa: S608
        [Assessment.Status.SUBMITTED, start, end, *params],
    )


def _tiers() -> tuple[str, list]:
    t = _tables()
    order = list(TIERS.values())
    ranks = {code: order.index(name) + 1 for code, name in TIER_LABELS.items()}
    case = " ".join("WHEN %s THEN %s" for _ in ranks)
    rank_params = [value for code, rank in ranks.items() for value in (code, rank)]
    marks = ", ".join(["%s"] * len(ranks))
    legs, params = _legs(f"0, 'tier', '', '', '', c.rank, COUNT(*), {NO_SUM}", [], keys="c.rank")
    return (
        f"""INSERT INTO {t["tally"]} ({COLUMNS})
        WITH c AS MATERIALIZED (
            SELECT e.id AS enterprise_id, highest.rank, e.county_id, e.industry_id, e.is_above_scale, e.size_class
            FROM (
                SELECT enterprise_id, MAX(CASE label_id {case} END) AS rank
                FROM {t["l"]} WHERE label_id IN ({marks}) GROUP BY enterprise_id
            ) highest JOIN {t["e"]} e ON e.id = highest.enterprise_id
            WHERE e.removed_at IS NULL
        ) {legs}""",  # noqa: S608
        [*rank_params, *ranks, *params],
    )


def rebuild(*, years: int = YEARS) -> CubeRefresh:
    """Replace every tally. The current year counts what has been submitted until now."""
    started = time.perf_counter()
    this_year = timezone.localdate().year
    statements = [_population(), _tiers()]
    for year in range(this_year - years + 1, this_year + 1):
        statements.append(_assessed(year))
        statements += [_levels(year, basis, with_gaps=year == this_year) for basis in BASIS_KINDS]
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":  # one rebuild at a time (SQLite has a single writer anyway)
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [REBUILD_LOCK])
        if by_model := gaps.current_item_marks():
            _derive_item_gaps(cursor, by_model, Measure(metric="level", year=this_year).year_bounds()[1])
        Tally.objects.all().delete()
        for sql, params in statements:
            cursor.execute(sql, params)
        refresh, _ = CubeRefresh.objects.update_or_create(pk=1, defaults={
            "computed_at": timezone.now(), "seconds": round(time.perf_counter() - started, 2),
            "item_marks": _marks_digest(by_model) if by_model else "",  # what the kept item gaps were derived with
        })  # fmt: skip
    return refresh


def last_refresh() -> CubeRefresh | None:
    return CubeRefresh.objects.filter(pk=1).first()
