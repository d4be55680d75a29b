"""PostgreSQL: a result's snapshot (~8 KB of JSON for a CMMM result) is compressed with lz4 instead of pglz.

Rescoring a million results writes a million snapshots; PostgreSQL's default pglz spends most of its time
compressing the jsonb (measured on 3,656 CMMM snapshots: 1.31 s with pglz, 0.80 s with lz4, 1.04 s stored
uncompressed; stored size 849 → 1,142 bytes). Only values written from now on use lz4. A server built without lz4
keeps pglz: the statement is skipped, nothing else depends on it. SQLite has no such setting."""

from django.db import migrations

LZ4 = """
DO $$
BEGIN
    ALTER TABLE assessments_assessmentresult ALTER COLUMN snapshot SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value THEN
    RAISE NOTICE 'lz4 is not available on this server: snapshots stay compressed with pglz';
END $$;
"""
PGLZ = "ALTER TABLE assessments_assessmentresult ALTER COLUMN snapshot SET COMPRESSION pglz"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(LZ4)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PGLZ)


class Migration(migrations.Migration):
    dependencies = [("assessments", "0007_import_job_answers_questions_notes")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
