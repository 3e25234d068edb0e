"""Engine-fed indicators: their actual value is the engine's rate over the unit's cases in the
task's period, the same number ``metrics.totals`` gives, refreshed without anyone typing it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
import time_machine
from django.utils import timezone

from assessment import services
from assessment.models import AssessmentEvent, AssessmentEventKind, Breakdown, IndicatorKind
from assessment.tests.helpers import setup
from cases.models import Case
from stats import metrics

pytestmark = pytest.mark.django_db


def _expected(world, task, unit, metric: str, now=None) -> Decimal | None:
    cases = metrics.filter_cases(
        Case.objects.all(), unit=unit, region=task.region, months=(task.start_month, task.end_month)
    )
    return services.engine_value(getattr(metrics.totals(cases, now=now), metric))


def test_engine_rows_equal_metrics_for_each_unit(world):
    s = setup(world)
    satisfaction = services.add_indicator(
        s.task,
        actor=world.dispatcher,
        name="满意率",
        kind=IndicatorKind.ENGINE,
        metric="satisfaction_rate",
        measure="%",
    )
    services.break_down(
        satisfaction,
        actor=world.dispatcher,
        units=[world.dept, world.other_dept],
        target=90,
        weight=30,
    )
    world.verified(passed=True)
    world.verified(passed=False)
    world.answered()
    world.assigned()  # still inside its limit: outside the on-time base
    later = timezone.now() + timedelta(days=60)
    with time_machine.travel(later, tick=False):
        changed = services.refresh_engine_indicators(s.task)
        assert changed >= 2
        rows = Breakdown.objects.filter(
            indicator__task=s.task, indicator__kind=IndicatorKind.ENGINE
        ).select_related("indicator", "unit")
        seen = 0
        for row in rows:
            expected = _expected(world, s.task, row.unit, row.indicator.metric)
            assert row.actual == expected, (row.unit, row.indicator.metric)
            seen += row.actual is not None
        assert seen == 2  # the department with cases; the other has no base: no value
        engine_row = rows.get(pk=s.engine_row.pk)
        # 3 answered on time, 1 assigned and now overdue: 3 of 4 due.
        assert engine_row.actual == Decimal("75.00")
        assert engine_row.score == (Decimal("75") / Decimal("95") * 30).quantize(Decimal("0.01"))
        # Nothing changed: nothing written, no event.
        events = AssessmentEvent.objects.filter(kind=AssessmentEventKind.ENGINE_REFRESHED).count()
        assert services.refresh_engine_indicators(s.task) == 0
        assert (
            AssessmentEvent.objects.filter(kind=AssessmentEventKind.ENGINE_REFRESHED).count()
            == events
        )


def test_cases_outside_the_period_do_not_count(world):
    s = setup(world)
    world.answered()
    Case.objects.update(reported_month=s.task.start_month - 100)  # last year
    services.refresh_engine_indicators(s.task)
    assert Breakdown.objects.get(pk=s.engine_row.pk).actual is None


def test_refresh_costs_fixed_queries(world, django_assert_max_num_queries):
    s = setup(world)
    for _ in range(3):
        world.answered()
    with django_assert_max_num_queries(8):
        services.refresh_engine_indicators(s.task)
