"""A case the desk marked not public (``Case.is_public`` unticked) is unknown to Open311: not
listed, its id a 404 like any unknown one, its updates not listed. Only the system that
submitted it still follows it."""

from __future__ import annotations

import pytest

from cases.models import Case, Channel
from open311.tests.helpers import body, get, make_key, post


def _hidden(case: Case) -> Case:
    Case.objects.filter(pk=case.pk).update(is_public=False)
    return case


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_hidden_case_is_a_404_as_if_unknown(world, client, fmt):
    hidden = _hidden(world.report(channel=Channel.WEB))
    unknown = get(client, "requests/LX20990101999999", fmt)
    response = get(client, f"requests/{hidden.number}", fmt)
    assert response.status_code == unknown.status_code == 404
    if fmt == "json":
        assert body(response)[0]["description"] == f"诉求 {hidden.number} 不存在。"


def test_a_hidden_case_is_not_listed_and_its_updates_are_not_either(world, client):
    shown = world.report(channel=Channel.WEB)
    hidden = _hidden(world.report(channel=Channel.WEB))
    listed = [r["service_request_id"] for r in body(get(client, "requests"))]
    assert listed == [shown.number]
    asked = body(get(client, "requests", service_request_id=f"{shown.number},{hidden.number}"))
    assert [r["service_request_id"] for r in asked] == [shown.number]
    updates = body(get(client, "servicerequestupdates"))
    assert {u["service_request_id"] for u in updates} == {shown.number}
    followed = body(get(client, "servicerequestupdates", service_request_id=hidden.number))
    assert followed == []


def test_a_key_that_sees_the_case_by_its_roles_does_not_see_it_hidden(world, client):
    key = make_key("county-screen", user=world.dispatcher)
    hidden = _hidden(world.report(channel=Channel.GRID))
    assert get(client, f"requests/{hidden.number}", api_key=key).status_code == 404
    assert body(get(client, "requests", api_key=key)) == []


def test_guessing_numbers_finds_nothing_hidden(world, client):
    hidden = [_hidden(world.report(channel=Channel.WEB)) for _ in range(3)]
    for case in hidden:
        assert get(client, f"requests/{case.number}").status_code == 404
    assert (
        body(get(client, "requests", service_request_id=",".join(c.number for c in hidden))) == []
    )


def test_the_system_that_submitted_a_case_still_follows_it(world, client, hotline):
    created = body(
        post(
            client,
            api_key=hotline,
            service_code="resident_issue-05",
            address_id="350526",
            description="路灯不亮",
        )
    )[0]
    number = created["service_request_id"]
    _hidden(Case.objects.get(number=number))
    assert get(client, f"requests/{number}").status_code == 404
    assert get(client, f"requests/{number}", api_key=hotline).status_code == 200
    updates = body(get(client, "servicerequestupdates", api_key=hotline, service_request_id=number))
    assert updates and {u["service_request_id"] for u in updates} == {number}
    token = body(get(client, f"tokens/{created['token']}"))
    assert token[0]["service_request_id"] == number
