"""A covering index for the rates on SQLite only.

The metrics breakdown reads ~19 columns of every case; on SQLite a scan through
``case_unit_month`` then looks each row up by rowid, at random, in the wide table (1.9 s at
1,000,000 cases). This narrow copy in group order is read sequentially instead (0.6 s; see
docs/benchmarks.md). PostgreSQL's planner ignores it, so it is not made there. It is not in
``Case.Meta.indexes`` because Django's indexes cannot be limited to one database.
"""

from django.db import migrations

COLUMNS = (
    "lead_unit_id, reported_month, status, case_type_id, resolved_on_spot, is_overdue, "
    "extension_count, send_back_count, reopen_count, rework_count, visit_valid, "
    "visit_contacted, visit_resolved, visit_satisfaction, deadline, answered_on_time, "
    "first_answered_at, mediation_outcome, handling_hours"
)


def create(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS case_rates_cover ON cases_case ({COLUMNS})"
        )


def drop(apps, schema_editor) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS case_rates_cover")


class Migration(migrations.Migration):
    dependencies = [("cases", "0002_initial")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
