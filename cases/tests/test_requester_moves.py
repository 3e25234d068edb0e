"""The requester's own moves (群众评价, 补充信息), the desk's (话务员/窗口) and the chain committee's
intake of enterprise demands."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from cases import services
from cases.models import Case, CaseAttachment, Channel, Satisfaction, Status
from cases.scope import visible_cases
from cases.tests.helpers import assert_event, assert_refused, fresh, module_world_fixture
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()

PNG_BYTES = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


@pytest.fixture
def world(module_world, db):
    """The module's shared world (see ``helpers.module_world_fixture``)."""
    return module_world


def residents_case(world, **overrides):
    """A demand the resident filed themselves on the phone pages."""
    fields = {
        "channel": Channel.WEB,
        "requester": world.resident.person,
        "actor": world.resident,
        "requester_name": "",
        "requester_phone": "",
    }
    fields.update(overrides)
    return world.report(**fields)


def answered(world, case):
    case = services.triage_case(case, actor=world.dispatcher, category=world.category())
    case = services.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    case = services.accept_case(case, actor=world.handler)
    return services.answer_case(case, actor=world.handler, answer="已修复路灯。")


# --- 群众评价 ------------------------------------------------------------------------------------


def test_the_requesters_rating_is_the_return_visit(world, clock):
    case = answered(world, residents_case(world))
    assert case.requester_phone == "13959001234"  # taken from the person
    case = services.rate_case(
        case,
        actor=world.resident,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.BASIC,
        comment="修得挺快，就是晚上才来。",
    )
    case = fresh(case)
    assert case.status == Status.VERIFIED
    assert (case.visit_valid, case.visit_contacted, case.visit_resolved) == (True, True, True)
    assert case.visit_satisfaction == Satisfaction.BASIC and case.visit_passed
    assert_event(
        case,
        "rated",
        actor=world.resident,
        from_status=Status.ANSWERED,
        to_status=Status.VERIFIED,
        reason="修得挺快，就是晚上才来。",
        data={
            "contacted": True,
            "resolved": True,
            "satisfaction": "basic",
            "passed": True,
            "by_requester": True,
        },
    )
    # No one calls back to ask again: the staff visit is no longer offered.
    assert "visited" not in services.allowed_moves(case, world.dispatcher)
    assert services.allowed_moves(case, world.dispatcher) == ["reopened", "closed"]


def test_an_unsatisfied_rating_fails_the_visit_and_the_case_can_be_reopened(world, clock):
    case = answered(world, residents_case(world))
    case = services.rate_case(
        case,
        actor=world.resident,
        contacted=False,
        resolved=False,
        satisfaction=Satisfaction.UNSATISFIED,
    )
    assert not fresh(case).visit_passed
    case = services.reopen_case(fresh(case), actor=world.dispatcher, reason="群众评价不满意。")
    assert fresh(case).rework_count == 1


def test_a_requester_named_by_the_desk_rates_too(world, clock):
    """A call registered by the operator names the resident as requester: the resident's own
    account may rate it."""
    case = world.report(
        actor=world.operator, channel=Channel.HOTLINE, requester=world.resident.person
    )
    case = services.rate_case(
        answered(world, case),
        actor=world.resident,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    assert fresh(case).status == Status.VERIFIED


def test_only_the_requester_rates(world, clock):
    case = answered(world, residents_case(world))
    other = make_user("other_resident", Role.RESIDENT, phone="13959009999")
    for actor in (other, world.dispatcher, world.handler, world.liaison, world.grid_worker):
        assert_refused(
            services.NotPermitted,
            lambda actor=actor: services.rate_case(
                case,
                actor=actor,
                contacted=True,
                resolved=True,
                satisfaction=Satisfaction.SATISFIED,
            ),
            case,
        )
    assert "rated" in services.allowed_moves(case, world.resident)
    assert "rated" not in services.allowed_moves(case, other)


def test_a_rating_needs_a_satisfaction(world, clock):
    case = answered(world, residents_case(world))
    with pytest.raises(ValidationError) as refused:
        services.rate_case(
            case, actor=world.resident, contacted=True, resolved=True, satisfaction=""
        )
    assert "satisfaction" in refused.value.error_dict
    assert fresh(case).status == Status.ANSWERED


def test_a_case_not_yet_answered_cannot_be_rated(world, clock):
    case = residents_case(world)
    assert_refused(
        services.InvalidTransition,
        lambda: services.rate_case(
            case,
            actor=world.resident,
            contacted=True,
            resolved=True,
            satisfaction=Satisfaction.SATISFIED,
        ),
        case,
    )


# --- 请补充信息 / 补充信息 --------------------------------------------------------------------------


def test_the_unit_asks_and_the_requester_adds_information_with_a_photo(world, clock):
    case = services.accept_case(
        services.assign_case(
            services.triage_case(residents_case(world), actor=world.dispatcher),
            actor=world.dispatcher,
            lead_unit=world.dept,
        ),
        actor=world.handler,
    )
    case = services.request_info(case, actor=world.handler, question="请补充路灯的具体位置照片。")
    case = fresh(case)
    assert case.info_requested_at is not None and case.status == Status.IN_PROGRESS
    # The clock stands while the requester is asked.
    assert case.clock_paused_at == case.info_requested_at
    assert_event(
        case,
        "info_requested",
        actor=world.handler,
        from_status=Status.IN_PROGRESS,
        to_status=Status.IN_PROGRESS,
        reason="请补充路灯的具体位置照片。",
        data={"clock": "paused"},
    )
    assert "info_added" in services.allowed_moves(case, world.resident)
    # One open question at a time.
    assert_refused(
        services.InvalidTransition,
        lambda: services.request_info(case, actor=world.handler, question="再补充一次。"),
        case,
    )
    photo = SimpleUploadedFile("灯杆.png", PNG_BYTES)
    case = services.add_info(
        case,
        actor=world.resident,
        info="在村委会门口往东第三根灯杆。",
        attachments=[("灯杆.png", photo)],
    )
    case = fresh(case)
    assert case.info_requested_at is None and case.clock_paused_at is None
    assert_event(
        case,
        "info_added",
        actor=world.resident,
        from_status=Status.IN_PROGRESS,
        to_status=Status.IN_PROGRESS,
        reason="在村委会门口往东第三根灯杆。",
        # The answer came at once (the test's clock stands): no working time to add.
        data={
            "attachments": ["灯杆.png"],
            "clock": "resumed",
            "paused_hours": 0.0,
            "deadline": case.deadline.astimezone(timezone.get_current_timezone()).isoformat(),
        },
    )
    assert CaseAttachment.objects.filter(case=case, uploaded_by=world.resident).count() == 1


def test_information_is_added_only_when_asked_and_only_by_the_requester(world, clock):
    case = residents_case(world)
    assert_refused(
        services.InvalidTransition,
        lambda: services.add_info(case, actor=world.resident, info="主动补充。"),
        case,
    )
    case = services.request_info(case, actor=world.operator, question="请说明路灯编号。")
    other = make_user("nosy_resident", Role.RESIDENT, phone="13959008888")
    assert_refused(
        services.NotPermitted,
        lambda: services.add_info(case, actor=other, info="不是我的事。"),
        case,
    )
    with pytest.raises(ValidationError):
        services.add_info(case, actor=world.resident, info="   ")


def test_a_bad_photo_is_refused_before_anything_is_stored(world, clock):
    case = services.request_info(residents_case(world), actor=world.dispatcher, question="照片？")
    page = SimpleUploadedFile("x.png", b"<html><script>alert(1)</script></html>")
    with pytest.raises(ValidationError):
        services.add_info(case, actor=world.resident, info="见附件", attachments=[("x.png", page)])
    assert fresh(case).info_requested_at is not None
    assert not CaseAttachment.objects.filter(case=case).exists()


# --- The desk (话务员/窗口) -------------------------------------------------------------------------


def test_the_operator_registers_a_call_and_answers_it_on_the_spot(world, clock):
    case = world.report(actor=world.operator, channel=Channel.HOTLINE)
    case = services.resolve_on_spot(case, actor=world.operator, answer="已告知办理流程。")
    assert fresh(case).resolved_on_spot and fresh(case).status == Status.ANSWERED


def test_the_operator_triages_and_assigns_in_one_step(world, clock):
    case = world.report(actor=world.operator, channel=Channel.WALK_IN)
    case = services.triage_and_assign(
        case,
        actor=world.operator,
        category=world.category(),
        priority="normal",
        lead_unit=world.dept,
    )
    case = fresh(case)
    assert case.status == Status.ASSIGNED and case.lead_unit == world.dept


def test_the_operator_claims_only_desk_channels_and_stays_in_their_region(world, clock):
    with pytest.raises(ValidationError) as refused:
        world.report(actor=world.operator, channel=Channel.GRID)
    assert refused.value.error_dict["channel"][0].code == "channel_not_allowed"
    town_operator = make_user("town_operator", Role.OPERATOR, region=world.other_town)
    case = world.report(actor=world.dispatcher, channel=Channel.HOTLINE)  # in 浔中镇
    assert_refused(
        services.NotPermitted,
        lambda: services.triage_case(case, actor=town_operator),
        case,
    )
    assert_refused(
        services.NotPermitted,
        lambda: services.reject_case(case, actor=world.operator, reason="不受理"),
        case,
    )


# --- Enterprise demands go to the chain committee ------------------------------------------------


def test_an_enterprise_demand_goes_to_its_chain_committee(world, clock):
    case = world.report(
        "enterprise_demand",
        actor=world.liaison,
        channel=Channel.WEB,
        enterprise=world.enterprise,
        requester=world.liaison.person,
        region=world.town,
    )
    assert case.committee == world.chain_committee
    chain_dispatcher = make_user(
        "chain_dispatcher", Role.DISPATCHER, organisation=world.chain_committee
    )
    assert visible_cases(chain_dispatcher).filter(pk=case.pk).exists()
    assert "triaged" in services.allowed_moves(case, chain_dispatcher)
    assert visible_cases(world.liaison).filter(pk=case.pk).exists()


def test_a_liaison_files_only_for_its_own_enterprise(world, clock):
    with pytest.raises(ValidationError) as refused:
        world.report(
            "enterprise_demand", actor=world.liaison, channel=Channel.WEB, region=world.town
        )
    assert refused.value.error_dict["enterprise"][0].code == "not_own_enterprise"


# --- Staff visit only where no rating came in time ----------------------------------------------


def test_staff_visit_a_self_filed_case_only_after_the_rating_wait(world, clock, settings):
    settings.LIANXIN = {**settings.LIANXIN, "SELF_RATING_WAIT_HOURS": 48}
    own = answered(world, residents_case(world))
    staff_filed = world.answered()
    due = Case.objects.due_for_visit()
    assert staff_filed in due and own not in due
    clock.shift(timedelta(hours=47))
    assert own not in Case.objects.due_for_visit()
    clock.shift(timedelta(hours=2))
    assert own in Case.objects.due_for_visit()
    # Once rated it is verified: nothing left to visit.
    services.rate_case(
        fresh(own),
        actor=world.resident,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    assert own not in Case.objects.due_for_visit()
