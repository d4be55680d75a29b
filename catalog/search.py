"""Text search over the pools and needs. Every list and the search page read the index through this module, so the
way text is matched and ranked lives here; catalog/search_index.py keeps the index current (on write, never here).

Documents and queries are cut by the matching engine's tokenizer (jieba, its domain dictionary and synonyms), so
排程 finds 排产 and MES finds 制造执行系统. The space-joined tokens sit in one full-text table per database
(migration 0006): FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL. Scoping stays with the caller's
queryset; this module only narrows it to matching rows, joined to the index so a row outside the scope or deleted
since it was indexed is never a hit.

Ranking (`Ranked`) costs about the same for a rare word and for one in most documents. A query with few hits in the
caller's scope (up to EXACT_LIMIT) is ranked by bm25 (SQLite) or ts_rank (PostgreSQL) with the title weighted above
the body. A query with more is not: computing bm25 for every hit of 系统 (32,000 of 50,000 solutions) took 135 ms
on a quiet machine and ranked noise anyway (a word in most documents has an inverse document frequency near
zero). Its hits come in tiers instead, newest first within a tier, each read in the index's own order so the
database stops after the page: every query word in the title, then some in the title, then none. Counts stop at
COUNT_CAP ("500+"): an exact count of a common word reads every hit.

User text never reaches the search syntax: every token is quoted (FTS5) or passed as a bound parameter to
phraseto_tsquery (PostgreSQL), so quotes, AND/OR/NEAR, asterisks and parentheses are just words or nothing."""

# The SQL below is assembled from this module's constants (table names, kind numbers, weights) and "%s"
# placeholders; every value, the user's words included, is a bound parameter.
# ruff: noqa: S608, S610, S611

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from django.db import connection
from django.db.models.expressions import RawSQL
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from matching.tokenize import normalise_text, synonyms, tokenize

from .search_index import KIND_NUMBER, KIND_OF_MODEL, KINDS, TABLE, _metric_text, rebuild, sync

__all__ = ["KINDS", "Query", "Ranked", "filter_text", "highlight", "parse_query", "plain_text", "rebuild", "sync"]

MAX_QUERY_CHARS = 200  # a longer query is cut here: the rest could only narrow the result further
MAX_GROUPS = 12
TITLE_WEIGHT = 10.0  # SQLite bm25 column weight; PostgreSQL gives titles weight A against B for the body
# Up to this many hits in the caller's scope, bm25 / ts_rank ranks them: ~10 µs a hit on this machine's SQLite.
EXACT_LIMIT = 500
COUNT_CAP = 500  # a count stops here; the page says "500+" and pages through the first 500


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


# Matching in the index ----------------------------------------------------------------------------------------------


def _sqlite() -> bool:
    return connection.vendor == "sqlite"


def _tiers(query: Query) -> tuple[int, ...]:
    """Tier 0: every group in the title; 1: some (only when there are several groups); 2: none."""
    return (0, 1, 2) if len(query.groups) > 1 else (0, 2)


def _fts5_phrase(token: str) -> str:
    return '"' + token.replace('"', '""') + '"'


def _fts5_group(word: str, parts: tuple[str, ...]) -> str:
    alt = _fts5_phrase(word)
    if parts:
        alt = f"({alt} OR ({' AND '.join(_fts5_phrase(p) for p in parts)}))"
    return alt


def fts5_expression(query: Query, tier: int | None = None) -> str:
    """The FTS5 MATCH string: quoted phrases only, joined by our own AND/OR/NOT (never the user's). Without a tier,
    the documents matching every group; with one, the part of them in that tier (the tiers do not overlap)."""
    groups = [_fts5_group(word, parts) for word, parts in query.groups]
    every = " AND ".join(groups)
    if tier is None:
        return every
    in_title = [f"{{title}} : ({g})" for g in groups]
    all_title, any_title = " AND ".join(in_title), "(" + " OR ".join(in_title) + ")"
    if tier == 0:
        return all_title
    if tier == 1:
        return f"(({every}) AND {any_title}) NOT ({all_title})"
    return f"({every}) NOT {any_title}"


# PostgreSQL's own text of a phrase query with every lexeme restricted to weight A (the title): '设备' <-> '联网'
# becomes '设备':A <-> '联网':A. Rewriting the database's canonical output, never the user's text, keeps the words
# bound parameters; the result is a constant the planner estimates from the column's statistics.
_TITLE_ONLY = "regexp_replace(({})::text, '''((?:[^'']|'''')*)''', '''\\1'':A', 'g')::tsquery"


def _tsquery_group(word: str, parts: tuple[str, ...], *, title: bool = False) -> tuple[str, list[str]]:
    phrase = "phraseto_tsquery('simple', %s)"
    if title:
        phrase = _TITLE_ONLY.format(phrase)
    if parts:
        return f"({phrase} || ({' && '.join([phrase] * len(parts))}))", [word, *parts]
    return phrase, [word]


def tsquery_sql(query: Query, *, title: bool = False) -> tuple[str, list[str]]:
    """A PostgreSQL tsquery built from bound parameters (phraseto_tsquery reads no operators); with `title`, each
    group must match in the title."""
    sql, params = [], []
    for word, parts in query.groups:
        group_sql, group_params = _tsquery_group(word, parts, title=title)
        sql.append(group_sql)
        params.extend(group_params)
    return "(" + " && ".join(sql) + ")", params


def _pg_condition(query: Query, tier: int | None) -> tuple[str, list[str]]:
    """A condition on the index row: one tsquery, so the GIN index and the planner's statistics serve every tier
    (a row-by-row test of the title hid a tier's size from the planner, which then read the whole table)."""
    every, params = tsquery_sql(query)
    if tier is None:
        return f"{TABLE}.tsv @@ {every}", params
    all_title, title_params = tsquery_sql(query, title=True)
    any_sql, any_params = [], []
    for word, parts in query.groups:
        group_sql, group_params = _tsquery_group(word, parts, title=True)
        any_sql.append(group_sql)
        any_params.extend(group_params)
    any_title = "(" + " || ".join(any_sql) + ")"
    if tier == 0:
        # `every` again, though implied: PostgreSQL estimates a tier from each lexeme's frequency, blind to the
        # title weight, and the repeat brings its estimate of a rare tier (all of 设备 能耗 in the title: 21 rows
        # of 50,000) down to where it takes the GIN index instead of walking the primary key to the end.
        return f"{TABLE}.tsv @@ ({every} && {all_title})", [*params, *title_params]
    if tier == 1:
        return f"{TABLE}.tsv @@ ({every} && {any_title} && !!{all_title})", [*params, *any_params, *title_params]
    return f"{TABLE}.tsv @@ ({every} && !!{any_title})", [*params, *any_params]


def _joined(qs, kind: str, query: Query, tier: int | None = None):
    """`qs` joined to its matching index rows (or those of one tier). A join, not `pk IN (matches)`: the database
    drives from the matches and looks each row up by primary key, under the caller's scope."""
    outer = (
        f"{connection.ops.quote_name(qs.model._meta.db_table)}.{connection.ops.quote_name(qs.model._meta.pk.column)}"
    )
    if _sqlite():
        # Joined on the object id taken from the rowid (rowid >> 2), which no index serves, so the planner must drive
        # from the matches and look each row up by primary key. Offered rowid = pk * 4 + n, it put the caller's
        # status filter first and re-ran the match per row (2 s for a long query over 5,000 solutions); joined on
        # the stored obj_id, it read each match's stored row (a common word's 1,000 hits cost ~18 ms, not ~1 ms).
        # The rowid's low bits pick the kind ("&", not "%", which the database layer reads as a placeholder).
        where = [f"{TABLE} MATCH %s", f"({TABLE}.rowid & 3) = {KIND_NUMBER[kind]}", f"{outer} = ({TABLE}.rowid >> 2)"]
        params = [fts5_expression(query, tier)]
    else:
        condition, condition_params = _pg_condition(query, tier)
        where = [f"{TABLE}.kind = %s", f"{TABLE}.obj_id = {outer}", condition]
        params = [kind, *condition_params]
    return qs.extra(tables=[TABLE], where=where, params=params)


def filter_text(qs, text: str):
    """Rows of `qs` whose text matches every word of `text`, unordered (the list filters order them their own way).
    A query with no searchable word matches nothing. The result is always `qs` narrowed, never widened."""
    kind = KIND_OF_MODEL[qs.model]
    query = parse_query(text)
    if not query:
        return qs.none()
    if _sqlite():
        sql, params = (
            f"SELECT rowid >> 2 FROM {TABLE} WHERE {TABLE} MATCH %s AND (rowid & 3) = {KIND_NUMBER[kind]}",
            [fts5_expression(query)],
        )
    else:
        condition, condition_params = _pg_condition(query, None)
        sql, params = f"SELECT obj_id FROM {TABLE} WHERE kind = %s AND {condition}", [kind, *condition_params]
    return qs.filter(pk__in=RawSQL(sql, params))


# Ranking ------------------------------------------------------------------------------------------------------------


class Ranked:
    """The hits of a query in one kind's scoped queryset, best first. Sliced and counted like a queryset (so
    Paginator takes it); `count()` stops at COUNT_CAP and `capped` says whether it did. A slice is a list."""

    def __init__(self, qs, text: str | Query):
        self.qs = qs
        self.kind = KIND_OF_MODEL[qs.model]
        self.query = text if isinstance(text, Query) else parse_query(text)
        self._n: int | None = None

    def _counted(self) -> int:
        if self._n is None:
            joined = _joined(self.qs, self.kind, self.query) if self.query else None
            # Counting a slice stops the database at COUNT_CAP + 1 hits.
            self._n = joined.order_by().values("pk")[: COUNT_CAP + 1].count() if joined is not None else 0
        return self._n

    def count(self) -> int:
        return min(self._counted(), COUNT_CAP)

    def __len__(self) -> int:
        return self.count()

    @property
    def capped(self) -> bool:
        return self._counted() > COUNT_CAP

    @property
    def exact(self) -> bool:
        """Whether the hits are ranked by bm25 / ts_rank (few hits) rather than in tiers."""
        return self._counted() <= EXACT_LIMIT

    def __getitem__(self, item):
        if isinstance(item, int):
            return self[item : item + 1][0]
        start, stop = item.start or 0, self.count() if item.stop is None else min(item.stop, self.count())
        if start >= stop:
            return []
        if self.exact:
            return list(self._by_relevance()[start:stop])
        return self._tiered(start, stop)

    def _by_relevance(self):
        if _sqlite():
            rank, params = f"bm25({TABLE}, {TITLE_WEIGHT}, 1.0)", []
        else:
            tsquery, params = tsquery_sql(self.query)
            rank = f"-ts_rank('{{0.05, 0.1, 0.2, 1.0}}', {TABLE}.tsv, {tsquery})"
        joined = _joined(self.qs, self.kind, self.query)
        return joined.extra(select={"search_rank": rank}, select_params=params).order_by("search_rank", "pk")

    def _tiered(self, start: int, stop: int) -> list:
        """Hits start..stop, tier by tier, newest first within a tier. Each tier is read in the index's own order
        (FTS5 rowid = obj_id * 4 + kind; PostgreSQL's primary key), which the database can stop early. The first
        page is read as whole rows; a later one as ids up to its end, then its own rows."""
        position = RawSQL(f"{TABLE}.rowid" if _sqlite() else f"{TABLE}.obj_id", [])
        found: list = []
        for tier in _tiers(self.query):
            if len(found) >= stop:
                break
            rows = _joined(self.qs, self.kind, self.query, tier).order_by(position.desc())
            found.extend(
                rows[: stop - len(found)] if start == 0 else rows.values_list("pk", flat=True)[: stop - len(found)]
            )
        if start == 0:
            return found
        ids = found[start:stop]
        by_pk = {obj.pk: obj for obj in self.qs.filter(pk__in=ids)}
        return [by_pk[pk] for pk in ids if pk in by_pk]


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
