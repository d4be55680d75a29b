from django.db import migrations


def load(apps, schema_editor):
    from enterprises.labels import labels_load

    labels_load(apps.get_model("enterprises", "Label"))


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
