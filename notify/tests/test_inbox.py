"""The inbox: each user reads and marks only their own messages; the header shows the unread
count; the page marks read and saves channel preferences by POST."""

from __future__ import annotations

import pytest
from django.urls import reverse

from cases import services as moves
from notify import services
from notify.models import Channel, Notification
from notify.tests.helpers import last_event


@pytest.fixture
def messages(world, settings):
    """Two in-site messages for the handler (two assignments), one for the dispatcher."""
    settings.NOTIFY_QUIET_HOURS = ""
    first, second = world.assigned(title="路灯不亮"), world.assigned(title="井盖缺失")
    for case in (first, second):
        services.produce_for_event(last_event(case, "assigned").pk)
    accepted = moves.accept_case(first, actor=world.handler)
    services.produce_for_event(last_event(accepted, "accepted").pk)
    return first, second


def mine(user) -> list[Notification]:
    return list(services.inbox(user))


def test_the_inbox_holds_only_the_users_own_in_site_messages(world, messages):
    handler_rows = mine(world.handler)
    assert [r.case.title for r in handler_rows] == ["井盖缺失", "路灯不亮"]
    assert {r.channel for r in handler_rows} == {Channel.INBOX}
    assert [r.kind for r in mine(world.dispatcher)] == ["accepted"]
    assert services.unread_count(world.handler) == 2
    assert services.unread_count(world.outsider) == 0


def test_the_unread_count_is_one_query(world, messages, django_assert_num_queries):
    with django_assert_num_queries(1):
        assert services.unread_count(world.handler) == 2


def test_marking_read_touches_only_the_users_own_messages(world, messages):
    theirs = mine(world.dispatcher)[0]
    assert services.mark_read(world.handler, [theirs.pk]) == 0
    theirs.refresh_from_db()
    assert theirs.read_at is None
    one = mine(world.handler)[0]
    assert services.mark_read(world.handler, [one.pk]) == 1
    assert services.unread_count(world.handler) == 1
    assert services.mark_read(world.handler, "all") == 1
    assert services.unread_count(world.handler) == 0
    assert services.unread_count(world.dispatcher) == 1


def test_the_header_shows_the_unread_count_on_every_page(world, messages, client):
    client.force_login(world.handler)
    home = client.get(reverse("web:home")).content.decode()
    inbox_url = reverse("inbox:index")
    assert f'href="{inbox_url}" class="inbox-link">消息 <span class="badge overdue"' in home
    assert 'title="未读消息">2</span>' in home


def test_the_header_shows_no_badge_without_unread_messages(world, client):
    client.force_login(world.outsider)
    home = client.get(reverse("web:home")).content.decode()
    assert 'class="inbox-link">消息</a>' in home


def test_the_inbox_page_lists_the_messages_with_the_unread_ones_marked(world, messages, client):
    client.force_login(world.handler)
    page = client.get(reverse("inbox:index")).content.decode()
    first, second = messages
    assert page.count('class="unread"') == 2
    assert f"新交办事项{first.number}「路灯不亮」" in page
    assert reverse("caseviews:case-detail", args=[first.pk]) in page
    assert "人社局已签收" not in page  # the dispatcher's message


def test_the_inbox_page_marks_one_and_then_all_read(world, messages, client):
    client.force_login(world.handler)
    one = mine(world.handler)[0]
    response = client.post(reverse("inbox:read"), {"ids": [one.pk]})
    assert response.status_code == 302 and response["Location"] == reverse("inbox:index")
    assert services.unread_count(world.handler) == 1
    unread_page = client.get(reverse("inbox:index") + "?show=unread").content.decode()
    assert unread_page.count('class="unread"') == 1
    client.post(reverse("inbox:read"), {"all": "1"})
    assert services.unread_count(world.handler) == 0


def test_posting_another_users_message_id_changes_nothing(world, messages, client):
    theirs = mine(world.dispatcher)[0]
    client.force_login(world.handler)
    client.post(reverse("inbox:read"), {"ids": [theirs.pk, "x"]})
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert services.unread_count(world.handler) == 2


def test_the_inbox_needs_a_signed_in_user_and_marking_needs_post(world, client):
    response = client.get(reverse("inbox:index"))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]
    assert client.post(reverse("inbox:read"), {"all": "1"}).status_code == 302
    client.force_login(world.handler)
    assert client.get(reverse("inbox:read")).status_code == 405


def test_the_page_saves_the_users_channel_preferences(world, client):
    client.force_login(world.handler)
    client.post(reverse("inbox:preferences"), {"channels": ["wecom"]})
    assert services.preferences_for(world.handler) == {
        "inbox": True,
        "sms": False,
        "wecom": True,
        "dingtalk": False,
        "email": False,
    }
    page = client.get(reverse("inbox:index")).content.decode()
    assert 'value="wecom" id="id_channels_1" checked' in page
    assert page.count(" checked") == 1
