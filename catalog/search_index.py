"""Keeping the catalog's full-text index current (catalog/search.py reads it).

The index holds, per provider, solution, case and need, the space-joined tokens of its title and body as the
matching engine's tokenizer cuts them (migration 0006: FTS5 on SQLite, a tsvector with a GIN index on PostgreSQL).

It is written on write, never on read: the services that create or change a record's text call `index_objects`
inside their own transaction, so the index row commits or rolls back with the record and a search (a GET) only
reads. `sync` repairs what was written around the services (a QuerySet.update, raw SQL, a restore): it re-indexes
rows whose `updated_at` moved past the kind's watermark and drops rows of deleted objects. `tidu worker` runs it
at start-up and then daily (`tidu sync_search_index`), and `rebuild` starts over (`tidu rebuild_search_index`).
A deleted record's index row does no harm until then: every search joins the index to the caller's queryset."""

# The SQL below is assembled from this module's constants (table names, kind numbers) and "%s" placeholders; every
# value is a bound parameter.
# ruff: noqa: S608

from __future__ import annotations

from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from matching.tokenize import tokenize

from .models import Case, Need, Provider, Solution

TABLE = "catalog_search_index"
STATE = "catalog_search_state"
KINDS = ("provider", "solution", "case", "need")
KIND_NUMBER = {kind: n for n, kind in enumerate(KINDS)}  # SQLite rowid = obj_id * 4 + kind number
# Rows saved up to this long before the last sync are looked at again: a save whose transaction was still open
# when that sync read the table is picked up. An edit committed longer than this after its save is not (new and
# deleted objects always are, by count); `rebuild_search_index` repairs that.
MARGIN = timedelta(minutes=1)
CHUNK = 500


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


def index_objects(*objects) -> None:
    """Index these just-saved records now, in the caller's transaction (a service, after its `save()`).

    Reads each record back, so the row holds what was stored, with the same `updated_at` stamp a `sync` compares."""
    by_kind: dict[str, list[int]] = {}
    for obj in objects:
        by_kind.setdefault(KIND_OF_MODEL[type(obj)], []).append(obj.pk)
    for kind, ids in by_kind.items():
        _index_rows(kind, ids)


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


def _index_count(kind: str) -> int:
    with connection.cursor() as cur:
        if _sqlite():
            cur.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE (rowid & 3) = %s", [KIND_NUMBER[kind]])
        else:
            cur.execute(f"SELECT COUNT(*) FROM {TABLE} WHERE kind = %s", [kind])
        return cur.fetchone()[0]


def sync(kind: str) -> int:
    """Bring the index of one kind up to date. Returns the number of index rows written or dropped.

    The state's watermark is the time the last writing sync started. Rows saved since then (less MARGIN, for
    transactions still open at that moment and for clocks of other servers) are compared with their index rows;
    rows the services indexed on write carry their current stamp and cost nothing here. New and deleted objects
    show as a difference between the number of objects and of index rows, which is compared every time."""
    state = _read_state(kind)
    if state is None:
        return rebuild([kind])[kind]
    model = SOURCES[kind][0]
    now = timezone.now()
    checked, _n = state
    recent = model.objects.all()
    if checked is not None:
        recent = recent.filter(updated_at__gte=checked - MARGIN)
    recent_rows = list(recent.values_list("pk", "updated_at"))
    total = model.objects.count()
    indexed = _indexed_stamps(kind, [pk for pk, _ in recent_rows]) if recent_rows else {}
    stale = [pk for pk, stamp in recent_rows if indexed.get(pk) != _stamp(stamp)]
    if not stale and _index_count(kind) == total:
        if any(stamp and stamp < now - MARGIN for _, stamp in recent_rows):
            _save_state(kind, now, total)  # a past burst of edits: move the window on so later syncs skip it
        return 0
    with transaction.atomic():
        _read_state(kind, lock=True)  # PostgreSQL: one sync of a kind at a time; the loser redoes harmless work
        _index_rows(kind, stale)
        changed = len(stale)
        if _index_count(kind) != total:  # objects deleted, or added around the services: compare the id sets
            present = set(model.objects.values_list("pk", flat=True))
            in_index = _all_indexed_ids(kind)
            gone = sorted(in_index - present)
            missing = sorted(present - in_index)
            _delete(kind, gone)
            _index_rows(kind, missing)
            changed += len(gone) + len(missing)
        _save_state(kind, now, total)
    return changed


def sync_all() -> dict[str, int]:
    return {kind: sync(kind) for kind in KINDS}
