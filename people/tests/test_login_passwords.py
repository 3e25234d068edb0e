"""Passwords people choose are checked by Django's validators: long enough, not common, not like
the user name, and not all digits (a birthday or a phone number)."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.urls import reverse

from people.models import User

OLD = "pass-12345"


@pytest.fixture
def clerk(db):
    return User.objects.create_user("clerk", password=OLD)


def change(client, new: str):
    return client.post(
        reverse("web:password-change"),
        {"old_password": OLD, "new_password1": new, "new_password2": new},
    )


def test_an_all_digit_password_is_refused_on_the_password_page(clerk, client):
    client.force_login(clerk)
    response = change(client, "84729103651")
    assert response.status_code == 200
    assert response.context["form"].has_error("new_password2", "password_entirely_numeric")
    clerk.refresh_from_db()
    assert clerk.check_password(OLD)


def test_a_good_password_is_accepted(clerk, client):
    client.force_login(clerk)
    response = change(client, "陶瓷-码头-8472")
    assert response.status_code == 302
    clerk.refresh_from_db()
    assert clerk.check_password("陶瓷-码头-8472")


@pytest.mark.parametrize(
    ("password", "code"),
    [
        ("13800138000", "password_entirely_numeric"),
        ("short1", "password_too_short"),
        ("password123", "password_too_common"),
        ("clerk2024", "password_too_similar"),
    ],
)
def test_each_validator_is_on(clerk, password, code):
    with pytest.raises(ValidationError) as refused:
        validate_password(password, user=clerk)
    assert code in {error.code for error in refused.value.error_list}
