# Written by hand (issue 16): another helper's uncommitted report-series fields were in reports/models.py at the time.

from django.db import migrations, models


def share_issued_findings(apps, schema_editor):
    """Existing findings become internal (the column's default) unless an issued report already printed them: that
    report froze them into a document the enterprise can read, so they were shared in fact; calling them internal
    now would be untrue. A report stores findings by content, not id, so a finding counts as issued when a report
    of the same enterprise holds its text. The timeline entry that recorded such a finding is shared with it."""
    Finding = apps.get_model("reports", "Finding")
    Report = apps.get_model("reports", "DiagnosisReport")
    Event = apps.get_model("enterprises", "EnterpriseEvent")
    issued: dict[int, set[str]] = {}
    for enterprise_id, content in Report.objects.values_list("enterprise_id", "content").iterator(chunk_size=200):
        texts = {f.get("text", "") for f in (content or {}).get("findings", [])}
        if texts:
            issued.setdefault(enterprise_id, set()).update(texts)
    shared = [
        pk
        for pk, enterprise_id, text in Finding.objects.filter(enterprise_id__in=list(issued)).values_list(
            "pk", "enterprise_id", "text"
        )
        if text in issued[enterprise_id]
    ]
    for start in range(0, len(shared), 500):
        chunk = shared[start : start + 500]
        Finding.objects.filter(pk__in=chunk).update(visibility="shared")
        Event.objects.filter(kind="note", data__finding_id__in=chunk).update(visibility="shared")


class Migration(migrations.Migration):

    dependencies = [
        ("enterprises", "0006_event_visibility"),
        ("reports", "0002_report_series"),
    ]

    operations = [
        migrations.AddField(
            model_name="finding",
            name="visibility",
            field=models.CharField(
                choices=[("internal", "内部"), ("shared", "与企业共享")],
                default="internal",
                max_length=8,
                verbose_name="可见范围",
            ),
        ),
        migrations.RunPython(share_issued_findings, migrations.RunPython.noop, elidable=True),
    ]
