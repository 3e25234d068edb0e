"""The in-app inbox over the API: each caller lists, counts and marks only their own messages,
and chooses their channels; bad bodies answer 400 in the one error shape. The messages come
from real moves through the outbox (``notify.services.produce_for_event``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rest_framework.test import APIClient

from api.notifications import MAX_IDS
from api.tests.helpers import assert_error
from cases import services as moves
from notify import rules, services
from notify.models import Notification
from notify.tests.helpers import last_event

URL = "/api/v1/notifications/"
ITEM_KEYS = {"id", "kind", "kind_label", "text", "case", "case_url", "created_at", "read_at"}


@pytest.fixture(autouse=True)
def _fresh_rules(settings) -> Iterator[None]:
    settings.NOTIFY_QUIET_HOURS = ""
    rules.invalidate()
    yield
    rules.invalidate()


@pytest.fixture
def messages(world):
    """Two in-site messages for the handler (two assignments), one for the dispatcher (the
    handler signed for the first case)."""
    first, second = world.assigned(title="路灯不亮"), world.assigned(title="井盖缺失")
    for case in (first, second):
        services.produce_for_event(last_event(case, "assigned").pk)
    accepted = moves.accept_case(first, actor=world.handler)
    services.produce_for_event(last_event(accepted, "accepted").pk)
    return first, second


def ids_of(response) -> list[int]:
    assert response.status_code == 200, response.json()
    return [row["id"] for row in response.json()["results"]]


def theirs(user) -> list[int]:
    return list(services.inbox(user).values_list("pk", flat=True))


# --- Listing -----------------------------------------------------------------------------------


def test_the_list_holds_only_the_callers_own_messages_newest_first(world, messages, client_for):
    first, second = messages
    response = client_for(world.handler).get(URL)
    data = response.json()
    assert ids_of(response) == theirs(world.handler) and len(data["results"]) == 2
    assert set(data) == {"next", "previous", "results"}
    newest = data["results"][0]
    assert set(newest) == ITEM_KEYS
    assert newest["kind"] == "assigned" and newest["kind_label"] == "交办"
    assert newest["case"] == {"id": second.pk, "number": second.number}
    assert newest["case_url"] == f"/api/v1/cases/{second.pk}/"
    assert f"新交办事项{second.number}「井盖缺失」" in newest["text"]
    assert newest["read_at"] is None and newest["created_at"]
    # The dispatcher's message never shows in the handler's list, and the reverse.
    dispatchers = theirs(world.dispatcher)
    assert len(dispatchers) == 1
    assert not set(dispatchers) & set(ids_of(response))
    assert ids_of(client_for(world.dispatcher).get(URL)) == dispatchers
    assert ids_of(client_for(world.outsider).get(URL)) == []


def test_the_list_leaves_out_other_channels(world, messages, client_for):
    sms = Notification.objects.filter(user=world.handler).exclude(channel="inbox")
    assert sms.exists()  # the default rules also text the handler
    assert not set(sms.values_list("pk", flat=True)) & set(
        ids_of(client_for(world.handler).get(URL))
    )


def test_the_list_is_cursor_paginated(world, messages, client_for):
    client = client_for(world.handler)
    page = client.get(URL, {"page_size": 1}).json()
    assert len(page["results"]) == 1 and page["next"]
    rest = client.get(page["next"]).json()
    assert [r["id"] for r in page["results"] + rest["results"]] == theirs(world.handler)
    assert_error(client.get(URL, {"cursor": "made-up"}), 400, "invalid", field="cursor")


def test_the_unread_filter(world, messages, client_for):
    client = client_for(world.handler)
    newest, oldest = theirs(world.handler)
    services.mark_read(world.handler, [newest])
    assert ids_of(client.get(URL, {"unread": "true"})) == [oldest]
    assert ids_of(client.get(URL, {"unread": "false"})) == [newest]
    assert ids_of(client.get(URL)) == [newest, oldest]
    row = client.get(URL).json()["results"][0]
    assert row["id"] == newest and row["read_at"] is not None


def test_the_unread_count(world, messages, client_for):
    url = URL + "unread-count/"
    assert client_for(world.handler).get(url).json() == {"unread": 2}
    assert client_for(world.dispatcher).get(url).json() == {"unread": 1}
    assert client_for(world.outsider).get(url).json() == {"unread": 0}


# --- Marking read ------------------------------------------------------------------------------


def test_marking_by_ids_touches_only_the_callers_own(world, messages, client_for):
    (dispatchers,) = theirs(world.dispatcher)
    newest, _oldest = theirs(world.handler)
    response = client_for(world.handler).post(
        URL + "read/", {"ids": [newest, dispatchers, 999_999_999]}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json() == {"marked": 1, "unread": 1}
    assert Notification.objects.get(pk=dispatchers).read_at is None
    assert Notification.objects.get(pk=newest).read_at is not None
    # Marking the same again changes nothing.
    again = client_for(world.handler).post(URL + "read/", {"ids": [newest]}, format="json")
    assert again.json() == {"marked": 0, "unread": 1}
    assert services.unread_count(world.dispatcher) == 1


def test_marking_all(world, messages, client_for):
    response = client_for(world.handler).post(URL + "read/", {"all": True}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json() == {"marked": 2, "unread": 0}
    assert services.unread_count(world.handler) == 0
    assert services.unread_count(world.dispatcher) == 1


def test_an_empty_list_of_ids_marks_nothing(world, messages, client_for):
    response = client_for(world.handler).post(URL + "read/", {"ids": []}, format="json")
    assert response.json() == {"marked": 0, "unread": 2}


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({}, "required", None),
        ({"all": False}, "required", None),
        ({"ids": None}, "required", None),
        ([1, 2], "invalid", None),
        ("all", "invalid", None),
        ({"ids": 5}, "invalid_type", "ids"),
        ({"ids": "1,2"}, "invalid_type", "ids"),
        ({"ids": ["1"]}, "invalid_type", "ids"),
        ({"ids": [1.5]}, "invalid_type", "ids"),
        ({"ids": [True]}, "invalid_type", "ids"),
        ({"ids": [0]}, "invalid_type", "ids"),
        ({"ids": [2**63]}, "invalid_type", "ids"),
        ({"ids": [{"id": 1}]}, "invalid_type", "ids"),
        ({"ids": list(range(1, MAX_IDS + 2))}, "max_length", "ids"),
        ({"all": "true"}, "invalid_type", "all"),
        ({"all": 1}, "invalid_type", "all"),
        ({"all": True, "ids": [1]}, "invalid", None),
    ],
)
def test_bad_bodies_are_a_400_that_marks_nothing(world, messages, client_for, body, code, field):
    response = client_for(world.handler).post(URL + "read/", body, format="json")
    errors = assert_error(response, 400, code, field=field)["errors"]
    assert all(e["message"] != e["message_en"] for e in errors)
    assert services.unread_count(world.handler) == 2


def test_a_thousand_ids_are_accepted(world, messages, client_for):
    ids = [*theirs(world.handler), *range(10_000_000, 10_000_000 + MAX_IDS - 2)]
    response = client_for(world.handler).post(URL + "read/", {"ids": ids}, format="json")
    assert response.json() == {"marked": 2, "unread": 0}


# --- Preferences -------------------------------------------------------------------------------

ALL_ON = {"inbox": True, "sms": True, "wecom": True, "dingtalk": True, "email": True}


def test_preferences_start_all_on(world, client_for):
    response = client_for(world.handler).get(URL + "preferences/")
    assert response.status_code == 200
    assert response.json() == {"channels": ALL_ON}


def test_putting_preferences_changes_the_channels_named_and_keeps_the_others(world, client_for):
    client = client_for(world.handler)
    url = URL + "preferences/"
    response = client.put(url, {"channels": {"sms": False, "wecom": False}}, format="json")
    assert response.status_code == 200, response.json()
    expected = {**ALL_ON, "sms": False, "wecom": False}
    assert response.json() == {"channels": expected}
    assert services.preferences_for(world.handler) == expected
    response = client.put(url, {"channels": {"sms": True, "inbox": True}}, format="json")
    assert response.json() == {"channels": {**expected, "sms": True}}
    assert client.get(url).json() == {"channels": {**expected, "sms": True}}
    # Another user's choices are their own.
    assert services.preferences_for(world.dispatcher) == ALL_ON


def test_a_user_who_turned_sms_off_over_the_api_gets_only_the_inbox(world, client_for):
    client_for(world.handler).put(URL + "preferences/", {"channels": {"sms": False}}, format="json")
    case = world.assigned()
    services.produce_for_event(last_event(case, "assigned").pk)
    channels = set(
        Notification.objects.filter(case=case, user=world.handler).values_list("channel", flat=True)
    )
    assert channels == {"inbox"}


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"channels": {"pigeon": True}}, "invalid_choice", "channels.pigeon"),
        ({"channels": {"inbox": False}}, "invalid", "channels.inbox"),
        ({"channels": {"sms": "false"}}, "invalid_type", "channels.sms"),
        ({"channels": {"sms": 0}}, "invalid_type", "channels.sms"),
        ({"channels": ["sms"]}, "invalid_type", "channels"),
        ({"channels": None}, "required", "channels"),
        ({}, "required", "channels"),
        ([], "invalid", None),
    ],
)
def test_bad_preferences_are_a_400_that_changes_nothing(world, client_for, body, code, field):
    client = client_for(world.handler)
    url = URL + "preferences/"
    bad = client.put(url, body, format="json")
    assert_error(bad, 400, code, field=field)
    # A good channel in the same body is not saved either.
    if isinstance(body.get("channels") if isinstance(body, dict) else None, dict):
        mixed = client.put(url, {"channels": {**body["channels"], "email": False}}, format="json")
        assert_error(mixed, 400, code, field=field)
    assert services.preferences_for(world.handler) == ALL_ON


# --- Who may call ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", ""),
        ("get", "unread-count/"),
        ("post", "read/"),
        ("get", "preferences/"),
        ("put", "preferences/"),
    ],
)
def test_anonymous_callers_get_a_401(world, method, path):
    response = getattr(APIClient(), method)(URL + path, {"all": True}, format="json")
    assert_error(response, 401, "not_authenticated", field=None)


def test_the_pages_session_needs_csrf_to_write(world, messages):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(world.handler)
    assert client.get(URL + "unread-count/").json() == {"unread": 2}
    refused = client.post(URL + "read/", {"all": True}, format="json")
    assert_error(refused, 403, "permission_denied", field=None)
    token = "k" * 32
    client.cookies["csrftoken"] = token
    accepted = client.post(URL + "read/", {"all": True}, format="json", HTTP_X_CSRFTOKEN=token)
    assert accepted.json() == {"marked": 2, "unread": 0}
