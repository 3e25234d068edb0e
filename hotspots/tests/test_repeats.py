"""重复诉求: the third case of one requester (or of one place and category) within the window
raises one alert, the fourth joins it, two raise nothing; the check runs after a report
commits and in the periodic task; the alert reaches the dispatchers and the lead unit's head
in their inbox; the moves write their events; a town's dispatcher sees only its alerts."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django_tasks_db.models import DBTaskResult

from cases.models import Case
from cases.tests.helpers import local
from cases.tests.world import make_user
from hotspots import repeats, scope
from hotspots.models import AlertStatus, RepeatAlert, RepeatAlertEvent, RepeatBasis
from hotspots.tasks import check_repeats, detect_hotspots
from notify.models import REPEAT_DEMAND, Notification
from people.models import Role

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 20, 10)
PHONE = "13905950001"


@pytest.fixture(autouse=True)
def rule(settings):
    settings.LIANXIN = {**settings.LIANXIN, "REPEAT_MIN_CASES": 3, "REPEAT_WINDOW_DAYS": 90}


@pytest.fixture
def head(world):
    return make_user("dept_head", Role.DEPT_HEAD, organisation=world.dept)


def call(world, days_ago: float, *, phone: str = PHONE, assigned: bool = False, **extra) -> Case:
    """A call from ``phone`` ``days_ago`` days before NOW, then its per-case check."""
    with time_machine.travel(NOW - timedelta(days=days_ago), tick=False):
        fields = {"requester_phone": phone, "title": "夜间工厂噪音", **extra}
        case = world.assigned(**fields) if assigned else world.report(**fields)
        repeats.check_case(case.pk)
    return case


def test_two_calls_raise_nothing_the_third_raises_and_the_fourth_joins(world, head):
    call(world, 40, assigned=True)
    call(world, 20)
    assert not RepeatAlert.objects.exists()
    third = call(world, 2)
    alert = RepeatAlert.objects.get()
    key = repeats.requester_key(PHONE, None)
    assert (alert.basis, alert.key, alert.count) == (RepeatBasis.REQUESTER, key, 3)
    assert PHONE not in alert.key and alert.latest_case == third
    assert alert.status == AlertStatus.OPEN and alert.window_days == 90
    assert alert.lead_unit == world.dept  # the latest case with a lead unit
    assert alert.place == third.region
    fourth = call(world, 1)
    alert = RepeatAlert.objects.get()  # the same one, not a second
    assert alert.count == 4 and alert.cases.count() == 4
    assert alert.last_reported_at == fourth.reported_at and alert.latest_case == fourth
    events = list(RepeatAlertEvent.objects.filter(alert=alert).values_list("kind", "data"))
    assert [kind for kind, _ in events] == ["raised", "updated"]
    assert events[1][1]["cases"] == [fourth.pk] and events[1][1]["count"] == 4
    # Each raise and update reached the county's dispatcher and the lead unit's head once.
    messages = Notification.objects.filter(kind=REPEAT_DEMAND, channel="inbox")
    assert list(messages.order_by("user__username", "pk").values_list("user__username", "text")) == [
        ("dept_head", "重复诉求预警：诉求人 张* 139****0001 近 90 天内第 3 次反映（"
         f"最近一件：{third.number} 夜间工厂噪音）。"),
        ("dept_head", "重复诉求预警更新：诉求人 张* 139****0001 近 90 天内第 4 次反映（"
         f"最近一件：{fourth.number} 夜间工厂噪音）。"),
        ("dispatcher", "重复诉求预警：诉求人 张* 139****0001 近 90 天内第 3 次反映（"
         f"最近一件：{third.number} 夜间工厂噪音）。"),
        ("dispatcher", "重复诉求预警更新：诉求人 张* 139****0001 近 90 天内第 4 次反映（"
         f"最近一件：{fourth.number} 夜间工厂噪音）。"),
    ]  # fmt: skip
    assert messages.first().get_kind_display() == "重复诉求预警"
    # Checking again changes nothing.
    with time_machine.travel(NOW, tick=False):
        assert not repeats.check_case(fourth.pk).updated
        assert not repeats.detect().raised
    assert messages.count() == 4


def test_calls_outside_the_window_do_not_count(world):
    call(world, 120)
    call(world, 95)
    call(world, 3)
    call(world, 1)
    assert not RepeatAlert.objects.exists()


def test_the_same_place_and_category_raises_whoever_calls(world):
    category = world.category()
    for i, days in enumerate((30, 10)):
        call(world, days, phone=f"1390000000{i}", category=category)
    assert not RepeatAlert.objects.exists()
    call(world, 1, phone="13900000009", category=category)
    alert = RepeatAlert.objects.get()
    assert (alert.basis, alert.place, alert.category, alert.count) == (
        RepeatBasis.PLACE,
        world.grid,
        category,
        3,
    )
    assert repeats.case_list_params(alert)["place"] == world.grid.code


def test_the_periodic_check_finds_the_same_and_does_not_repeat_itself(world):
    with time_machine.travel(NOW - timedelta(days=5), tick=False):
        for _ in range(3):
            world.report(requester_phone=PHONE)  # no per-case check: the task was lost
        for phone in ("13900000001", "13900000002"):
            world.report(requester_phone=phone, region=world.other_grid)
    with time_machine.travel(NOW, tick=False):
        found = repeats.detect()
        assert len(found.raised) == 1 and not found.updated
        assert not repeats.detect().raised
        result = detect_hotspots.call(False)
    assert "重复诉求：新预警 0 条，更新 0 条" in result
    assert RepeatAlert.objects.get().count == 3


def test_after_closing_only_later_calls_count(world):
    for days in (10, 5, 3):
        call(world, days)
    alert = RepeatAlert.objects.get()
    with time_machine.travel(NOW - timedelta(days=2), tick=False):
        repeats.close(alert, actor=world.dispatcher, note="已约谈企业，夜间停产。")
    call(world, 1)
    assert RepeatAlert.objects.count() == 1  # one call since closing is no repeat
    call(world, 0.5)
    call(world, 0.2)
    fresh = RepeatAlert.objects.exclude(pk=alert.pk).get()
    assert fresh.count == 3 and fresh.status == AlertStatus.OPEN


def test_a_report_enqueues_its_check_once_it_commits(world, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = world.report()
    task = DBTaskResult.objects.get(task_path="hotspots.tasks.check_repeats")
    assert task.args_kwargs["args"] == [case.pk]
    assert check_repeats.call(case.pk) == "重复诉求：新预警 0 条，更新 0 条"


def test_the_moves_write_their_events_and_check_who_makes_them(world, head):
    for days in (10, 5):
        call(world, days)
    call(world, 3, assigned=True)
    alert = RepeatAlert.objects.get()
    town2 = make_user("town2", Role.DISPATCHER, region=world.other_town)
    with pytest.raises(PermissionDenied):
        repeats.acknowledge(alert, actor=town2)
    repeats.acknowledge(alert, actor=head, note="已安排专人跟进")
    with pytest.raises(ValidationError):
        repeats.acknowledge(alert, actor=head)
    with pytest.raises(ValidationError):
        repeats.close(alert, actor=world.dispatcher, note=" ")
    repeats.close(alert, actor=world.dispatcher, note="已化解")
    assert list(alert.events.values_list("kind", "actor__username")) == [
        ("raised", None),
        ("acknowledged", "dept_head"),
        ("closed", "dispatcher"),
    ]


def test_a_towns_dispatcher_sees_only_its_alerts(world, head):
    for days in (10, 5):
        call(world, days)  # 第一网格, 浔中镇
    call(world, 3, assigned=True)
    for days in (10, 5, 3):
        call(world, days, phone="13900000077", region=world.other_grid)  # 龙浔镇
    own, other = (
        RepeatAlert.objects.get(place=world.grid),
        RepeatAlert.objects.get(place=world.other_grid),
    )
    town1 = make_user("town1", Role.DISPATCHER, region=world.town)
    town2 = make_user("town2", Role.DISPATCHER, region=world.other_town)
    assert set(scope.visible_repeats(town1)) == {own}
    assert set(scope.visible_repeats(town2)) == {other}
    assert set(scope.visible_repeats(world.dispatcher)) == {own, other}
    assert set(scope.visible_repeats(head)) == {own}  # its unit leads the latest case
    assert not scope.visible_repeats(world.grid_worker).exists()
    assert scope.may_handle_repeat(town1, own) and not scope.may_handle_repeat(town1, other)
