"""Inserting and updating many rows at a cost linear in their number, for imports of 100,000 rows.

`bulk_create` compiles every value of every row through the ORM's SQL compiler (~4 million field compilations
for a 100,000-row enterprise import, a third of its commit); here one prepared `INSERT` is run for every object
(`executemany`), each value prepared as `bulk_create` prepares it (`pre_save(obj, add=True)`, then
`get_db_prep_save`). Primary keys are read back by a unique key the caller names, in batches. On PostgreSQL the
rows go through `COPY … FROM STDIN` instead: a 100,000-row import's ~320,000 single-row statements kept the server
busy ~24 s of its commit (client-side binding: each statement parsed on its own); `COPY` streams them in one.

Django's `bulk_update` writes one `UPDATE … SET f = CASE WHEN pk = 1 THEN … WHEN pk = 2 THEN … END …` per batch: the
database evaluates the CASE for every row of the batch (quadratic in the batch size) and Django builds a `When`
expression per row and field. Re-importing a 2,000-row list took ~100 s that way on SQLite. Here one prepared
`UPDATE … WHERE pk = %s` is run for every object (`executemany`), with each value prepared as `bulk_update` would
(`get_db_prep_save`, no `pre_save`: an `auto_now` field is written as the object holds it)."""

import gc
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from django.db import connections, router, transaction
from django.db.models import Field, Model
from django.db.models import fields as model_fields

BATCH = 2000
# Field types whose database value is their Python value converted by one builtin (what their `get_prep_value` does
# for a valid value): most of an import's columns. Exact types only: a subclass may prepare differently.
_PLAIN = {
    model_fields.CharField: str,
    model_fields.TextField: str,
    model_fields.SlugField: str,
    model_fields.EmailField: str,
    model_fields.IntegerField: int,
    model_fields.SmallIntegerField: int,
    model_fields.BigIntegerField: int,
    model_fields.PositiveIntegerField: int,
    model_fields.PositiveSmallIntegerField: int,
    model_fields.PositiveBigIntegerField: int,
    model_fields.BooleanField: bool,
    model_fields.AutoField: int,
    model_fields.BigAutoField: int,
}


def insert_preparer(field: Field, connection):
    """A function of an object giving the field's value to insert, as `bulk_create` prepares it (`pre_save`, then
    `get_db_prep_save`); plain columns (and foreign keys to them) skip the ORM's per-value calls, ~a quarter of a
    100,000-row commit. A test holds both ways equal on the import's models."""
    target = field.target_field if field.is_relation and field.many_to_one else field
    convert = _PLAIN.get(type(target))
    if convert is not None and type(field).pre_save is Field.pre_save:
        attname = field.attname

        def plain(obj):
            value = getattr(obj, attname)
            return None if value is None else convert(value)

        return plain
    return lambda obj: field.get_db_prep_save(field.pre_save(obj, True), connection)


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
    preparers = [insert_preparer(field, connection) for field in fields]
    copy_sql = f"COPY {quote(meta.db_table)} ({columns}) FROM STDIN"  # noqa: S608
    with transaction.atomic(using=using, savepoint=False), connection.cursor() as cursor:
        for start in range(0, len(objs), batch_size):
            chunk = objs[start : start + batch_size]
            rows = [[prepare(obj) for prepare in preparers] for obj in chunk]
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.executemany(sql, rows)
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
