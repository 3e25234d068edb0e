"""The move catalogue and the moves added with it: 改派, 撤回, 督办意见, 重办 with a new deadline,
the master's history of a merge; the door each event records; structured engine errors."""

from __future__ import annotations

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db.models import ProtectedError
from django.utils import translation

from cases import moves, services
from cases.models import (
    Case,
    CaseAssignment,
    CaseEvent,
    Channel,
    EventKind,
    Satisfaction,
    Status,
    Via,
)
from cases.tests.helpers import fresh, last_event, local, module_world_fixture, snapshot
from cases.tests.world import make_user
from orgs.credit_code import make_credit_code
from people.models import Role

module_world = module_world_fixture()
MONDAY = local(2026, 9, 14, 10)


@pytest.fixture
def world(module_world, db):
    return module_world


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


# --- The catalogue ----------------------------------------------------------------------------


def test_every_event_kind_but_the_intake_is_a_declared_move():
    declared = set(moves.CATALOGUE)
    # The master's side of a merge and of its undoing is written by the same move.
    written_with = {EventKind.DUPLICATE_MERGED, EventKind.DUPLICATE_UNMERGED}
    assert declared == set(EventKind.values) - {EventKind.REPORTED, *written_with}


def test_every_offered_move_has_a_form_an_action_and_a_label():
    actions = [spec.action for spec in moves.offered()]
    assert len(actions) == len(set(actions)), "one API action per move"
    for spec in moves.offered():
        assert spec.form is not None and spec.action and str(spec.label)
        # The form's fields are the service's keyword arguments.
        names = set(spec.form.base_fields) - {"version"}
        parameters = set(
            spec.service.__code__.co_varnames[: spec.service.__code__.co_argcount + 20]
        )
        assert names <= parameters, (spec.kind, names - parameters)


def test_services_take_the_expected_version_instead_of_a_mutated_copy(world, clock):
    case = world.assigned()
    copy = Case.objects.get(pk=case.pk)
    services.accept_case(case, actor=world.handler, expected_version=case.version)
    with pytest.raises(services.StaleCase):
        services.add_progress_note(
            copy, actor=world.handler, note="进展", expected_version=case.version
        )
    moved = services.add_progress_note(
        copy, actor=world.handler, note="进展", expected_version=case.version + 1
    )
    assert moved.version == case.version + 2


def test_an_event_records_the_door_it_came_through(world, clock):
    case = world.assigned()
    assert last_event(case).via == Via.SYSTEM
    case = services.accept_case(case, actor=world.handler, via=Via.API)
    assert last_event(case).via == Via.API


def test_a_case_with_events_cannot_be_deleted(world, clock):
    case = world.report()
    with pytest.raises(ProtectedError):
        Case.objects.filter(pk=case.pk).delete()
    assert CaseEvent.objects.filter(case_id=case.pk).exists()


def test_engine_errors_carry_field_code_and_text_in_either_language(world, clock):
    case = world.in_status(Status.IN_PROGRESS)
    with pytest.raises(ValidationError) as refused:
        services.answer_case(case, actor=world.handler, answer="  ")
    error = refused.value.error_dict["answer"][0]
    assert error.code == "required"
    with translation.override("en"):
        english = str(error.message)
    with translation.override("zh-hans"):
        chinese = str(error.message)
    assert chinese == "请填写答复内容。"
    assert english != chinese and english.isascii()


def test_an_invalid_transition_renders_its_state_in_the_active_language(world, clock):
    case = world.report()
    with pytest.raises(services.InvalidTransition) as refused:
        services.accept_case(case, actor=world.admin)
    with translation.override("zh-hans"):
        assert str(refused.value) == "事项当前为“收集”，不能执行该操作。"  # the type's own word
    with translation.override("en"):
        assert str(refused.value).startswith("The case is currently")


# --- 交办: the lead unit is not a co-unit -----------------------------------------------------


def test_a_lead_unit_ticked_as_co_unit_is_an_error_not_silently_dropped(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    with pytest.raises(ValidationError) as refused:
        services.assign_case(
            case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.dept]
        )
    assert refused.value.error_dict["co_units"][0].code == "lead_is_co_unit"
    assert fresh(case).status == Status.TRIAGED


def test_triage_and_assign_writes_both_events_or_neither(world, clock):
    case = world.report()
    before = snapshot(case)
    with pytest.raises(ValidationError):
        services.triage_and_assign(
            case,
            actor=world.dispatcher,
            category=world.category(),
            priority="normal",
            lead_unit=world.dept,
            co_units=[world.dept],
        )
    assert snapshot(case) == before
    case = services.triage_and_assign(
        case,
        actor=world.dispatcher,
        category=world.category(),
        priority="normal",
        lead_unit=world.dept,
    )
    kinds = list(case.events.values_list("kind", flat=True))
    assert kinds == ["reported", "triaged", "assigned"]


def test_the_planned_deadline_is_the_one_assign_sets(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    planned, response = services.planned_deadline(case, "normal")
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    assert (case.deadline, case.response_deadline) == (planned, response)


# --- 改派 and 撤回 ------------------------------------------------------------------------------


def test_the_dispatcher_reassigns_a_wrong_assignment_at_once(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    case = services.reassign_case(
        case, actor=world.dispatcher, lead_unit=world.other_dept, reason="应由另一部门主办"
    )
    case = fresh(case)
    assert (case.status, case.lead_unit, case.accepted_at) == (
        Status.ASSIGNED,
        world.other_dept,
        None,
    )
    active = CaseAssignment.objects.filter(case=case, is_active=True)
    assert list(active.values_list("unit", "is_lead")) == [(world.other_dept.pk, True)]
    event = last_event(case)
    assert (event.kind, event.reason, event.data["from_unit"]) == (
        EventKind.REASSIGNED,
        "应由另一部门主办",
        world.dept.pk,
    )
    assert "accepted" in services.allowed_moves(case, world.other_handler)
    assert services.allowed_moves(case, world.handler) == []


def test_reassigning_needs_a_reason_and_a_dispatcher(world, clock):
    case = world.assigned()
    with pytest.raises(ValidationError):
        services.reassign_case(case, actor=world.dispatcher, lead_unit=world.other_dept, reason="")
    with pytest.raises(services.NotPermitted):
        services.reassign_case(case, actor=world.handler, lead_unit=world.other_dept, reason="x")


def test_the_dispatcher_recalls_a_case_to_triage_it_again(world, clock):
    case = world.assigned()
    case = services.recall_case(case, actor=world.dispatcher, reason="需补充研判")
    case = fresh(case)
    assert (case.status, case.lead_unit, case.deadline) == (Status.TRIAGED, None, None)
    assert not CaseAssignment.objects.filter(case=case, is_active=True).exists()
    assert last_event(case).kind == EventKind.RECALLED


# --- 督办意见 -----------------------------------------------------------------------------------


def test_a_person_supervises_with_a_written_instruction(world, clock):
    case = world.assigned()
    with pytest.raises(ValidationError) as refused:
        services.supervise_case(case, actor=world.dispatcher, note=" ")
    assert "note" in refused.value.error_dict
    case = services.supervise_case(case, actor=world.dispatcher, note="请于本周五前办结并报告")
    assert (last_event(case).reason, case.supervision_level) == ("请于本周五前办结并报告", 1)


def test_the_sweep_supervises_without_a_person(world, clock):
    case = services.supervise_case(world.assigned(), actor=None, note="超期督办")
    assert last_event(case).actor is None


# --- 重办 -------------------------------------------------------------------------------------


def test_a_reopened_case_gets_a_new_deadline_from_now(world, clock):
    case = world.verified(passed=False)
    old_deadline = case.deadline
    clock.move_to(local(2026, 10, 12, 9))
    case = services.reopen_case(case, actor=world.dispatcher, reason="群众不满意")
    planned, _response = services.planned_deadline(case)
    assert case.deadline == planned and case.deadline > old_deadline
    assert (case.status, case.reopen_count, case.rework_count) == (Status.IN_PROGRESS, 1, 1)


def test_a_reopen_may_name_its_deadline(world, clock):
    case = world.verified(passed=False)
    wanted = local(2026, 9, 30, 17)
    case = services.reopen_case(case, actor=world.dispatcher, reason="复查", deadline=wanted)
    assert case.deadline == wanted


# --- 合并 ---------------------------------------------------------------------------------------


def test_the_master_records_the_merge_and_keeps_the_duplicates_requester(world, clock):
    master = world.report()
    duplicate = world.report(requester_name="李四", requester_phone="13800000000")
    services.merge_case(duplicate, actor=world.dispatcher, master=master, note="同一路段")
    master = fresh(master)
    event = last_event(master)
    assert (event.kind, event.data["duplicate"], event.reason) == (
        EventKind.DUPLICATE_MERGED,
        duplicate.pk,
        "同一路段",
    )
    assert master.version == 2  # the master's history changed: an open form of it is stale
    requesters = list(master.duplicates.values_list("requester_name", "requester_phone"))
    assert requesters == [("李四", "13800000000")]


# --- Intake: who may claim what ---------------------------------------------------------------


def test_a_grid_worker_cannot_claim_a_hotline_call(world, clock):
    with pytest.raises(ValidationError) as refused:
        world.report(channel=Channel.HOTLINE)
    assert refused.value.error_dict["channel"][0].code == "channel_not_allowed"
    case = world.report(channel=Channel.HOTLINE, actor=world.dispatcher)
    assert case.channel == Channel.HOTLINE


def test_an_enterprise_liaison_files_only_for_its_own_enterprise(world, clock):
    other = type(world.enterprise).objects.create(
        name="另一家陶瓷企业",
        kind=world.enterprise.kind,
        region=world.town,
        credit_code=make_credit_code("9", "1", "350526", "MA2Y00002"),
    )
    liaison = make_user("liaison_x", Role.ENTERPRISE_LIAISON, organisation=world.enterprise)
    with pytest.raises(ValidationError) as refused:
        world.report(actor=liaison, channel=Channel.WEB, enterprise=other)
    assert "enterprise" in refused.value.error_dict
    with pytest.raises(ValidationError):
        world.report(actor=liaison, channel=Channel.WEB)
    case = world.report(actor=liaison, channel=Channel.WEB, enterprise=world.enterprise)
    assert case.enterprise == world.enterprise


def test_a_reached_visit_names_every_missing_answer(world, clock):
    case = world.answered()
    with pytest.raises(ValidationError) as refused:
        services.return_visit(case, actor=world.dispatcher, reached=True, contacted=True)
    assert set(refused.value.error_dict) == {"resolved", "satisfaction"}
    services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
