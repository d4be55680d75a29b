"""Text search over the pools and needs. Every list and the search page call `filter_text`, so the way text is
matched lives in this one module.

Documents and queries are cut by the matching engine's tokenizer (jieba, its domain dictionary and synonyms), so
排程 finds 排产 and MES finds 制造执行系统. The space-joined tokens sit in one full-text table per database
(migration 0006): FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL. The table is kept current by `sync`,
which every search runs first: it re-indexes rows whose `updated_at` moved past the kind's watermark and drops rows
of deleted objects, and it costs three small queries when nothing changed. Scoping stays with the caller's
queryset; this module only narrows it to matching ids.

User text never reaches the search syntax: every token is quoted (FTS5) or passed as a bound parameter to
phraseto_tsquery (PostgreSQL), so quotes, AND/OR/NEAR, asterisks and parentheses are just words or nothing."""

# The SQL below is assembled from this module's constants (table names, kind numbers, weights) and "%s"
# placeholders; every value, the user's words included, is a bound parameter.
# ruff: noqa: S608, S610, S611

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache

from django.db import connection, transaction
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from matching.tokenize import normalise_text, synonyms, tokenize

from .models import Case, Need, Provider, Solution

TABLE = "catalog_search_index"
STATE = "catalog_search_state"
KINDS = ("provider", "solution", "case", "need")
KIND_NUMBER = {kind: n for n, kind in enumerate(KINDS)}  # SQLite rowid = obj_id * 4 + kind number
MAX_QUERY_CHARS = 200  # a longer query is cut here: the rest could only narrow the result further
MAX_GROUPS = 12
# Rows saved up to this long before the last sync are looked at again: a save whose transaction was still open
# when that sync read the table is picked up. An edit committed longer than this after its save is not (new and
# deleted objects always are, by count); `rebuild_search_index` repairs that.
MARGIN = timedelta(minutes=1)
CHUNK = 500
TITLE_WEIGHT = 10.0  # SQLite bm25 column weight; PostgreSQL gives titles weight A against B for the body


# Documents ---------------------------------------------------------------------------------------------------------


def _metric_text(items) -> str:
    parts = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict):
            parts.extend(str(item.get(key) or "") for key in ("metric", "value", "unit"))
    return " ".join(p for p in parts if p)


# kind → (model, fields read, title of a row, body of a row)
SOURCES = {
    "provider": (Provider, ("name", "description", "qualifications"), "name", ("description", "qualifications")),
    "solution": (Solution, ("title", "description", "outcomes"), "title", ("description", "outcomes")),
    "case": (Case, ("title", "summary", "metrics"), "title", ("summary", "metrics")),
    "need": (Need, ("title", "text"), "title", ("text",)),
}
KIND_OF_MODEL = {model: kind for kind, (model, *_rest) in SOURCES.items()}


def document_text(kind: str, row: dict) -> tuple[str, str]:
    """The title and body a row of `kind` is found by (JSON metric lists flattened to their words)."""
    _model, _fields, title, body = SOURCES[kind]
    parts = [row[f] if isinstance(row[f], str) else _metric_text(row[f]) for f in body]
    return row[title] or "", "\n".join(p for p in parts if p)


def _tokens(text: str) -> str:
    return " ".join(tokenize(text))


# Queries -----------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """A tokenised query: every group must match; a group is a word, or all the shorter words cut from inside it."""

    groups: tuple[tuple[str, tuple[str, ...]], ...]

    @property
    def terms(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(t for word, parts in self.groups for t in (word, *parts)))

    def __bool__(self) -> bool:
        return bool(self.groups)


@cache
def _variants() -> dict[str, tuple[str, ...]]:
    """Canonical token → the surface forms that map to it (排产 → 排程, mes → 制造执行系统)."""
    table: dict[str, list[str]] = {}
    for variant, canonical in synonyms().items():
        table.setdefault(canonical, []).append(variant)
    return {canonical: tuple(forms) for canonical, forms in table.items()}


def surface_forms(token: str) -> tuple[str, ...]:
    return (token, *_variants().get(token, ()))


def _searchable(token: str) -> bool:
    # A token with no letter or digit tokenises to nothing in FTS5, and an empty phrase would make the whole
    # conjunction fail; it carries no meaning, so it is left out.
    return any(ch.isalnum() for ch in token)


def parse_query(text: str) -> Query:
    """Groups of the tokens of `text`, as the tokenizer emits them: the sub-words cut from a long word come just
    before it (工业, 互联, …, 工业互联网平台). A document matches a group when it has the word itself or every one
    of its sub-words, so 排产系统 (its synonym aps) also finds 智能排产系统, which is cut differently."""
    tokens = [t for t in dict.fromkeys(tokenize((text or "")[:MAX_QUERY_CHARS])) if _searchable(t)]
    groups: list[tuple[str, tuple[str, ...]]] = []
    i = len(tokens) - 1
    while i >= 0:
        word = tokens[i]
        forms = surface_forms(word)
        j = i
        while j > 0 and any(tokens[j - 1] in form and tokens[j - 1] != form for form in forms):
            j -= 1
        groups.append((word, tuple(tokens[j:i])))
        i = j - 1
    return Query(tuple(reversed(groups[-MAX_GROUPS:])))


def _fts5_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def fts5_expression(query: Query) -> str:
    """The FTS5 MATCH string: quoted phrases only, joined by our own AND/OR (never the user's)."""
    out = []
    for word, parts in query.groups:
        alt = _fts5_phrase(word)
        if parts:
            alt = f"({alt} OR ({' AND '.join(_fts5_phrase(p) for p in parts)}))"
        out.append(alt)
    return " AND ".join(out)


def tsquery_sql(query: Query) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery built from bound parameters (phraseto_tsquery reads no operators)."""
    phrase = "phraseto_tsquery('simple', %s)"
    sql, params = [], []
    for word, parts in query.groups:
        if parts:
            sql.append(f"({phrase} || ({' && '.join([phrase] * len(parts))}))")
            params.extend([word, *parts])
        else:
            sql.append(phrase)
            params.append(word)
    return "(" + " && ".join(sql) + ")", params


# Keeping the index current -----------------------------------------------------------------------------------------


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _stamp(value: datetime | None) -> str:
    return value.isoformat() if value else ""


def _write(kind: str, rows: list[dict]) -> None:
    """Insert or replace the index rows of these objects."""
    values = []
    for row in rows:
        title, body = document_text(kind, row)
        values.append((row["id"], _tokens(title), _tokens(body), _stamp(row["updated_at"])))
    with connection.cursor() as cur:
        if _sqlite():
            n = KIND_NUMBER[kind]
            cur.executemany(
                f"INSERT OR REPLACE INTO {TABLE} (rowid, title, body, kind, obj_id, updated) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(pk * 4 + n, t, b, kind, pk, u) for pk, t, b, u in values],
            )
        else:
            cur.executemany(
                f"INSERT INTO {TABLE} (kind, obj_id, title, body, updated) VALUES (%s, %s, %s, %s, %s) "
                "ON CONFLICT (kind, obj_id) DO UPDATE SET title = EXCLUDED.title, body = EXCLUDED.body, "
                "updated = EXCLUDED.updated",
                [(kind, pk, t, b, u) for pk, t, b, u in values],
            )


def _index_rows(kind: str, ids: list[int]) -> None:
    model, fields, *_ = SOURCES[kind]
    for start in range(0, len(ids), CHUNK):
        _write(kind, list(model.objects.filter(pk__in=ids[start : start + CHUNK]).values("id", "updated_at", *fields)))


def _delete(kind: str, ids: list[int]) -> None:
    with connection.cursor() as cur:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            if _sqlite():
                n = KIND_NUMBER[kind]
                cur.execute(f"DELETE FROM {TABLE} WHERE rowid IN ({marks})", [pk * 4 + n for pk in chunk])
            else:
                cur.execute(f"DELETE FROM {TABLE} WHERE kind = %s AND obj_id IN ({marks})", [kind, *chunk])


def _indexed_stamps(kind: str, ids: list[int]) -> dict[int, str]:
    found: dict[int, str] = {}
    with connection.cursor() as cur:
        for start in range(0, len(ids), CHUNK):
            chunk = ids[start : start + CHUNK]
            marks = ", ".join(["%s"] * len(chunk))
            if _sqlite():
                n = KIND_NUMBER[kind]
                cur.execute(
                    f"SELECT obj_id, updated FROM {TABLE} WHERE rowid IN ({marks})", [pk * 4 + n for pk in chunk]
                )
            else:
                cur.execute(
                    f"SELECT obj_id, updated FROM {TABLE} WHERE kind = %s AND obj_id IN ({marks})", [kind, *chunk]
                )
            found.update((int(pk), stamp) for pk, stamp in cur.fetchall())
    return found


def _all_indexed_ids(kind: str) -> set[int]:
    with connection.cursor() as cur:
        cur.execute(f"SELECT obj_id FROM {TABLE} WHERE kind = %s", [kind])
        return {int(pk) for (pk,) in cur.fetchall()}


def _save_state(kind: str, watermark: datetime | None, n: int) -> None:
    with connection.cursor() as cur:
        cur.execute(f"DELETE FROM {STATE} WHERE kind = %s", [kind])
        cur.execute(f"INSERT INTO {STATE} (kind, watermark, n) VALUES (%s, %s, %s)", [kind, _stamp(watermark), n])


def _read_state(kind: str, *, lock: bool = False) -> tuple[datetime | None, int] | None:
    with connection.cursor() as cur:
        lock_sql = " FOR UPDATE" if lock and not _sqlite() else ""
        cur.execute(f"SELECT watermark, n FROM {STATE} WHERE kind = %s{lock_sql}", [kind])
        row = cur.fetchone()
    if row is None:
        return None
    return (datetime.fromisoformat(row[0]) if row[0] else None), row[1]


def rebuild(kinds=KINDS) -> dict[str, int]:
    """Index every object of these kinds from scratch. Returns the number of rows indexed per kind."""
    counts = {}
    for kind in kinds:
        model = SOURCES[kind][0]
        started = timezone.now()
        with transaction.atomic():
            with connection.cursor() as cur:
                cur.execute(f"DELETE FROM {TABLE} WHERE kind = %s", [kind])
            ids = list(model.objects.order_by("pk").values_list("pk", flat=True))
            _index_rows(kind, ids)
            _save_state(kind, started, len(ids))
        counts[kind] = len(ids)
    return counts


def sync(kind: str) -> int:
    """Bring the index of one kind up to date. Returns the number of index rows written or dropped.

    The state's watermark is the time the last writing sync started. Rows saved since then (less MARGIN, for
    transactions still open at that moment and for clocks of other servers) are compared with their index rows;
    new and deleted objects show in the count, which is compared every time."""
    state = _read_state(kind)
    if state is None:
        return rebuild([kind])[kind]
    model = SOURCES[kind][0]
    now = timezone.now()
    checked, n = state
    recent = model.objects.all()
    if checked is not None:
        recent = recent.filter(updated_at__gte=checked - MARGIN)
    recent_rows = list(recent.values_list("pk", "updated_at"))
    total = model.objects.count()
    indexed = _indexed_stamps(kind, [pk for pk, _ in recent_rows]) if recent_rows else {}
    stale = [pk for pk, stamp in recent_rows if indexed.get(pk) != _stamp(stamp)]
    if not stale and n == total:
        if any(stamp and stamp < now - MARGIN for _, stamp in recent_rows):
            _save_state(kind, now, n)  # a past burst of edits: move the window on so later syncs skip it
        return 0
    added = sum(1 for pk in stale if pk not in indexed)
    with transaction.atomic():
        _read_state(kind, lock=True)  # PostgreSQL: one sync of a kind at a time; the loser redoes harmless work
        _index_rows(kind, stale)
        n += added
        changed = len(stale)
        if n != total:  # objects deleted (or written around the ORM): compare the id sets once
            present = set(model.objects.values_list("pk", flat=True))
            in_index = _all_indexed_ids(kind)
            gone = sorted(in_index - present)
            missing = sorted(present - in_index)
            _delete(kind, gone)
            _index_rows(kind, missing)
            n, changed = len(present), changed + len(gone) + len(missing)
        _save_state(kind, now, n)
    return changed


# Filtering querysets -----------------------------------------------------------------------------------------------


def _match_sql(kind: str, query: Query) -> tuple[str, list]:
    if _sqlite():
        n = KIND_NUMBER[kind]
        # The rowid's low bits pick the kind without reading the row's stored columns ("&", not "%", which the
        # database layer would read as a placeholder).
        return f"SELECT obj_id FROM {TABLE} WHERE {TABLE} MATCH %s AND (rowid & 3) = {n}", [fts5_expression(query)]
    tsquery, params = tsquery_sql(query)
    return f"SELECT obj_id FROM {TABLE} WHERE kind = %s AND tsv @@ {tsquery}", [kind, *params]


def _ranked(qs, kind: str, query: Query):
    """`qs` joined to its index rows and ordered by relevance (lower is better: bm25 on SQLite, minus ts_rank on
    PostgreSQL). A join, not a per-row subquery: the database scans the matches once and computes each rank in the
    same pass (a correlated subquery re-ran the full-text match per row, 0.1 ms each, seconds for a common word)."""
    outer = (
        f"{connection.ops.quote_name(qs.model._meta.db_table)}.{connection.ops.quote_name(qs.model._meta.pk.column)}"
    )
    if _sqlite():
        n = KIND_NUMBER[kind]
        # Joined on obj_id only (an unindexed column), so the planner must drive from the matches and look each
        # row up by primary key. Offered rowid = pk * 4 + n as well, it put the caller's status filter first and
        # re-ran the match per row (2 s for a long query over 5,000 solutions).
        where = [f"{TABLE} MATCH %s", f"({TABLE}.rowid & 3) = {n}", f"{TABLE}.obj_id = {outer}"]
        params = [fts5_expression(query)]
        rank, rank_params = f"bm25({TABLE}, {TITLE_WEIGHT}, 1.0)", []
    else:
        tsquery, tparams = tsquery_sql(query)
        where = [f"{TABLE}.kind = %s", f"{TABLE}.obj_id = {outer}", f"{TABLE}.tsv @@ {tsquery}"]
        params = [kind, *tparams]
        rank, rank_params = f"-ts_rank('{{0.05, 0.1, 0.2, 1.0}}', {TABLE}.tsv, {tsquery})", tparams
    ranked = qs.extra(
        select={"search_rank": rank}, select_params=rank_params, tables=[TABLE], where=where, params=params
    )
    return ranked.order_by("search_rank", "pk")


def filter_text(qs, text: str, *, order: bool = False):
    """Rows of `qs` whose text matches every word of `text`; with `order`, the best match first (a title hit
    before a body hit), each row carrying `search_rank`. A query with no searchable word matches nothing. The
    caller's scoping is kept: the result is always `qs` narrowed, never widened."""
    kind = KIND_OF_MODEL[qs.model]
    query = parse_query(text)
    if not query:
        return qs.none()
    sync(kind)
    if order:
        return _ranked(qs, kind, query)
    sql, params = _match_sql(kind, query)
    return qs.filter(pk__in=RawSQL(sql, params))


# Highlighting ------------------------------------------------------------------------------------------------------


def _normalised_with_map(text: str) -> tuple[str, list[int]]:
    """`text` normalised as the tokenizer sees it, with the index of the original character behind each one."""
    out, where = [], []
    for i, ch in enumerate(text):
        for c in normalise_text(ch):
            out.append(c)
            where.append(i)
    return "".join(out), where


def _spans(text: str, terms) -> list[tuple[int, int]]:
    forms = sorted({normalise_text(f) for t in terms for f in surface_forms(t) if f.strip()}, key=len, reverse=True)
    if not forms or not text:
        return []
    norm, where = _normalised_with_map(text)
    pattern = re.compile("|".join(re.escape(f) for f in forms))
    spans: list[tuple[int, int]] = []
    for m in pattern.finditer(norm):
        start, end = where[m.start()], where[m.end() - 1] + 1
        if spans and start <= spans[-1][1]:
            spans[-1] = (spans[-1][0], max(end, spans[-1][1]))
        else:
            spans.append((start, end))
    return spans


def highlight(text: str, terms, *, width: int | None = None) -> SafeString:
    """`text` escaped, with the query's terms (and their synonyms) in <mark>. With `width`, a window of about
    that many characters around the first hit, with ellipses where it was cut."""
    text = text or ""
    spans = _spans(text, terms)
    lo, hi = 0, len(text)
    if width is not None and len(text) > width:
        first = spans[0][0] if spans else 0
        lo = max(0, min(first - width // 4, len(text) - width))
        hi = lo + width
    parts, pos = [], lo
    for start, end in spans:
        if end <= lo or start >= hi:
            continue
        start, end = max(start, lo), min(end, hi)
        parts.append(escape(text[pos:start]))
        parts.append(f"<mark>{escape(text[start:end])}</mark>")
        pos = end
    parts.append(escape(text[pos:hi]))
    prefix = "…" if lo > 0 else ""
    suffix = "…" if hi < len(text) else ""
    # Every piece of user text above went through escape(); only our own <mark> tags are markup.
    return mark_safe(prefix + "".join(parts) + suffix)  # noqa: S308


def plain_text(value) -> str:
    """Text of a field for display next to a hit (a metric list read as words)."""
    return value if isinstance(value, str) else _metric_text(value)
