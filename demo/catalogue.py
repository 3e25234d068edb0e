"""The demo county's dispatch catalogue (派单目录), made through ``cases.catalogue``: v1 from
the categories' suggested units two weeks before the year of cases, and v2 a few days later,
which raises kiln-gas hazards to 紧急 with the housing bureau as co-unit. The version list and
its difference have content, and every hand-over of the year records v2, the version in force.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import time_machine
from django.utils import timezone

from cases import catalogue, deadlines
from cases.catalogue import EntryRow
from cases.models import Category, DispatchCatalogue, Priority
from demo.county import County

# The line v2 changes: (case type code, category name), the co-unit it adds (a department key).
CHANGED = ("hazard", "窑炉燃气")
ADDED_CO_UNIT = "zjj"


def _working_morning(day: datetime, hour: int, minute: int = 0) -> datetime:
    """``hour:minute`` on the last working day on or before ``day`` (local time)."""
    local = timezone.localtime(day).date()
    while not deadlines.is_workday(local):
        local -= timedelta(days=1)
    return datetime.combine(local, time(hour, minute), tzinfo=timezone.get_current_timezone())


def load_catalogue(county: County, start: datetime) -> DispatchCatalogue:
    """v1 and v2 before ``start`` (the first case of the year); returns v2, in force."""
    dispatcher, admin = county.users["dispatcher"], county.users["admin"]
    first = _working_morning(start - timedelta(days=14), 9, 30)
    second = _working_morning(start - timedelta(days=3), 14)
    with time_machine.travel(first.astimezone(UTC), tick=False) as traveller:
        v1 = catalogue.new_draft(actor=dispatcher, note="首版：按各分类的建议主办单位")
        traveller.move_to((first + timedelta(minutes=45)).astimezone(UTC))
        catalogue.publish(v1, actor=dispatcher)

        traveller.move_to(second.astimezone(UTC))
        v2 = catalogue.new_draft(actor=dispatcher, note="窑炉燃气隐患提级为紧急，住建局协办")
        category = Category.objects.get(case_type__code=CHANGED[0], name=CHANGED[1])
        entry = v2.entries.select_related("lead_unit").get(category=category)
        catalogue.save_entries(
            v2,
            [
                EntryRow(
                    category,
                    entry.lead_unit,
                    [*entry.co_units.all(), county.units[ADDED_CO_UNIT]],
                    Priority.URGENT,
                )
            ],
            actor=dispatcher,
        )
        traveller.move_to((second + timedelta(hours=2, minutes=30)).astimezone(UTC))
        return catalogue.publish(v2, actor=admin)
