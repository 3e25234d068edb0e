"""重复诉求 pages: who opens them, an alert listing its cases (a place's also in the case list),
知悉 and 关闭 with their events and errors, another town's dispatcher getting a 404, and the
alert's message in the inbox."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse

from cases.tests.helpers import local
from cases.tests.world import make_user
from hotspots import repeats
from hotspots.models import AlertStatus, RepeatAlert
from people.models import Role

pytestmark = pytest.mark.django_db

NOW = local(2026, 3, 20, 10)
LIST = reverse("hotspots:repeat-list")


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def head(world):
    return make_user("dept_head", Role.DEPT_HEAD, organisation=world.dept)


@pytest.fixture
def alerts(world, clock, head) -> tuple[RepeatAlert, RepeatAlert]:
    """One caller three times (the last case assigned to 人社局), and three calls from three
    people about one category at 龙浔第一网格."""
    category = world.category()
    for days in (30, 10):
        clock.move_to(NOW - timedelta(days=days))
        world.report(requester_phone="13905950001", title="噪音扰民")
    clock.move_to(NOW - timedelta(days=1))
    world.assigned(requester_phone="13905950001", title="噪音扰民")
    for i, days in enumerate((20, 8, 2)):
        clock.move_to(NOW - timedelta(days=days))
        world.report(region=world.other_grid, category=category, requester_phone=f"1390000000{i}")
    clock.move_to(NOW)
    repeats.detect()
    return (
        RepeatAlert.objects.get(basis="requester"),
        RepeatAlert.objects.get(basis="place"),
    )


def test_who_opens_the_pages(world, client, alerts, head):
    assert reverse("web:login") in client.get(LIST)["Location"]
    for user in (world.grid_worker, world.handler, world.resident):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
    for user, seen in (
        (world.dispatcher, 2),
        (world.leader, 2),
        (world.admin, 2),
        (head, 1),  # its unit leads the caller's latest case
    ):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == seen


def test_an_alert_shows_its_cases_masked_and_a_place_opens_them_in_the_list(world, client, alerts):
    caller, place = alerts
    client.force_login(world.dispatcher)
    body = client.get(LIST).content.decode()
    assert "139****0001" in body and "13905950001" not in body
    detail = client.get(reverse("hotspots:repeat-detail", args=[caller.pk]))
    assert len(detail.context["cases"]) == 3 and detail.context["list_url"] is None
    page = client.get(reverse("hotspots:repeat-detail", args=[place.pk]))
    listed = client.get(page.context["list_url"])
    assert listed.context["page"].paginator.count == 3
    assert {c.pk for c in listed.context["page"].object_list} == set(
        place.cases.values_list("pk", flat=True)
    )


def test_acknowledge_and_close_with_their_events(world, client, alerts, head):
    caller, _place = alerts
    detail = reverse("hotspots:repeat-detail", args=[caller.pk])
    client.force_login(head)
    body = client.get(detail).content.decode()
    assert 'id="acknowledge-form"' in body and 'id="close-form"' in body
    client.post(reverse("hotspots:repeat-acknowledge", args=[caller.pk]), {"note": "已约谈"})
    refused = client.post(
        reverse("hotspots:repeat-close", args=[caller.pk]), {"note": ""}, follow=True
    )
    assert "请填写处置说明。" in refused.content.decode()
    client.post(reverse("hotspots:repeat-close", args=[caller.pk]), {"note": "已化解矛盾"})
    caller.refresh_from_db()
    assert caller.status == AlertStatus.CLOSED and caller.note == "已化解矛盾"
    assert list(caller.events.values_list("kind", flat=True)) == [
        "raised",
        "acknowledged",
        "closed",
    ]
    assert 'id="close-form"' not in client.get(detail).content.decode()


def test_another_towns_dispatcher_gets_a_404(world, client, alerts):
    caller, place = alerts
    town1 = make_user("town1", Role.DISPATCHER, region=world.town)
    client.force_login(town1)
    assert client.get(reverse("hotspots:repeat-detail", args=[place.pk])).status_code == 404
    assert (
        client.post(reverse("hotspots:repeat-close", args=[place.pk]), {"note": "x"}).status_code
        == 404
    )
    assert client.get(reverse("hotspots:repeat-detail", args=[caller.pk])).status_code == 200


def test_the_alert_reaches_the_inbox(world, client, alerts, head):
    client.force_login(head)
    body = client.get(reverse("inbox:index")).content.decode()
    assert "重复诉求预警" in body and "诉求人 张* 139****0001 近 90 天内第 3 次反映" in body
    client.force_login(world.dispatcher)
    body = client.get(reverse("inbox:index")).content.decode()
    assert body.count("近 90 天内第 3 次反映") == 2  # the caller's and the place's


def test_the_list_costs_the_same_queries_for_one_alert_as_for_two(world, client, alerts):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    town2 = make_user("town2_leader", Role.LEADER, region=world.other_town)
    client.force_login(town2)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(LIST).context["page"].object_list) == 1
    client.force_login(world.leader)
    client.get(LIST)
    with CaptureQueriesContext(connection) as two:
        assert len(client.get(LIST).context["page"].object_list) == 2
    assert len(one) == len(two)
