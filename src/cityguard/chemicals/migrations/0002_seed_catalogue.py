"""Seed the catalogue: every GB 18218-2018 Table 1 substance and the chemicals common in
an urban district, with their names, categories and safety data sheets."""

from django.db import migrations


def seed(apps, schema_editor):
    from cityguard.chemicals import catalogue

    catalogue.load(
        apps.get_model("chemicals", "Chemical"),
        apps.get_model("chemicals", "ChemicalName"),
        apps.get_model("chemicals", "SafetyDataSheet"),
    )


class Migration(migrations.Migration):
    dependencies = [("chemicals", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
