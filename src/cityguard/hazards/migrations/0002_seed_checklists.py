from django.db import migrations


def seed(apps, schema_editor):
    from cityguard.hazards.checklists import seed as seed_templates

    seed_templates(
        apps.get_model("hazards", "ChecklistTemplate"),
        apps.get_model("hazards", "ChecklistItem"),
        apps.get_model("risk", "Domain"),
    )


def unseed(apps, schema_editor):
    from cityguard.hazards.checklists import TEMPLATES

    Template = apps.get_model("hazards", "ChecklistTemplate")
    Template.objects.filter(code__in=[t[0] for t in TEMPLATES], inspections__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("hazards", "0001_initial"), ("risk", "0002_seed_domains")]

    operations = [migrations.RunPython(seed, unseed)]
