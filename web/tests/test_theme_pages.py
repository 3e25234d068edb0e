"""每月一题 pages: who opens them, the new-theme page's candidates each opening exactly their
cases, creating a theme from one (milestones, units, its cases by rule), the theme's moves with
their events and errors, a town's dispatcher seeing only its themes, and the dashboard's
section."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from urllib.parse import urlencode

import pytest
import time_machine
from django.urls import reverse

from cases.models import Case
from cases.tests.helpers import local
from cases.tests.world import make_user
from people.models import Role
from themes import services
from themes.models import MonthlyTheme, ThemeEvent, ThemeStatus

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 25, 10)
LIST = reverse("themes:list")
NEW = reverse("themes:new")


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def water(world):
    return world.category()


@pytest.fixture
def reported(world, clock, water) -> list[Case]:
    """Four 停水 in 浔中村 this month, one in 龙浔镇."""
    cases = []
    for day in (2, 5, 9, 12):
        clock.move_to(local(2026, 3, day, 10))
        cases.append(world.report(category=water, title="停水"))
    clock.move_to(local(2026, 3, 14, 10))
    world.report(category=water, region=world.other_grid, title="停水")
    clock.move_to(NOW)
    return cases


def theme(world, actor=None, place=None, title="浔中村停水治理") -> MonthlyTheme:
    return services.create_theme(
        actor=actor or world.dispatcher,
        month=202603,
        title=title,
        lead_unit=world.dept,
        place=place or world.village,
        category=world.category(),
        milestones=[
            services.MilestonePlan("排查管网", date(2026, 4, 10)),
            services.MilestonePlan("改造老旧管道", date(2026, 4, 30)),
        ],
    )


def test_who_opens_the_pages(world, client):
    assert reverse("web:login") in client.get(LIST)["Location"]
    for user in (world.grid_worker, world.resident, world.outsider):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
    for user in (world.dispatcher, world.leader, world.handler, world.admin):
        client.force_login(user)
        assert client.get(LIST).status_code == 200
    client.force_login(world.handler)
    assert client.get(NEW).status_code == 403
    client.force_login(world.dispatcher)
    assert LIST in client.get(reverse("web:home")).content.decode()


def test_the_candidates_open_exactly_their_cases(world, client, reported, water):
    client.force_login(world.dispatcher)
    page = client.get(NEW)
    assert page.status_code == 200
    found = page.context["found"]
    assert found.total == 5 and [(c.category, c.count) for c in found.by_count] == [(water, 5)]
    village = page.context["candidates"]["villages"][0]
    assert (village["candidate"].place, village["candidate"].count) == (world.village, 4)
    body = page.content.decode().replace("&amp;", "&")
    assert village["url"] in body and village["pick"] in body
    listed = client.get(village["url"])
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == 4
    assert {c.pk for c in listed.context["page"].object_list} == {c.pk for c in reported}
    # Picking it fills the form.
    picked = client.get(NEW + village["pick"])
    initial = picked.context["form"].initial
    assert initial["category"] == water.pk and initial["place"] == world.village.code
    assert initial["title"] == f"{world.village.name}{water.name}问题治理"


def test_a_theme_is_made_from_a_candidate_with_its_cases(world, client, reported, water):
    client.force_login(world.dispatcher)
    data = {
        "month": "202603",
        "title": "浔中村停水治理",
        "description": "本月停水投诉集中。",
        "category": str(water.pk),
        "place": world.village.code,
        "lead_unit": str(world.dept.pk),
        "co_units": [str(world.other_dept.pk)],
        "milestone_1": "排查管网",
        "milestone_1_due": "2026-04-10",
        "milestone_2": "改造老旧管道",
        "milestone_2_due": "2026-04-30",
        "activate": "on",
        "include": "on",
        "source_month": "202603",
        "source_count": "4",
    }
    one = {k: v for k, v in data.items() if not k.startswith("milestone_2")}
    refused = client.post(NEW, one)
    assert refused.status_code == 200 and not MonthlyTheme.objects.exists()
    assert "每月一题需要 2 至 3 个具体节点任务。" in refused.content.decode()
    response = client.post(NEW, data)
    made = MonthlyTheme.objects.get()
    assert response["Location"] == reverse("themes:detail", args=[made.pk])
    assert made.status == ThemeStatus.ACTIVE and made.place == world.village
    assert set(made.cases.all()) == set(reported)
    assert list(made.co_units.all()) == [world.other_dept]
    assert list(ThemeEvent.objects.values_list("kind", flat=True)) == [
        "created",
        "activated",
        "cases_added",
    ]
    assert ThemeEvent.objects.first().data["source"] == {"data_month": 202603, "count": 4}
    listing = client.get(LIST)
    row = listing.content.decode()
    assert f'id="theme-{made.pk}"' in row and "0/2" in row and "0/4" in row


def test_the_moves_write_events_and_say_what_is_wrong(world, client, reported):
    made = theme(world)
    detail = reverse("themes:detail", args=[made.pk])
    client.force_login(world.dispatcher)
    client.post(reverse("themes:activate", args=[made.pk]))
    numbers = " ".join(c.number for c in reported[:2])
    client.post(reverse("themes:cases-add-numbers", args=[made.pk]), {"numbers": numbers})
    assert made.cases.count() == 2
    response = client.post(
        reverse("themes:cases-add-numbers", args=[made.pk]), {"numbers": "LX000 "}, follow=True
    )
    assert "未找到或无权查看：LX000" in response.content.decode()
    client.post(
        reverse("themes:cases-add-rule", args=[made.pk]),
        {"first_month": "202603", "last_month": "202603"},
    )
    assert made.cases.count() == 4
    client.post(reverse("themes:cases-remove", args=[made.pk]), {"case": [reported[0].pk]})
    assert made.cases.count() == 3
    first, second = made.milestones.all()
    client.force_login(world.handler)  # the lead unit marks its milestones
    page = client.get(detail)
    assert page.context["may_mark"] and not page.context["may_run"]
    empty = client.post(
        reverse("themes:milestone-done", args=[made.pk, first.pk]), {"note": ""}, follow=True
    )
    assert "请填写完成情况。" in empty.content.decode()
    for m in (first, second):
        client.post(reverse("themes:milestone-done", args=[made.pk, m.pk]), {"note": "已完成"})
    client.force_login(world.dispatcher)
    client.post(reverse("themes:finish", args=[made.pk]), {"note": "停水投诉明显下降。"})
    made.refresh_from_db()
    assert made.status == ThemeStatus.DONE
    assert list(made.events.values_list("kind", flat=True)) == [
        "created",
        "activated",
        "cases_added",
        "cases_added",
        "cases_removed",
        "milestone_done",
        "milestone_done",
        "finished",
    ]
    body = client.get(detail).content.decode()
    assert "节点完成 2/2" in body and 'id="finish-form"' not in body


def test_a_towns_dispatcher_sees_only_its_themes(world, client):
    own = theme(world)
    town2 = make_user("town2", Role.DISPATCHER, region=world.other_town)
    other = theme(world, actor=town2, place=world.other_grid, title="龙浔停水治理")
    client.force_login(town2)
    rows = client.get(LIST).context["rows"]
    assert [t.pk for t, _p in rows] == [other.pk]
    assert client.get(reverse("themes:detail", args=[own.pk])).status_code == 404
    assert client.post(reverse("themes:activate", args=[own.pk])).status_code == 404
    assert client.get(reverse("themes:detail", args=[other.pk])).status_code == 200
    # Its new-theme page offers only its own places.
    choices = client.get(NEW).context["form"].fields["place"].choices
    codes = {code for _g, opts in choices if isinstance(opts, list) for code, _l in opts}
    assert world.other_grid.code in codes and world.village.code not in codes
    assert "" not in {value for value, _l in choices}  # not the whole county either


def test_the_dashboard_shows_this_months_themes_and_progress(world, client, reported):
    made = theme(world)
    services.activate_theme(made, actor=world.dispatcher)
    services.add_matching_cases(made, actor=world.dispatcher)
    services.complete_milestone(made.milestones.first(), actor=world.handler, note="已排查")
    dropped = theme(world, title="已撤销的题")
    services.drop_theme(dropped, actor=world.dispatcher, note="重复")
    client.force_login(world.leader)
    response = client.get(reverse("dashboard:index"))
    assert [t.pk for t in response.context["themes"]] == [made.pk]
    shown = response.context["themes"][0]
    assert (shown.milestones_done, shown.milestones_total) == (1, 2)
    assert (shown.cases_closed, shown.cases_total) == (0, 4)
    body = response.content.decode()
    assert 'id="month-themes"' in body and "浔中村停水治理" in body and "已撤销的题" not in body
    town2 = make_user("town2_leader", Role.LEADER, region=world.other_town)
    client.force_login(town2)
    assert client.get(reverse("dashboard:index")).context["themes"] == []


def test_bad_input_is_a_clear_error_not_a_500(world, client):
    client.force_login(world.dispatcher)
    assert (
        client.get(NEW + "?" + urlencode({"data_month": "x", "category": "abc"})).status_code == 200
    )
    bad = client.post(NEW, {"month": "209912", "title": "x", "lead_unit": "999999"})
    assert bad.status_code == 200 and not MonthlyTheme.objects.exists()
    assert client.get(reverse("themes:detail", args=[2**63])).status_code == 404


def test_the_list_costs_the_same_queries_for_one_theme_as_for_five(world, client, reported):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = theme(world)
    services.add_matching_cases(first, actor=world.dispatcher)
    client.force_login(world.dispatcher)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        client.get(LIST)
    for i in range(4):
        services.add_cases(theme(world, title=f"题{i}"), reported, actor=world.dispatcher)
    with CaptureQueriesContext(connection) as five:
        response = client.get(LIST)
    assert len(response.context["rows"]) == 5
    assert len(one) == len(five)
