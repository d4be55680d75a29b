"""The full-text index of the pools and needs (catalog/search.py reads and keeps it).

Not a Django model: an FTS5 virtual table on SQLite and a tsvector table with a GIN index on PostgreSQL cannot be
described by model fields, so each vendor gets its own SQL here. The index starts empty; the first search (or
`manage.py rebuild_search_index`) fills it. The SQL is written out in full rather than imported from
catalog/search.py so that this migration keeps meaning what it meant when it ran."""

from django.db import migrations

SQLITE = [
    # rowid = object id * 4 + kind number, so an object's row is found and replaced by rowid (FTS5 has no other
    # index). Title and body are separate columns so that bm25() can weigh a title hit above a body hit.
    "CREATE VIRTUAL TABLE catalog_search_index USING fts5("
    "title, body, kind UNINDEXED, obj_id UNINDEXED, updated UNINDEXED, tokenize = 'unicode61')",
]
POSTGRESQL = [
    "CREATE TABLE catalog_search_index ("
    "kind varchar(10) NOT NULL, obj_id bigint NOT NULL, title text NOT NULL, body text NOT NULL, "
    "updated varchar(40) NOT NULL, "
    "tsv tsvector GENERATED ALWAYS AS "
    "(setweight(to_tsvector('simple', title), 'A') || setweight(to_tsvector('simple', body), 'B')) STORED, "
    "PRIMARY KEY (kind, obj_id))",
    "CREATE INDEX catalog_search_index_tsv ON catalog_search_index USING gin (tsv)",
]
# Per kind: the newest updated_at already indexed and the number of rows, so a sync knows what to look at.
STATE = (
    "CREATE TABLE catalog_search_state (kind varchar(10) NOT NULL PRIMARY KEY, watermark varchar(40) NULL, "
    "n integer NOT NULL)"
)

# The sync before every search asks each kind for the rows saved since its last run; without an index on
# updated_at that is a scan of the whole table (18 ms at 50,000 solutions on SQLite, for every search). Plain SQL,
# outside the model state, because the models are not this migration's to change: if a model later declares
# db_index on updated_at, drop these.
WATERMARKS = [
    f"CREATE INDEX IF NOT EXISTS {table}_updated_at_search ON {table} (updated_at)"
    for table in ("catalog_provider", "catalog_solution", "catalog_case", "catalog_need")
]


def create(apps, schema_editor):
    vendor_sql = SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRESQL
    for sql in [*vendor_sql, STATE, *WATERMARKS]:
        schema_editor.execute(sql)


def drop(apps, schema_editor):
    for table in ("catalog_provider", "catalog_solution", "catalog_case", "catalog_need"):
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_updated_at_search")
    schema_editor.execute("DROP TABLE IF EXISTS catalog_search_state")
    schema_editor.execute("DROP TABLE IF EXISTS catalog_search_index")


class Migration(migrations.Migration):
    dependencies = [("catalog", "0005_pool_events_meetings_attachments")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
