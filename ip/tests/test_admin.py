"""The admin adds and corrects registrations and licences through the services."""

from __future__ import annotations

import pytest
import time_machine
from django.urls import reverse

from cases.tests.helpers import local
from ip.models import IpEvent, IpEventKind, IpRegistration
from ip.tests.factories import make_officer, make_registration


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(local(2026, 11, 10, 10), tick=False) as traveller:
        yield traveller


def body(world, **overrides):
    data = {
        "enterprise": world.enterprise.pk,
        "kind": "design",
        "title": "白瓷花瓶",
        "number": "ZL-ADMIN-1",
        "registered_on": "2026-05-01",
        "note": "",
    }
    data.update(overrides)
    return data


def test_a_registration_added_in_the_admin_has_its_event(world, client):
    client.force_login(world.admin)
    response = client.post(reverse("admin:ip_ipregistration_add"), body(world))
    assert response.status_code == 302
    registration = IpRegistration.objects.get()
    event = IpEvent.objects.get(registration=registration)
    assert (event.kind, event.actor) == (IpEventKind.REGISTRATION_CREATED, world.admin)


def test_a_duplicate_number_is_a_form_error(world, client):
    make_registration(world, make_officer(world), number="ZL-ADMIN-1")
    client.force_login(world.admin)
    response = client.post(reverse("admin:ip_ipregistration_add"), body(world))
    assert response.status_code == 200
    assert "已登记" in response.content.decode()
    assert IpRegistration.objects.count() == 1


def test_a_correction_in_the_admin_is_logged(world, client):
    registration = make_registration(world, make_officer(world))
    client.force_login(world.admin)
    url = reverse("admin:ip_ipregistration_change", args=[registration.pk])
    response = client.post(url, body(world, number=registration.number, title="新名称"))
    assert response.status_code == 302
    assert IpEvent.objects.filter(kind=IpEventKind.REGISTRATION_UPDATED).count() == 1
    assert IpRegistration.objects.get().title == "新名称"


def test_the_admin_pages_open(world, client):
    client.force_login(world.admin)
    for name in (
        "ipregistration",
        "gilicence",
        "enforcementaction",
        "infringementfacts",
        "ipevent",
    ):
        assert client.get(reverse(f"admin:ip_{name}_changelist")).status_code == 200
