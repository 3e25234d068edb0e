"""A meeting's page with its cases and states, and the list of recent meetings."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases import services
from cases.models import Channel, Meeting


def make_meeting(world, *, region=None, kind=Meeting.Kind.JOINT, by=None, days_ago=1, **fields):
    return Meeting.objects.create(
        kind=kind,
        title=fields.pop("title", "陶瓷产业链联席会议"),
        held_at=timezone.now() - timedelta(days=days_ago),
        region=region or world.county,
        host=fields.pop("host", world.chain_committee),
        created_by=by or world.dispatcher,
        **fields,
    )


def raise_at(world, meeting, type_code="enterprise_demand", **overrides):
    return world.report(type_code, meeting=meeting, channel=Channel.MEETING, **overrides)


def count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(url).status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("name", ["meetings:meeting-list", "meetings:meeting-detail"])
def test_an_anonymous_visitor_is_sent_to_sign_in(world, client, name):
    meeting = make_meeting(world)
    url = reverse(name, args=[meeting.pk]) if name.endswith("detail") else reverse(name)
    response = client.get(url)
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


def test_the_meeting_page_lists_its_cases_with_their_states(world, client):
    meeting = make_meeting(world, attendees="人社局、链上企业", notes="政企面对面")
    demand = raise_at(world, meeting, title="技术工人招工难")
    dispute = raise_at(world, meeting, "dispute", title="货款纠纷", region=world.grid)
    services.resolve_on_spot(
        dispute, actor=world.grid_worker, answer="当场调解", mediation_outcome="success"
    )
    raise_at(world, make_meeting(world), title="另一场会议的诉求")
    client.force_login(world.dispatcher)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert [c.pk for c in response.context["cases"]] == [demand.pk, dispute.pk]
    assert response.context["summary"] == {"total": 2, "open": 2, "on_spot": 1, "closed": 0}
    body = response.content.decode()
    assert "陶瓷产业链联席会议" in body and "人社局、链上企业" in body and "政企面对面" in body
    assert 'status-reported">受理</span>' in body  # an enterprise demand's own word
    assert 'status-answered">调处完毕</span>' in body  # a dispute's own word
    assert reverse("caseviews:case-detail", args=[demand.pk]) in body
    assert "另一场会议的诉求" not in body


def test_the_meeting_page_hides_cases_the_viewer_may_not_see(world, client):
    meeting = make_meeting(world, region=world.grid, by=world.grid_worker)
    mine = raise_at(world, meeting, region=world.grid)
    raise_at(world, meeting, region=world.other_grid, title="别的网格")
    client.force_login(world.grid_worker)
    response = client.get(reverse("meetings:meeting-detail", args=[meeting.pk]))
    assert [c.pk for c in response.context["cases"]] == [mine.pk]


@pytest.mark.parametrize("who", ["outsider", "other_grid_worker", "handler"])
def test_a_meeting_outside_ones_scope_is_not_found(world, client, who):
    meeting = make_meeting(world, region=world.grid, by=world.grid_worker)
    client.force_login(getattr(world, who))
    assert client.get(reverse("meetings:meeting-detail", args=[meeting.pk])).status_code == 404


def test_a_grid_worker_sees_meetings_of_their_grid_and_their_own(world, client):
    in_grid = make_meeting(world, region=world.grid, title="网格屋场会", kind=Meeting.Kind.EVENING)
    county = make_meeting(world, title="县级联席会议")
    own = make_meeting(world, region=world.grid, by=world.grid_worker, title="本人录入")
    client.force_login(world.grid_worker)
    listed = [m.pk for m in client.get(reverse("meetings:meeting-list")).context["page"]]
    assert set(listed) == {in_grid.pk, own.pk}
    assert client.get(reverse("meetings:meeting-detail", args=[county.pk])).status_code == 404


def test_the_list_shows_recent_meetings_first_with_their_case_counts(world, client):
    old = make_meeting(world, title="上月党委会议", days_ago=30, kind=Meeting.Kind.COMMITTEE)
    new = make_meeting(world, title="本周走访", days_ago=1, kind=Meeting.Kind.VISIT)
    raise_at(world, new)
    raise_at(world, new)
    client.force_login(world.dispatcher)
    response = client.get(reverse("meetings:meeting-list"))
    page = list(response.context["page"])
    assert [m.pk for m in page] == [new.pk, old.pk]
    assert (page[0].case_count, page[0].open_count) == (2, 2)
    body = response.content.decode()
    assert "本周走访" in body and "诉求 2 件" in body and "录入会议走访" in body
    response = client.get(reverse("meetings:meeting-list") + "?kind=committee")
    assert [m.pk for m in response.context["page"]] == [old.pk]


@pytest.mark.parametrize("who", ["outsider", "handler"])
def test_the_list_is_refused_to_people_without_a_meeting_role(world, client, who):
    client.force_login(getattr(world, who))
    assert client.get(reverse("meetings:meeting-list")).status_code == 403


def test_a_leader_reads_the_list_but_gets_no_entry_button(world, client):
    make_meeting(world)
    client.force_login(world.leader)
    response = client.get(reverse("meetings:meeting-list"))
    assert len(response.context["page"]) == 1
    assert f'href="{reverse("meetings:meeting-new")}"' not in response.content.decode()


def test_the_list_costs_the_same_queries_with_more_meetings(world, client):
    client.force_login(world.dispatcher)
    url = reverse("meetings:meeting-list")
    for i in range(3):
        raise_at(world, make_meeting(world, days_ago=i + 1))
    few = count_queries(client, url)
    for i in range(27):
        raise_at(world, make_meeting(world, days_ago=i + 4))
    assert count_queries(client, url) == few <= 8


def test_the_meeting_page_costs_the_same_queries_with_more_cases(world, client):
    client.force_login(world.dispatcher)
    meeting = make_meeting(world)
    url = reverse("meetings:meeting-detail", args=[meeting.pk])
    for _ in range(3):
        raise_at(world, meeting)
    few = count_queries(client, url)
    for _ in range(27):
        raise_at(world, meeting, "dispute")
    assert count_queries(client, url) == few <= 8
