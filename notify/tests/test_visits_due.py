"""The return-visit reminder: answered cases nobody rated or visited within the wait are told to
the visiting dispatchers, once per case however often the job runs."""

from __future__ import annotations

from datetime import timedelta
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from cases import services as moves
from cases.models import Satisfaction
from notify import services
from notify.models import VISIT_DUE, Channel, Notification


@pytest.fixture(autouse=True)
def _no_quiet_hours(settings):
    settings.NOTIFY_QUIET_HOURS = ""


def later(hours: float):
    return time_machine.travel(timezone.now() + timedelta(hours=hours), tick=False)


def test_a_case_waiting_past_the_self_rating_time_is_told_to_the_dispatchers_once(world):
    case = world.answered()
    with later(47):
        assert services.notify_visits_due() == 0
    with later(49):
        assert services.notify_visits_due() == 1
        assert services.notify_visits_due() == 0
    [row] = Notification.objects.filter(case=case, kind=VISIT_DUE)
    assert (row.user, row.channel, row.event) == (world.dispatcher, Channel.INBOX, None)
    assert row.dedup_key == f"visit_due:{case.pk}:inbox:u{world.dispatcher.pk}"
    assert row.text.startswith(f"【连心桥】回访提醒：事项{case.number}「路灯不亮」")


def test_a_visited_case_is_not_told(world):
    moves.return_visit(
        world.answered(),
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    with later(72):
        assert services.notify_visits_due() == 0


def test_the_wait_is_a_setting(world, settings):
    settings.LIANXIN = {**settings.LIANXIN, "SELF_RATING_WAIT_HOURS": 2}
    world.answered()
    with later(3):
        assert services.notify_visits_due() == 1


def test_the_management_command_runs_the_job(world, capsys):
    world.answered()
    with later(49):
        call_command("notify_visits_due")
        call_command("notify_visits_due")
    out = capsys.readouterr().out
    assert "新生成 1 条" in out and "新生成 0 条" in out


def test_the_command_schedules_the_periodic_round_once(world):
    from django_tasks_db.models import DBTaskResult

    from notify.tasks import notify_periodic

    call_command("notify_visits_due", "--schedule", stdout=StringIO())
    call_command("notify_visits_due", "--schedule", stdout=StringIO())
    assert DBTaskResult.objects.filter(task_path=notify_periodic.module_path).count() == 1


def test_the_periodic_round_also_clears_old_sign_in_codes(world):
    from notify.tasks import notify_periodic
    from people import otp
    from people.models import OneTimeCode

    otp.issue_code("13959001234", now=timezone.now() - timedelta(days=3))
    assert OneTimeCode.objects.count() == 1
    notify_periodic.call(False)
    assert OneTimeCode.objects.count() == 0
