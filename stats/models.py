"""The rates' rollup: counted cases by reported month, case type, place and one dimension.

``CaseRollup`` holds, for each (dimension, month, case type, region, key), the counts of
``stats.metrics.predicates`` that do not depend on the moment they are read, and the parts of
the three that do (应办结, 已研判, 调处成功) that are settled for good; ``stats.rollup`` adds the
rest live, from the open cases, at each read. It is kept exact by the engine's events
(``RollupState.watermark``); see ``stats/rollup.py``.
"""

from __future__ import annotations

from django.db import models


class CaseRollup(models.Model):
    """One bucket of counted cases. ``dim`` says what ``key`` is: ``a`` nothing (the totals,
    months, types and places read these few rows), ``u`` the lead unit (None for none), ``c``
    the category (None for none), ``s`` the grid station (cases taken in at one only). Every
    counted case is in exactly one ``a``, one ``u`` and one ``c`` row."""

    ALL, UNIT, CATEGORY, STATION = "a", "u", "c", "s"

    dim = models.CharField(max_length=1)
    month = models.PositiveIntegerField()
    case_type = models.IntegerField()
    region = models.IntegerField()
    key = models.IntegerField(null=True)
    received = models.PositiveIntegerField(default=0)
    closed = models.PositiveIntegerField(default=0)
    on_spot = models.PositiveIntegerField(default=0)
    extended = models.PositiveIntegerField(default=0)
    sent_back = models.PositiveIntegerField(default=0)
    reopened = models.PositiveIntegerField(default=0)
    valid_visits = models.PositiveIntegerField(default=0)
    contacted = models.PositiveIntegerField(default=0)
    resolved = models.PositiveIntegerField(default=0)
    satisfied = models.PositiveIntegerField(default=0)
    basic = models.PositiveIntegerField(default=0)
    unsatisfied = models.PositiveIntegerField(default=0)
    on_time = models.PositiveIntegerField(default=0)
    answered = models.PositiveIntegerField(default=0)
    reworked = models.PositiveIntegerField(default=0)
    disputes = models.PositiveIntegerField(default=0)
    handled = models.PositiveIntegerField(default=0)
    hours_sum = models.FloatField(default=0.0)
    # The settled parts of the counts that depend on the moment (see stats.rollup).
    due_settled = models.PositiveIntegerField(default=0)
    judged_settled = models.PositiveIntegerField(default=0)
    success_settled = models.PositiveIntegerField(default=0)
    # The moment-dependent counts as of ``RollupState.live_at`` (see stats.rollup).
    live_overdue_now = models.PositiveIntegerField(default=0)
    live_due = models.PositiveIntegerField(default=0)
    live_disputes_judged = models.PositiveIntegerField(default=0)
    live_mediation_success = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["dim", "month", "case_type"], name="rollup_dim_month")]

    def __str__(self) -> str:
        return f"{self.dim}:{self.key} {self.month} t{self.case_type} r{self.region}"


class RollupState(models.Model):
    """The one row that says how far the rollup has read the engine's events."""

    built = models.BooleanField(default=False)
    # The highest CaseEvent id read, and how many events had an id in the window below it
    # (an event committed late, with an id under the watermark, changes that count).
    watermark = models.BigIntegerField(default=0)
    window_count = models.IntegerField(default=0)
    # The moment the buckets' live counts are as of, and the first deadline at or after it of a
    # case a live count may take in: until then they are the counts of any later moment.
    live_at = models.DateTimeField(null=True)
    live_until = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"rollup at event {self.watermark}"
