"""Repeated failed sign-ins lock the sign-in out for a while (django-axes), on the sign-in page and
the admin login; a success clears the count; the lock lifts by itself."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from people.models import User

LOGIN = reverse("web:login")
ADMIN_LOGIN = reverse("admin:login")
PASSWORD = "pass-12345"


@pytest.fixture
def clerk(db):
    return User.objects.create_user("clerk", password=PASSWORD)


def sign_in(client, password: str, username: str = "clerk", url: str = LOGIN):
    return client.post(url, {"username": username, "password": password, "next": "/"})


def fail(client, times: int, **kwargs) -> None:
    for _ in range(times):
        assert sign_in(client, "wrong-password", **kwargs).status_code == 200


def lock_out(client, **kwargs):
    """Four failures answer the sign-in form again; the fifth answers the lockout page."""
    fail(client, 4, **kwargs)
    response = sign_in(client, "wrong-password", **kwargs)
    assert response.status_code == 429
    return response


def test_four_failures_still_let_the_right_password_in(clerk, client):
    fail(client, 4)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 302 and response["Location"] == "/"


def test_the_fifth_failure_locks_the_sign_in_out(clerk, client):
    body = lock_out(client).content.decode()
    assert "连续 5 次登录失败，登录已被暂时锁定。" in body
    assert "请 15 分钟后再试。" in body


def test_once_locked_out_even_the_right_password_is_refused(clerk, client):
    lock_out(client)
    response = sign_in(client, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lock_lifts_after_the_cool_off_time(clerk, client):
    lock_out(client)
    with time_machine.travel(timezone.now() + timedelta(minutes=16)):
        response = sign_in(client, PASSWORD)
    assert response.status_code == 302


def test_a_success_clears_the_count(clerk, client):
    fail(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302
    client.logout()
    fail(client, 4)
    assert sign_in(client, PASSWORD).status_code == 302


def test_a_colleague_at_the_same_address_is_not_locked_out(clerk, client):
    User.objects.create_user("colleague", password=PASSWORD)
    lock_out(client)
    response = sign_in(client, PASSWORD, username="colleague")
    assert response.status_code == 302


def test_the_admin_login_is_throttled_too(db, client):
    User.objects.create_user("chief", password=PASSWORD, is_staff=True)
    response = lock_out(client, username="chief", url=ADMIN_LOGIN)
    assert "登录已被暂时锁定" in response.content.decode()
    assert sign_in(client, PASSWORD, username="chief", url=ADMIN_LOGIN).status_code == 429


@override_settings(AXES_FAILURE_LIMIT=2, AXES_COOLOFF_TIME=timedelta(hours=1))
def test_the_limit_and_the_cool_off_time_are_settings(clerk, client):
    fail(client, 1)
    response = sign_in(client, "wrong-password")
    assert response.status_code == 429
    body = response.content.decode()
    assert "连续 2 次登录失败" in body and "请 60 分钟后再试。" in body
