"""Staged clocks (签收, 首次联系, 办结), their lights, the clock that stands while the case waits,
and the escalation ladder (逐级督办) the sweep climbs — under a controlled clock.

Monday 14 September 2026, 10:00 in Dehua; working hours 9:00–17:00. A normal resident issue
handed over then: sign by 12:00 (2 working hours), contact by Tuesday 10:00 (8), finish by
Sunday 20 September 17:00 (5 working days; the 20th is a make-up workday before National Day).
"""

from __future__ import annotations

import pytest
import time_machine

from cases import clocks, deadlines, services
from cases.models import Case, CaseEvent, EscalationStep, EventKind, Stage, TimeLimit
from cases.sweep import sweep
from cases.tests.helpers import assert_refused, fresh, local, module_world_fixture

module_world = module_world_fixture()

MONDAY = local(2026, 9, 14, 10)
SIGN_BY = local(2026, 9, 14, 12)
CONTACT_BY = local(2026, 9, 15, 10)
FINISH_BY = local(2026, 9, 20, 17)


@pytest.fixture
def world(module_world, db):
    deadlines.invalidate_calendar_cache()
    return module_world


def handed_over(world) -> Case:
    with time_machine.travel(MONDAY, tick=False):
        return world.assigned()


def lights_at(case: Case, moment) -> dict[str, str]:
    case = fresh(case)
    percent = clocks.WarnShares()(case)
    return {
        x.stage: x.color
        for x in clocks.stage_lights(case, moment, percent, deadlines.working_hours_between)
    }


def sweep_at(moment):
    with time_machine.travel(moment, tick=False):
        return sweep(moment)


def escalations(case: Case) -> list[tuple[str, int, str]]:
    return [
        (e.data["stage"], e.data["level"], e.data["target"])
        for e in CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).order_by("id")
    ]


def test_a_hand_over_starts_three_clocks(world):
    case = fresh(handed_over(world))
    assert (case.response_deadline, case.contact_deadline, case.deadline) == (
        SIGN_BY,
        CONTACT_BY,
        FINISH_BY,
    )
    assert (case.contacted_at, case.clock_paused_at, case.escalation_level) == (None, None, 0)


def test_each_stage_turns_yellow_inside_its_warning_share_then_red(world):
    case = handed_over(world)
    # Sign: 2 working hours, yellow inside the last 25 % (30 minutes).
    assert lights_at(case, local(2026, 9, 14, 11)) == {
        Stage.SIGN: clocks.GREEN,
        Stage.CONTACT: clocks.GREEN,
        Stage.FINISH: clocks.GREEN,
    }
    assert lights_at(case, local(2026, 9, 14, 11, 40))[Stage.SIGN] == clocks.YELLOW
    assert lights_at(case, local(2026, 9, 14, 12, 1))[Stage.SIGN] == clocks.RED
    # The share is the type × tier's own setting.
    TimeLimit.objects.filter(case_type=case.case_type, priority=case.priority).update(
        warn_percent=60
    )
    assert lights_at(case, local(2026, 9, 14, 11))[Stage.SIGN] == clocks.YELLOW
    TimeLimit.objects.filter(case_type=case.case_type, priority=case.priority).update(
        warn_percent=25
    )
    # Signing and contacting finish their stages; the case's light is then the finish's.
    with time_machine.travel(local(2026, 9, 14, 11), tick=False):
        case = services.accept_case(case, actor=world.handler)
        case = services.record_contact(case, actor=world.handler, note="已电话联系张三。")
    lights = lights_at(case, local(2026, 9, 18, 16))
    assert lights == {
        Stage.SIGN: clocks.DONE,
        Stage.CONTACT: clocks.DONE,
        Stage.FINISH: clocks.YELLOW,  # 9 of 40 working hours left
    }
    worst = clocks.worst(
        clocks.stage_lights(fresh(case), local(2026, 9, 21, 9), 25, deadlines.working_hours_between)
    )
    assert worst is not None and (worst.stage, worst.color) == (Stage.FINISH, clocks.RED)


def test_first_contact_is_recorded_once_with_whether_it_was_on_time(world):
    case = handed_over(world)
    with time_machine.travel(local(2026, 9, 15, 11), tick=False):
        case = services.record_contact(case, actor=world.handler, note="已电话联系。")
    event = CaseEvent.objects.filter(case=case).last()
    assert (event.kind, event.data, event.reason) == (
        "contacted",
        {"on_time": False},
        "已电话联系。",
    )
    assert fresh(case).contacted_at == local(2026, 9, 15, 11)
    assert_refused(
        services.InvalidTransition,
        lambda: services.record_contact(case, actor=world.handler, note="再次联系。"),
        case,
    )
    assert_refused(
        services.NotPermitted,
        lambda: services.record_contact(
            fresh(case), actor=world.other_handler, note="不是主办单位。"
        ),
        fresh(case),
    )


def test_a_paused_clock_moves_every_open_deadline_by_the_working_time_it_stood(world):
    case = handed_over(world)
    with time_machine.travel(local(2026, 9, 14, 11), tick=False):
        case = services.accept_case(case, actor=world.handler)
        case = services.pause_clock(case, actor=world.dispatcher, reason="等待供电所鉴定。")
    assert fresh(case).clock_paused_at == local(2026, 9, 14, 11)
    assert set(lights_at(case, local(2026, 9, 16, 10)).values()) == {clocks.DONE, clocks.PAUSED}
    # Nothing is late while it stands: no reminder, no overdue mark, no rung.
    assert str(sweep_at(local(2026, 9, 22, 10))).startswith("催办 0 件，标记超期 0 件")
    assert escalations(case) == []
    # Resumed on Wednesday 16th at 11:00: it stood 16 working hours (Mon 11:00 → Wed 11:00).
    with time_machine.travel(local(2026, 9, 16, 11), tick=False):
        case = services.resume_clock(fresh(case), actor=world.dispatcher, note="鉴定结果已出。")
    case = fresh(case)
    assert case.clock_paused_at is None
    assert case.contact_deadline == local(2026, 9, 17, 10)  # Tue 10:00 + 16 h
    assert case.deadline == local(2026, 9, 22, 17)  # Sun 20th 17:00 + 16 h
    assert case.response_deadline == SIGN_BY  # signed already: that stage is over
    event = CaseEvent.objects.filter(case=case).last()
    assert event.kind == "clock_resumed"
    assert (event.data["clock"], event.data["paused_hours"]) == ("resumed", 16.0)


def test_a_clock_stopped_by_two_causes_runs_again_only_when_both_are_settled(world):
    case = handed_over(world)
    with time_machine.travel(local(2026, 9, 14, 11), tick=False):
        case = services.pause_clock(case, actor=world.dispatcher, reason="等待鉴定。")
        case = services.request_info(case, actor=world.handler, question="请补充照片。")
    with time_machine.travel(local(2026, 9, 14, 15), tick=False):
        case = services.resume_clock(case, actor=world.dispatcher)
    assert fresh(case).clock_paused_at is not None  # still waiting for the requester
    assert CaseEvent.objects.filter(case=case).last().data == {"clock": "still_waiting"}


def test_an_answer_while_the_clock_stands_is_judged_against_the_moved_deadline(world):
    case = handed_over(world)
    with time_machine.travel(local(2026, 9, 14, 11), tick=False):
        case = services.accept_case(case, actor=world.handler)
        case = services.pause_clock(case, actor=world.dispatcher, reason="等待鉴定。")
    # Answered on Monday 21st (past the first deadline) after standing all that time.
    with time_machine.travel(local(2026, 9, 21, 10), tick=False):
        case = services.answer_case(fresh(case), actor=world.handler, answer="已修复。")
    case = fresh(case)
    assert case.answered_on_time is True and case.clock_paused_at is None


def test_the_sweep_climbs_the_ladder_one_rung_at_a_time_to_its_targets(world):
    case = handed_over(world)
    sweep_at(local(2026, 9, 14, 11, 59))
    assert escalations(case) == []
    sweep_at(local(2026, 9, 14, 12))
    assert escalations(case) == [(Stage.SIGN, 1, "handler")]
    sweep_at(local(2026, 9, 14, 12, 30))  # running again changes nothing
    sweep_at(local(2026, 9, 14, 16))
    assert escalations(case) == [(Stage.SIGN, 1, "handler"), (Stage.SIGN, 2, "unit_head")]
    with time_machine.travel(local(2026, 9, 14, 16, 30), tick=False):
        case = services.accept_case(fresh(case), actor=world.handler)
    sweep_at(local(2026, 9, 15, 10))  # the contact stage's deadline
    sweep_at(local(2026, 9, 20, 17))  # the finish's
    sweep_at(local(2026, 9, 21, 17))  # 8 working hours later: the supervision board
    assert escalations(case)[2:] == [
        (Stage.CONTACT, 1, "handler"),
        (Stage.FINISH, 1, "unit_head"),
        (Stage.FINISH, 2, "board"),
    ]
    assert fresh(case).escalated_to == "board"
    # The leader: 40 working hours after the finish deadline — Monday 28th 17:00, as Friday
    # 25th is the Mid-Autumn Festival.
    leader_at = deadlines.add_working_hours(FINISH_BY, 40)
    assert leader_at == local(2026, 9, 28, 17)
    sweep_at(local(2026, 9, 28, 16, 59))
    assert fresh(case).escalation_level == 3
    sweep_at(leader_at)
    assert escalations(case)[-1] == (Stage.FINISH, 3, "leader")
    assert fresh(case).escalation_level == 4
    event = CaseEvent.objects.filter(case=case, kind=EventKind.ESCALATED).last()
    assert event.reason.startswith("已超过办结期限") and "提醒分管领导" in event.reason


def test_a_new_hand_over_starts_the_ladder_again(world):
    case = handed_over(world)
    sweep_at(local(2026, 9, 14, 16))
    assert fresh(case).escalation_level == 2
    with time_machine.travel(local(2026, 9, 15, 9), tick=False):
        case = services.reassign_case(
            fresh(case), actor=world.dispatcher, lead_unit=world.other_dept, reason="派错单位。"
        )
    assert fresh(case).escalation_level == 0
    sweep_at(local(2026, 9, 15, 11))  # the new sign deadline, 2 working hours after 9:00
    assert escalations(case)[-1] == (Stage.SIGN, 1, "handler")


def test_a_type_may_have_a_ladder_of_its_own(world):
    case = handed_over(world)
    EscalationStep.objects.create(
        case_type=case.case_type, stage=Stage.FINISH, level=1, offset_hours=-8, target="leader"
    )
    try:
        sweep_at(local(2026, 9, 18, 17))  # 8 working hours before the finish
        # The type's own ladder replaces the default one: no sign or contact rungs.
        assert escalations(case) == [(Stage.FINISH, 1, "leader")]
    finally:
        EscalationStep.objects.filter(case_type=case.case_type).delete()


def test_an_anonymous_requester_has_no_contact_clock_at_the_unit(world):
    """Only the centre knows who asked (对承办单位保密): the unit cannot call them."""
    with time_machine.travel(MONDAY, tick=False):
        case = world.assigned(anonymous_to_unit=True)
    case = fresh(case)
    assert (case.response_deadline, case.contact_deadline, case.deadline) == (
        SIGN_BY,
        None,
        FINISH_BY,
    )
    assert set(lights_at(case, local(2026, 9, 14, 11))) == {Stage.SIGN, Stage.FINISH}
    assert "contacted" not in services.allowed_moves(case, world.handler)
