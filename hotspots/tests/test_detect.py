"""Hot-spot detection over cases made by the engine under a fixed clock: a place whose category
rises is raised once (with exactly its cases), a place steadily as busy is not, the counting is
a fixed number of queries, and the dispatcher's moves write their events."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from cases.models import Category
from cases.tests.world import make_user
from hotspots import scope, services
from hotspots.models import AlertStatus, HotSpot, HotSpotEvent
from hotspots.tasks import detect_hotspots
from people.models import Role

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 3, 20, 10, 0, tzinfo=TZ)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


@pytest.fixture(autouse=True)
def method(settings):
    settings.LIANXIN = {
        **settings.LIANXIN,
        "HOTSPOT_MIN_CASES": 4,
        "HOTSPOT_WINDOW_DAYS": 7,
        "HOTSPOT_BASELINE_WEEKS": 8,
        "HOTSPOT_FACTOR": 3.0,
    }


def categories(world) -> tuple[Category, Category]:
    first, second = world.types["resident_issue"].categories.order_by("code")[:2]
    return first, second


def report(world, when: datetime, region, category, title: str = "停水") -> None:
    with at(when):
        world.report(region=region, category=category, title=title)


@pytest.fixture
def cases(world):
    """浔中村 (the village of the grid): four 停水 in the last week against one two months ago.
    龙浔第一网格 (a village of the other town): four of the same every week for nine weeks.
    A fifth case in the village of another category, and one older than the window."""
    water, other = categories(world)
    report(world, NOW - timedelta(weeks=6), world.grid, water)
    for days in (0, 1, 3, 6):
        report(world, NOW - timedelta(days=days, hours=1), world.grid, water)
    report(world, NOW - timedelta(days=2), world.grid, other, title="噪音")
    report(world, NOW - timedelta(days=8), world.grid, water)  # just before the window
    for week in range(9):
        for day in range(4):
            report(world, NOW - timedelta(weeks=week, days=day, hours=2), world.other_grid, water)
    return world


def test_a_rising_place_is_raised_and_a_steady_busy_one_is_not(cases):
    water, _ = categories(cases)
    with at(NOW):
        result = services.detect()
    assert len(result.raised) == 1 and result.candidates == 2
    alert = HotSpot.objects.get()
    assert (alert.place, alert.category, alert.count) == (cases.village, water, 4)
    assert (alert.window_start, alert.window_end) == (date(2026, 3, 14), date(2026, 3, 20))
    # Two cases in the eight weeks before the window (6 weeks and 8 days ago): 2 × 7 / 56.
    assert alert.baseline == 0.25
    assert alert.cases.count() == 4
    assert set(alert.cases.values_list("region", flat=True)) == {cases.grid.pk}
    assert HotSpotEvent.objects.get().kind == "raised"
    assert services.case_list_params(alert) == {
        "category": str(water.pk),
        "reported_from": "2026-03-14",
        "reported_to": "2026-03-20",
        "region": cases.village.code,
    }


def test_an_open_alert_is_not_raised_twice_and_a_closed_one_may_rise_again(cases):
    with at(NOW):
        services.detect()
    with at(NOW + timedelta(hours=1)):
        again = services.detect()
    assert again.raised == [] and again.already_live == 1
    alert = HotSpot.objects.get()
    with at(NOW + timedelta(hours=2)):
        services.acknowledge(alert, actor=cases.dispatcher, note="已联系自来水公司")
        assert services.detect().raised == []  # acknowledged is still live
        services.close(alert, actor=cases.dispatcher, note="管网抢修完毕，已恢复供水。")
        assert len(services.detect().raised) == 1
    assert HotSpot.objects.filter(status=AlertStatus.CLOSED).count() == 1
    assert HotSpot.objects.filter(status=AlertStatus.OPEN).count() == 1
    assert list(HotSpotEvent.objects.filter(hotspot=alert).values_list("kind", flat=True)) == [
        "raised",
        "acknowledged",
        "closed",
    ]


def test_a_quiet_week_raises_nothing(world):
    water, _ = categories(world)
    for days in (0, 2):
        report(world, NOW - timedelta(days=days), world.grid, water)
    with at(NOW):
        assert services.detect().raised == []
    assert not HotSpot.objects.exists()


def test_cases_placed_at_the_town_itself_count_there_alone(world):
    water, _ = categories(world)
    for days in range(4):
        report(world, NOW - timedelta(days=days), world.town, water)
    report(world, NOW, world.grid, water)  # in the town's village: not the town's own
    with at(NOW):
        services.detect()
    alert = HotSpot.objects.get()
    assert (alert.place, alert.count, alert.place_only) == (world.town, 4, True)
    assert services.case_list_params(alert)["place"] == world.town.code


def _scenario(world, places: int) -> None:
    water, _ = categories(world)
    regions = [world.grid, world.other_grid, world.town, world.other_town][:places]
    for region in regions:
        for days in range(4):
            report(world, NOW - timedelta(days=days), region, water)


@pytest.mark.parametrize("places", [1, 4])
def test_detection_takes_a_fixed_number_of_queries(world, places, django_assert_num_queries):
    _scenario(world, places)
    # Count, places, live alerts, the cases; a savepoint around three inserts.
    with at(NOW), django_assert_num_queries(9):
        result = services.detect()
    assert len(result.raised) == places
    with at(NOW), django_assert_num_queries(3):
        assert services.detect().raised == []


def test_the_moves_check_who_and_what(cases):
    with at(NOW):
        services.detect()
    alert = HotSpot.objects.select_related("place").get()
    town2 = make_user("town2_dispatcher", Role.DISPATCHER, region=cases.other_town)
    with pytest.raises(PermissionDenied):
        services.acknowledge(alert, actor=town2)
    with pytest.raises(PermissionDenied):
        services.close(alert, actor=cases.leader, note="领导不处置")
    with pytest.raises(ValidationError) as error:
        services.close(alert, actor=cases.dispatcher, note="   ")
    assert "请填写处置说明" in str(error.value)
    with pytest.raises(ValidationError):
        services.close(alert, actor=cases.dispatcher, note="很长" * 2000)
    services.close(alert, actor=cases.dispatcher, note="已处置")
    with pytest.raises(ValidationError):
        services.acknowledge(alert, actor=cases.dispatcher)
    with pytest.raises(ValidationError):
        services.close(alert, actor=cases.dispatcher, note="再关一次")
    assert HotSpotEvent.objects.filter(hotspot=alert).count() == 2


def test_scope_another_towns_dispatcher_does_not_see_the_alert(cases):
    with at(NOW):
        services.detect()
    town2 = make_user("town2_dispatcher", Role.DISPATCHER, region=cases.other_town)
    town1 = make_user("town1_dispatcher", Role.DISPATCHER, region=cases.town)
    grid_worker = cases.grid_worker
    assert scope.visible_hotspots(town2).count() == 0
    assert scope.visible_hotspots(town1).count() == 1
    assert scope.visible_hotspots(cases.leader).count() == 1  # county-wide leader
    assert scope.visible_hotspots(cases.admin).count() == 1
    assert scope.visible_hotspots(grid_worker).count() == 0
    assert scope.visible_hotspots(cases.handler).count() == 0


def test_the_periodic_task_detects_and_enqueues_its_next_run(cases):
    with at(NOW):
        detect_hotspots.call(True)
    assert HotSpot.objects.count() == 1
    task = DBTaskResult.objects.get(task_path="hotspots.tasks.detect_hotspots")
    assert task.run_after == NOW + timedelta(seconds=3600)
    with at(NOW):
        detect_hotspots.call(False)
    assert DBTaskResult.objects.filter(task_path="hotspots.tasks.detect_hotspots").count() == 1


def test_the_command_detects_and_schedules_once(cases):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    with at(NOW):
        call_command("detect_hotspots", "--schedule", stdout=out)
        call_command("detect_hotspots", "--schedule", stdout=out)
    assert "新预警 1 条" in out.getvalue() and "新预警 0 条" in out.getvalue()
    assert DBTaskResult.objects.filter(task_path="hotspots.tasks.detect_hotspots").count() == 1
