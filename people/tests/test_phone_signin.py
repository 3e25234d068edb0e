"""Signing in with a mobile number and the password (people.backends.PhoneBackend): on the usual
sign-in page, counted by django-axes like a user name; a number several accounts share signs
no one in."""

from __future__ import annotations

import pytest
from django.contrib.auth import authenticate
from django.test import RequestFactory
from django.urls import reverse

from people.backends import PhoneBackend, normalise_phone, user_for_phone
from people.models import Person, User

LOGIN = reverse("web:login")
PASSWORD = "pass-12345"


def sign_in(client, username: str, password: str = PASSWORD):
    return client.post(LOGIN, {"username": username, "password": password, "next": "/"})


def test_a_resident_signs_in_with_the_phone_number_and_password(world, client):
    response = sign_in(client, "13959001234")
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(world.resident.pk)
    assert client.session["_auth_user_backend"] == "people.backends.PhoneBackend"
    # Home sends a requester to their own demands.
    assert client.get("/")["Location"] == reverse("mine:list")


def test_the_number_may_be_typed_with_spaces_or_plus_86(world, client):
    assert sign_in(client, "+86 139 5900 1234").status_code == 302
    assert client.session["_auth_user_id"] == str(world.resident.pk)


def test_the_user_name_still_works(world, client):
    assert sign_in(client, "liaison").status_code == 302
    assert client.session["_auth_user_id"] == str(world.liaison.pk)


def test_a_wrong_password_with_a_phone_number_is_refused(world, client):
    response = sign_in(client, "13959001234", "wrong-password")
    assert response.status_code == 200
    assert "用户名或密码不正确" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_number_shared_by_several_accounts_signs_no_one_in(world, client):
    # Every other user of the world has 13800000000.
    assert User.objects.filter(person__phone="13800000000").count() > 1
    assert user_for_phone("13800000000") is None
    response = sign_in(client, "13800000000")
    assert response.status_code == 200 and "_auth_user_id" not in client.session


def test_an_inactive_account_does_not_count_nor_sign_in(world, client):
    twin = User.objects.create_user(
        "twin", password=PASSWORD, person=Person.objects.create(name="双", phone="13959001234")
    )
    assert user_for_phone("13959001234") is None  # two active accounts: refuse
    twin.is_active = False
    twin.save()
    assert user_for_phone("13959001234") == world.resident
    world.resident.is_active = False
    world.resident.save()
    assert sign_in(client, "13959001234").status_code == 200
    world.resident.is_active = True
    world.resident.save()


def test_an_unknown_number_is_refused(world, client):
    assert sign_in(client, "13700000000").status_code == 200


def test_failures_with_a_phone_number_are_counted_by_axes(world, client):
    for _ in range(4):
        assert sign_in(client, "13959001234", "wrong-password").status_code == 200
    assert sign_in(client, "13959001234", "wrong-password").status_code == 429
    # Locked out: even the right password is refused.
    assert sign_in(client, "13959001234").status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_backend_needs_a_mobile_number(world):
    request = RequestFactory().post(LOGIN)
    backend = PhoneBackend()
    assert backend.authenticate(request, username="resident", password=PASSWORD) is None
    assert backend.authenticate(request, username="13959001234", password=PASSWORD) == (
        world.resident
    )
    assert backend.authenticate(request, username="13959001234") is None
    assert normalise_phone("0595-2350000") == ""


@pytest.mark.parametrize("username", ["13959001234", "resident"])
def test_authenticate_goes_through_axes(world, username):
    request = RequestFactory().post(LOGIN)
    assert authenticate(request, username=username, password=PASSWORD) == world.resident
