"""The cases behind each figure (``part_q``), months added up (``combine``), rankings with a
minimum volume and shrinkage (``rank``), and 吹哨报到 (``whistle``), against numbers worked out
by hand. Cases are made by the engine under a set clock."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from cases import services
from cases.models import Case
from orgs.models import Organisation, OrgKind
from stats import metrics
from stats.tests.figures_world import NOW, build

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def figures(world):
    build(world)
    return world


def test_every_part_lists_as_many_cases_as_its_figure_counts(figures):
    cases = Case.objects.all()
    for group_by in ((), ("lead_unit",), ("month",), ("lead_unit", "month")):
        for row in metrics.rates(cases, group_by=group_by, now=NOW):
            narrowed = cases.filter(
                **{metrics.GROUPS[k]: v for k, v in row.group.items() if v is not None}
            )
            for name, value in row.group.items():
                if value is None:
                    narrowed = narrowed.filter(**{f"{metrics.GROUPS[name]}__isnull": True})
            for metric in metrics.METRICS:
                for part in metrics.PARTS:
                    if metrics.has_part(metric, part):
                        got = narrowed.filter(metrics.part_q(metric, part, now=NOW)).count()
                        assert got == row.count(metric, part), (row.group, metric, part)


def test_a_miss_is_the_base_less_the_numerator(figures):
    row = metrics.totals(Case.objects.all(), now=NOW)
    assert row.count("on_time_rate", "miss") == row.due - row.on_time > 0
    assert row.count("satisfaction_rate", "num") == row.satisfied + row.basic
    assert row.count("satisfaction_rate", "miss") == row.valid_visits - row.satisfied - row.basic
    assert row.count("composite_score", "num") is None


def test_unknown_metrics_and_parts_are_refused():
    with pytest.raises(ValueError):
        metrics.part_q("nonsense")
    with pytest.raises(ValueError):
        metrics.part_q("received", "den")  # a count has no base
    with pytest.raises(ValueError):
        metrics.part_q("avg_handling_hours", "num")  # hours are not a set of cases
    with pytest.raises(ValueError):
        metrics.part_q("on_time_rate", "all")
    assert not metrics.has_part("composite_score", "miss")


def test_months_combine_into_the_totals_of_the_period(figures):
    cases = Case.objects.all()
    months = metrics.rates(cases, group_by=("month",), now=NOW)
    assert len(months) == 4
    combined = metrics.combine(months)
    total = metrics.totals(cases, now=NOW)
    for name in metrics.COUNTS:
        assert getattr(combined, name) == getattr(total, name), name
    for name in metrics.RATES:
        assert getattr(combined, name) == pytest.approx(getattr(total, name)), name
    assert metrics.combine([]).received == 0 and metrics.combine([]).on_time_rate is None


def row(group: str, visits: int, composite: float | None) -> metrics.RateRow:
    return metrics.RateRow(
        group={"lead_unit": group}, valid_visits=visits, composite_score=composite
    )


def test_rankings_shrink_toward_the_average_and_set_small_groups_apart(settings):
    settings.LIANXIN = {**settings.LIANXIN, "RANKING_MIN_VOLUME": 5, "RANKING_PRIOR_WEIGHT": 10}
    rows = [
        row("few", 3, 100.0),
        row("many", 40, 90.0),
        row("some", 10, 95.0),
        row("none", 0, None),
    ]
    ranked, apart = metrics.rank(rows, prior=80.0)
    # (40 × 90 + 10 × 80) ÷ 50 = 88; (10 × 95 + 10 × 80) ÷ 20 = 87.5.
    assert [(r.row.group["lead_unit"], r.rank) for r in ranked] == [("many", 1), ("some", 2)]
    assert [r.score for r in ranked] == [pytest.approx(88.0), pytest.approx(87.5)]
    # 3 visits at 100 would have topped a raw ranking; it is listed apart, shrunk to 84.6.
    assert [r.row.group["lead_unit"] for r in apart] == ["few", "none"]
    assert apart[0].score == pytest.approx((3 * 100 + 10 * 80) / 13) and apart[0].rank is None
    assert metrics.shrunk(70.0, 5, None, 10) == 70.0  # no average: the raw value


def test_whistle_scores_departments_on_the_towns_requests(world):
    town_gov = Organisation.objects.create(
        kind=OrgKind.TOWN_GOVERNMENT, name="浔中镇人民政府", region=world.town
    )
    start = datetime(2030, 3, 4, 9, 0, tzinfo=TZ)  # a Monday

    def request(unit, handler, sign_after: timedelta | None) -> Case:
        with time_machine.travel(start, tick=False):
            case = world.report(committee=town_gov)
            case = services.triage_case(case, actor=world.dispatcher)
            case = services.assign_case(case, actor=world.dispatcher, lead_unit=unit)
        if sign_after is not None:
            with time_machine.travel(start + sign_after, tick=False):
                case = services.accept_case(case, actor=handler)
        return case

    request(world.dept, world.handler, timedelta(hours=1))
    request(world.dept, world.handler, timedelta(minutes=90))
    late = request(world.dept, world.handler, timedelta(days=3))  # past the response limit
    request(world.dept, world.handler, None)  # never signed
    request(world.other_dept, world.other_handler, timedelta(hours=2))
    with time_machine.travel(start, tick=False):
        world.assigned()  # the county's own dispatch: not a town's request
    assert late.response_deadline is not None and late.accepted_at > late.response_deadline
    later = start + timedelta(days=10)
    rows = metrics.whistle(Case.objects.all(), now=later)
    assert [(r.label, r.requests, r.accepted) for r in rows] == [
        ("人社局", 4, 3),
        ("市场监管局", 1, 1),
    ]
    dept = rows[0]
    assert dept.response_due == 4 and dept.response_on_time == 2
    assert dept.response_rate == pytest.approx(0.5)
    # (1 + 1.5 + 72) ÷ 3 hours from 交办 to 签收.
    assert dept.avg_response_hours == pytest.approx(74.5 / 3)
    assert dept.rates.received == 4
    whistle_cases = Case.objects.filter(
        metrics.whistle_part_q("whistle_response_rate", "miss", now=later)
    )
    assert whistle_cases.count() == 2
    assert Case.objects.filter(metrics.figure_q("received", whistle=True)).count() == 5
