"""The grid pages: who may open them, and the home page's counts and recent reports."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases import services
from cases.models import Status
from cases.tests.world import make_user
from people.models import Role
from web.grid import views as grid_views

LIST_PAGES = ["grid:home", "grid:report", "grid:visit-list", "grid:mediation-list"]
CASE_PAGES = ["grid:report-done", "grid:resolve", "grid:mediation", "grid:visit"]


@pytest.mark.parametrize("name", LIST_PAGES + CASE_PAGES)
def test_an_anonymous_visitor_is_sent_to_sign_in(world, client, name):
    case = world.report("dispute")
    url = reverse(name, args=[case.pk]) if name in CASE_PAGES else reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
    response = client.post(url, {})
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


@pytest.mark.parametrize("name", LIST_PAGES)
@pytest.mark.parametrize("who", ["outsider", "handler", "leader"])
def test_people_without_a_grid_role_are_refused(world, client, name, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse(name)).status_code == 403


@pytest.mark.parametrize("name", CASE_PAGES)
@pytest.mark.parametrize("who", ["outsider", "other_grid_worker", "handler"])
def test_a_case_outside_ones_scope_is_not_found(world, client, name, who):
    case = world.report("dispute")
    client.force_login(getattr(world, who))
    url = reverse(name, args=[case.pk])
    assert client.get(url).status_code == 404
    assert (
        client.post(url, {"version": case.version, "answer": "x", "note": "x"}).status_code == 404
    )


def test_a_linked_cadre_may_report_but_has_no_visits_or_mediations(world, client):
    cadre = make_user("cadre", Role.LINKED_CADRE, organisation=world.dept)
    client.force_login(cadre)
    body = client.get(reverse("grid:home")).content.decode()
    assert "上报事项" in body and "今日回访" not in body
    assert client.get(reverse("grid:report")).status_code == 200
    assert client.get(reverse("grid:visit-list")).status_code == 403


def test_the_home_page_shows_buttons_counts_and_recent_reports_in_the_types_words(world, client):
    dispute = world.report("dispute", title="邻里宅基地纠纷")
    world.report(title="路灯不亮")
    world.answered()
    mediating = world.in_status(Status.IN_PROGRESS, "dispute")
    services.resolve_on_spot(world.report(), actor=world.grid_worker, answer="已修好")
    world.report(region=world.other_grid)  # someone else's grid: not counted
    client.force_login(world.grid_worker)
    response = client.get(reverse("grid:home"))
    assert response.status_code == 200
    counts = response.context["counts"]
    assert counts == {
        "reported_today": 5,
        "on_spot_today": 1,
        "to_visit": 2,  # the answered case and the one resolved on the spot
        "mediating": 1,
    }
    body = response.content.decode()
    for label in ("上报事项", "今日回访", "调解记录", "我最近上报的"):
        assert label in body
    # Each case's state in its own type's words: a dispute is 摸排 then 调解.
    assert dispute.number in body and 'status-reported">摸排</span>' in body
    assert mediating.number in body and 'status-in_progress">调解</span>' in body
    assert reverse("grid:resolve", args=[dispute.pk]) in body


def test_the_home_page_costs_the_same_queries_with_more_cases(world, client):
    client.force_login(world.grid_worker)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(reverse("grid:home")).status_code == 200
        return len(ctx.captured_queries)

    for _ in range(3):
        world.report()
    few = count()
    for _ in range(27):
        world.report("dispute")
    assert count() == few <= 8


def test_the_home_counts_equal_one_aggregate_over_every_visible_case(world, client):
    """Two reads (the worker's own reports; the answered and in-progress cases) give the
    figures of one aggregate over every case the worker sees."""
    from django.db.models import Count, Q

    from cases.models import Status, due_for_visit_q
    from cases.scope import visible_cases
    from web.grid.forms import grid_q

    for status in (Status.REPORTED, Status.IN_PROGRESS, Status.ANSWERED, Status.CLOSED):
        world.in_status(status)
        world.in_status(status, "dispute")
    world.in_status(Status.ANSWERED, region=world.other_grid)
    case = world.report()
    services.resolve_on_spot(case, actor=world.grid_worker, answer="已当场修复。")
    client.force_login(world.grid_worker)
    counts = client.get(reverse("grid:home")).context["counts"]
    user, start = world.grid_worker, grid_views._start_of_today()
    in_grid = grid_q(user) or Q()
    expected = visible_cases(user).aggregate(
        reported_today=Count("pk", filter=Q(reported_by=user, reported_at__gte=start)),
        on_spot_today=Count(
            "pk", filter=Q(reported_by=user, resolved_on_spot=True, answered_at__gte=start)
        ),
        to_visit=Count("pk", filter=in_grid & due_for_visit_q()),
        mediating=Count(
            "pk", filter=in_grid & Q(status=Status.IN_PROGRESS, case_type__has_mediation=True)
        ),
    )
    assert counts == expected
    assert counts["on_spot_today"] == 1 and counts["reported_today"] >= 9
