"""The per-case deadline check: enqueued by the move in its own transaction (django-tasks with the
database backend), run by the worker at the deadline."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from cases import deadlines, services
from cases.models import Case, CaseEvent, Status
from cases.tasks import check_case_deadline, sweep_overdue
from cases.tests.helpers import deadline_checks, kinds, local

MONDAY = local(2026, 9, 14, 10)
DEADLINE = local(2026, 9, 20, 17)  # five working days, the last one a make-up Sunday


@pytest.fixture(autouse=True)
def package_calendar(db):
    deadlines.invalidate_calendar_cache()


def triaged(world) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return services.triage_case(world.report(), actor=world.dispatcher)


def assign(case: Case, world) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)


def test_assigning_enqueues_the_cases_deadline_check(world):
    case = assign(triaged(world), world)
    task = deadline_checks().get()
    assert task.task_path == check_case_deadline.module_path == "cases.tasks.check_case_deadline"
    assert task.args_kwargs == {"args": [case.pk], "kwargs": {}}
    assert (task.run_after, task.status) == (DEADLINE, "READY")


def test_the_check_disappears_with_a_rolled_back_assignment(world):
    case = triaged(world)
    with pytest.raises(RuntimeError), transaction.atomic():
        assign(case, world)
        assert deadline_checks().count() == 1
        raise RuntimeError("the caller's transaction fails after the move")
    assert not deadline_checks().exists()
    assert Case.objects.get(pk=case.pk).status == Status.TRIAGED
    assert "assigned" not in kinds(case)


def test_a_refused_assignment_enqueues_nothing(world):
    case = triaged(world)
    with pytest.raises(ValidationError), time_machine.travel(MONDAY, tick=False):
        services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept, deadline=MONDAY)
    assert not deadline_checks().exists()


def test_the_check_before_the_deadline_only_reminds(world):
    case = assign(triaged(world), world)
    with time_machine.travel(DEADLINE - timedelta(hours=1), tick=False):
        check_case_deadline.call(case.pk)
    case = Case.objects.get(pk=case.pk)
    assert (case.reminded_at, case.is_overdue) == (DEADLINE - timedelta(hours=1), False)


def test_the_check_at_the_deadline_flags_the_case_overdue(world):
    case = assign(triaged(world), world)
    with time_machine.travel(DEADLINE, tick=False):
        report = check_case_deadline.call(case.pk)
    assert "标记超期 1 件" in report
    case = Case.objects.get(pk=case.pk)
    assert case.is_overdue
    event = CaseEvent.objects.get(case=case, kind="overdue")
    assert (event.actor, event.created_at) == (None, DEADLINE)


def test_the_check_touches_only_its_own_case(world):
    mine = assign(triaged(world), world)
    other = assign(triaged(world), world)
    with time_machine.travel(DEADLINE + timedelta(minutes=5), tick=False):
        check_case_deadline.call(mine.pk)
    assert Case.objects.get(pk=mine.pk).is_overdue
    assert not Case.objects.get(pk=other.pk).is_overdue


def test_a_check_for_a_case_answered_in_time_does_nothing(world):
    case = assign(triaged(world), world)
    with time_machine.travel(MONDAY + timedelta(hours=2), tick=False):
        case = services.accept_case(case, actor=world.handler)
        services.answer_case(case, actor=world.handler, answer="已办结")
    with time_machine.travel(DEADLINE + timedelta(minutes=5), tick=False):
        assert "标记超期 0 件" in check_case_deadline.call(case.pk)
    assert not Case.objects.get(pk=case.pk).is_overdue


def test_an_approved_extension_enqueues_a_check_for_the_new_deadline(world):
    case = assign(triaged(world), world)
    until = local(2026, 9, 30, 17)
    with time_machine.travel(MONDAY, tick=False):
        case = services.request_extension(case, actor=world.handler, until=until, reason="需协调")
        services.approve_extension(case, actor=world.dispatcher)
    assert sorted(deadline_checks().values_list("run_after", flat=True)) == [DEADLINE, until]
    # The first check, still due at the old deadline, now finds nothing to do.
    with time_machine.travel(DEADLINE + timedelta(minutes=1), tick=False):
        check_case_deadline.call(case.pk)
    assert not Case.objects.get(pk=case.pk).is_overdue


def test_the_periodic_sweep_enqueues_its_next_run(world, settings):
    with time_machine.travel(MONDAY, tick=False):
        sweep_overdue.call(True)
    task = DBTaskResult.objects.get()
    assert task.task_path == "cases.tasks.sweep_overdue"
    assert task.run_after == MONDAY + timedelta(seconds=settings.LIANXIN["SWEEP_INTERVAL_SECONDS"])
    with time_machine.travel(MONDAY, tick=False):
        sweep_overdue.call(False)
    assert DBTaskResult.objects.count() == 1


def run_worker() -> None:
    call_command(
        "db_worker",
        "--batch",
        "--no-startup-delay",
        "--no-reload",
        "--interval",
        "0.01",
        verbosity=0,
    )


@pytest.mark.django_db(transaction=True)
def test_the_database_worker_runs_the_check_when_it_is_due(world):
    case = assign(triaged(world), world)
    with time_machine.travel(DEADLINE - timedelta(minutes=1), tick=False):
        run_worker()  # not due yet: the worker leaves it waiting
    # The committed move also queued its notifications (notify); this test follows the check.
    task = DBTaskResult.objects.get(task_path=check_case_deadline.module_path)
    assert task.status == "READY"
    assert not Case.objects.get(pk=case.pk).is_overdue

    with time_machine.travel(DEADLINE + timedelta(minutes=1), tick=False):
        run_worker()
    task.refresh_from_db()
    assert task.status == "SUCCESSFUL", task.traceback
    assert "标记超期 1 件" in task.return_value
    assert Case.objects.get(pk=case.pk).is_overdue
    assert kinds(case)[-1] == "overdue"
