"""The default visit rhythms: 挂钩干部 and 驻厂专员 monthly, 党建指导员 quarterly."""

from django.db import migrations

DEFAULTS = {
    "linked_cadre": "month",
    "resident_commissioner": "month",
    "party_instructor": "quarter",
}


def seed(apps, schema_editor):
    VisitRhythm = apps.get_model("outreach", "VisitRhythm")
    for kind, period in DEFAULTS.items():
        VisitRhythm.objects.get_or_create(link_kind=kind, defaults={"period": period})


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
