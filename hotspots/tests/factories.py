"""Worlds for the hot-spot and suggestion tests of the pages and the API."""

from __future__ import annotations

from datetime import datetime, timedelta

import time_machine

from cases.models import Category
from hotspots import services, suggest
from hotspots.models import HotSpot, SuggesterModel
from regions.models import Region


def water(world) -> Category:
    return world.types["resident_issue"].categories.order_by("code").first()


def raised(world, now: datetime, count: int = 5, region: Region | None = None) -> HotSpot:
    """``count`` cases of one category at ``region`` (the grid, in its village) over the last
    days, detected."""
    category = water(world)
    for days in range(count):
        with time_machine.travel(now - timedelta(days=days % 6, hours=1), tick=False):
            world.report(region=region or world.grid, category=category, title="停水")
    with time_machine.travel(now, tick=False):
        result = services.detect()
    assert len(result.raised) == 1
    return HotSpot.objects.select_related("place", "category").get(pk=result.raised[0].pk)


def trained(world, now: datetime) -> SuggesterModel:
    """A suggester fitted on texts naming the world's first two categories and departments."""
    first, second = world.types["resident_issue"].categories.order_by("code")[:2]
    rows = [
        suggest.Sample(f"路灯不亮 夜间漆黑 {i}", first.pk, world.other_dept.pk) for i in range(6)
    ] + [suggest.Sample(f"拖欠工资 老板欠薪 {i}", second.pk, world.dept.pk) for i in range(6)]
    return suggest.store(suggest.fit(rows), now=now)
