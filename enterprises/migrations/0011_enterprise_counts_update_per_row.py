"""PostgreSQL: the count trigger for UPDATE fires per row, only for a row that moves county or is removed/restored.

0010's statement trigger ran for every UPDATE statement on the enterprise table, and the importer's bulk update
(core.bulk.update_rows) sends one UPDATE per enterprise: a re-import of 100,000 records would have run 100,000
aggregates over one-row transition tables. A row trigger's WHEN clause is checked without calling the function, so
the common update (figures, names, notes) costs nothing; moves and removals are rare and adjust two counts each.
SQLite already works this way (0010). Inserts (COPY, bulk_create) and deletes keep their statement triggers."""

from django.db import migrations

FORWARD = [
    "DROP TRIGGER IF EXISTS enterprises_count_update ON enterprises_enterprise",
    "DROP FUNCTION IF EXISTS enterprises_count_update()",
    """CREATE FUNCTION enterprises_count_move() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF OLD.removed_at IS NULL THEN
            UPDATE enterprises_enterprisecount SET active = active - 1 WHERE county_code = OLD.county_id;
        END IF;
        IF NEW.removed_at IS NULL THEN
            INSERT INTO enterprises_enterprisecount AS c (county_code, active) VALUES (NEW.county_id, 1)
            ON CONFLICT (county_code) DO UPDATE SET active = c.active + 1;
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE TRIGGER enterprises_count_move AFTER UPDATE OF county_id, removed_at ON enterprises_enterprise
    FOR EACH ROW
    WHEN (OLD.county_id IS DISTINCT FROM NEW.county_id OR (OLD.removed_at IS NULL) <> (NEW.removed_at IS NULL))
    EXECUTE FUNCTION enterprises_count_move()""",
]
BACKWARD = [
    "DROP TRIGGER IF EXISTS enterprises_count_move ON enterprises_enterprise",
    "DROP FUNCTION IF EXISTS enterprises_count_move()",
    """CREATE FUNCTION enterprises_count_update() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN
    INSERT INTO enterprises_enterprisecount AS c (county_code, active)
    SELECT county_code, SUM(change) FROM (SELECT county_id, 1 FROM new_rows WHERE removed_at IS NULL
        UNION ALL SELECT county_id, -1 FROM old_rows WHERE removed_at IS NULL) AS d(county_code, change)
    GROUP BY county_code HAVING SUM(change) <> 0 ORDER BY county_code
    ON CONFLICT (county_code) DO UPDATE SET active = c.active + EXCLUDED.active;
    RETURN NULL; END $$""",
    """CREATE TRIGGER enterprises_count_update AFTER UPDATE ON enterprises_enterprise
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION enterprises_count_update()""",
]


def _run(statements):
    def run(apps, schema_editor) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in statements:
                schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("enterprises", "0010_enterprise_counts"),
    ]

    operations = [migrations.RunPython(_run(FORWARD), _run(BACKWARD))]
