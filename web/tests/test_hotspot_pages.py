"""热点预警 pages: who sees them, each alert opening exactly its cases in the case list, the
dispatcher's 知悉 and 关闭 with their events and errors, another town's dispatcher getting a 404,
and the suggestion partial."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.tests.helpers import local
from cases.tests.world import make_user
from hotspots import suggest
from hotspots.models import AlertStatus, HotSpot, HotSpotEvent
from hotspots.tests.factories import raised, trained
from people.models import Role

NOW = local(2026, 3, 20, 10)
LIST = reverse("hotspots:list")


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def alert(world) -> HotSpot:
    return raised(world, NOW)


@pytest.fixture
def town2(world):
    return make_user("town2_dispatcher", Role.DISPATCHER, region=world.other_town)


def test_who_opens_the_page(world, client, alert):
    assert reverse("web:login") in client.get(LIST)["Location"]
    for user in (world.grid_worker, world.handler, world.resident):
        client.force_login(user)
        assert client.get(LIST).status_code == 403
    for user in (world.dispatcher, world.leader, world.admin):
        client.force_login(user)
        response = client.get(LIST)
        assert response.status_code == 200
        assert f'id="hotspot-{alert.pk}"' in response.content.decode()


def test_the_nav_offers_it_to_dispatchers_and_leaders(world, client):
    client.force_login(world.dispatcher)
    assert LIST in client.get(reverse("web:home")).content.decode()
    client.force_login(world.grid_worker)
    assert LIST not in client.get(reverse("web:home")).content.decode()


def test_each_alert_opens_exactly_its_cases(world, client, alert):
    client.force_login(world.dispatcher)
    page = client.get(LIST)
    rows = page.context["rows"]
    assert [a.pk for a, _ in rows] == [alert.pk]
    url = rows[0][1]
    assert "热点预警" in page.content.decode() and url in page.content.decode().replace(
        "&amp;", "&"
    )
    listed = client.get(url)
    assert listed.status_code == 200
    assert listed.context["page"].paginator.count == alert.count == 5
    assert {c.pk for c in listed.context["page"].object_list} == set(
        alert.cases.values_list("pk", flat=True)
    )
    detail = client.get(reverse("hotspots:detail", args=[alert.pk]))
    assert detail.status_code == 200
    assert len(detail.context["cases"]) == 5
    body = detail.content.decode()
    assert 'id="acknowledge-form"' in body and 'id="close-form"' in body


def test_the_list_takes_the_same_queries_for_more_alerts(
    world, client, alert, django_assert_num_queries
):
    client.force_login(world.dispatcher)
    client.get(LIST)
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(LIST).context["rows"]) == 1
    raised(world, NOW, region=world.other_grid)
    raised(world, NOW, region=world.town)
    assert len(one.captured_queries) == 7  # the whole request, whatever the number of alerts
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(LIST).context["rows"]) == 3


def test_acknowledge_and_close_with_a_note(world, client, alert):
    client.force_login(world.dispatcher)
    url = reverse("hotspots:acknowledge", args=[alert.pk])
    response = client.post(url, {"note": "已通知水务站排查"}, follow=True)
    assert "已知悉该热点预警" in response.content.decode()
    assert HotSpot.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    # A second 知悉 is refused in words, not a 500.
    response = client.post(url, {"note": ""}, follow=True)
    assert "该预警已知悉或已关闭" in response.content.decode()

    close = reverse("hotspots:close", args=[alert.pk])
    response = client.post(close, {"note": "  "}, follow=True)
    assert "请填写处置说明" in response.content.decode()
    response = client.post(close, {"note": "x" * 2001}, follow=True)
    assert response.status_code == 200
    assert HotSpot.objects.get(pk=alert.pk).status == AlertStatus.ACKNOWLEDGED
    response = client.post(close, {"note": "管网修复，已恢复供水。"}, follow=True)
    assert "已关闭该热点预警" in response.content.decode()
    closed = HotSpot.objects.get(pk=alert.pk)
    assert (closed.status, closed.note) == (AlertStatus.CLOSED, "管网修复，已恢复供水。")
    assert list(HotSpotEvent.objects.filter(hotspot=alert).values_list("kind", flat=True)) == [
        "raised",
        "acknowledged",
        "closed",
    ]
    # Closed: out of the default list, in the closed one, no forms.
    assert client.get(LIST).context["rows"] == []
    assert len(client.get(LIST + "?status=closed").context["rows"]) == 1
    assert len(client.get(LIST + "?status=<script>").context["rows"]) == 0
    body = client.get(reverse("hotspots:detail", args=[alert.pk])).content.decode()
    assert 'id="close-form"' not in body


def test_another_towns_dispatcher_gets_a_404(world, client, alert, town2):
    client.force_login(town2)
    assert client.get(LIST).context["rows"] == []
    for name in ("hotspots:detail",):
        assert client.get(reverse(name, args=[alert.pk])).status_code == 404
    for name in ("hotspots:acknowledge", "hotspots:close"):
        assert client.post(reverse(name, args=[alert.pk]), {"note": "x"}).status_code == 404
    assert HotSpot.objects.get(pk=alert.pk).status == AlertStatus.OPEN
    assert client.get(f"/hotspots/{2**63}/").status_code == 404


def test_a_leader_reads_but_does_not_handle(world, client, alert):
    client.force_login(world.leader)
    body = client.get(reverse("hotspots:detail", args=[alert.pk])).content.decode()
    assert 'id="close-form"' not in body
    response = client.post(reverse("hotspots:close", args=[alert.pk]), {"note": "领导关闭"})
    assert response.status_code == 403
    assert HotSpot.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_moves_need_post_and_csrf(world, alert):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(world.dispatcher)
    url = reverse("hotspots:acknowledge", args=[alert.pk])
    assert client.get(url).status_code == 405
    assert client.post(url, {"note": "x"}).status_code == 403
    assert HotSpot.objects.get(pk=alert.pk).status == AlertStatus.OPEN


def test_the_suggestion_partial(world, client, settings, tmp_path, town2):
    settings.VAR_DIR = tmp_path
    suggest._loaded.clear()
    case = world.report(title="路灯不亮", description="村口路灯不亮，夜间漆黑。")
    url = reverse("hotspots:suggestions", args=[case.pk])
    client.force_login(world.dispatcher)
    assert "智能建议尚未训练" in client.get(url).content.decode()
    trained(world, NOW)
    response = client.get(url)
    body = response.content.decode()
    first = world.types["resident_issue"].categories.order_by("code").first()
    assert response.context["suggestions"].categories[0][0] == first
    assert f'<li data-id="{first.pk}">{first.name}' in body and "置信度" in body
    assert "市场监管局" in body  # the other department, learnt for 路灯
    assert "<html" not in body  # a partial, for htmx
    # Scope and roles: another town's dispatcher gets a 404, a grid worker who sees it a 403.
    client.force_login(town2)
    assert client.get(url).status_code == 404
    client.force_login(world.grid_worker)
    assert client.get(url).status_code == 403
    client.force_login(world.dispatcher)
    assert client.get(f"/hotspots/suggestions/{2**63}/").status_code == 404
