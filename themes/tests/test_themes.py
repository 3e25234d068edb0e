"""每月一题: the candidates counted by hand over cases made by the engine, the services and the
events they write, the progress read from the theme's cases (the rates as stats counts them)
and who sees which theme."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from cases import services as moves
from cases.models import Case, Status
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from stats import metrics
from themes import progress, scope, services, suggest
from themes.models import MonthlyTheme, ThemeEvent, ThemeStatus

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 25, 10)
MONTH = 202603


def plans(count: int = 2) -> list[services.MilestonePlan]:
    return [services.MilestonePlan(f"节点{i}", date(2026, 4, 10 * i)) for i in range(1, count + 1)]


def report(world, when, region, category, **extra) -> Case:
    with time_machine.travel(when, tick=False):
        return world.report(region=region, category=category, title="停水", **extra)


@pytest.fixture
def abc(world):
    a, b, c = world.types["resident_issue"].categories.order_by("code")[:3]
    return a, b, c


@pytest.fixture
def month_cases(world, abc):
    """March 2026, by hand:
    A: 3 at the grid (浔中村, 浔中镇) + 1 at 龙浔第一网格 (a village of 龙浔镇); one a month in
       Dec, Jan and Feb (mean 1.0); a refused March case that counts nowhere.
    B: 5 at 龙浔第一网格; 6 in January and 3 in February (mean 3.0).
    C: 2 placed at 浔中镇 itself, 1 at the county itself; nothing before (mean 0).
    One March case without a category."""
    a, b, c = abc
    for day in (2, 9, 16):
        report(world, local(2026, 3, day, 10), world.grid, a)
    report(world, local(2026, 3, 20, 10), world.other_grid, a)
    for when in (local(2025, 12, 5, 10), local(2026, 1, 5, 10), local(2026, 2, 5, 10)):
        report(world, when, world.grid, a)
    refused = report(world, local(2026, 3, 21, 10), world.grid, a)
    with time_machine.travel(local(2026, 3, 21, 11), tick=False):
        moves.reject_case(refused, actor=world.dispatcher, reason="不属于受理范围。")
    for day in range(1, 6):
        report(world, local(2026, 3, day, 11), world.other_grid, b)
    for day in range(1, 7):
        report(world, local(2026, 1, day, 11), world.other_grid, b)
    for day in range(1, 4):
        report(world, local(2026, 2, day, 11), world.other_grid, b)
    report(world, local(2026, 3, 3, 12), world.town, c)
    report(world, local(2026, 3, 4, 12), world.town, c)
    report(world, local(2026, 3, 5, 12), world.county, c)
    report(world, local(2026, 3, 6, 12), world.grid, None)
    return world


def test_the_candidates_are_the_months_counts_by_hand(month_cases, abc):
    a, b, c = abc
    found = suggest.candidates(MONTH)
    assert found.total == 13  # 4 + 5 + 3 + 1 without a category; the refusal counts nowhere
    assert [(x.category, x.count, x.previous_mean) for x in found.by_count] == [
        (b, 5, 3.0),
        (a, 4, 1.0),
        (c, 3, 0.0),
    ]
    assert [(x.category, x.rise) for x in found.by_growth] == [(a, 3.0), (c, 3.0), (b, 2.0)]
    assert found.by_growth[0].growth == 3.0 and found.by_growth[1].growth is None
    assert found.by_count[1].params == {
        "category": str(a.pk),
        "month": "202603",
        "metric": "received",
    }
    w = month_cases
    towns = [(x.place, x.category, x.count, x.place_only) for x in found.towns]
    assert towns[:3] == [
        (w.other_town, b, 5, False),
        (w.town, a, 3, False),
        (w.town, c, 2, False),
    ]
    assert set(towns[3:]) == {(w.other_town, a, 1, False), (w.county, c, 1, True)}
    villages = [(x.place, x.category, x.count, x.place_only) for x in found.villages]
    assert villages[:3] == [
        (w.other_grid, b, 5, False),
        (w.village, a, 3, False),
        (w.town, c, 2, True),  # placed at the town itself: the town alone
    ]
    assert found.villages[1].params == {
        "category": str(a.pk),
        "month": "202603",
        "metric": "received",
        "region": w.village.code,
    }
    assert found.villages[2].params["place"] == w.town.code


def test_the_candidates_are_over_the_cases_given(month_cases, abc):
    a, b, _c = abc
    town_only = Case.objects.filter(
        region__path__startswith=month_cases.town.path
    )  # what 浔中镇's dispatcher sees
    found = suggest.candidates(MONTH, cases=town_only)
    assert [(x.category, x.count) for x in found.by_count][:1] == [(a, 3)]
    assert b not in {x.category for x in found.by_count}


def create(world, actor=None, **overrides) -> MonthlyTheme:
    fields = {
        "actor": actor or world.dispatcher,
        "month": MONTH,
        "title": "浔中村停水治理",
        "lead_unit": world.dept,
        "co_units": [world.other_dept],
        "milestones": plans(),
        "place": world.village,
        "category": world.category(),
    }
    fields.update(overrides)
    with time_machine.travel(NOW, tick=False):
        return services.create_theme(**fields)


def test_the_services_write_an_event_for_every_change(month_cases, abc):
    world = month_cases
    theme = create(world, source={"params": {"category": "1"}})
    assert theme.status == ThemeStatus.PROPOSED
    assert list(theme.co_units.all()) == [world.other_dept]
    assert [m.title for m in theme.milestones.all()] == ["节点1", "节点2"]
    with time_machine.travel(NOW, tick=False):
        services.activate_theme(theme, actor=world.dispatcher)
        added = services.add_matching_cases(theme, actor=world.dispatcher)
        assert len(added) == 3  # A's March cases in 浔中村 (the refusal is not counted)
        assert services.add_matching_cases(theme, actor=world.dispatcher) == []
        removed = services.remove_cases(theme, added[:1], actor=world.dispatcher, note="非本题")
        first = theme.milestones.first()
        services.complete_milestone(first, actor=world.handler, note="已排查管网。")
        with pytest.raises(ValidationError):
            services.finish_theme(theme, actor=world.dispatcher, note="完成")
        services.complete_milestone(theme.milestones.last(), actor=world.dispatcher, note="已改造")
        services.finish_theme(theme, actor=world.dispatcher, note="停水投诉下降。")
    theme.refresh_from_db()
    assert theme.status == ThemeStatus.DONE and theme.cases.count() == 2
    events = list(ThemeEvent.objects.filter(theme=theme).values_list("kind", "data"))
    assert [kind for kind, _data in events] == [
        "created",
        "activated",
        "cases_added",
        "cases_removed",
        "milestone_done",
        "milestone_done",
        "finished",
    ]
    assert events[0][1]["source"] == {"params": {"category": "1"}}
    assert events[2][1]["cases"] == added and events[2][1]["rule"]["first_month"] == MONTH
    assert events[3][1]["cases"] == removed


def test_the_services_refuse_what_the_rules_forbid(world):
    with pytest.raises(ValidationError) as error:
        create(world, milestones=plans(1))
    assert "milestones" in error.value.message_dict
    with pytest.raises(ValidationError):
        create(world, co_units=[world.dept])  # the lead unit again
    with pytest.raises(ValidationError):
        create(world, title="  ")
    with pytest.raises(PermissionDenied):
        create(world, actor=world.handler)
    town2 = make_user("town2", Role.DISPATCHER, region=world.other_town)
    with pytest.raises(ValidationError) as error:
        create(world, actor=town2)  # 浔中村 is not in 龙浔镇
    assert "place" in error.value.message_dict
    theme = create(world)
    with pytest.raises(ValidationError):  # not active yet
        services.complete_milestone(theme.milestones.first(), actor=world.dispatcher, note="x")
    with pytest.raises(PermissionDenied):
        services.activate_theme(theme, actor=town2)
    services.drop_theme(theme, actor=world.dispatcher, note="并入下月题目")
    with pytest.raises(ValidationError):
        services.add_matching_cases(theme, actor=world.dispatcher)
    assert MonthlyTheme.objects.get().status == ThemeStatus.DROPPED


def test_progress_reads_milestones_and_the_rates_of_its_cases(world):
    with time_machine.travel(NOW - timedelta(days=3), tick=False):
        closed = world.in_status(Status.CLOSED)
        verified = world.verified(passed=False)
        answered = world.answered()
        merged = world.in_status(Status.MERGED)
    theme = create(world, place=None)
    other = create(world, place=None, title="另一题")
    with time_machine.travel(NOW, tick=False):
        services.activate_theme(theme, actor=world.dispatcher)
        services.add_cases(theme, [closed, verified, answered, merged], actor=world.dispatcher)
        services.complete_milestone(theme.milestones.first(), actor=world.handler, note="完成")
        found = progress.progress([theme, other])
    mine = found[theme.pk]
    assert (mine.milestones_done, mine.milestones_total) == (1, 2)
    assert (mine.cases_closed, mine.cases_total) == (1, 3)  # the merged duplicate counts nowhere
    with time_machine.travel(NOW, tick=False):
        expected = metrics.totals(Case.objects.filter(monthly_themes=theme))
    assert mine.rates.on_time_rate == expected.on_time_rate
    assert mine.rates.satisfaction_rate == expected.satisfaction_rate == 0.5
    assert found[other.pk].cases_total == 0 and found[other.pk].milestones_total == 2
    lines = progress.theme_lines([theme])
    assert lines[0]["lead_unit"] == "人社局" and lines[0]["co_units"] == ["市场监管局"]
    assert (lines[0]["cases_closed"], lines[0]["cases_total"]) == (1, 3)


def test_a_towns_dispatcher_sees_only_its_themes(world):
    own = create(world)
    county_wide = create(world, place=None, title="全县")
    town2 = make_user("town2", Role.DISPATCHER, region=world.other_town)
    elsewhere = create(world, actor=town2, place=world.other_grid, title="龙浔")
    town1 = make_user("town1", Role.DISPATCHER, region=world.town)
    assert set(scope.visible_themes(town1)) == {own}
    assert set(scope.visible_themes(town2)) == {elsewhere}
    assert set(scope.visible_themes(world.dispatcher)) == {own, county_wide, elsewhere}
    assert set(scope.visible_themes(world.leader)) == {own, county_wide, elsewhere}
    # The lead unit's and the co-units' staff see their themes; others see nothing.
    assert set(scope.visible_themes(world.handler)) == {own, county_wide, elsewhere}
    head = make_user("head2", Role.DEPT_HEAD, organisation=world.other_dept)
    assert set(scope.visible_themes(head)) == {own, county_wide, elsewhere}
    assert not scope.visible_themes(world.grid_worker).exists()
    assert scope.may_run(town1, own) and not scope.may_run(town1, county_wide)
    assert scope.may_mark_milestone(world.handler, own) and not scope.may_run(world.handler, own)
