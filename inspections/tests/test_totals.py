"""Campaign totals by town: each number equals the length of the list it opens, a reader counts
only what they may see, fixed queries."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, Status
from inspections import totals
from inspections.tests.helpers import finding, inspect


def _world(iw):
    world = iw.world
    a = inspect(iw, findings=[finding(), finding("液化气瓶放置在地下室。")])
    inspect(iw)
    inspect(iw, actor=iw.town_dispatcher, region=world.other_grid, findings=[finding()])
    done = a.findings.order_by("pk").first()
    Case.objects.filter(pk=done.case_id).update(status=Status.ANSWERED)
    return a


def test_the_totals_count_by_town(iw):
    _world(iw)
    result = totals.campaign_totals(iw.world.admin, iw.campaign)
    by_town = {line.town.name: line for line in result.lines}
    assert (by_town["浔中镇"].inspected, by_town["浔中镇"].found, by_town["浔中镇"].rectified) == (
        2,
        2,
        1,
    )
    assert by_town["浔中镇"].rate == 0.5
    assert (by_town["龙浔镇"].inspected, by_town["龙浔镇"].found) == (1, 1)
    assert (result.total.inspected, result.total.found, result.total.rectified) == (3, 3, 1)


def test_each_number_equals_its_list(iw):
    _world(iw)
    user = iw.world.admin
    for line in totals.campaign_totals(user, iw.campaign).lines:
        town = line.town
        inspected = totals.in_town(totals.inspections_for(user, iw.campaign), town)
        found = totals.in_town(totals.findings_for(user, iw.campaign), town, "inspection__")
        assert inspected.count() == line.inspected
        assert found.count() == line.found
        assert totals.rectified(found).count() == line.rectified


def test_a_town_dispatcher_counts_only_their_town(iw):
    _world(iw)
    result = totals.campaign_totals(iw.town_dispatcher, iw.campaign)
    assert [line.town.name for line in result.lines] == ["龙浔镇"]
    assert result.total.inspected == 1


def test_the_totals_take_three_queries(iw):
    _world(iw)
    user = iw.world.admin
    user.role_assignments  # noqa: B018 - loaded once per request, before the count
    with CaptureQueriesContext(connection) as ctx:
        totals.campaign_totals(user, iw.campaign)
    assert len(ctx.captured_queries) == 3
