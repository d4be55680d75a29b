"""The peer-score table (reports/peers.py counts it), filled from the assessments already stored.

The backfill SQL is written out here rather than imported from assessments/services.py so that this migration
keeps meaning what it meant when it ran; `manage.py rebuild_peer_scores` runs the current version."""

import django.db.models.deletion
from django.db import migrations, models
from django.utils import timezone

BACKFILL = """
    INSERT INTO assessments_peerscore (enterprise_id, model_code, node_code, score, assessment_id, industry,
                                       size_class, province, city)
    WITH latest AS (
        SELECT a.id AS assessment_id, a.enterprise_id, a.model_code, r.id AS result_id, r.score,
               ROW_NUMBER() OVER (
                   PARTITION BY a.enterprise_id, a.model_code ORDER BY a.submitted_at DESC, a.id DESC
               ) AS n
        FROM assessments_assessment a
        JOIN assessments_assessmentresult r ON r.assessment_id = a.id AND r.is_current
        WHERE a.status = 'submitted'
    ),
    chosen AS (
        SELECT l.assessment_id, l.enterprise_id, l.model_code, l.result_id, l.score, e.industry_id,
               e.size_class, SUBSTR(e.county_id, 1, 2) AS province, SUBSTR(e.county_id, 1, 4) AS city
        FROM latest l JOIN enterprises_enterprise e ON e.id = l.enterprise_id
        WHERE l.n = 1 AND e.removed_at IS NULL
    )
    SELECT enterprise_id, model_code, '', score, assessment_id, industry_id, size_class, province, city
    FROM chosen
    UNION ALL
    SELECT c.enterprise_id, c.model_code, d.node_code, d.score, c.assessment_id, c.industry_id, c.size_class,
           c.province, c.city
    FROM chosen c JOIN assessments_domainscore d ON d.result_id = c.result_id
    WHERE d.depth = 0
"""


def backfill(apps, schema_editor):
    started = timezone.now()
    schema_editor.execute(BACKFILL)
    apps.get_model("assessments", "PeerScoreSync").objects.using(schema_editor.connection.alias).create(
        pk=1, followed_until=started
    )


class Migration(migrations.Migration):
    dependencies = [
        ("assessments", "0003_verification_cascade"),
        ("enterprises", "0005_alter_enterpriseevent_kind"),
    ]

    operations = [
        migrations.CreateModel(
            name="PeerScoreSync",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("followed_until", models.DateTimeField()),
            ],
            options={
                "verbose_name": "同行对标同步",
                "verbose_name_plural": "同行对标同步",
            },
        ),
        migrations.CreateModel(
            name="PeerScore",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("model_code", models.SlugField(max_length=40)),
                ("node_code", models.CharField(blank=True, max_length=60)),
                ("score", models.FloatField(null=True)),
                ("industry", models.CharField(max_length=2)),
                ("size_class", models.CharField(blank=True, max_length=8)),
                ("province", models.CharField(max_length=2)),
                ("city", models.CharField(max_length=4)),
                (
                    "assessment",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE, related_name="+", to="assessments.assessment"
                    ),
                ),
                (
                    "enterprise",
                    models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="+",
                        to="enterprises.enterprise",
                    ),
                ),
            ],
            options={
                "verbose_name": "同行对标得分",
                "verbose_name_plural": "同行对标得分",
                "indexes": [
                    models.Index(
                        fields=["model_code", "node_code", "industry", "size_class", "city", "score", "enterprise"],
                        name="peerscore_city",
                    ),
                    models.Index(
                        fields=["model_code", "node_code", "industry", "size_class", "province", "score", "enterprise"],
                        name="peerscore_province_size",
                    ),
                    models.Index(
                        fields=["model_code", "node_code", "industry", "province", "score", "enterprise"],
                        name="peerscore_province_industry",
                    ),
                    models.Index(
                        fields=["model_code", "node_code", "province", "score", "enterprise"], name="peerscore_province"
                    ),
                ],
                "constraints": [
                    models.UniqueConstraint(
                        fields=("enterprise", "model_code", "node_code"), name="peerscore_one_per_node"
                    )
                ],
            },
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop, elidable=False),
    ]
