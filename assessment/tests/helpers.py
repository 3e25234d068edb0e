"""Builders for the assessment tests: a task over the world's county with one engine-fed and
one manual indicator broken down to the world's two departments."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone

from assessment import services
from assessment.models import AssessmentTask, Breakdown, Direction, Indicator, IndicatorKind
from cases.tests.world import World


@dataclass
class Setup:
    task: AssessmentTask
    on_time: Indicator
    toilets: Indicator
    engine_row: Breakdown  # on_time_rate, world.dept
    row: Breakdown  # manual, world.dept
    other_row: Breakdown  # manual, world.other_dept


def make_task(world: World, **overrides: object) -> AssessmentTask:
    year = timezone.localdate().year
    fields: dict[str, object] = {
        "actor": world.dispatcher,
        "title": f"{year}年度为民办实事考核",
        "year": year,
        "start_month": year * 100 + 1,
        "end_month": year * 100 + 12,
        "issuer": world.chain_committee,
        "region": world.county,
    }
    fields.update(overrides)
    return services.create_task(**fields)  # type: ignore[arg-type]


def setup(world: World) -> Setup:
    task = make_task(world)
    on_time = services.add_indicator(
        task,
        actor=world.dispatcher,
        name="按期办结率",
        kind=IndicatorKind.ENGINE,
        metric="on_time_rate",
        measure="%",
    )
    toilets = services.add_indicator(
        task, actor=world.dispatcher, name="无害化卫生厕所改造", measure="户"
    )
    services.break_down(
        on_time, actor=world.dispatcher, units=[world.dept, world.other_dept], target=95, weight=30
    )
    services.break_down(
        toilets,
        actor=world.dispatcher,
        units=[world.dept, world.other_dept],
        target="200",
        weight="20",
    )
    rows = {(r.indicator_id, r.unit_id): r for r in Breakdown.objects.all()}
    return Setup(
        task=task,
        on_time=on_time,
        toilets=toilets,
        engine_row=rows[(on_time.pk, world.dept.pk)],
        row=rows[(toilets.pk, world.dept.pk)],
        other_row=rows[(toilets.pk, world.other_dept.pk)],
    )


LOWER = Direction.LOWER
