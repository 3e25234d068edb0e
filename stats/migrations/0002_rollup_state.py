from django.db import migrations


def create_state(apps, schema_editor):
    # The rollup's one state row, not built yet: the first read builds it (stats.rollup).
    apps.get_model("stats", "RollupState").objects.using(schema_editor.connection.alias).create(
        pk=1
    )


class Migration(migrations.Migration):
    dependencies = [("stats", "0001_rollup")]

    operations = [migrations.RunPython(create_state, migrations.RunPython.noop)]
