"""The overdue sweep (``manage.py sweep_overdue``): remind before the deadline, flag it overdue,
supervise on the next working day, escalate five working days later — each step a real event,
and running it twice changes nothing more."""

from __future__ import annotations

import re
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from cases import deadlines, services
from cases.models import Case, CaseEvent, EscalationStep, Priority, Satisfaction
from cases.sweep import sweep
from cases.tests.helpers import local, module_world_fixture

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


@pytest.fixture(autouse=True)
def package_calendar(db):
    deadlines.invalidate_calendar_cache()


@pytest.fixture(autouse=True)
def no_ladder(db):
    """These tests follow the sweep's fixed steps (催办, 超期, 督办); test_ladder.py climbs the
    escalation ladder beside them."""
    EscalationStep.objects.all().delete()


def counts(output: str) -> tuple[int, int, int]:
    """(reminded, flagged overdue, supervised) from the command's report."""
    found = re.search(r"催办 (\d+) 件，标记超期 (\d+) 件，督办 (\d+) 件", output)
    assert found, output
    reminded, overdue, supervised = (int(n) for n in found.groups())
    return reminded, overdue, supervised


def run_sweep(at) -> tuple[int, int, int]:
    """Run the management command at a moment, twice: the second run must do nothing."""
    with time_machine.travel(at, tick=False):
        out = StringIO()
        call_command("sweep_overdue", stdout=out)
        again = StringIO()
        call_command("sweep_overdue", stdout=again)
    assert counts(again.getvalue()) == (0, 0, 0), again.getvalue()
    return counts(out.getvalue())


def system_events(case: Case) -> list[tuple[str, str, int | None]]:
    """The sweep's own events: kind, reason and supervision level."""
    return [
        (e.kind, e.reason, e.data.get("level"))
        for e in CaseEvent.objects.filter(case=case, actor__isnull=True).order_by("id")
    ]


def assigned_at(world, moment, priority: str = Priority.NORMAL) -> Case:
    with time_machine.travel(moment, tick=False):
        case = services.triage_case(world.report(), actor=world.dispatcher, priority=priority)
        return services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


def test_the_sweep_follows_a_case_over_the_national_day_holiday(world):
    # Assigned Wed 23 Sep: 5 working days are Sep 24, 28, 29, 30 and Oct 8 (after the holidays).
    case = assigned_at(world, local(2026, 9, 23, 10))
    assert case.deadline == local(2026, 10, 8, 17)

    # More than 8 working hours before the deadline: nothing yet.
    assert run_sweep(local(2026, 9, 30, 16)) == (0, 0, 0)
    # Within 8 working hours (the holiday does not count): reminded.
    assert run_sweep(local(2026, 10, 8, 9, 30)) == (1, 0, 0)
    # Past the deadline: flagged overdue, but no supervision on the day itself.
    assert run_sweep(local(2026, 10, 8, 17, 5)) == (0, 1, 0)
    assert run_sweep(local(2026, 10, 8, 23, 50)) == (0, 0, 0)
    # The next working day: a written supervision notice.
    assert run_sweep(local(2026, 10, 9, 0, 10)) == (0, 0, 1)
    # Five working days after the deadline (Oct 9, 10 — a make-up Saturday —, 12, 13, 14): not yet
    # at 16:00 on the 14th, escalated after 17:00.
    assert run_sweep(local(2026, 10, 14, 16)) == (0, 0, 0)
    assert run_sweep(local(2026, 10, 14, 17, 30)) == (0, 0, 1)
    # Nothing further however long it stays overdue.
    assert run_sweep(local(2026, 11, 30, 10)) == (0, 0, 0)

    case = Case.objects.get(pk=case.pk)
    assert (case.is_overdue, case.supervision_level, case.reminded_at) == (
        True,
        2,
        local(2026, 10, 8, 9, 30),
    )
    assert system_events(case) == [
        ("reminded", "", None),
        ("overdue", "", None),
        ("supervised", "超期督办", 1),
        ("supervised", "超期5个工作日仍未办结，升级督办", 2),
    ]


def test_no_supervision_goes_out_on_a_holiday(world):
    # Important: 3 working days from Thu 24 Sep are Sep 28, 29, 30; the deadline is the eve of National Day.
    case = assigned_at(world, local(2026, 9, 24, 10), Priority.IMPORTANT)
    assert case.deadline == local(2026, 9, 30, 17)
    assert run_sweep(local(2026, 10, 1, 10)) == (0, 1, 0)
    assert run_sweep(local(2026, 10, 7, 23)) == (0, 0, 0)
    assert run_sweep(local(2026, 10, 8, 0, 5)) == (0, 0, 1)
    event = CaseEvent.objects.filter(case=case, kind="supervised").get()
    assert (event.actor, event.created_at) == (None, local(2026, 10, 8, 0, 5))


def test_a_leaders_supervision_before_the_deadline_does_not_replace_the_overdue_notice(world):
    case = assigned_at(world, local(2026, 9, 14, 10))  # deadline Sun 20 Sep 17:00, a make-up day
    with time_machine.travel(local(2026, 9, 15, 10), tick=False):
        services.supervise_case(case, actor=world.leader, note="请高度重视")
    run_sweep(local(2026, 9, 20, 18))
    assert run_sweep(local(2026, 9, 21, 0, 10)) == (0, 0, 1)
    # Escalation five working days after the deadline: Sep 21, 22, 23, 24, 28.
    assert run_sweep(local(2026, 9, 28, 16)) == (0, 0, 0)
    assert run_sweep(local(2026, 9, 28, 17, 30)) == (0, 0, 1)
    case = Case.objects.get(pk=case.pk)
    assert case.supervision_level == 3
    assert [e[1] for e in system_events(case) if e[0] == "supervised"] == [
        "超期督办",
        "超期5个工作日仍未办结，升级督办",
    ]


def test_a_reopened_case_is_followed_again_against_its_new_deadline(world):
    case = assigned_at(world, local(2026, 9, 14, 10))  # deadline Sun 20 Sep 17:00
    run_sweep(local(2026, 9, 21, 0, 10))  # overdue and supervised
    with time_machine.travel(local(2026, 9, 22, 10), tick=False):
        case = services.accept_case(Case.objects.get(pk=case.pk), actor=world.handler)
        case = services.answer_case(case, actor=world.handler, answer="已维修")
        case = services.return_visit(
            case,
            actor=world.grid_worker,
            reached=True,
            contacted=True,
            resolved=False,
            satisfaction=Satisfaction.UNSATISFIED,
        )
        case = services.reopen_case(case, actor=world.dispatcher, reason="群众不满意")
    # A fresh limit from the reopening: Sep 23, 24, 28, 29, 30.
    assert (case.deadline, case.is_overdue, case.reminded_at) == (
        local(2026, 9, 30, 17),
        False,
        None,
    )
    assert run_sweep(local(2026, 9, 30, 10)) == (1, 0, 0)
    assert run_sweep(local(2026, 9, 30, 17, 5)) == (0, 1, 0)
    assert run_sweep(local(2026, 10, 2, 10)) == (0, 0, 0)
    assert run_sweep(local(2026, 10, 8, 0, 10)) == (0, 0, 1)
    last = CaseEvent.objects.filter(case=case, kind="supervised").last()
    assert (last.reason, last.data) == ("超期督办", {"level": 2})


def test_the_sweep_leaves_answered_and_unassigned_cases_alone(world):
    case = assigned_at(world, local(2026, 9, 14, 10))
    with time_machine.travel(local(2026, 9, 14, 11), tick=False):
        services.answer_case(
            services.accept_case(case, actor=world.handler), actor=world.handler, answer="已办"
        )
        world.report()
    assert run_sweep(local(2026, 10, 30, 10)) == (0, 0, 0)
    assert not Case.objects.filter(is_overdue=True).exists()


def test_an_approved_extension_starts_the_steps_again(world):
    case = assigned_at(world, local(2026, 9, 14, 10))  # deadline Sun 20 Sep 17:00
    with time_machine.travel(local(2026, 9, 18, 10), tick=False):
        case = services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="需协调供电公司"
        )
    # The clock stands while the centre decides: no reminder, though the deadline is near.
    assert run_sweep(local(2026, 9, 20, 10)) == (0, 0, 0)
    assert Case.objects.get(pk=case.pk).reminded_at is None
    with time_machine.travel(local(2026, 9, 20, 11), tick=False):
        services.approve_extension(Case.objects.get(pk=case.pk), actor=world.dispatcher)
    assert run_sweep(local(2026, 9, 21, 10)) == (0, 0, 0)
    assert run_sweep(local(2026, 9, 30, 10)) == (1, 0, 0)
    assert run_sweep(local(2026, 10, 8, 0, 5)) == (0, 1, 1)


def test_the_sweep_can_be_limited_to_some_cases(world):
    one = assigned_at(world, local(2026, 9, 14, 10))
    two = assigned_at(world, local(2026, 9, 14, 10))
    with time_machine.travel(local(2026, 9, 20, 18), tick=False):
        result = sweep(case_ids=[one.pk])
    assert result.overdue == 1
    assert Case.objects.get(pk=one.pk).is_overdue and not Case.objects.get(pk=two.pk).is_overdue
