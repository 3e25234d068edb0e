from typing import Any

from django.db import migrations


def seed(apps: Any, schema_editor: Any) -> None:
    from enterprises.reference import ensure_honours

    ensure_honours(apps.get_model("enterprises", "Honour"))


class Migration(migrations.Migration):
    dependencies = [("enterprises", "0001_initial")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
