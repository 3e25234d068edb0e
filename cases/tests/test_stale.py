"""Two people open the same case; the second to act on an old copy is told, and nothing is written."""

from __future__ import annotations

import pytest
import time_machine

from cases import services
from cases.models import Case, CaseEvent, Satisfaction, Status
from cases.sweep import sweep
from cases.tests.helpers import local, module_world_fixture, snapshot

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 9, 14, 10), tick=False) as traveller:
        yield traveller


def two_copies(case: Case) -> tuple[Case, Case]:
    return Case.objects.get(pk=case.pk), Case.objects.get(pk=case.pk)


def test_a_move_on_an_old_copy_is_refused_with_a_clear_message(world):
    mine, theirs = two_copies(world.assigned())
    services.accept_case(theirs, actor=world.handler)
    before = snapshot(mine)
    with pytest.raises(services.StaleCase) as stale:
        services.add_progress_note(mine, actor=world.handler, note="已联系")
    # The message names the state the case is now in, in the type's own words (办理).
    assert str(stale.value) == "该事项已被他人处理（当前状态：办理），请刷新后查看最新情况。"
    assert stale.value.code == "stale"
    assert snapshot(mine) == before


@pytest.mark.parametrize(
    "status, first, second",
    [
        (Status.REPORTED, "triage", "reject"),
        (Status.ASSIGNED, "accept", "accept"),
        (Status.ASSIGNED, "accept", "send_back"),
        (Status.IN_PROGRESS, "answer", "supervise"),
        (Status.IN_PROGRESS, "supervise", "answer"),
        (Status.IN_PROGRESS, "note", "note"),
        (Status.ANSWERED, "visit", "visit"),
        (Status.VERIFIED, "close", "reopen"),
    ],
)
def test_the_second_of_two_moves_on_one_version_is_stale(world, status, first, second):
    moves = {
        "triage": lambda c: services.triage_case(c, actor=world.dispatcher),
        "reject": lambda c: services.reject_case(c, actor=world.dispatcher, reason="不予受理"),
        "accept": lambda c: services.accept_case(c, actor=world.handler),
        "send_back": lambda c: services.send_back(
            c, actor=world.handler, reason_code="not_remit", reason="不属本单位"
        ),
        "answer": lambda c: services.answer_case(c, actor=world.handler, answer="已办"),
        "supervise": lambda c: services.supervise_case(c, actor=world.dispatcher, note="请加快"),
        "note": lambda c: services.add_progress_note(c, actor=world.handler, note="进展"),
        "visit": lambda c: services.return_visit(
            c,
            actor=world.grid_worker,
            reached=True,
            contacted=True,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
        ),
        "close": lambda c: services.close_case(c, actor=world.dispatcher),
        "reopen": lambda c: services.reopen_case(c, actor=world.dispatcher, reason="复查"),
    }
    a, b = two_copies(world.in_status(status))
    winner = moves[first](a)
    before = snapshot(b)
    with pytest.raises(services.StaleCase):
        moves[second](b)
    assert snapshot(b) == before
    assert Case.objects.get(pk=b.pk).version == winner.version == b.version + 1


def test_a_stale_copy_is_refused_even_when_the_move_would_still_be_legal(world):
    # Both copies are in progress and a note is always allowed there: the version still decides.
    a, b = two_copies(world.in_status(Status.IN_PROGRESS))
    services.add_progress_note(a, actor=world.handler, note="第一条")
    with pytest.raises(services.StaleCase):
        services.add_progress_note(b, actor=world.handler, note="第二条")
    assert CaseEvent.objects.filter(case=a, kind="progress_noted").count() == 1


def test_the_returned_case_is_the_fresh_copy_for_the_next_move(world):
    case = world.in_status(Status.IN_PROGRESS)
    case = services.add_progress_note(case, actor=world.handler, note="第一条")
    case = services.add_progress_note(case, actor=world.handler, note="第二条")
    assert CaseEvent.objects.filter(case=case, kind="progress_noted").count() == 2


def test_the_sweep_skips_a_case_a_user_moves_under_it(world, monkeypatch, clock):
    case = world.assigned()
    clock.move_to(local(2026, 9, 21, 9))  # after the deadline (Sunday 20 September, a make-up day)
    real_mark = services.mark_overdue

    def user_acts_first(stale_case):
        services.accept_case(Case.objects.get(pk=stale_case.pk), actor=world.handler)
        return real_mark(stale_case)

    monkeypatch.setattr(services, "mark_overdue", user_acts_first)
    result = sweep()
    assert (result.overdue, result.stale) == (0, 1)
    assert not Case.objects.get(pk=case.pk).is_overdue
    monkeypatch.undo()
    assert sweep().overdue == 1  # the next run sees the fresh case
