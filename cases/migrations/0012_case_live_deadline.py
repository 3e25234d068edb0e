"""A partial index on the deadline of the cases without an on-time verdict, for the counts
``stats.rollup`` makes live at each read: ``(status IN (open) AND deadline < now) OR
(answered_on_time IS NULL AND deadline < now)`` is then two index range scans (SQLite's
MULTI-INDEX OR, PostgreSQL's BitmapOr, with ``case_status_deadline``) instead of a scan of the
table. Raw SQL, so the model's state is unchanged: ``makemigrations`` sees nothing to do."""

from django.db import migrations

INDEX = "case_live_deadline"
CREATE = f"CREATE INDEX {INDEX} ON cases_case (deadline) WHERE answered_on_time IS NULL"


class Migration(migrations.Migration):
    dependencies = [("cases", "0011_case_station")]

    operations = [migrations.RunSQL(CREATE, f"DROP INDEX IF EXISTS {INDEX}")]
