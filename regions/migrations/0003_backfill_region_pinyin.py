"""Backfill the pinyin search key of the regions that existed before it (0002)."""

from django.db import migrations

from regions.pinyin import pinyin_key


def backfill(apps, schema_editor):
    Region = apps.get_model("regions", "Region")
    regions = list(Region.objects.only("pk", "name"))
    for region in regions:
        region.pinyin = pinyin_key(region.name)
    Region.objects.bulk_update(regions, ["pinyin"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("regions", "0002_region_pinyin")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop)]
