"""Load the shipped administrative divisions and industry divisions (see regions/data/SOURCES.md)."""

from django.db import migrations


def load(apps, schema_editor):
    from regions.services import industries_load, regions_load

    regions_load(region_model=apps.get_model("regions", "Region"))
    industries_load(division_model=apps.get_model("regions", "IndustryDivision"))


class Migration(migrations.Migration):
    dependencies = [("regions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
