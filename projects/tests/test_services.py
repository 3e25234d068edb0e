"""The project services: working-day deadlines, stage order, milestones, and a blocker turned
into a case on the engine in the same transaction."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as engine
from cases.models import Case, CaseEvent, Channel, Status
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from projects import services
from projects.models import Milestone, MilestoneStatus, Project, ProjectEvent, Stage
from projects.services import MilestonePlan
from projects.tests.factories import make_commissioner, make_project

NOW = local(2026, 11, 10, 10)  # a Tuesday


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def commissioner(world):
    return make_commissioner(world)


def codes(error: ValidationError) -> dict[str, list[str | None]]:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def milestone(project: Project, title: str) -> Milestone:
    return project.milestones.get(title=title)


# --- Creating -------------------------------------------------------------------------------------


def test_it_creates_the_project_with_the_standard_milestones_and_an_event(world, clock):
    project = make_project(world, milestones=None)
    titles = list(project.milestones.values_list("stage", "title"))
    assert titles[0] == (Stage.SIGNED, "项目备案") and (Stage.PRODUCTION, "试生产") in titles
    assert len(titles) == len(services.STANDARD_MILESTONES)
    assert project.stage == Stage.SIGNED
    event = ProjectEvent.objects.get(project=project)
    assert (event.kind, event.actor, event.data["milestones"]) == ("created", world.dispatcher, 9)
    # Only the signing stage has begun: later stages wait for their start.
    assert not project.milestones.filter(stage=Stage.SIGNED, deadline__isnull=True).exists()
    assert not project.milestones.exclude(stage=Stage.SIGNED).exclude(deadline=None).exists()


def test_deadlines_count_working_days_across_a_weekend(world, clock):
    project = make_project(world, signed_on=date(2026, 11, 6))  # a Friday
    # Monday 9, Tuesday 10, Wednesday 11: the end of the third working day.
    assert milestone(project, "项目备案").deadline == local(2026, 11, 11, 17)


def test_deadlines_count_working_days_across_the_national_day_holiday(world, clock):
    project = make_project(world, signed_on=date(2026, 9, 29))  # a Tuesday
    # 30 September, then 1–7 October are holidays; 8 and 9 October work.
    assert milestone(project, "项目备案").deadline == local(2026, 10, 9, 17)
    # …and Saturday 10 October is a make-up workday: the tenth is Monday 19 October.
    assert milestone(project, "土地摘牌").deadline == local(2026, 10, 19, 17)


def test_a_due_date_on_a_holiday_moves_to_the_next_working_day(world, clock):
    plans = [MilestonePlan(Stage.SIGNED, "土地摘牌", due_on=date(2026, 10, 3))]
    project = make_project(world, signed_on=date(2026, 9, 29), milestones=plans)
    assert milestone(project, "土地摘牌").deadline == local(2026, 10, 8, 17)


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"name": "  "}, "name", "required"),
        ({"investment": "0"}, "investment", "invalid_amount"),
        ({"investment": "abc"}, "investment", "invalid_amount"),
        ({"signed_on": date(2026, 11, 11)}, "signed_on", "future"),
        ({"milestones": [MilestonePlan(Stage.SIGNED, "备案")]}, "milestones", "no_plan"),
        ({"milestones": [MilestonePlan("later", "备案", 3)]}, "milestones", "invalid_stage"),
    ],
)
def test_it_refuses_bad_input_by_field(world, clock, overrides, field, code):
    with pytest.raises(ValidationError) as caught:
        make_project(world, **overrides)
    assert codes(caught.value) == {field: [code]}
    assert not Project.objects.exists()


def test_the_firm_and_the_owner_unit_must_be_of_the_right_kind(world, clock):
    with pytest.raises(ValidationError) as caught:
        make_project(world, enterprise=world.dept)
    assert codes(caught.value) == {"enterprise": ["not_enterprise"]}
    with pytest.raises(ValidationError) as caught:
        make_project(world, owner_unit=world.enterprise)
    assert codes(caught.value) == {"owner_unit": ["not_owner_unit"]}


def test_only_writers_may_create(world, clock):
    for user in (world.grid_worker, world.outsider, world.other_handler, world.liaison):
        with pytest.raises(PermissionDenied):
            make_project(world, actor=user)
    other_town = make_user("town_dispatcher", Role.DISPATCHER, region=world.other_town)
    with pytest.raises(PermissionDenied):
        make_project(world, actor=other_town)
    assert make_project(world, actor=world.handler).created_by == world.handler  # owner unit


# --- Stages --------------------------------------------------------------------------------------


def test_a_stage_advances_only_when_its_milestones_are_done(world, clock):
    project = make_project(world)
    with pytest.raises(ValidationError) as caught:
        services.advance_stage(project, actor=world.dispatcher)
    assert codes(caught.value) == {"reason": ["milestones_open"]}
    for title in ("项目备案", "土地摘牌"):
        services.complete_milestone(milestone(project, title), actor=world.dispatcher)
    project = services.advance_stage(project, actor=world.dispatcher)
    assert project.stage == Stage.LAND_PERMITS
    # The new stage's milestones count from now (Tuesday 10 November): Friday 13 November.
    assert milestone(project, "环评批复").deadline == local(2026, 11, 13, 17)
    event = ProjectEvent.objects.filter(project=project).last()
    assert event is not None and event.kind == "stage_advanced"
    assert event.data == {"from": "signed", "to": "land_permits", "open_milestones": []}


def test_a_stage_may_go_ahead_with_a_stated_reason(world, clock):
    project = make_project(world)
    project = services.advance_stage(project, actor=world.dispatcher, reason="容缺受理，先行开工")
    assert project.stage == Stage.LAND_PERMITS
    event = ProjectEvent.objects.filter(project=project).last()
    assert event is not None and event.reason == "容缺受理，先行开工"
    assert len(event.data["open_milestones"]) == 2


def test_it_moves_only_one_stage_forward_and_stops_at_production(world, clock):
    project = make_project(world)
    with pytest.raises(ValidationError) as caught:
        services.advance_stage(
            project, actor=world.dispatcher, stage=Stage.CONSTRUCTION, reason="x"
        )
    assert codes(caught.value) == {"stage": ["not_next_stage"]}
    for _ in range(3):
        project = services.advance_stage(project, actor=world.dispatcher, reason="推进")
    assert project.stage == Stage.PRODUCTION
    with pytest.raises(ValidationError) as caught:
        services.advance_stage(project, actor=world.dispatcher, reason="推进")
    assert codes(caught.value) == {"stage": ["last_stage"]}


def test_the_commissioner_may_advance_and_an_outsider_may_not(world, clock, commissioner):
    project = make_project(world, commissioner)
    with pytest.raises(PermissionDenied):
        services.advance_stage(project, actor=world.other_handler, reason="推进")
    project = services.advance_stage(project, actor=commissioner, reason="推进")
    assert project.stage == Stage.LAND_PERMITS


# --- Milestones ----------------------------------------------------------------------------------


def test_completing_a_milestone_records_the_day_and_whether_it_was_late(world, clock):
    project = make_project(world)
    done = services.complete_milestone(
        milestone(project, "项目备案"), actor=world.dispatcher, done_on=date(2026, 11, 9)
    )
    assert (done.status, done.done_on) == (MilestoneStatus.DONE, date(2026, 11, 9))
    event = ProjectEvent.objects.get(milestone=done)
    assert event.data["late"] is True  # due Thursday 5 November
    with pytest.raises(ValidationError) as caught:
        services.complete_milestone(done, actor=world.dispatcher)
    assert caught.value.code == "milestone_done"


def test_a_completion_day_in_the_future_is_refused(world, clock):
    project = make_project(world)
    with pytest.raises(ValidationError) as caught:
        services.complete_milestone(
            milestone(project, "项目备案"), actor=world.dispatcher, done_on=date(2026, 11, 11)
        )
    assert codes(caught.value) == {"done_on": ["future"]}


def test_blocking_a_milestone_opens_a_case_for_the_firm(world, clock, commissioner):
    project = make_project(world, commissioner)
    blocked = services.block_milestone(
        milestone(project, "土地摘牌"), "地块涉及林地调规，摘牌无法进行", actor=commissioner
    )
    assert blocked.status == MilestoneStatus.BLOCKED
    case = Case.objects.get(pk=blocked.case_id)
    assert case.title == f"{project.name}：土地摘牌受阻"
    assert (case.description, case.enterprise, case.region) == (
        "地块涉及林地调规，摘牌无法进行",
        world.enterprise,
        world.town,
    )
    assert (case.channel, case.case_type.code, case.status) == (
        Channel.VISIT,
        "enterprise_demand",
        Status.REPORTED,
    )
    assert case.requester == commissioner.person and case.reported_by == commissioner
    assert case.committee == world.chain_committee  # the chain committee dispatches it
    event = ProjectEvent.objects.get(milestone=blocked, kind="milestone_blocked")
    assert event.data["case"] == case.pk


def test_without_a_commissioner_the_case_is_raised_for_the_firms_liaison(world, clock):
    from people.models import EnterpriseLink, EnterpriseLinkKind

    EnterpriseLink.objects.create(
        person=world.liaison.person, enterprise=world.enterprise, kind=EnterpriseLinkKind.LIAISON
    )
    project = make_project(world)
    blocked = services.block_milestone(
        milestone(project, "项目备案"), "备案系统故障", actor=world.dispatcher
    )
    assert Case.objects.get(pk=blocked.case_id).requester == world.liaison.person


def test_a_failing_report_leaves_nothing(world, clock, monkeypatch):
    project = make_project(world)
    real = engine.report_case

    def report_then_fail(**kwargs):
        real(**kwargs)
        raise ValidationError({"title": ValidationError("boom", code="boom")})

    monkeypatch.setattr(engine, "report_case", report_then_fail)
    cases_before = Case.objects.count()
    with pytest.raises(ValidationError):
        services.block_milestone(milestone(project, "项目备案"), "原因", actor=world.dispatcher)
    assert Case.objects.count() == cases_before
    assert milestone(project, "项目备案").status == MilestoneStatus.PENDING
    assert not ProjectEvent.objects.filter(kind="milestone_blocked").exists()


def test_a_block_needs_a_reason_and_a_pending_milestone(world, clock):
    project = make_project(world)
    with pytest.raises(ValidationError) as caught:
        services.block_milestone(milestone(project, "项目备案"), " ", actor=world.dispatcher)
    assert codes(caught.value) == {"reason": ["required"]}
    done = services.complete_milestone(milestone(project, "项目备案"), actor=world.dispatcher)
    with pytest.raises(ValidationError) as caught:
        services.block_milestone(done, "原因", actor=world.dispatcher)
    assert caught.value.code == "not_pending"


def test_a_category_must_be_an_enterprise_demands(world, clock):
    project = make_project(world)
    with pytest.raises(ValidationError) as caught:
        services.block_milestone(
            milestone(project, "项目备案"),
            "原因",
            actor=world.dispatcher,
            category=world.category("resident_issue"),
        )
    assert codes(caught.value) == {"category": ["invalid_category"]}
    land = world.types["enterprise_demand"].categories.get(name="土地供应")
    blocked = services.block_milestone(
        milestone(project, "项目备案"), "原因", actor=world.dispatcher, category=land
    )
    assert Case.objects.get(pk=blocked.case_id).category == land


def test_a_blocked_milestone_is_unblocked_only_when_its_case_is_closed(world, clock):
    project = make_project(world)
    blocked = services.block_milestone(
        milestone(project, "土地摘牌"), "林地调规", actor=world.dispatcher
    )
    with pytest.raises(ValidationError) as caught:
        services.complete_milestone(blocked, actor=world.dispatcher)
    assert caught.value.code == "milestone_blocked"
    with pytest.raises(ValidationError) as caught:
        services.unblock_milestone(blocked, actor=world.dispatcher)
    assert caught.value.code == "case_open"
    case = Case.objects.get(pk=blocked.case_id)
    engine.reject_case(case, actor=world.dispatcher, reason="已由县自然资源局专题协调")
    unblocked = services.unblock_milestone(blocked, actor=world.dispatcher, note="调规已批")
    assert (unblocked.status, unblocked.case_id) == (MilestoneStatus.PENDING, case.pk)
    done = services.complete_milestone(unblocked, actor=world.dispatcher)
    assert done.status == MilestoneStatus.DONE
    kinds = list(ProjectEvent.objects.filter(milestone=blocked).values_list("kind", flat=True))
    assert kinds == ["milestone_blocked", "milestone_unblocked", "milestone_completed"]
    assert CaseEvent.objects.filter(case=case).count() == 2  # reported, rejected


def test_a_milestone_is_unblocked_after_its_case_went_round_the_loop(world, clock):
    from cases.models import Satisfaction

    project = make_project(world)
    blocked = services.block_milestone(
        milestone(project, "土地摘牌"), "林地调规", actor=world.dispatcher
    )
    case = Case.objects.get(pk=blocked.case_id)
    case = engine.triage_case(case, actor=world.dispatcher)
    case = engine.assign_case(case, actor=world.dispatcher, lead_unit=world.dept)
    case = engine.accept_case(case, actor=world.handler)
    case = engine.answer_case(case, actor=world.handler, answer="调规方案已获批复")
    case = engine.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=True,
        resolved=True,
        satisfaction=Satisfaction.SATISFIED,
    )
    with pytest.raises(ValidationError):  # verified is not closed yet
        services.unblock_milestone(blocked, actor=world.dispatcher)
    engine.close_case(case, actor=world.dispatcher)
    assert services.unblock_milestone(blocked, actor=world.dispatcher).status == "pending"
