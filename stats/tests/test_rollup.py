"""The rollup (stats.rollup) gives the figures the live GROUP BYs give, for every grouping the
dashboard reads, for every scope it serves, and after moves of every kind — a reassignment that
changes a case's unit, a merge, a refusal, a reopening, an extension, a passing deadline —
through nothing but the engine's events."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import services
from cases.models import Case, Status
from cases.scope import visible_cases
from cases.tests.world import make_user
from people.models import Role
from stats import metrics, rollup
from stats.models import CaseRollup, RollupState
from stats.tests.figures_world import NOW, build

TZ = ZoneInfo("Asia/Shanghai")
GROUPINGS: list[tuple[tuple[str, ...], int | None]] = [
    ((), None),
    (("month",), None),
    (("lead_unit",), None),
    (("lead_unit", "month"), None),
    (("region",), 2),
    (("region",), 1),
    (("station",), None),
    (("case_type", "category"), None),
    (("case_type",), None),
]


def live(user, group_by, region_level=None, case_type=None, months=None, now=NOW):
    cases = metrics.filter_cases(
        visible_cases(user, Case.objects.all()), case_type=case_type, months=months
    )
    if "station" in group_by:
        cases = cases.filter(station__isnull=False)
    return metrics.rates(cases, group_by=group_by, region_level=region_level, now=now)


def assert_same(user, *, case_type=None, months=None, now=NOW, clock=False) -> int:
    """Every grouping from the rollup equals the live one; returns the rows compared. With
    ``clock`` the rollup reads at its own moment (the clock's, ``now``), as a page does, and so
    uses its stored live counts."""
    source = rollup.Source.for_user(user, case_type=case_type, months=months)
    assert source is not None
    compared = 0
    for group_by, level in GROUPINGS:
        expected = live(user, group_by, level, case_type, months, now)
        got = source.rates(group_by, region_level=level, now=None if clock else now)
        assert [r.group for r in got] == [r.group for r in expected], group_by
        for a, b in zip(got, expected, strict=True):
            for name in metrics.COUNTS:
                assert getattr(a, name) == getattr(b, name), (group_by, a.group, name)
            for name in metrics.RATES:
                x, y = getattr(a, name), getattr(b, name)
                assert (x is None) == (y is None), (group_by, a.group, name)
                if x is not None:
                    assert x == pytest.approx(y, rel=1e-9), (group_by, a.group, name)
            compared += 1
    return compared


@pytest.fixture
def figures(world):
    extra = build(world)
    world.town_leader = make_user("town_leader", Role.LEADER, region=world.town)
    world.county_leader = make_user("county_leader", Role.LEADER, region=world.county)
    return world, extra


def test_rollup_equals_live_for_every_grouping_and_scope(figures):
    world, _extra = figures
    for user in (world.leader, world.county_leader, world.town_leader, world.dispatcher):
        assert assert_same(user) > 0
    types = {c.case_type_id for c in Case.objects.all()}
    for case_type in types:
        assert_same(world.leader, case_type=case_type, months=(203003, 203006))
    assert_same(world.county_leader, months=(202906, 203005))


def test_counts_that_depend_on_the_moment_are_live(figures):
    world, _extra = figures
    source = rollup.Source.for_user(world.leader)
    assert source is not None
    for now in (NOW - timedelta(days=60), NOW, NOW + timedelta(days=400)):
        assert_same(world.leader, now=now)
    later = source.totals(now=NOW + timedelta(days=400))
    assert later.due >= source.totals(now=NOW).due


def test_stored_live_counts_hold_until_a_deadline_passes(figures):
    """Read at the clock's moment, the moment-dependent counts come from the buckets; when a
    deadline passes, the buckets of the cases it concerns are counted again."""
    world, _extra = figures
    for moment in (
        NOW,
        NOW + timedelta(hours=1),
        NOW + timedelta(days=3),
        NOW + timedelta(days=30),
        NOW + timedelta(days=400),
    ):
        with time_machine.travel(moment, tick=False):
            assert_same(world.leader, now=moment, clock=True)
            assert_same(world.county_leader, now=moment, clock=True)
            state = RollupState.objects.get()
            # Counted again only if a deadline passed; the counts hold until the next one.
            assert state.live_at <= moment
            assert state.live_until is None or state.live_until >= moment
    with time_machine.travel(NOW + timedelta(days=400), tick=False):
        assert rollup.refresh() == []  # nothing moved, no deadline passed


def test_viewers_the_rollup_cannot_serve_compute_live(figures):
    world, _extra = figures
    assert rollup.Source.for_user(world.handler) is None  # a department's cases
    assert rollup.Source.for_user(world.leader) is not None
    # A town leader who reported a case elsewhere sees it too: the rollup steps aside.
    with time_machine.travel(NOW, tick=False):
        services.report_case(
            actor=world.town_leader,
            case_type=world.types["resident_issue"],
            region=world.other_grid,
            title="路灯",
            description="路灯不亮。",
            channel="meeting",
        )
    assert rollup.Source.for_user(world.town_leader) is None


def test_moves_of_every_kind_keep_it_exact(world):
    """Built empty, the rollup follows the world's making (reports, triage, assignment, answers,
    visits, reopenings, closing, merges, refusals, extensions, send-backs, the sweep) through
    its events alone; then a reassignment moves a case to another unit in a month already read."""
    assert rollup.refresh() == []
    assert RollupState.objects.get().built
    build(world)
    assert rollup.refresh()  # the months the events touched
    assert rollup.refresh() == []  # nothing new
    assert_same(world.leader)

    case = (
        Case.objects.filter(lead_unit=world.dept, status__in=(Status.ASSIGNED, Status.IN_PROGRESS))
        .order_by("pk")
        .first()
    )
    assert case is not None
    month = case.reported_month
    before = {
        r.group["lead_unit"]: r.received
        for r in rollup.Source.for_user(world.leader).rates(("lead_unit",), now=NOW)
    }
    with time_machine.travel(NOW, tick=False):
        services.reassign_case(
            case, actor=world.dispatcher, lead_unit=world.other_dept, reason="职责调整。"
        )
    assert rollup.refresh() == [(month, case.region_id)]
    after = {
        r.group["lead_unit"]: r.received
        for r in rollup.Source.for_user(world.leader).rates(("lead_unit",), now=NOW)
    }
    assert after[world.dept.pk] == before[world.dept.pk] - 1
    assert after[world.other_dept.pk] == before[world.other_dept.pk] + 1
    assert_same(world.leader)


def test_an_event_committed_below_the_watermark_is_caught(figures):
    """An id handed out before the last read but committed after it (a long transaction):
    the count of events under the watermark changes, and their months are recomputed."""
    world, _extra = figures
    rollup.refresh()
    state = RollupState.objects.get()
    case = Case.objects.filter(status=Status.CLOSED).order_by("pk").first()
    assert case is not None
    # Pretend the last read had seen one event fewer in its window, and a stale bucket.
    RollupState.objects.filter(pk=1).update(window_count=state.window_count - 1)
    CaseRollup.objects.filter(month=case.reported_month).update(received=0)
    rollup.refresh()
    assert_same(world.leader)


def test_rebuild_counts_cases_written_without_events(figures):
    world, _extra = figures
    rollup.refresh()
    template = Case.objects.filter(status=Status.CLOSED).order_by("pk").first()
    assert template is not None
    template.pk = None
    template.number = "LXC00000000001"
    template.source_key = None
    template.save()
    rollup.rebuild()
    assert_same(world.leader)


def test_the_dashboard_reads_the_rollup(figures, client):
    """The leader's dashboard fills the rollup, and its figures are the live ones (the page
    tests in web/tests/test_dashboard_figures.py follow every figure to its list)."""
    world, _extra = figures
    with time_machine.travel(NOW, tick=False):
        client.force_login(world.leader)
        response = client.get("/dashboard/?start=203001&end=203006")
    assert response.status_code == 200
    assert CaseRollup.objects.filter(dim=CaseRollup.UNIT).exists()
    assert RollupState.objects.get().built


def test_a_case_whose_clock_stands_is_not_yet_due(world):
    """应办结 leaves out a case past its deadline while its clock stands (a pause): its deadline
    moves on when the clock runs again. Live and rollup agree at every step."""
    with time_machine.travel(NOW - timedelta(days=20), tick=False):
        case = services.accept_case(world.assigned(), actor=world.handler)
        case = services.pause_clock(case, actor=world.dispatcher, reason="等待第三方鉴定。")
    deadline = case.deadline
    assert deadline is not None
    past = deadline + timedelta(days=1)

    def due_and_overdue(now):
        row = live(world.leader, (), now=now)[0]
        assert_same(world.leader, now=now)
        return row.due, row.overdue_now

    assert due_and_overdue(past) == (0, 0)
    with time_machine.travel(past, tick=False):
        case = services.resume_clock(case, actor=world.dispatcher)
    assert case.deadline > deadline  # moved on by the time it stood
    assert due_and_overdue(past) == (0, 0)
    assert due_and_overdue(case.deadline + timedelta(minutes=1)) == (1, 1)
    # The figure's list holds what the figure counts.
    due_cases = Case.objects.filter(metrics.part_q("on_time_rate", metrics.DEN, now=past))
    assert not due_cases.exists()
