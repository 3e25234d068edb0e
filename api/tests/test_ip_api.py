"""The IP API: registrations, licences with their status, enforcement actions linking cases by
number, and an infringement case's facts; scope, answers and error bodies."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine
from django.urls import reverse

from cases.tests.helpers import local
from ip.models import EnforcementAction, GiLicence, InfringementFacts, IpEvent, LicenceStatus
from ip.tests.factories import (
    copyright_office,
    ip_case,
    make_action,
    make_licence,
    make_officer,
    make_registration,
)

NOW = local(2026, 11, 10, 10)


@pytest.fixture(autouse=True)
def clock() -> Iterator[time_machine.Traveller]:
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture
def officer(world):
    return make_officer(world)


def errors(response) -> list[tuple[str | None, str]]:
    return [(e["field"], e["code"]) for e in response.json()["errors"]]


# --- Registrations ----------------------------------------------------------------------------


def test_the_officer_creates_and_reads_a_registration(world, client_for, officer):
    client = client_for(officer)
    body = {
        "enterprise": world.enterprise.pk,
        "kind": "design",
        "title": "白瓷茶具",
        "number": "ZL2026-1",
        "registered_on": "2026-10-01",
    }
    response = client.post(reverse("api:ip-registration-list"), body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["enterprise"] == {"id": world.enterprise.pk, "name": world.enterprise.name}
    assert (data["kind"], data["kind_label"]) == ("design", "外观设计")
    detail = client.get(reverse("api:ip-registration-detail", args=[data["id"]]))
    assert detail.json() == data
    again = client.post(reverse("api:ip-registration-list"), body, format="json")
    assert again.status_code == 400 and errors(again) == [("number", "duplicate")]
    assert again.json()["errors"][0]["message"].endswith("已登记。")


def test_a_bad_kind_is_a_400_on_its_field(world, client_for, officer):
    response = client_for(officer).post(
        reverse("api:ip-registration-list"),
        {
            "enterprise": world.enterprise.pk,
            "kind": "x",
            "title": "t",
            "number": "n",
            "registered_on": "2026-01-01",
        },
        format="json",
    )
    assert response.status_code == 400 and errors(response)[0][0] == "kind"


def test_a_liaison_lists_only_their_own_and_may_not_create(world, client_for, officer):
    make_registration(world, officer)
    client = client_for(world.liaison)
    assert len(client.get(reverse("api:ip-registration-list")).json()["results"]) == 1
    response = client.post(reverse("api:ip-registration-list"), {}, format="json")
    assert response.status_code == 403


def test_outsiders_see_nothing(world, client_for, officer):
    registration = make_registration(world, officer)
    client = client_for(world.outsider)
    assert client.get(reverse("api:ip-registration-list")).json()["results"] == []
    url = reverse("api:ip-registration-detail", args=[registration.pk])
    assert client.get(url).status_code == 404


# --- Licences ---------------------------------------------------------------------------------


def test_a_licence_is_created_and_its_status_changed(world, client_for, officer):
    client = client_for(officer)
    response = client.post(
        reverse("api:ip-licence-list"),
        {
            "licensee": world.enterprise.pk,
            "mark_name": "德化白瓷",
            "number": "DHBC-2026-001",
            "valid_from": "2026-01-01",
            "valid_until": "2028-12-31",
        },
        format="json",
    )
    assert response.status_code == 201 and response.json()["state"] == "active"
    url = reverse("api:ip-licence-status", args=[response.json()["id"]])
    missing = client.post(url, {"status": "revoked"}, format="json")
    assert missing.status_code == 400 and errors(missing) == [("reason", "required")]
    revoked = client.post(url, {"status": "revoked", "reason": "冒用"}, format="json")
    assert revoked.status_code == 200 and revoked.json()["state_label"] == "撤销"
    final = client.post(url, {"status": "active"}, format="json")
    assert final.status_code == 409 and errors(final) == [("status", "final")]


def test_a_licence_period_backwards_is_a_400(world, client_for, officer):
    response = client_for(officer).post(
        reverse("api:ip-licence-list"),
        {
            "licensee": world.enterprise.pk,
            "mark_name": "德化白瓷",
            "number": "N",
            "valid_from": "2026-01-01",
            "valid_until": "2025-12-31",
        },
        format="json",
    )
    assert response.status_code == 400 and errors(response) == [("valid_until", "before_start")]


def test_a_dispatcher_reads_a_licence_but_may_not_change_it(world, client_for, officer):
    licence = make_licence(world, officer)
    client = client_for(world.dispatcher)
    assert client.get(reverse("api:ip-licence-detail", args=[licence.pk])).status_code == 200
    url = reverse("api:ip-licence-status", args=[licence.pk])
    assert (
        client.post(url, {"status": "suspended", "reason": "x"}, format="json").status_code == 403
    )
    assert GiLicence.objects.get().status == LicenceStatus.ACTIVE


# --- Actions ----------------------------------------------------------------------------------


def test_an_action_links_cases_by_number(world, client_for, officer):
    case = ip_case(world)
    body = {
        "acted_on": "2026-11-05",
        "place": "浔中镇陶瓷街",
        "region": world.town.pk,
        "units": [copyright_office(world).pk, world.other_dept.pk],
        "result": "查处 2 处",
        "cases": [case.number],
    }
    response = client_for(officer).post(reverse("api:ip-action-list"), body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["cases"] == [{"id": case.pk, "number": case.number}]
    assert EnforcementAction.objects.get().cases.get() == case
    body["cases"] = ["NOPE-1"]
    unknown = client_for(officer).post(reverse("api:ip-action-list"), body, format="json")
    assert unknown.status_code == 400 and errors(unknown) == [("cases", "unknown_case")]


def test_a_liaison_sees_no_actions(world, client_for, officer):
    action = make_action(world, officer)
    client = client_for(world.liaison)
    assert client.get(reverse("api:ip-action-list")).json()["results"] == []
    assert client.get(reverse("api:ip-action-detail", args=[action.pk])).status_code == 404


# --- Facts ------------------------------------------------------------------------------------


def test_the_dispatcher_records_facts(world, client_for):
    case = ip_case(world)
    response = client_for(world.dispatcher).post(
        reverse("api:ip-case-facts", args=[case.pk]),
        {
            "right_type": "gi_mark",
            "holder_enterprise": world.enterprise.pk,
            "infringer_name": "外地商行",
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["holder_enterprise"]["id"] == world.enterprise.pk
    assert InfringementFacts.objects.get(case=case).right_type == "gi_mark"
    assert IpEvent.objects.filter(case=case, via="api").exists()


def test_facts_errors(world, client_for):
    case = ip_case(world)
    url = reverse("api:ip-case-facts", args=[case.pk])
    client = client_for(world.dispatcher)
    missing = client.post(url, {"right_type": "gi_mark", "infringer_name": "x"}, format="json")
    assert missing.status_code == 400 and errors(missing) == [("holder_name", "required")]
    other = world.report()
    wrong = client.post(
        reverse("api:ip-case-facts", args=[other.pk]),
        {"right_type": "gi_mark", "holder_name": "a", "infringer_name": "b"},
        format="json",
    )
    assert wrong.status_code == 400 and errors(wrong) == [(None, "not_ip_case")]
    assert client_for(world.liaison).post(url, {}, format="json").status_code == 403
    assert client_for(world.outsider).post(url, {}, format="json").status_code == 404
