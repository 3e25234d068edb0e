"""The SQLite covering index of the rates (0003) with ``clock_paused_at``: the overdue
condition asks whether the clock runs (a case waiting on an extension or the requester is not
overdue), so without the column every row would be looked up in the wide table again."""

from django.db import migrations

COLUMNS = (
    "lead_unit_id, reported_month, status, case_type_id, resolved_on_spot, is_overdue, "
    "extension_count, send_back_count, reopen_count, rework_count, visit_valid, "
    "visit_contacted, visit_resolved, visit_satisfaction, deadline, answered_on_time, "
    "first_answered_at, mediation_outcome, handling_hours, clock_paused_at"
)
OLD_COLUMNS = COLUMNS.removesuffix(", clock_paused_at")


def _make(schema_editor, columns: str) -> None:
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP INDEX IF EXISTS case_rates_cover")
        schema_editor.execute(f"CREATE INDEX case_rates_cover ON cases_case ({columns})")


def create(apps, schema_editor) -> None:
    _make(schema_editor, COLUMNS)


def restore(apps, schema_editor) -> None:
    _make(schema_editor, OLD_COLUMNS)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_clock_paused_by_hand")]

    operations = [migrations.RunPython(create, restore, elidable=False)]
