"""Every move of the engine: the state it reaches, the fields it sets, the event it writes, and
the input it refuses (a django ValidationError, with nothing changed and no event written)."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django_tasks_db.models import DBTaskResult

from cases import services
from cases.models import (
    Case,
    CaseAssignment,
    CaseAttachment,
    CaseEvent,
    Channel,
    MediationOutcome,
    Priority,
    RiskLevel,
    Satisfaction,
    SendBackReason,
    Status,
    TimeLimit,
)
from cases.tests.helpers import fresh, kinds, last_event, local, module_world_fixture, snapshot

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


# Monday 14 September 2026, 10:00 in Dehua. Five working days later is Sunday 20 September,
# a make-up workday before the Mid-autumn and National Day holidays.
MONDAY = local(2026, 9, 14, 10)
FIVE_WORKING_DAYS_LATER = local(2026, 9, 20, 17)


@pytest.fixture
def clock():
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller


def assert_event(
    case: Case,
    kind: str,
    *,
    actor,
    from_status: str,
    to_status: str,
    reason: str = "",
    data: dict | None = None,
) -> CaseEvent:
    event = last_event(case)
    assert (event.kind, event.actor_id, event.from_status, event.to_status, event.reason) == (
        kind,
        actor.pk if actor else None,
        from_status,
        to_status,
        reason,
    )
    if data is not None:
        assert event.data == data
    return event


def assert_refused(error: type[Exception], move, case: Case) -> None:
    before = snapshot(case)
    with pytest.raises(error):
        move()
    assert snapshot(case) == before


# --- report_case ------------------------------------------------------------------------------


def test_reporting_registers_a_case_with_its_number_and_first_event(world, clock):
    case = world.report()
    case = fresh(case)
    assert case.status == Status.REPORTED
    assert case.version == 1
    assert case.number == f"LX20260914{case.pk:07d}"
    assert case.reported_at == MONDAY
    assert case.reported_month == 202609
    assert case.reported_by == world.grid_worker
    assert case.priority == Priority.NORMAL  # the type's default
    assert_event(
        case,
        "reported",
        actor=world.grid_worker,
        from_status="",
        to_status=Status.REPORTED,
        data={"channel": Channel.GRID},
    )


def test_reporting_counts_the_case_in_the_local_month_it_arrived(world):
    # 00:30 on 1 October in China is still 30 September in UTC.
    with time_machine.travel(local(2026, 10, 1, 0, 30), tick=False):
        case = world.report()
    assert case.reported_month == 202610
    assert case.number.startswith("LX20261001")


def test_reporting_copies_the_requester_name_and_phone(world, clock):
    person = world.outsider.person
    case = world.report(requester=person, requester_name="", requester_phone="")
    assert (case.requester_name, case.requester_phone) == (person.name, person.phone)


def test_reporting_twice_with_one_source_key_makes_one_case(world, clock):
    first = world.report(source_key="form-123")
    second = world.report(source_key="form-123")
    assert second.pk == first.pk
    assert Case.objects.count() == 1
    assert CaseEvent.objects.count() == 1


def test_a_source_key_resubmitted_with_other_content_is_refused_not_dropped(world, clock):
    first = world.report(source_key="form-123")
    with pytest.raises(ValidationError) as refused:
        world.report(source_key="form-123", title="改过的标题")
    assert refused.value.code == "resubmitted_changed"
    assert first.number in str(refused.value.messages[0])
    assert Case.objects.count() == 1


def test_reporting_keeps_the_attachments(world, clock, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    photo = SimpleUploadedFile("lamp.jpg", b"\xff\xd8\xff", content_type="image/jpeg")
    case = world.report(attachments=[("现场照片", photo)])
    attachment = CaseAttachment.objects.get(case=case)
    assert (attachment.name, attachment.uploaded_by, attachment.uploaded_at) == (
        "现场照片",
        world.grid_worker,
        MONDAY,
    )


@pytest.mark.parametrize(
    "overrides",
    [{"title": "  "}, {"description": ""}, {"channel": "pigeon"}],
    ids=["blank title", "blank description", "unknown channel"],
)
def test_reporting_refuses_incomplete_input_and_saves_nothing(world, clock, overrides):
    with pytest.raises(ValidationError):
        world.report(**overrides)
    assert not Case.objects.exists()
    assert not CaseEvent.objects.exists()


def test_reporting_refuses_a_category_of_another_type(world, clock):
    with pytest.raises(ValidationError):
        world.report("resident_issue", category=world.category("dispute"))
    assert not Case.objects.exists()


def test_an_anonymous_visitor_cannot_report(world, clock):
    with pytest.raises(services.NotPermitted):
        world.report(actor=AnonymousUser())
    assert not Case.objects.exists()


# --- resolve_on_spot ----------------------------------------------------------------------------


def test_resolving_on_the_spot_answers_the_case_at_once(world, clock):
    case = services.resolve_on_spot(
        world.report(), actor=world.grid_worker, answer="已现场更换灯泡。"
    )
    case = fresh(case)
    assert case.status == Status.ANSWERED
    assert case.resolved_on_spot is True
    assert case.answer == "已现场更换灯泡。"
    assert case.first_answered_at == case.answered_at == MONDAY
    assert case.handling_hours == 0.0
    assert case.version == 2
    assert_event(
        case,
        "resolved_on_spot",
        actor=world.grid_worker,
        from_status=Status.REPORTED,
        to_status=Status.ANSWERED,
        reason="已现场更换灯泡。",
        data={},
    )


def test_resolving_on_the_spot_needs_what_was_done(world, clock):
    case = world.report()
    assert_refused(
        ValidationError,
        lambda: services.resolve_on_spot(case, actor=world.grid_worker, answer=" "),
        case,
    )


# --- reject_case ---------------------------------------------------------------------------------


def test_rejecting_closes_the_case_with_the_reason(world, clock):
    case = services.reject_case(
        world.report(), actor=world.dispatcher, reason="属司法程序，不予受理。"
    )
    case = fresh(case)
    assert (case.status, case.closed_at, case.version) == (Status.REJECTED, MONDAY, 2)
    assert_event(
        case,
        "rejected",
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.REJECTED,
        reason="属司法程序，不予受理。",
    )


def test_rejecting_needs_a_reason(world, clock):
    case = world.report()
    assert_refused(
        ValidationError, lambda: services.reject_case(case, actor=world.dispatcher, reason=""), case
    )


# --- triage_case ---------------------------------------------------------------------------------


def test_triage_sets_the_category_priority_and_risk(world, clock):
    category = world.category("dispute")
    case = services.triage_case(
        world.report("dispute"),
        actor=world.dispatcher,
        category=category,
        priority=Priority.IMPORTANT,
        risk_level=RiskLevel.HIGH,
        note="涉及多户",
    )
    case = fresh(case)
    assert (case.status, case.category, case.priority, case.risk_level, case.triaged_at) == (
        Status.TRIAGED,
        category,
        Priority.IMPORTANT,
        RiskLevel.HIGH,
        MONDAY,
    )
    assert_event(
        case,
        "triaged",
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.TRIAGED,
        reason="涉及多户",
        data={
            "category": category.pk,
            "priority": Priority.IMPORTANT,
            "risk_level": RiskLevel.HIGH,
        },
    )


def test_triage_can_be_repeated_to_correct_it(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher, priority=Priority.URGENT)
    case = services.triage_case(case, actor=world.dispatcher, priority=Priority.NORMAL)
    assert (case.status, case.priority, case.version) == (Status.TRIAGED, Priority.NORMAL, 3)
    assert_event(
        case,
        "triaged",
        actor=world.dispatcher,
        from_status=Status.TRIAGED,
        to_status=Status.TRIAGED,
    )


@pytest.mark.parametrize(
    "kwargs",
    [{"priority": "whenever"}, {"risk_level": "extreme"}, {"category": "dispute"}],
    ids=["unknown priority", "unknown risk", "category of another type"],
)
def test_triage_refuses_invalid_grading(world, clock, kwargs):
    case = world.report("resident_issue")
    if "category" in kwargs:
        kwargs = {"category": world.category(kwargs["category"])}
    assert_refused(
        ValidationError, lambda: services.triage_case(case, actor=world.dispatcher, **kwargs), case
    )


# --- assign_case ---------------------------------------------------------------------------------


def test_assigning_sets_the_lead_unit_co_units_and_deadline_from_the_time_limit(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case,
        actor=world.dispatcher,
        lead_unit=world.dept,
        co_units=[world.other_dept],
        note="请主办",
    )
    case = fresh(case)
    assert case.status == Status.ASSIGNED
    assert case.lead_unit == world.dept
    assert case.deadline == FIVE_WORKING_DAYS_LATER
    assert case.response_deadline == local(2026, 9, 14, 12)  # two working hours
    assert case.assigned_at == MONDAY
    assert (case.is_overdue, case.reminded_at, case.version) == (False, None, 3)
    units = CaseAssignment.objects.filter(case=case, is_active=True).values_list("unit", "is_lead")
    assert sorted(units) == sorted([(world.dept.pk, True), (world.other_dept.pk, False)])
    assert_event(
        case,
        "assigned",
        actor=world.dispatcher,
        from_status=Status.TRIAGED,
        to_status=Status.ASSIGNED,
        reason="请主办",
        data={
            "lead_unit": world.dept.pk,
            "co_units": [world.other_dept.pk],
            "deadline": FIVE_WORKING_DAYS_LATER.isoformat(),
        },
    )


def test_assigning_with_a_chosen_deadline_uses_it(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    chosen = local(2026, 9, 16, 12)
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept, deadline=chosen)
    assert fresh(case).deadline == chosen


def test_assigning_with_a_deadline_in_the_past_is_refused(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    assert_refused(
        ValidationError,
        lambda: services.assign_case(
            case,
            actor=world.dispatcher,
            lead_unit=world.dept,
            deadline=MONDAY - timedelta(minutes=1),
        ),
        case,
    )


def test_assigning_without_a_time_limit_needs_a_deadline(world, clock):
    TimeLimit.objects.filter(case_type=world.types["resident_issue"]).delete()
    case = services.triage_case(world.report(), actor=world.dispatcher)
    assert_refused(
        ValidationError,
        lambda: services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept),
        case,
    )
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, deadline=local(2026, 9, 18, 17)
    )
    assert case.response_deadline == local(2026, 9, 14, 12)  # two working hours by default


# --- accept_case ---------------------------------------------------------------------------------


def test_accepting_starts_handling_and_stamps_the_lead_assignment(world, clock):
    case = world.assigned()
    clock.move_to(local(2026, 9, 14, 11))
    case = fresh(services.accept_case(case, actor=world.handler))
    assert (case.status, case.accepted_at, case.version) == (
        Status.IN_PROGRESS,
        local(2026, 9, 14, 11),
        4,
    )
    assert CaseAssignment.objects.get(case=case, is_lead=True).accepted_at == local(2026, 9, 14, 11)
    assert_event(
        case,
        "accepted",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.IN_PROGRESS,
        data={},
    )


# --- add_progress_note ---------------------------------------------------------------------------


def test_a_progress_note_is_recorded_without_changing_the_state(world, clock):
    case = services.add_progress_note(world.assigned(), actor=world.handler, note="已联系供电所。")
    case = fresh(case)
    assert (case.status, case.version) == (Status.ASSIGNED, 4)
    assert_event(
        case,
        "progress_noted",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="已联系供电所。",
    )


def test_a_progress_note_cannot_be_blank(world, clock):
    case = world.assigned()
    assert_refused(
        ValidationError,
        lambda: services.add_progress_note(case, actor=world.handler, note=""),
        case,
    )


# --- record_mediation ----------------------------------------------------------------------------


def test_mediation_records_each_session_and_keeps_the_last_outcome(world, clock):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    case = services.record_mediation(
        case, actor=world.grid_worker, note="第一次调解，双方意见分歧。"
    )
    assert fresh(case).mediation_outcome == ""
    case = services.record_mediation(
        case, actor=world.handler, note="达成协议。", outcome=MediationOutcome.SUCCESS
    )
    case = services.record_mediation(case, actor=world.handler, note="回访协议履行情况。")
    case = fresh(case)
    assert (case.status, case.mediation_outcome) == (Status.IN_PROGRESS, MediationOutcome.SUCCESS)
    assert kinds(case)[-3:] == ["mediated"] * 3
    event = CaseEvent.objects.filter(case=case, kind="mediated").order_by("id")[1]
    assert (event.actor, event.reason, event.data) == (
        world.handler,
        "达成协议。",
        {"outcome": "success"},
    )


def test_mediation_refuses_an_unknown_outcome_or_a_blank_note(world, clock):
    case = world.in_status(Status.IN_PROGRESS, "dispute")
    assert_refused(
        ValidationError,
        lambda: services.record_mediation(case, actor=world.handler, note="调解", outcome="won"),
        case,
    )
    assert_refused(
        ValidationError, lambda: services.record_mediation(case, actor=world.handler, note=""), case
    )


def test_mediation_is_refused_for_a_type_without_mediation(world, clock):
    case = world.in_status(Status.IN_PROGRESS, "resident_issue")
    assert_refused(
        services.InvalidTransition,
        lambda: services.record_mediation(case, actor=world.handler, note="调解"),
        case,
    )


# --- extensions ----------------------------------------------------------------------------------


def test_requesting_an_extension_records_the_new_date(world, clock):
    until = local(2026, 9, 25, 17)
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=until, reason="需协调供电公司。"
    )
    case = fresh(case)
    assert (case.pending_extension_until, case.deadline, case.status) == (
        until,
        FIVE_WORKING_DAYS_LATER,
        Status.ASSIGNED,
    )
    assert_event(
        case,
        "extension_requested",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="需协调供电公司。",
        data={"until": until.isoformat()},
    )


def test_an_extension_needs_a_reason_and_a_later_date(world, clock):
    case = world.assigned()
    assert_refused(
        ValidationError,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 25, 17), reason=""
        ),
        case,
    )
    assert_refused(
        ValidationError,
        lambda: services.request_extension(
            case, actor=world.handler, until=FIVE_WORKING_DAYS_LATER, reason="需协调"
        ),
        case,
    )


def test_a_second_request_while_one_is_pending_is_refused(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="再延"
        ),
        case,
    )


def test_no_extension_can_be_requested_after_the_deadline(world, clock):
    case = world.assigned()
    clock.move_to(FIVE_WORKING_DAYS_LATER + timedelta(minutes=1))
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="来不及"
        ),
        case,
    )


def test_an_extension_is_granted_only_once(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    case = services.approve_extension(case, actor=world.dispatcher)
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_extension(
            case, actor=world.handler, until=local(2026, 9, 30, 17), reason="再延"
        ),
        case,
    )


def test_approving_an_extension_moves_the_deadline_and_clears_the_overdue_flags(world, clock):
    until = local(2026, 9, 25, 17)
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=until, reason="需协调"
    )
    clock.move_to(FIVE_WORKING_DAYS_LATER + timedelta(hours=1))
    case = services.mark_overdue(services.remind_case(case))
    tasks_before = DBTaskResult.objects.count()
    case = services.approve_extension(case, actor=world.dispatcher, note="同意")
    case = fresh(case)
    assert (case.deadline, case.pending_extension_until, case.extension_count) == (until, None, 1)
    assert (case.is_overdue, case.reminded_at) == (False, None)
    assert_event(
        case,
        "extension_approved",
        actor=world.dispatcher,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="同意",
        data={"from": FIVE_WORKING_DAYS_LATER.isoformat(), "to": until.isoformat()},
    )
    # The case's overdue check moves with the deadline.
    assert DBTaskResult.objects.count() == tasks_before + 1
    assert DBTaskResult.objects.order_by("-enqueued_at").first().run_after == until


def test_approving_or_refusing_without_a_request_is_refused(world, clock):
    case = world.assigned()
    assert_refused(
        services.InvalidTransition,
        lambda: services.approve_extension(case, actor=world.dispatcher),
        case,
    )
    assert_refused(
        services.InvalidTransition,
        lambda: services.refuse_extension(case, actor=world.dispatcher, reason="不同意"),
        case,
    )


def test_refusing_an_extension_keeps_the_deadline(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    case = services.refuse_extension(case, actor=world.dispatcher, reason="时限内可完成。")
    case = fresh(case)
    assert (case.deadline, case.pending_extension_until, case.extension_count) == (
        FIVE_WORKING_DAYS_LATER,
        None,
        0,
    )
    assert_event(
        case,
        "extension_refused",
        actor=world.dispatcher,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="时限内可完成。",
    )


def test_refusing_an_extension_needs_a_reason(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    assert_refused(
        ValidationError,
        lambda: services.refuse_extension(case, actor=world.dispatcher, reason=""),
        case,
    )


# --- send_back -----------------------------------------------------------------------------------


def test_sending_back_returns_the_case_to_triage_and_frees_the_unit(world, clock):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 25, 17), reason="需协调"
    )
    case = services.send_back(
        case,
        actor=world.handler,
        reason_code=SendBackReason.NOT_REMIT,
        reason="路灯属供电公司管理，依据《电力设施保护条例》。",
    )
    case = fresh(case)
    assert case.status == Status.TRIAGED
    assert (
        case.lead_unit,
        case.deadline,
        case.response_deadline,
        case.pending_extension_until,
    ) == (None,) * 4
    assert (case.send_back_count, case.is_overdue) == (1, False)
    assert not CaseAssignment.objects.filter(case=case, is_active=True).exists()
    assert_event(
        case,
        "sent_back",
        actor=world.handler,
        from_status=Status.ASSIGNED,
        to_status=Status.TRIAGED,
        reason="路灯属供电公司管理，依据《电力设施保护条例》。",
        data={"reason_code": "not_remit", "unit": world.dept.pk},
    )


def test_a_sent_back_case_can_be_assigned_to_another_unit(world, clock):
    case = services.send_back(
        world.assigned(),
        actor=world.handler,
        reason_code=SendBackReason.NOT_REMIT,
        reason="不属本单位职责",
    )
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.other_dept)
    assert fresh(case).lead_unit == world.other_dept
    active = CaseAssignment.objects.filter(case=case, is_active=True)
    assert list(active.values_list("unit", flat=True)) == [world.other_dept.pk]
    assert CaseAssignment.objects.filter(case=case).count() == 2


@pytest.mark.parametrize(
    "code, reason",
    [("whim", "不想办"), (SendBackReason.OTHER, " ")],
    ids=["unlisted reason", "no explanation"],
)
def test_sending_back_needs_a_listed_reason_and_an_explanation(world, clock, code, reason):
    case = world.assigned()
    assert_refused(
        ValidationError,
        lambda: services.send_back(case, actor=world.handler, reason_code=code, reason=reason),
        case,
    )


# --- answer_case ---------------------------------------------------------------------------------


def test_answering_in_time_records_the_answer_and_handling_time(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    clock.move_to(local(2026, 9, 15, 13, 30))
    case = fresh(services.answer_case(case, actor=world.handler, answer="已维修。"))
    assert (case.status, case.answer, case.answered_at, case.first_answered_at) == (
        Status.ANSWERED,
        "已维修。",
        local(2026, 9, 15, 13, 30),
        local(2026, 9, 15, 13, 30),
    )
    assert case.answered_on_time is True
    assert case.handling_hours == 27.5
    assert_event(
        case,
        "answered",
        actor=world.handler,
        from_status=Status.IN_PROGRESS,
        to_status=Status.ANSWERED,
        reason="已维修。",
    )


def test_answering_after_the_deadline_is_not_on_time(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    clock.move_to(FIVE_WORKING_DAYS_LATER + timedelta(seconds=1))
    assert (
        services.answer_case(case, actor=world.handler, answer="已维修。").answered_on_time is False
    )


def test_answering_needs_text(world, clock):
    case = services.accept_case(world.assigned(), actor=world.handler)
    assert_refused(
        ValidationError, lambda: services.answer_case(case, actor=world.handler, answer=""), case
    )


def test_a_second_answer_after_reopening_keeps_the_first_answer_time(world, clock):
    case = world.verified(passed=False)
    first = case.first_answered_at
    clock.move_to(local(2026, 9, 16, 10))
    case = services.reopen_case(case, actor=world.dispatcher, reason="群众不满意")
    case = services.answer_case(case, actor=world.handler, answer="重新维修。")
    assert (case.first_answered_at, case.answered_at) == (first, local(2026, 9, 16, 10))


# --- return_visit --------------------------------------------------------------------------------


def test_a_reached_visit_verifies_the_case(world, clock):
    case = services.return_visit(
        world.answered(),
        actor=world.grid_worker,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
        note="电话回访",
    )
    case = fresh(case)
    assert case.status == Status.VERIFIED
    assert (
        case.visit_valid,
        case.visit_contacted,
        case.visit_resolved,
        case.visit_satisfaction,
    ) == (
        True,
        True,
        True,
        Satisfaction.BASIC,
    )
    assert (case.visited_at, case.visit_passed) == (MONDAY, True)
    assert_event(
        case,
        "visited",
        actor=world.grid_worker,
        from_status=Status.ANSWERED,
        to_status=Status.VERIFIED,
        reason="电话回访",
        data={"contacted": True, "resolved": True, "satisfaction": "basic", "passed": True},
    )


def test_an_unsatisfied_visit_is_valid_but_not_passed(world, clock):
    case = world.verified(passed=False)
    assert (case.status, case.visit_valid, case.visit_passed) == (Status.VERIFIED, True, False)
    assert last_event(case).data["passed"] is False


def test_a_visit_that_does_not_reach_the_requester_leaves_the_case_waiting(world, clock):
    case = services.return_visit(
        world.answered(), actor=world.grid_worker, reached=False, note="电话无人接听"
    )
    case = fresh(case)
    assert (case.status, case.visit_valid, case.visited_at) == (Status.ANSWERED, False, None)
    assert_event(
        case,
        "visit_failed_to_reach",
        actor=world.grid_worker,
        from_status=Status.ANSWERED,
        to_status=Status.ANSWERED,
        reason="电话无人接听",
    )


@pytest.mark.parametrize("missing", ["contacted", "resolved", "satisfaction"])
def test_a_reached_visit_needs_all_three_answers(world, clock, missing):
    case = world.answered()
    answers = {"contacted": True, "resolved": True, "satisfaction": Satisfaction.SATISFIED}
    answers[missing] = "" if missing == "satisfaction" else None
    assert_refused(
        ValidationError,
        lambda: services.return_visit(case, actor=world.grid_worker, reached=True, **answers),
        case,
    )


# --- reopen_case ---------------------------------------------------------------------------------


def test_reopening_after_a_failed_visit_counts_rework_and_restarts_the_clock(world, clock):
    case = world.verified(passed=False)
    clock.move_to(local(2026, 9, 15, 10))
    tasks_before = DBTaskResult.objects.count()
    case = fresh(services.reopen_case(case, actor=world.dispatcher, reason="群众不满意，重办。"))
    new_deadline = local(2026, 9, 21, 17)  # 16, 17, 18, 20 (make-up Sunday), 21
    assert (case.status, case.reopen_count, case.rework_count, case.deadline) == (
        Status.IN_PROGRESS,
        1,
        1,
        new_deadline,
    )
    assert (
        case.visit_valid,
        case.visit_contacted,
        case.visit_resolved,
        case.visit_satisfaction,
    ) == (
        False,
        None,
        None,
        "",
    )
    assert case.lead_unit == world.dept
    assert_event(
        case,
        "reopened",
        actor=world.dispatcher,
        from_status=Status.VERIFIED,
        to_status=Status.IN_PROGRESS,
        reason="群众不满意，重办。",
        data={"rework": True, "deadline": new_deadline.isoformat()},
    )
    assert DBTaskResult.objects.count() == tasks_before + 1


def test_reopening_after_a_passed_visit_is_not_rework(world, clock):
    case = services.reopen_case(world.verified(), actor=world.dispatcher, reason="领导要求复查")
    assert (case.reopen_count, case.rework_count) == (1, 0)


def test_reopening_needs_a_reason(world, clock):
    case = world.verified(passed=False)
    assert_refused(
        ValidationError, lambda: services.reopen_case(case, actor=world.dispatcher, reason=""), case
    )


def test_a_case_resolved_on_the_spot_cannot_be_reopened(world, clock):
    case = services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="已处理")
    case = services.return_visit(
        case,
        actor=world.grid_worker,
        reached=True,
        contacted=True,
        resolved=False,
        satisfaction=Satisfaction.UNSATISFIED,
    )
    assert_refused(
        services.InvalidTransition,
        lambda: services.reopen_case(case, actor=world.dispatcher, reason="不满意"),
        case,
    )


# --- close_case ----------------------------------------------------------------------------------


def test_closing_after_a_passed_visit(world, clock):
    case = fresh(services.close_case(world.verified(), actor=world.dispatcher))
    assert (case.status, case.closed_at) == (Status.CLOSED, MONDAY)
    assert_event(
        case,
        "closed",
        actor=world.dispatcher,
        from_status=Status.VERIFIED,
        to_status=Status.CLOSED,
        data={"visit_passed": True},
    )


def test_closing_after_a_failed_visit_needs_a_written_reason(world, clock):
    case = world.verified(passed=False)
    assert_refused(
        ValidationError, lambda: services.close_case(case, actor=world.dispatcher, note=" "), case
    )
    case = services.close_case(case, actor=world.dispatcher, note="诉求超出政策范围，已解释。")
    assert_event(
        case,
        "closed",
        actor=world.dispatcher,
        from_status=Status.VERIFIED,
        to_status=Status.CLOSED,
        reason="诉求超出政策范围，已解释。",
        data={"visit_passed": False},
    )


# --- supervise_case ------------------------------------------------------------------------------


def test_supervising_raises_the_level_without_changing_the_state(world, clock):
    case = services.supervise_case(world.assigned(), actor=world.dispatcher, note="请加快办理")
    case = services.supervise_case(case, actor=world.dispatcher, note="再次督办")
    case = fresh(case)
    assert (case.status, case.supervision_level, case.version) == (Status.ASSIGNED, 2, 5)
    assert_event(
        case,
        "supervised",
        actor=world.dispatcher,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        reason="再次督办",
        data={"level": 2},
    )


# --- merge_case ----------------------------------------------------------------------------------


def test_merging_joins_the_master_case(world, clock):
    master = world.report()
    case = fresh(
        services.merge_case(world.report(), actor=world.dispatcher, master=master, note="重复")
    )
    assert (case.status, case.merged_into_id, case.closed_at) == (Status.MERGED, master.pk, MONDAY)
    assert_event(
        case,
        "merged",
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.MERGED,
        reason="重复",
        data={"master": master.pk},
    )
    assert list(master.duplicates.all()) == [case]


def test_a_case_cannot_merge_into_itself(world, clock):
    case = world.report()
    assert_refused(
        ValidationError,
        lambda: services.merge_case(case, actor=world.dispatcher, master=case),
        case,
    )


@pytest.mark.parametrize("master_status", [Status.MERGED, Status.REJECTED])
def test_a_case_cannot_merge_into_a_merged_or_rejected_case(world, clock, master_status):
    master = world.in_status(master_status)
    case = world.report()
    assert_refused(
        ValidationError,
        lambda: services.merge_case(case, actor=world.dispatcher, master=master),
        case,
    )


# --- the sweep's system moves --------------------------------------------------------------------


def test_a_reminder_is_a_system_event(world, clock):
    case = fresh(services.remind_case(world.assigned()))
    assert (case.reminded_at, case.status, case.version) == (MONDAY, Status.ASSIGNED, 4)
    assert_event(
        case,
        "reminded",
        actor=None,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        data={"deadline": FIVE_WORKING_DAYS_LATER.isoformat()},
    )


def test_marking_overdue_is_a_system_event(world, clock):
    case = fresh(services.mark_overdue(world.assigned()))
    assert (case.is_overdue, case.status, case.version) == (True, Status.ASSIGNED, 4)
    assert_event(
        case,
        "overdue",
        actor=None,
        from_status=Status.ASSIGNED,
        to_status=Status.ASSIGNED,
        data={"deadline": FIVE_WORKING_DAYS_LATER.isoformat()},
    )


# --- the loop as a whole -------------------------------------------------------------------------


def test_every_move_adds_one_version_and_one_event(world, clock):
    case = services.close_case(world.verified(), actor=world.dispatcher)
    events = list(CaseEvent.objects.filter(case=case).order_by("id"))
    assert fresh(case).version == len(events) == 7
    # Each event starts where the previous one ended: the timeline has no gaps.
    for before, after in zip(events, events[1:], strict=False):
        assert after.from_status == before.to_status


def test_a_move_returns_the_fresh_case_and_leaves_the_callers_copy_alone(world, clock):
    case = world.assigned()
    moved = services.accept_case(case, actor=world.handler)
    assert (moved.status, moved.version) == (Status.IN_PROGRESS, case.version + 1)
    assert case.status == Status.ASSIGNED


def test_a_dispute_resolved_on_the_spot_records_its_mediation_outcome(world):
    case = world.report("dispute")
    case = services.resolve_on_spot(
        case, actor=world.grid_worker, answer="现场调解，双方和解。", mediation_outcome="success"
    )
    case.refresh_from_db()
    assert case.mediation_outcome == "success" and case.resolved_on_spot
    assert case.events.last().data == {"mediation_outcome": "success"}


def test_a_mediation_outcome_on_the_spot_is_refused_for_a_type_without_mediation(world):
    case = world.report()
    with pytest.raises(ValidationError):
        services.resolve_on_spot(
            case, actor=world.grid_worker, answer="已处理", mediation_outcome="success"
        )
    case.refresh_from_db()
    assert case.status == "reported"
