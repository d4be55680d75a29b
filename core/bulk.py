"""Inserting and updating many rows at a cost linear in their number, for imports of 100,000 rows.

`bulk_create` compiles every value of every row through the ORM's SQL compiler (~4 million field compilations
for a 100,000-row enterprise import, a third of its commit); here one prepared `INSERT` is run for every object
(`executemany`), each value prepared as `bulk_create` prepares it (`pre_save(obj, add=True)`, then
`get_db_prep_save`). Primary keys are read back by a unique key the caller names, in batches.

Django's `bulk_update` writes one `UPDATE … SET f = CASE WHEN pk = 1 THEN … WHEN pk = 2 THEN … END …` per batch: the
database evaluates the CASE for every row of the batch (quadratic in the batch size) and Django builds a `When`
expression per row and field. Re-importing a 2,000-row list took ~100 s that way on SQLite. Here one prepared
`UPDATE … WHERE pk = %s` is run for every object (`executemany`), with each value prepared as `bulk_update` would
(`get_db_prep_save`, no `pre_save`: an `auto_now` field is written as the object holds it)."""

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connections, router, transaction
from django.db.models import Model

BATCH = 2000


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic garbage collector paused for a bulk step. Planning a 100,000-row import makes about a million objects
    (rows, instances, changes) that all live until the step ends, and the collector walked them again and again as
    they grew: ~13 % of the planning's CPU. They hold no cycles to free; the collector runs normally afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def insert_rows(objs: Sequence[Model], *, key: str | None = None, batch_size: int = BATCH) -> int:
    """Insert every object (all concrete fields but an automatic primary key). With `key` (a unique field), each
    object's primary key is then set from the database and it is marked saved, as `bulk_create` leaves it."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    fields = [field for field in meta.concrete_fields if not (field.primary_key and field.db_returning)]
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) VALUES ({marks})"  # noqa: S608
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            prepare = [(field.get_db_prep_save, field.pre_save) for field in fields]
            cursor.executemany(sql, [[save(pre(obj, True), connection) for save, pre in prepare] for obj in chunk])
            if key is not None:
                key_field = meta.get_field(key)
                by_key = {getattr(obj, key_field.attname): obj for obj in chunk}
                found = model._base_manager.using(using).filter(**{f"{key}__in": list(by_key)}).values_list(key, "pk")
                for value, pk in found:
                    obj = by_key[value]
                    obj.pk = pk
                    obj._state.adding, obj._state.db = False, using
    return len(objs)


def update_rows(objs: Sequence[Model], fields: Sequence[str], *, batch_size: int = BATCH) -> int:
    """Write `fields` (names or attnames) of every object by its primary key; returns how many objects."""
    if not objs:
        return 0
    model = type(objs[0])
    meta = model._meta
    concrete = [meta.get_field(name) for name in fields]
    if any(not field.concrete or field.many_to_many or field.primary_key for field in concrete):
        raise ValueError("update_rows writes concrete, non-key fields only")
    using = router.db_for_write(model)
    connection = connections[using]
    quote = connection.ops.quote_name
    assignments = ", ".join(f"{quote(field.column)} = %s" for field in concrete)
    sql = f"UPDATE {quote(meta.db_table)} SET {assignments} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            params = [
                [field.get_db_prep_save(getattr(obj, field.attname), connection) for field in concrete]
                + [meta.pk.get_db_prep_save(obj.pk, connection)]
                for obj in objs[start : start + batch_size]
            ]
            cursor.executemany(sql, params)
    return len(objs)
