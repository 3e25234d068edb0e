"""Signing in with a mobile number: with the password, or with a one-time code sent by SMS.

The backend comes after django-axes' in ``AUTHENTICATION_BACKENDS``, so a failure on either path
is counted against the number as typed (the ``username`` credential) and a locked-out number is
refused before its password or code is even checked.

A number shared by several active accounts signs none of them in: the backend never guesses
which person is meant (they sign in with their user name).
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import ValidationError
from django.http import HttpRequest

from config.prepared import PreparedRead
from people.models import REQUESTERS, Person, User
from people.validators import clean_mobile


def normalise_phone(value: str | None) -> str:
    """The mobile number as stored (11 digits, no +86, spaces or dashes), or "" if it is none."""
    try:
        return clean_mobile(value or "")
    except ValidationError:
        return ""


def user_for_phone(phone: str) -> User | None:
    """The one active account whose person has this mobile number; None if none or several."""
    phone = normalise_phone(phone)
    if not phone:
        return None
    users = list(User.objects.filter(person__phone=phone, is_active=True)[:2])
    return users[0] if len(users) == 1 else None


def requester_for_phone(phone: str) -> Person | None:
    """The registered resident or enterprise liaison with this mobile number (one, or None), so
    a case taken at the desk for their call can be followed and rated on their phone."""
    user = user_for_phone(phone)
    if user is None or user.person is None or not user.has_role(*REQUESTERS):
        return None
    return user.person


# Every signed-in request reads its user: the SQL is built once (config.prepared).
_ACCOUNT = PreparedRead(lambda pk: User.objects.filter(pk=pk).order_by()[:1], pk=int)


class AccountBackend(ModelBackend):
    """Django's user name + password; a signed-in request's user read with SQL built once."""

    def get_user(self, user_id: Any) -> User | None:
        try:
            pk = int(user_id)
        except (TypeError, ValueError):
            return None
        found = _ACCOUNT(pk=pk)
        user = found[0] if found else None
        return user if user is not None and self.user_can_authenticate(user) else None


class PhoneBackend(AccountBackend):
    """手机号 + 密码, or 手机号 + 短信验证码 (``otp_code``)."""

    def authenticate(
        self,
        request: HttpRequest | None,
        username: str | None = None,
        password: str | None = None,
        otp_code: str | None = None,
        **kwargs: Any,
    ) -> User | None:
        phone = normalise_phone(username)
        if not phone:
            return None
        if otp_code is not None:
            from people import otp  # otp needs user_for_phone from here

            if not otp.check_code(phone, otp_code).ok:
                return None
            user = user_for_phone(phone)
            return user if user is not None and self.user_can_authenticate(user) else None
        if password is None:
            return None
        user = user_for_phone(phone)
        if user is None:
            # Spend the same time as a wrong password, so timing does not tell a number is known.
            User().set_password(password)
            return None
        if user.check_password(password) and self.user_can_authenticate(user):
            return user
        return None
