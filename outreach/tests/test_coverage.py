"""coverage: per cadre by their own visits in their link's window, per town by anyone's, the
lists behind every number, the scope of the reader, a fixed number of queries."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from orgs.credit_code import make_credit_code
from orgs.models import Organisation, OrgKind
from outreach import selectors, services
from outreach.coverage import NOT_VISITED, VISITED, add_months, coverage, window
from outreach.models import Period
from people.models import EnterpriseLink, EnterpriseLinkKind

ON = date(2026, 11, 15)


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(
        datetime(2026, 11, 15, 12, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False
    ):
        yield


def log(ow, actor, day: date, *people) -> None:
    services.log_visit(
        ow.firm if actor != ow.commissioner else ow.other_firm,
        visited_on=day,
        visitors=list(people) or [actor.person],
        findings="走访了解生产经营情况。",
        actor=actor,
    )


def counts(rows) -> dict[str, tuple[int, int, int]]:
    return {r.label: (r.total, r.visited, r.not_visited) for r in rows}


def test_windows_follow_the_calendar():
    assert window(Period.MONTH, ON) == (date(2026, 11, 1), date(2026, 12, 1))
    assert window(Period.QUARTER, ON) == (date(2026, 10, 1), date(2027, 1, 1))
    assert window(Period.HALF_YEAR, ON) == (date(2026, 7, 1), date(2027, 1, 1))
    assert window(Period.YEAR, ON) == (date(2026, 1, 1), date(2027, 1, 1))
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)


def test_each_cadre_counts_their_own_visits_in_their_rhythm(ow):
    log(ow, ow.instructor, date(2026, 10, 20))  # 党建指导员: quarterly, so this quarter counts
    log(ow, ow.cadre, date(2026, 10, 25))  # 挂钩干部: monthly, last month does not
    found = coverage(ow.world.admin)
    assert counts(found.cadres) == {
        "陈志明": (1, 0, 1),
        "郑丽华": (1, 1, 0),
        "黄建国": (1, 0, 1),
    }
    # For its town the firm keeps the shortest window (a month): not visited this month.
    assert counts(found.towns) == {"浔中镇": (1, 0, 1), "龙浔镇": (1, 0, 1)}
    log(ow, ow.cadre, date(2026, 11, 2))
    found = coverage(ow.world.admin)
    assert counts(found.cadres)["陈志明"] == (1, 1, 0)
    assert counts(found.towns)["浔中镇"] == (1, 1, 0)
    assert found.firms[0].last_visit == date(2026, 11, 2)


def test_a_picked_period_applies_to_every_link(ow):
    log(ow, ow.cadre, date(2026, 10, 25))
    found = coverage(ow.world.admin, Period.QUARTER)
    assert counts(found.cadres)["陈志明"] == (1, 1, 0)
    assert counts(coverage(ow.world.admin, Period.MONTH, date(2026, 10, 3)).cadres)["陈志明"] == (
        1,
        1,
        0,
    )


def test_every_number_equals_its_list(ow):
    log(ow, ow.cadre, date(2026, 11, 3))
    log(ow, ow.commissioner, date(2026, 11, 4))
    found = coverage(ow.world.admin)
    for row in found.cadres:
        assert len(found.lines(cadre=row.key)) == row.total
        assert len(found.lines(cadre=row.key, state=VISITED)) == row.visited
        assert len(found.lines(cadre=row.key, state=NOT_VISITED)) == row.not_visited
    for row in found.towns:
        assert len(found.lines(town=row.key)) == row.total
        assert len(found.lines(town=row.key, state=VISITED)) == row.visited
        assert len(found.lines(town=row.key, state=NOT_VISITED)) == row.not_visited
    assert len(found.lines()) == len(found.firms) == 2


def test_a_reader_sees_only_the_firms_they_oversee(ow):
    assert [f.firm for f in coverage(ow.town_dispatcher).firms] == [ow.other_firm]
    assert [f.firm for f in coverage(ow.chain_dispatcher).firms] == [ow.firm]
    assert coverage(ow.cadre).firms == []  # a cadre is no overseer
    assert len(coverage(ow.world.leader).firms) == 2


def more_firms(ow, count: int) -> None:
    for i in range(count):
        firm = Organisation.objects.create(
            kind=OrgKind.ENTERPRISE,
            name=f"德化测试瓷厂{i:02d}",
            region=ow.world.grid if i % 2 else ow.world.other_grid,
            credit_code=make_credit_code("9", "1", "350526", f"MA2Y3{i:04d}"),
        )
        EnterpriseLink.objects.create(
            person=ow.cadre.person, enterprise=firm, kind=EnterpriseLinkKind.LINKED_CADRE
        )
        services.log_visit(
            firm, visited_on=ON, visitors=[ow.cadre.person], findings="正常", actor=ow.cadre
        )


@pytest.mark.parametrize("extra", [0, 12])
def test_the_queries_do_not_grow_with_the_firms(ow, extra, django_assert_num_queries):
    more_firms(ow, extra)
    admin = ow.world.admin
    assert admin.role_assignments is not None  # loaded once per request
    with django_assert_num_queries(6):
        found = coverage(admin)
    assert len(found.firms) == 2 + extra


@pytest.mark.parametrize("extra", [0, 12])
def test_the_workbench_queries_do_not_grow(ow, extra, django_assert_num_queries):
    more_firms(ow, extra)
    assert ow.cadre.role_assignments  # loaded once per request, before the page's queries
    with django_assert_num_queries(5):
        rows = selectors.my_firms(ow.cadre)
    assert len(rows) == 1 + extra


def test_the_workbench_says_when_the_next_visit_is_due(ow):
    log(ow, ow.cadre, date(2026, 10, 10))
    (row,) = selectors.my_firms(ow.cadre)
    assert (row.last_visit, row.next_due) == (date(2026, 10, 10), date(2026, 11, 10))
    assert row.overdue and row.period == Period.MONTH
    log(ow, ow.cadre, date(2026, 11, 14))
    (row,) = selectors.my_firms(ow.cadre)
    assert row.next_due == date(2026, 12, 14) and not row.overdue
    assert selectors.my_firms(ow.commissioner)[0].next_due is None  # never visited: due now


def test_the_file_page_selectors(ow, django_assert_num_queries):
    log(ow, ow.cadre, date(2026, 11, 2))
    log(ow, ow.instructor, date(2026, 11, 3))
    with django_assert_num_queries(2):
        visits = selectors.visits_for(ow.firm, limit=1)
        assert [v.visited_on for v in visits] == [date(2026, 11, 3)]
        assert [p.name for p in visits[0].visitors.all()] == ["郑丽华"]
    assert visits[0].case_count == 0
    assert selectors.briefings_for(ow.firm) == []
