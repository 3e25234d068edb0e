import importlib

from django.db import migrations, models

# Adding a unique column makes SQLite rebuild the table, which drops the indexes Django does not
# know of: the rates' covering index (0003) is made again.
covering = importlib.import_module("cases.migrations.0003_sqlite_rates_covering_index")


class Migration(migrations.Migration):
    dependencies = [
        ("cases", "0007_requester_phone_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="ledger_number",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=64,
                null=True,
                unique=True,
                verbose_name="台账编号",
            ),
        ),
        migrations.RunPython(covering.create, migrations.RunPython.noop, elidable=False),
    ]
