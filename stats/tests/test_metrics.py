"""The rates of stats/metrics.py against numbers worked out by hand (docs/metrics.md).

Every case is made by the engine's services; time is set with time-machine.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases import services
from cases.models import Case, MediationOutcome, Satisfaction, Status
from cases.scope import visible_cases
from cases.sweep import sweep
from stats import metrics

TZ = ZoneInfo("Asia/Shanghai")
T0 = datetime(2024, 3, 4, 9, 30, tzinfo=TZ)  # a Monday, no holiday near
DAY = timedelta(days=1)


def at(moment: datetime) -> time_machine.travel:
    return time_machine.travel(moment, tick=False)


def assign(world, case: Case, *, unit=None, deadline: datetime | None = None, co_units=()) -> Case:
    case = services.triage_case(case, actor=world.dispatcher)
    return services.assign_case(
        case,
        actor=world.dispatcher,
        lead_unit=unit or world.dept,
        deadline=deadline,
        co_units=co_units,
    )


def handler(world, case: Case):
    return world.handler if case.lead_unit_id == world.dept.pk else world.other_handler


def accept(world, case: Case) -> Case:
    return services.accept_case(case, actor=handler(world, case))


def answer(world, case: Case) -> Case:
    case.refresh_from_db()  # the sweep may have climbed the escalation ladder meanwhile
    if case.status == Status.ASSIGNED:
        case = accept(world, case)
    return services.answer_case(case, actor=handler(world, case), answer="已办理，情况已反馈。")


def visit(world, case: Case, contacted: bool, resolved: bool, satisfaction: str) -> Case:
    return services.return_visit(
        case,
        actor=world.dispatcher,
        reached=True,
        contacted=contacted,
        resolved=resolved,
        satisfaction=satisfaction,
    )


def answered(world, type_code: str = "resident_issue", **kwargs) -> Case:
    return answer(world, assign(world, world.report(type_code), **kwargs))


@pytest.fixture
def visited(world):
    """4 valid visits (3 contacted, 3 resolved; 1 满意, 2 基本满意, 1 不满意), 1 unreached, 1 open."""
    with at(T0):
        specs = [
            (True, True, Satisfaction.SATISFIED),
            (True, True, Satisfaction.BASIC),
            (True, False, Satisfaction.UNSATISFIED),
            (False, True, Satisfaction.BASIC),
        ]
        for contacted, resolved, satisfaction in specs:
            visit(world, answered(world), contacted, resolved, satisfaction)
        services.return_visit(
            answered(world), actor=world.dispatcher, reached=False, note="无人接听"
        )
        world.report()
    return world


# --- The three hotline rates over valid visits ---------------------------------------------


def test_the_three_rates_share_the_valid_visits_as_their_base(visited):
    row = metrics.totals(Case.objects.all())
    assert (row.received, row.valid_visits) == (6, 4)
    assert (row.contacted, row.resolved) == (3, 3)
    assert (row.satisfied, row.basic, row.unsatisfied) == (1, 2, 1)
    assert row.response_rate == pytest.approx(0.75)  # 3 ÷ 4
    assert row.resolution_rate == pytest.approx(0.75)  # 3 ÷ 4
    assert row.satisfaction_rate == pytest.approx(0.7)  # (1 + 0.9 × 2) ÷ 4


def test_the_composite_weighs_the_three_rates(visited):
    row = metrics.totals(Case.objects.all())
    # 100 × (0.1 × 0.75 + 0.5 × 0.75 + 0.4 × 0.7) = 7.5 + 37.5 + 28
    assert row.composite_score == pytest.approx(73.0)


def test_the_basic_satisfaction_weight_and_composite_weights_are_settings(visited, settings):
    settings.LIANXIN = {
        **settings.LIANXIN,
        "BASIC_SATISFACTION_WEIGHT": 0.5,
        "COMPOSITE_WEIGHTS": {"response": 0.0, "resolution": 0.0, "satisfaction": 1.0},
    }
    row = metrics.totals(Case.objects.all())
    assert row.satisfaction_rate == pytest.approx(0.5)  # (1 + 0.5 × 2) ÷ 4
    assert row.composite_score == pytest.approx(50.0)


def test_rates_without_a_base_are_none(world):
    with at(T0):
        world.report()
        answered(world)
    row = metrics.totals(Case.objects.all())
    assert row.received == 2 and row.valid_visits == 0
    assert row.response_rate is None and row.resolution_rate is None
    assert row.satisfaction_rate is None and row.composite_score is None
    assert row.mediation_success_rate is None and row.rework_rate == 0.0


def test_an_empty_queryset_gives_an_empty_total_and_no_groups(world):
    row = metrics.totals(Case.objects.all())
    assert row.received == 0 and row.avg_handling_hours is None
    assert row.on_spot_rate is None and row.on_time_rate is None and row.rework_rate is None
    assert metrics.rates(Case.objects.all(), group_by=("month",)) == []


# --- What is counted at all --------------------------------------------------------------


def test_merged_and_rejected_cases_are_outside_every_base(world):
    with at(T0):
        master = world.report()
        services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="现场已处理")
        duplicate = world.report()
        services.merge_case(duplicate, actor=world.dispatcher, master=master, note="重复诉求")
        services.reject_case(world.report(), actor=world.dispatcher, reason="不属于受理范围")
    row = metrics.totals(Case.objects.all())
    assert Case.objects.count() == 4
    assert row.received == 2  # the master and the on-the-spot case
    assert row.on_spot == 1 and row.on_spot_rate == pytest.approx(0.5)
    [month] = metrics.rates(Case.objects.all(), group_by=("month",))
    assert month.group == {"month": 202403} and month.received == 2


def test_on_the_spot_rate_is_over_received_cases(world):
    with at(T0):
        for _ in range(2):
            services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="现场已处理")
        for _ in range(3):
            world.report()
    row = metrics.totals(Case.objects.all())
    assert (row.on_spot, row.received) == (2, 5)
    assert row.on_spot_rate == pytest.approx(0.4)
    assert row.due == 0 and row.on_time_rate is None  # on-the-spot cases never get a deadline
    assert row.answered == 2 and row.avg_handling_hours is None  # and are left out of the average


# --- On time, handling time, overdue and extensions --------------------------------------


@pytest.fixture
def deadlines_world(world):
    """a on time, b late, c overdue and unanswered, d inside its limit, g on time after an
    approved extension, e on the spot, f still in triage."""
    with at(T0):
        a, b, c, g = (assign(world, world.report(), deadline=T0 + 2 * DAY) for _ in range(4))
        assign(world, world.report(), deadline=T0 + 10 * DAY)  # d
        services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="现场已处理")  # e
        world.report()  # f
    with at(T0 + DAY):
        answer(world, a)  # 24 h, on time
        g = services.request_extension(
            accept(world, g), actor=world.handler, until=T0 + 8 * DAY, reason="需协调多个部门"
        )
        g = services.approve_extension(g, actor=world.dispatcher)
    with at(T0 + 3 * DAY):
        answer(world, b)  # 72 h, a day late
    with at(T0 + 5 * DAY):
        sweep()  # flags c overdue
    with at(T0 + 6 * DAY):
        answer(world, g)  # 144 h, before the extended deadline
    return world


def test_on_time_leaves_out_cases_still_inside_their_limit(deadlines_world):
    with at(T0 + 6 * DAY):
        row = metrics.totals(Case.objects.all())
    assert row.received == 7
    assert row.due == 4  # a, b, g answered; c overdue; not d (inside its limit), e, f (no deadline)
    assert row.on_time == 2  # a and g
    assert row.on_time_rate == pytest.approx(0.5)


def test_on_time_is_judged_against_the_extended_deadline(deadlines_world):
    g = Case.objects.get(extension_count=1)
    assert g.answered_on_time is True
    assert metrics.totals(Case.objects.filter(pk=g.pk), now=T0 + 6 * DAY).on_time_rate == 1.0


def test_now_decides_which_deadlines_have_passed(deadlines_world):
    row = metrics.totals(Case.objects.all(), now=T0 + 12 * DAY)
    assert row.due == 5  # d's deadline (T0 + 10 days) has passed too
    assert row.on_time_rate == pytest.approx(0.4)  # 2 ÷ 5


def test_dashboard_counts_and_average_handling_time(deadlines_world):
    with at(T0 + 6 * DAY):
        row = metrics.totals(Case.objects.all())
    assert row.overdue_now == 1  # c, flagged by the sweep and still in handling
    assert row.extended == 1  # g
    assert row.on_spot == 1 and row.on_spot_rate == pytest.approx(1 / 7)
    assert row.avg_handling_hours == pytest.approx(80.0)  # (24 + 72 + 144) ÷ 3, e left out


# --- Rework versus reopening ---------------------------------------------------------------


def test_rework_counts_reopenings_after_a_failed_visit_only(world):
    with at(T0):
        failed = visit(world, answered(world), True, False, Satisfaction.UNSATISFIED)
        services.reopen_case(failed, actor=world.dispatcher, reason="问题未解决，重新办理")
        passed = visit(world, answered(world), True, True, Satisfaction.SATISFIED)
        services.reopen_case(passed, actor=world.dispatcher, reason="答复不规范，补充办理")
        closed = visit(world, answered(world), True, True, Satisfaction.SATISFIED)
        services.close_case(closed, actor=world.dispatcher)
        assign(world, world.report())  # never answered: outside the base
    row = metrics.totals(Case.objects.all())
    assert (row.reworked, row.answered) == (1, 3)
    assert row.rework_rate == pytest.approx(1 / 3)
    assert row.reopened == 2 and row.closed == 1
    # Reopened cases leave the visit base until their next visit.
    assert row.valid_visits == 1 and row.satisfaction_rate == 1.0


# --- Mediation ---------------------------------------------------------------------------


def mediated(world, outcome: str, type_code: str = "dispute", **kwargs) -> Case:
    case = accept(world, assign(world, world.report(type_code), **kwargs))
    return services.record_mediation(
        case, actor=world.handler, note="双方到场调解", outcome=outcome
    )


def test_mediation_success_is_over_disputes_already_judged(world):
    with at(T0):
        answer(world, mediated(world, MediationOutcome.SUCCESS))  # d1: judged, success
        answer(world, mediated(world, MediationOutcome.FAILED))  # d2: judged
        mediated(world, MediationOutcome.SUCCESS)  # d3: still open inside its limit
        assign(world, world.report("dispute"), deadline=T0 + DAY)  # d4: will be overdue
        world.report("dispute")  # d5: found, not yet dispatched
        answer(
            world, mediated(world, MediationOutcome.SUCCESS, "ip_infringement")
        )  # judged, success
        answered(world)  # not a dispute
    with at(T0 + 2 * DAY):
        row = metrics.totals(Case.objects.all())
    assert row.disputes == 6
    assert row.disputes_judged == 4  # d1, d2, d4 and the infringement
    assert row.mediation_success == 2
    assert row.mediation_success_rate == pytest.approx(0.5)


# --- Grouping and filtering ----------------------------------------------------------------


@pytest.fixture
def months_world(world):
    with at(T0):
        c1 = visit(world, answered(world), True, True, Satisfaction.SATISFIED)
        assign(world, world.report())
        assign(world, world.report(), unit=world.other_dept)
        world.report()  # not yet assigned
    with at(datetime(2024, 3, 31, 23, 30, tzinfo=TZ)):  # 15:30 UTC: still March locally
        late = world.report()
    with at(datetime(2024, 4, 1, 10, 0, tzinfo=TZ)):
        late = answer(world, assign(world, late))  # answered in April, counted in March
    with at(datetime(2024, 4, 8, 10, 0, tzinfo=TZ)):
        assign(world, world.report())
        answer(world, assign(world, world.report(), unit=world.other_dept))
    assert c1.reported_month == 202403
    return world


def test_rates_group_by_unit_and_month_in_the_month_received(months_world):
    world = months_world
    rows = metrics.rates(Case.objects.all(), group_by=("lead_unit", "month"))
    got = [(r.group["lead_unit"], r.group["month"], r.received, r.answered) for r in rows]
    assert got == [
        (world.dept.pk, 202403, 3, 2),
        (world.dept.pk, 202404, 1, 0),
        (world.other_dept.pk, 202403, 1, 0),
        (world.other_dept.pk, 202404, 1, 1),
        (None, 202403, 1, 0),
    ]
    assert rows[0].response_rate == 1.0 and rows[1].response_rate is None


def test_with_names_labels_units_and_months_in_one_query(months_world, django_assert_num_queries):
    rows = metrics.rates(Case.objects.all(), group_by=("lead_unit", "month"))
    with django_assert_num_queries(1):
        rows = metrics.with_names(rows)
    labels = [(r.labels["lead_unit"], r.labels["month"]) for r in rows]
    assert labels[0] == ("人社局", "2024年3月")
    assert labels[3] == ("市场监管局", "2024年4月")
    assert labels[4] == ("未交办", "2024年3月")


def test_filters_narrow_by_unit_and_months(months_world):
    world = months_world
    cases = Case.objects.all()
    assert metrics.totals(metrics.filter_cases(cases, months=(202404, 202404))).received == 2
    assert metrics.totals(metrics.filter_cases(cases, months=(None, 202403))).received == 5
    assert metrics.totals(metrics.filter_cases(cases, unit=world.other_dept)).received == 2
    both = metrics.filter_cases(cases, unit=world.dept.pk, months=(202403, None))
    assert metrics.totals(both).received == 4
    with pytest.raises(ValueError):
        metrics.filter_cases(cases, months=(202413, None))


@pytest.fixture
def places_world(world):
    with at(T0):
        for region, n in (
            (world.grid, 3),
            (world.village, 1),
            (world.other_grid, 2),
            (world.county, 1),
        ):
            for _ in range(n):
                world.report(region=region, actor=world.dispatcher)
    return world


def test_rates_group_by_region_at_a_level(places_world, django_assert_num_queries):
    world = places_world
    with django_assert_num_queries(1):
        rows = metrics.rates(Case.objects.all(), group_by=("region",), region_level=2)
    assert [(r.group["region"], r.received) for r in rows] == [
        (world.county.path, 1),  # placed at the county itself
        (world.town.path, 4),
        (world.other_town.path, 2),
    ]
    with django_assert_num_queries(1):
        names = [r.labels["region"] for r in metrics.with_names(rows)]
    assert names == ["德化县", "浔中镇", "龙浔镇"]
    [county] = metrics.rates(Case.objects.all(), group_by=("region",), region_level=1)
    assert county.received == 7
    villages = metrics.rates(Case.objects.all(), group_by=("region",), region_level=3)
    assert [(r.group["region"], r.received) for r in villages] == [
        (world.county.path, 1),
        (world.village.path, 4),
        (world.other_grid.path, 2),
    ]


def test_the_region_filter_takes_a_subtree(places_world):
    world = places_world
    in_town = metrics.filter_cases(Case.objects.all(), region=world.town)
    assert metrics.totals(in_town).received == 4
    rows = metrics.rates(in_town, group_by=("region", "month"), region_level=3)
    assert [(r.group, r.received) for r in rows] == [
        ({"region": world.village.path, "month": 202403}, 4)
    ]


def test_rates_group_by_category_and_case_type(world):
    first, second = world.types["resident_issue"].categories.order_by("code")[:2]
    neighbours = world.category("dispute")
    with at(T0):
        for category in (first, first, second):
            world.report(category=category)
        world.report("dispute", category=neighbours)
        world.report()  # no category yet
    cases = Case.objects.all()
    rows = metrics.with_names(metrics.rates(cases, group_by=("category",)))
    got = {r.labels["category"]: r.received for r in rows}
    assert got == {first.name: 2, second.name: 1, neighbours.name: 1, "未分类": 1}
    assert rows[-1].group == {"category": None}
    by_type = metrics.with_names(metrics.rates(cases, group_by=("case_type",)))
    assert {r.labels["case_type"]: r.received for r in by_type} == {"民情诉求": 4, "矛盾纠纷": 1}
    assert metrics.totals(metrics.filter_cases(cases, category=first)).received == 2
    assert (
        metrics.totals(metrics.filter_cases(cases, case_type=world.types["dispute"])).received == 1
    )
    nested = metrics.rates(cases, group_by=("case_type", "category"))
    assert len(nested) == 4 and sum(r.received for r in nested) == 5


def test_group_names_are_checked(world):
    with pytest.raises(ValueError):
        metrics.rates(Case.objects.all(), group_by=("unit",))
    with pytest.raises(ValueError):
        metrics.rates(Case.objects.all(), group_by=("region",))
    with pytest.raises(ValueError):
        metrics.rates(Case.objects.all(), group_by=("month", "month"))


# --- Scoped querysets and query counts ---------------------------------------------------


def test_a_case_with_co_units_counts_once_in_a_joined_queryset(world):
    with at(T0):
        assign(world, world.report(), co_units=[world.other_dept])
    joined = Case.objects.for_unit(world.dept)
    assert joined.count() == 1
    assert metrics.totals(joined).received == 1
    [row] = metrics.rates(joined, group_by=("lead_unit",))
    assert row.received == 1
    assert metrics.totals(Case.objects.for_unit(world.other_dept)).received == 1
    assert metrics.totals(visible_cases(world.handler)).received == 1
    assert metrics.totals(visible_cases(world.outsider)).received == 0


def _queries(queryset, **kwargs) -> int:
    with CaptureQueriesContext(connection) as captured:
        metrics.rates(queryset, **kwargs)
    return len(captured.captured_queries)


def test_a_rates_call_costs_the_same_queries_over_10_or_100_cases(world):
    def grow(n: int) -> None:
        with at(T0):
            for i in range(n):
                case = world.report(region=world.grid if i % 2 else world.other_grid)
                if i % 3 == 0:
                    answer(
                        world, assign(world, case, unit=world.dept if i % 2 else world.other_dept)
                    )

    grow(10)
    shapes = [
        {"group_by": ("lead_unit", "month")},
        {"group_by": ("region", "category"), "region_level": 2},
        {},
    ]
    small = [_queries(visible_cases(world.dispatcher), **shape) for shape in shapes]
    grow(90)
    assert Case.objects.count() == 100
    large = [_queries(visible_cases(world.dispatcher), **shape) for shape in shapes]
    assert small == large == [1, 1, 1]


def test_a_reopened_case_sent_back_to_triage_leaves_the_on_time_base(world):
    with at(T0):
        case = visit(world, answered(world), True, False, Satisfaction.UNSATISFIED)
        case = services.reopen_case(case, actor=world.dispatcher, reason="问题未解决，重新办理")
        services.send_back(
            case, actor=world.handler, reason_code="not_remit", reason="不属本单位职责"
        )
        answered(world)
    sent_back = Case.objects.get(send_back_count=1)
    assert sent_back.deadline is None and sent_back.answered_on_time is True  # its first answer's
    row = metrics.totals(Case.objects.all(), now=T0 + 30 * DAY)
    assert (row.on_time, row.due, row.sent_back) == (1, 1, 1)
    assert row.rework_rate == pytest.approx(0.5)  # it was still answered once, and reworked


def test_the_unit_by_month_breakdown_reads_the_covering_index_on_sqlite(world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    if connection.vendor != "sqlite":
        pytest.skip("the covering index exists on SQLite only (migration cases 0003)")
    world.answered()
    with CaptureQueriesContext(connection) as queries:
        metrics.rates(Case.objects.all(), group_by=("lead_unit", "month"))
    (query,) = queries.captured_queries
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {query['sql']}")
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert "COVERING INDEX case_rates_cover" in plan
