"""Who may see a case and who may move it: region subtrees, units, committees, leaders,
administrators, outsiders and the system."""

from __future__ import annotations

import pytest
import time_machine

from cases import services
from cases.models import Case, CaseAssignment, SendBackReason, Status
from cases.scope import can_see, visible_cases
from cases.tests.helpers import local, module_world_fixture, snapshot
from cases.tests.world import make_user
from people.models import EnterpriseLink, EnterpriseLinkKind, Role, RoleAssignment, User

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 9, 14, 10), tick=False) as traveller:
        yield traveller


def refused(move, case, error=services.NotPermitted) -> None:
    before = snapshot(case)
    with pytest.raises(error):
        move()
    assert snapshot(case) == before


def visible(user) -> set[int]:
    return set(visible_cases(user).values_list("pk", flat=True))


# --- grid workers --------------------------------------------------------------------------------


def test_a_grid_worker_sees_the_cases_of_their_grid_only(world):
    mine = world.report()
    theirs = world.report(actor=world.other_grid_worker, region=world.other_grid)
    assert visible(world.grid_worker) == {mine.pk}
    assert visible(world.other_grid_worker) == {theirs.pk}


def test_a_grid_worker_sees_a_case_reported_by_someone_else_in_their_grid(world):
    case = world.report(actor=world.dispatcher)
    assert case.pk in visible(world.grid_worker)
    assert case.pk not in visible(world.other_grid_worker)


def test_a_grid_worker_cannot_report_into_another_grid(world):
    before = Case.objects.count()
    with pytest.raises(services.NotPermitted):
        world.report(region=world.other_grid, actor=world.grid_worker)
    assert Case.objects.count() == before


def test_a_resident_sees_what_they_reported_anywhere(world):
    from cases.tests.world import make_user

    resident = make_user("resident_zhou")
    case = world.report(region=world.other_grid, actor=resident, channel="web")
    assert case.pk in visible(resident)
    assert case.pk not in visible(world.grid_worker)


def test_a_grid_worker_cannot_move_another_grids_case(world):
    case = world.report()
    refused(
        lambda: services.resolve_on_spot(case, actor=world.other_grid_worker, answer="已处理"), case
    )
    answered = world.answered()
    refused(
        lambda: services.return_visit(answered, actor=world.other_grid_worker, reached=False),
        answered,
    )


def test_a_grid_worker_of_a_village_covers_every_grid_below_it(world):
    village_worker = make_user("village_cadre", Role.VILLAGE_CADRE, region=world.village)
    case = world.report()
    assert case.pk in visible(village_worker)
    services.resolve_on_spot(case, actor=village_worker, answer="已处理")


# --- departments ---------------------------------------------------------------------------------


def test_a_department_sees_the_cases_it_leads_or_co_handles(world):
    led = world.assigned()
    co = services.triage_case(world.report(), actor=world.dispatcher)
    co = services.assign_case(
        co, actor=world.dispatcher, lead_unit=world.other_dept, co_units=[world.dept]
    )
    world.report()  # not assigned to anyone
    assert visible(world.handler) == {led.pk, co.pk}
    assert visible(world.other_handler) == {co.pk}


def test_a_department_cannot_accept_answer_or_send_back_another_departments_case(world):
    case = world.assigned()
    refused(lambda: services.accept_case(case, actor=world.other_handler), case)
    refused(
        lambda: services.send_back(
            case,
            actor=world.other_handler,
            reason_code=SendBackReason.NOT_REMIT,
            reason="不属本单位",
        ),
        case,
    )
    refused(lambda: services.add_progress_note(case, actor=world.other_handler, note="进展"), case)
    case = services.accept_case(case, actor=world.handler)
    refused(lambda: services.answer_case(case, actor=world.other_handler, answer="已办"), case)


def test_a_co_unit_can_add_a_progress_note_but_not_answer(world):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    case = services.add_progress_note(case, actor=world.other_handler, note="协办单位已现场查看。")
    refused(lambda: services.accept_case(case, actor=world.other_handler), case)
    case = services.accept_case(case, actor=world.handler)
    refused(lambda: services.answer_case(case, actor=world.other_handler, answer="已办"), case)
    refused(
        lambda: services.send_back(
            case, actor=world.other_handler, reason_code=SendBackReason.OTHER, reason="不属本单位"
        ),
        case,
    )
    refused(
        lambda: services.request_extension(
            case, actor=world.other_handler, until=local(2026, 9, 30, 17), reason="需延期"
        ),
        case,
    )


def test_a_co_unit_loses_its_part_when_the_case_is_sent_back(world):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    services.send_back(
        case, actor=world.handler, reason_code=SendBackReason.NOT_REMIT, reason="不属本单位"
    )
    assert not CaseAssignment.objects.filter(case=case, is_active=True).exists()
    case = services.triage_case(case.__class__.objects.get(pk=case.pk), actor=world.dispatcher)
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    refused(lambda: services.add_progress_note(case, actor=world.other_handler, note="进展"), case)


def test_a_department_head_answers_for_the_department(world):
    head = make_user("head", Role.DEPT_HEAD, organisation=world.dept)
    case = services.accept_case(world.assigned(), actor=head)
    assert services.answer_case(case, actor=head, answer="已办结").status == Status.ANSWERED


# --- dispatchers ---------------------------------------------------------------------------------


def test_a_town_dispatcher_cannot_triage_a_case_outside_the_town(world):
    town_dispatcher = make_user("town_dispatcher", Role.DISPATCHER, region=world.town)
    inside = world.report()
    outside = world.report(actor=world.other_grid_worker, region=world.other_grid)
    assert visible(town_dispatcher) == {inside.pk}
    services.triage_case(inside, actor=town_dispatcher)
    refused(lambda: services.triage_case(outside, actor=town_dispatcher), outside)
    refused(
        lambda: services.reject_case(outside, actor=town_dispatcher, reason="不予受理"), outside
    )


def test_a_committee_dispatcher_sees_and_moves_the_committees_cases(world):
    chain_dispatcher = make_user(
        "chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee
    )
    ours = world.report(
        "enterprise_demand", committee=world.chain_committee, enterprise=world.enterprise
    )
    other = world.report("enterprise_demand")
    assert visible(chain_dispatcher) == {ours.pk}
    case = services.triage_case(ours, actor=chain_dispatcher)
    case = services.assign_case(case, actor=chain_dispatcher, lead_unit=world.dept)
    assert case.status == Status.ASSIGNED
    refused(lambda: services.triage_case(other, actor=chain_dispatcher), other)


def test_a_dispatcher_cannot_do_a_departments_work(world):
    case = world.assigned()
    refused(lambda: services.accept_case(case, actor=world.dispatcher), case)
    refused(lambda: services.add_progress_note(case, actor=world.dispatcher, note="进展"), case)


# --- leaders, administrators, outsiders, the system ---------------------------------------------


def test_a_leader_sees_everything_and_only_supervises(world):
    case = world.assigned()
    other = world.report(actor=world.other_grid_worker, region=world.other_grid)
    assert visible(world.leader) == {case.pk, other.pk}
    refused(lambda: services.accept_case(case, actor=world.leader), case)
    refused(lambda: services.triage_case(other, actor=world.leader), other)
    case = services.supervise_case(case, actor=world.leader, note="请尽快办结")
    assert case.supervision_level == 1


def test_a_town_leader_sees_and_supervises_only_the_town(world):
    town_leader = make_user("town_leader", Role.LEADER, region=world.town)
    inside = world.assigned()
    outside = world.assigned(actor=world.other_grid_worker, region=world.other_grid)
    assert visible(town_leader) == {inside.pk}
    services.supervise_case(inside, actor=town_leader, note="请加快办理")
    refused(lambda: services.supervise_case(outside, actor=town_leader, note="请加快办理"), outside)


def test_an_administrator_sees_and_moves_everything(world):
    case = world.report(actor=world.other_grid_worker, region=world.other_grid)
    assert case.pk in visible(world.admin)
    case = services.triage_case(case, actor=world.admin)
    case = services.assign_case(case, actor=world.admin, lead_unit=world.other_dept)
    case = services.accept_case(case, actor=world.admin)
    assert services.answer_case(case, actor=world.admin, answer="已办").status == Status.ANSWERED


def test_an_admin_role_counts_as_an_administrator(world):
    clerk = make_user("clerk", Role.ADMIN)
    case = world.report()
    assert case.pk in visible(clerk)
    services.triage_case(case, actor=clerk)


def test_an_outsider_sees_and_moves_nothing(world):
    case = world.report()
    assert visible(world.outsider) == set()
    refused(lambda: services.triage_case(case, actor=world.outsider), case)
    refused(lambda: services.resolve_on_spot(case, actor=world.outsider, answer="已办"), case)


def test_a_requester_with_an_account_sees_their_own_case_only(world):
    case = world.report(requester=world.outsider.person)
    world.report()
    assert visible(world.outsider) == {case.pk}
    refused(lambda: services.resolve_on_spot(case, actor=world.outsider, answer="已办"), case)


def test_a_withdrawn_role_no_longer_counts(world):
    case = world.report()
    RoleAssignment.objects.filter(user=world.grid_worker).update(is_active=False)
    worker = world.grid_worker.__class__.objects.get(pk=world.grid_worker.pk)
    assert visible(worker) == {case.pk}  # still the reporter
    refused(lambda: services.resolve_on_spot(case, actor=worker, answer="已办"), case)


@pytest.mark.parametrize("move", ["accept", "triage", "answer", "close"])
def test_only_system_moves_may_be_made_without_a_user(world, move):
    case = {
        "accept": world.assigned,
        "triage": world.report,
        "answer": lambda: services.accept_case(world.assigned(), actor=world.handler),
        "close": world.verified,
    }[move]()
    call = {
        "accept": lambda: services.accept_case(case, actor=None),
        "triage": lambda: services.triage_case(case, actor=None),
        "answer": lambda: services.answer_case(case, actor=None, answer="已办"),
        "close": lambda: services.close_case(case, actor=None),
    }[move]
    refused(call, case)


def test_the_system_reminds_flags_and_supervises_without_a_user(world):
    case = services.remind_case(world.assigned())
    case = services.mark_overdue(case)
    case = services.supervise_case(case, actor=None, note="超期督办")
    assert (case.reminded_at is not None, case.is_overdue, case.supervision_level) == (
        True,
        True,
        1,
    )


def test_nobody_may_make_a_system_move_by_hand(world):
    case = world.assigned()
    with pytest.raises(services.NotPermitted):
        services._check(case, "overdue", world.admin)


# --- allowed_moves -------------------------------------------------------------------------------


def test_allowed_moves_of_a_reported_case(world):
    case = world.report()
    expected = ["resolved_on_spot", "rejected", "triaged", "info_requested", "merged", "split"]
    assert services.allowed_moves(case, world.grid_worker) == ["resolved_on_spot"]
    assert services.allowed_moves(case, world.dispatcher) == expected
    assert services.allowed_moves(case, world.admin) == expected
    # The desk answers on the spot, triages, asks the requester and splits a call holding
    # several demands; rejecting and merging stay with the dispatcher.
    assert services.allowed_moves(case, world.operator) == [
        "resolved_on_spot",
        "triaged",
        "info_requested",
        "split",
    ]
    for user in (
        world.other_grid_worker,
        world.handler,
        world.leader,
        world.outsider,
        world.resident,
        world.liaison,
    ):
        assert services.allowed_moves(case, user) == [], user


def test_allowed_moves_of_an_assigned_case(world):
    case = services.triage_case(world.report(), actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    assert services.allowed_moves(case, world.handler) == [
        "accepted",
        "progress_noted",
        "contacted",
        "extension_requested",
        "sent_back",
        "info_requested",
    ]
    assert services.allowed_moves(case, world.other_handler) == [
        "progress_noted",
        "info_requested",
    ]
    assert services.allowed_moves(case, world.dispatcher) == [
        "reassigned",
        "recalled",
        "clock_paused",
        "info_requested",
        "supervised",
        "urged",
    ]
    assert services.allowed_moves(case, world.leader) == ["supervised", "urged"]
    assert services.allowed_moves(case, world.grid_worker) == []
    assert services.allowed_moves(case, world.outsider) == []


def test_allowed_moves_follow_a_pending_extension(world):
    case = services.request_extension(
        world.assigned(), actor=world.handler, until=local(2026, 9, 30, 17), reason="需协调"
    )
    assert services.allowed_moves(case, world.dispatcher) == [
        "reassigned",
        "recalled",
        "clock_paused",
        "extension_approved",
        "extension_refused",
        "info_requested",
        "supervised",
        "urged",
    ]
    assert "extension_requested" not in services.allowed_moves(case, world.handler)


def test_allowed_moves_of_a_dispute_in_mediation(world):
    case = world.report("dispute")
    case = services.triage_case(case, actor=world.dispatcher)
    case = services.assign_case(
        case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    case = services.accept_case(case, actor=world.handler)
    assert services.allowed_moves(case, world.handler) == [
        "progress_noted",
        "contacted",
        "mediated",
        "extension_requested",
        "sent_back",
        "answered",
        "info_requested",
    ]
    assert services.allowed_moves(case, world.other_handler) == [
        "progress_noted",
        "mediated",
        "info_requested",
    ]
    assert services.allowed_moves(case, world.grid_worker) == ["mediated"]
    assert services.allowed_moves(case, world.other_grid_worker) == []


def test_allowed_moves_leave_out_mediation_for_a_type_without_it(world):
    case = world.in_status(Status.IN_PROGRESS, "resident_issue")
    assert "mediated" not in services.allowed_moves(case, world.handler)
    assert services.allowed_moves(case, world.grid_worker) == []


def test_allowed_moves_of_answered_and_verified_cases(world):
    answered = world.answered()
    assert services.allowed_moves(answered, world.grid_worker) == [
        "visited",
        "visit_failed_to_reach",
    ]
    assert services.allowed_moves(answered, world.handler) == []
    verified = world.verified()
    assert services.allowed_moves(verified, world.dispatcher) == ["reopened", "closed"]
    assert services.allowed_moves(verified, world.grid_worker) == []


def test_allowed_moves_leave_out_reopening_a_case_resolved_on_the_spot(world):
    case = services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="已处理")
    case = services.return_visit(
        case,
        actor=world.grid_worker,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction="satisfied",
    )
    assert services.allowed_moves(case, world.dispatcher) == ["closed"]


@pytest.mark.parametrize("status", [Status.CLOSED, Status.REJECTED, Status.MERGED])
def test_a_final_case_allows_no_move_to_anyone(world, status):
    """A final case moves no more, but a merge may be undone by the dispatcher (撤销合并)."""
    case = world.in_status(status)
    undo = ["unmerged"] if status == Status.MERGED else []
    for user in (world.admin, world.dispatcher):
        assert services.allowed_moves(case, user) == undo
    for user in (world.handler, world.grid_worker, world.leader):
        assert services.allowed_moves(case, user) == []


@pytest.mark.slow  # exhaustive: every move, for eight users, in five states (seconds, like fuzzing)
def test_allowed_moves_are_exactly_the_moves_that_succeed(world):
    """Every listed move succeeds and every unlisted one is refused, for every user in the world."""
    from cases.tests.test_illegal_moves import MOVES

    users = [
        world.admin,
        world.dispatcher,
        world.handler,
        world.other_handler,
        world.grid_worker,
        world.other_grid_worker,
        world.leader,
        world.outsider,
    ]
    for status in (
        Status.REPORTED,
        Status.ASSIGNED,
        Status.IN_PROGRESS,
        Status.ANSWERED,
        Status.VERIFIED,
    ):
        case = world.in_status(status, "dispute")
        for user in users:
            listed = set(services.allowed_moves(case, user))
            for kind, move in MOVES.items():
                if services.RULES[kind].scope == "system":
                    continue
                before = snapshot(case)
                try:
                    move(world, case, user)
                except services.CaseError:
                    assert kind not in listed, (status, user.username, kind)
                    assert snapshot(case) == before
                else:
                    assert kind in listed, (status, user.username, kind)
                    case = world.in_status(status, "dispute")  # start again from a clean case


# --- one case at a time (the doors' locked read) ------------------------------------------------


def test_can_see_one_case_agrees_with_the_visible_cases_filter_for_every_user_and_case(world):
    """``can_see`` is ``visible_cases_q`` in Python: every kind of role against every kind of
    case, including a co-unit's case and a linked cadre's enterprise (the two that query)."""
    cadre = make_user("cadre", Role.LINKED_CADRE, organisation=world.chain_committee)
    EnterpriseLink.objects.create(
        person=cadre.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LINKED_CADRE
    )
    users = [
        world.dispatcher, world.handler, world.other_handler, world.grid_worker,
        world.other_grid_worker, world.leader, world.admin, world.outsider, world.operator,
        world.resident, world.liaison, cadre,
        make_user("chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee),
        make_user("town_leader", Role.LEADER, region=world.town),
        make_user("head", Role.DEPT_HEAD, organisation=world.other_dept),
        make_user("clerk", Role.ADMIN),
    ]  # fmt: skip
    withdrawn = make_user("withdrawn", Role.GRID_WORKER, region=world.grid)
    world.report(actor=withdrawn)  # reported while the role held: still theirs to see
    RoleAssignment.objects.filter(user=withdrawn).update(is_active=False)
    users.append(withdrawn)
    co = services.triage_case(world.report(), actor=world.dispatcher)
    services.assign_case(
        co, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
    )
    world.assigned()
    world.report(actor=world.other_grid_worker, region=world.other_grid)
    world.report("enterprise_demand", committee=world.chain_committee, enterprise=world.enterprise)
    world.report("enterprise_demand", enterprise=world.enterprise, actor=world.other_grid_worker,
                 region=world.other_grid)  # fmt: skip
    world.report(requester=world.outsider.person)
    world.report(requester=world.resident.person, actor=world.other_grid_worker,
                 region=world.other_grid)  # fmt: skip
    cases = list(Case.objects.select_related("region"))
    checked = 0
    for user in users:
        user = User.objects.get(pk=user.pk)  # fresh roles
        seen = visible(user)
        for case in cases:
            assert can_see(user, case) == (case.pk in seen), (user.username, case.pk)
            checked += 1
    assert len(cases) == 8 and checked == 17 * 8
    assert any(visible(User.objects.get(pk=u.pk)) for u in users)
    assert not can_see(User.objects.get(pk=world.outsider.pk), co)
