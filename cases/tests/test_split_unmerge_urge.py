"""拆分 (``split_case``), 撤销合并 (``unmerge_case``) and 催办 (``urge_case``)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.models import Case, CaseEvent, EventKind, Status
from cases.tests.helpers import (
    MONDAY,
    assert_event,
    assert_refused,
    fresh,
    kinds,
    last_event,
    module_world_fixture,
)
from cases.tests.world import make_user
from people.models import Role

module_world = module_world_fixture()
K = EventKind


@pytest.fixture
def world(module_world, db):
    return module_world


def _parts(*titles: str) -> list[dict]:
    return [{"title": t, "description": f"{t}的详细情况。", "category": None} for t in titles]


# --- 拆分 ---------------------------------------------------------------------------------------


def test_a_split_keeps_the_first_demand_and_makes_a_linked_case_of_each_other(world, clock):
    original = world.report(
        title="来电反映三件事",
        description="路灯不亮；垃圾未清运；路面破损。",
        channel="hotline",
        actor=world.dispatcher,
        anonymous_to_unit=True,
    )
    category = world.category()
    moved = services.split_case(
        original,
        actor=world.operator,
        parts=[
            {"title": "路灯不亮", "description": "主路三盏路灯不亮。", "category": category},
            *_parts("垃圾未清运", "路面破损"),
        ],
    )
    original = fresh(moved)
    assert (original.title, original.description) == ("路灯不亮", "主路三盏路灯不亮。")
    assert (original.status, original.category, original.version) == (
        Status.REPORTED,
        category,
        2,
    )
    parts = list(original.split_cases.order_by("pk"))
    assert [p.title for p in parts] == ["垃圾未清运", "路面破损"]
    for part in parts:
        assert part.split_from_id == original.pk
        assert part.status == Status.REPORTED and part.number.startswith("LX")
        assert (part.requester_name, part.requester_phone) == ("张三", "13912345678")
        assert (part.region, part.channel, part.case_type) == (
            original.region,
            "hotline",
            original.case_type,
        )
        assert (part.committee_id, part.reported_by_id) == (
            original.committee_id,
            original.reported_by_id,
        )
        assert part.anonymous_to_unit and part.category is None
        assert (part.reported_at, part.reported_month) == (MONDAY, 202609)
        assert_event(
            part,
            K.REPORTED,
            actor=world.operator,
            from_status="",
            to_status=Status.REPORTED,
            data={"channel": "hotline", "split_from": original.number},
        )
    assert_event(
        original,
        K.SPLIT,
        actor=world.operator,
        from_status=Status.REPORTED,
        to_status=Status.REPORTED,
        data={
            "cases": [p.pk for p in parts],
            "numbers": [p.number for p in parts],
            "old_title": "来电反映三件事",
            "title": "路灯不亮",
            "old_description": "路灯不亮；垃圾未清运；路面破损。",
            "description": "主路三盏路灯不亮。",
            "category": category.pk,
        },
    )


def test_a_triaged_case_can_be_split_and_stays_triaged(world, clock):
    case = services.triage_case(world.report(), actor=world.dispatcher, category=world.category())
    case = services.split_case(case, actor=world.dispatcher, parts=_parts("甲", "乙"))
    assert fresh(case).status == Status.TRIAGED and fresh(case).category == world.category()
    assert fresh(case).split_cases.get().status == Status.REPORTED


def test_a_split_needs_two_parts_each_with_a_title_and_a_text(world, clock):
    case = world.report()
    with pytest.raises(ValidationError) as refused:
        services.split_case(case, actor=world.dispatcher, parts=_parts("只有一项"))
    assert refused.value.error_dict["parts"][0].code == "too_few"
    parts = _parts("甲", "乙")
    parts[1]["description"] = "  "
    assert_refused(
        ValidationError,
        lambda: services.split_case(case, actor=world.dispatcher, parts=parts),
        case,
    )
    assert not Case.objects.filter(split_from=case).exists()
    with pytest.raises(ValidationError) as refused:
        services.split_case(case, actor=world.dispatcher, parts=_parts(*"甲乙丙丁戊己庚辛壬癸子"))
    assert refused.value.error_dict["parts"][0].code == "too_many"


def test_a_part_may_not_take_a_category_of_another_type(world, clock):
    case = world.report()
    parts = _parts("甲", "乙")
    parts[1]["category"] = world.category("dispute")
    with pytest.raises(ValidationError):
        services.split_case(case, actor=world.dispatcher, parts=parts)
    assert not Case.objects.filter(split_from=case).exists()


@pytest.mark.parametrize("status", [Status.ASSIGNED, Status.ANSWERED, Status.MERGED])
def test_a_case_is_split_only_before_dispatch(world, clock, status):
    case = world.in_status(status)
    assert_refused(
        services.InvalidTransition,
        lambda: services.split_case(case, actor=world.dispatcher, parts=_parts("甲", "乙")),
        case,
    )


def test_only_the_intake_of_the_place_splits(world, clock):
    case = world.report()
    for user in (world.grid_worker, world.handler, world.leader, world.other_grid_worker):
        assert_refused(
            services.NotPermitted,
            lambda user=user: services.split_case(case, actor=user, parts=_parts("甲", "乙")),
            case,
        )
    town_dispatcher = make_user("split_town", Role.DISPATCHER, region=world.other_town)
    assert_refused(
        services.NotPermitted,
        lambda: services.split_case(case, actor=town_dispatcher, parts=_parts("甲", "乙")),
        case,
    )


def test_a_stale_split_makes_no_case(world, clock):
    case = world.report()
    services.triage_case(case, actor=world.dispatcher)
    with pytest.raises(services.StaleCase):
        services.split_case(
            case, actor=world.dispatcher, parts=_parts("甲", "乙"), expected_version=1
        )
    assert not Case.objects.filter(split_from=case).exists()


# --- 撤销合并 -------------------------------------------------------------------------------------


def test_unmerging_returns_the_duplicate_to_its_state_before_the_merge(world, clock):
    master = world.report(title="主事项")
    duplicate = services.triage_case(world.report(), actor=world.dispatcher)
    duplicate = services.merge_case(duplicate, actor=world.dispatcher, master=master)
    master_version = fresh(master).version
    case = services.unmerge_case(duplicate, actor=world.dispatcher, reason="并非同一诉求")
    case = fresh(case)
    assert (case.status, case.merged_into_id, case.closed_at) == (Status.TRIAGED, None, None)
    assert not fresh(master).duplicates.exists()
    assert fresh(master).version == master_version + 1
    assert_event(
        case,
        K.UNMERGED,
        actor=world.dispatcher,
        from_status=Status.MERGED,
        to_status=Status.TRIAGED,
        reason="并非同一诉求",
        data={"master": master.pk, "number": master.number},
    )
    assert_event(
        master,
        K.DUPLICATE_UNMERGED,
        actor=world.dispatcher,
        from_status=Status.REPORTED,
        to_status=Status.REPORTED,
        reason="并非同一诉求",
        data={"duplicate": case.pk, "number": case.number},
    )
    # Handled on its own again: it can be assigned, or merged elsewhere.
    assert "assigned" in services.allowed_moves(case, world.dispatcher)


def test_an_unmerged_reported_case_is_reported_again(world, clock):
    case = world.in_status(Status.MERGED)
    case = services.unmerge_case(case, actor=world.dispatcher, reason="误合并")
    assert fresh(case).status == Status.REPORTED
    assert kinds(case) == [K.REPORTED, K.MERGED, K.UNMERGED]


def test_unmerging_needs_a_reason_a_merged_case_and_a_dispatcher(world, clock):
    case = world.in_status(Status.MERGED)
    assert_refused(
        ValidationError,
        lambda: services.unmerge_case(case, actor=world.dispatcher, reason=" "),
        case,
    )
    for user in (world.leader, world.operator, world.handler, world.grid_worker):
        assert_refused(
            services.NotPermitted,
            lambda user=user: services.unmerge_case(case, actor=user, reason="误合并"),
            case,
        )
    reported = world.report()
    assert_refused(
        services.InvalidTransition,
        lambda: services.unmerge_case(reported, actor=world.dispatcher, reason="误合并"),
        reported,
    )


def test_unmerging_needs_the_master_in_the_dispatchers_scope_too(world, clock):
    """A dispatcher of the duplicate's town writes on the master's history only if the master
    is theirs to dispatch, as for the merge."""
    master = world.report(region=world.other_grid, title="龙浔主事项")
    duplicate = world.report()
    duplicate = services.merge_case(duplicate, actor=world.dispatcher, master=master)
    town_dispatcher = make_user("unmerge_town", Role.DISPATCHER, region=world.town)
    assert_refused(
        services.NotPermitted,
        lambda: services.unmerge_case(duplicate, actor=town_dispatcher, reason="误合并"),
        duplicate,
    )
    assert not CaseEvent.objects.filter(case=master, kind=K.DUPLICATE_UNMERGED).exists()


# --- 催办 ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("actor", ["dispatcher", "leader"])
def test_the_dispatcher_or_a_leader_urges_the_lead_unit(world, clock, actor):
    case = world.in_status(Status.IN_PROGRESS)
    before = fresh(case)
    case = services.urge_case(case, actor=getattr(world, actor), note=" 请今日内答复 ")
    after = fresh(case)
    assert (after.status, after.deadline, after.supervision_level) == (
        Status.IN_PROGRESS,
        before.deadline,
        0,
    )
    assert after.version == before.version + 1
    event = assert_event(
        case,
        K.URGED,
        actor=getattr(world, actor),
        from_status=Status.IN_PROGRESS,
        to_status=Status.IN_PROGRESS,
        reason="请今日内答复",
    )
    assert event.data["lead_unit"] == world.dept.pk and event.data["deadline"]


def test_urging_is_for_cases_in_handling_and_supervisors_only(world, clock):
    reported = world.report()
    assert_refused(
        services.InvalidTransition,
        lambda: services.urge_case(reported, actor=world.dispatcher),
        reported,
    )
    assigned = world.assigned()
    for user in (world.handler, world.operator, world.grid_worker):
        assert_refused(
            services.NotPermitted,
            lambda user=user: services.urge_case(assigned, actor=user),
            assigned,
        )
    services.urge_case(assigned, actor=world.dispatcher)
    assert last_event(assigned).kind == K.URGED and last_event(assigned).reason == ""
