"""Each rung of the escalation ladder (逐级督办) tells its own target: the handler, the unit
head, the dispatchers of the supervision board, the leader."""

from __future__ import annotations

import pytest
import time_machine

from cases import deadlines
from cases.models import Case, CaseEvent, EventKind
from cases.sweep import sweep
from cases.tests.helpers import local, module_world_fixture
from notify import recipients
from notify.models import Recipient

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    deadlines.invalidate_calendar_cache()
    return module_world


def test_each_rung_tells_its_own_target(world):
    with time_machine.travel(local(2026, 9, 14, 10), tick=False):
        case = world.assigned()
    with time_machine.travel(local(2026, 9, 14, 16), tick=False):
        sweep()  # sign-for: 2 working hours → the handler; 4 more → the unit head
    first, second = CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).order_by("id")
    case = Case.objects.select_related("region").get(pk=case.pk)
    told = recipients.resolve(Recipient.ESCALATION_TARGET, case, first)
    assert [t.user for t in told] == [
        t.user for t in recipients.resolve(Recipient.LEAD_HANDLERS, case)
    ]
    assert world.handler in [t.user for t in told]
    heads = recipients.resolve(Recipient.ESCALATION_TARGET, case, second)
    assert [t.user for t in heads] == [
        t.user for t in recipients.resolve(Recipient.LEAD_HEADS, case)
    ]
    # A rung to the board tells the dispatchers, one to the leader the leaders over the place.
    board = CaseEvent(case=case, kind=EventKind.ESCALATED, data={"target": "board"})
    leader = CaseEvent(case=case, kind=EventKind.ESCALATED, data={"target": "leader"})
    assert world.dispatcher in [
        t.user for t in recipients.resolve(Recipient.ESCALATION_TARGET, case, board)
    ]
    assert world.leader in [
        t.user for t in recipients.resolve(Recipient.ESCALATION_TARGET, case, leader)
    ]
    # Without the event nobody is told.
    assert recipients.resolve(Recipient.ESCALATION_TARGET, case) == []
