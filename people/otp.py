"""One-time sign-in codes (短信验证码): issue, rate-limit and check. Sending is the caller's
(``web.signin`` through ``notify.sms``): this registry knows no channel.

- A code is 6 digits, valid for 5 minutes, for one use; only an HMAC of it (keyed with the site's
  secret and bound to the number) is stored, and it is compared in constant time.
- Per number: at most one code a minute and 10 a day. A row is written for every number asked
  for, registered or not, so the limits (and every answer) are the same either way; the caller
  sends the code only when ``Issued.deliver`` (one active account has that number).
- Each wrong code counts on its row; the fifth kills the code and locks the number out of codes
  for the cool-off time (``AXES_COOLOFF_TIME``). Only the latest code of a number counts.

The numbers are settings (``LIANXIN["OTP_…"]``) with the defaults below.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from people.backends import normalise_phone, user_for_phone
from people.models import OneTimeCode

CODE_DIGITS = 6
DEFAULT_TTL_SECONDS = 5 * 60
DEFAULT_MAX_ATTEMPTS = 5
DEFAULT_RESEND_SECONDS = 60
DEFAULT_DAILY_LIMIT = 10
_SALT = "people.otp.OneTimeCode"


def ttl() -> timedelta:
    return timedelta(seconds=settings.LIANXIN.get("OTP_TTL_SECONDS", DEFAULT_TTL_SECONDS))


def max_attempts() -> int:
    return settings.LIANXIN.get("OTP_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)


def resend_interval() -> timedelta:
    return timedelta(seconds=settings.LIANXIN.get("OTP_RESEND_SECONDS", DEFAULT_RESEND_SECONDS))


def daily_limit() -> int:
    return settings.LIANXIN.get("OTP_DAILY_LIMIT", DEFAULT_DAILY_LIMIT)


def lockout_time() -> timedelta:
    cool_off = getattr(settings, "AXES_COOLOFF_TIME", None)
    return cool_off if isinstance(cool_off, timedelta) else timedelta(minutes=15)


def digest(phone: str, code: str) -> str:
    return salted_hmac(_SALT, f"{phone}:{code}", algorithm="sha256").hexdigest()


class CodeRefused(Exception):
    """No code now: ``reason`` is ``too_soon``, ``daily_limit`` or ``locked``; ``wait`` is how
    long until one may be asked for again."""

    def __init__(self, reason: str, wait: timedelta) -> None:
        super().__init__(reason)
        self.reason, self.wait = reason, wait

    @property
    def wait_minutes(self) -> int:
        return max(1, -(-int(self.wait.total_seconds()) // 60))

    @property
    def wait_seconds(self) -> int:
        return max(1, int(self.wait.total_seconds()))


@dataclass(frozen=True)
class Issued:
    phone: str
    code: str
    expires_at: datetime
    deliver: bool  # a registered number: send it; otherwise send nothing and say the same


@dataclass(frozen=True)
class Verdict:
    """The outcome of a check: ``ok``, ``wrong``, ``expired``, ``used``, ``locked`` or ``none``."""

    status: str

    @property
    def ok(self) -> bool:
        return self.status == "ok"


def locked_until(phone: str, now: datetime | None = None) -> datetime | None:
    """When a number locked out by wrong codes may ask again (None: not locked)."""
    now = now or timezone.now()
    exhausted = (
        OneTimeCode.objects.filter(
            phone=phone, attempts__gte=max_attempts(), created_at__gt=now - lockout_time()
        )
        .order_by("-created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    return exhausted + lockout_time() if exhausted else None


def issue_code(phone: str, *, now: datetime | None = None) -> Issued:
    """A new code for ``phone`` (already a valid mobile number), or ``CodeRefused``."""
    phone = normalise_phone(phone)
    if not phone:
        raise ValueError("issue_code needs a valid mobile number")
    now = now or timezone.now()
    with transaction.atomic():
        until = locked_until(phone, now)
        if until is not None:
            raise CodeRefused("locked", until - now)
        recent = list(
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone, created_at__gt=now - timedelta(days=1))
            .order_by("-created_at")
            .values_list("created_at", flat=True)
        )
        if recent and now - recent[0] < resend_interval():
            raise CodeRefused("too_soon", resend_interval() - (now - recent[0]))
        if len(recent) >= daily_limit():
            raise CodeRefused("daily_limit", recent[daily_limit() - 1] + timedelta(days=1) - now)
        code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
        row = OneTimeCode.objects.create(
            phone=phone,
            code_hash=digest(phone, code),
            created_at=now,
            expires_at=now + ttl(),
        )
    return Issued(phone, code, row.expires_at, deliver=user_for_phone(phone) is not None)


def check_code(phone: str, code: str, *, now: datetime | None = None) -> Verdict:
    """Check ``code`` against the latest code sent to ``phone``; a right code is used up, a wrong
    one counts against it."""
    phone = normalise_phone(phone)
    code = (code or "").strip()
    now = now or timezone.now()
    if not phone:
        return Verdict("none")
    with transaction.atomic():
        row = (
            OneTimeCode.objects.select_for_update()
            .filter(phone=phone)
            .order_by("-created_at", "-pk")
            .first()
        )
        if row is None:
            return Verdict("none")
        if row.attempts >= max_attempts():
            return Verdict("locked")
        if row.used_at is not None:
            return Verdict("used")
        if row.expires_at <= now:
            return Verdict("expired")
        if code.isdigit() and constant_time_compare(digest(phone, code), row.code_hash):
            OneTimeCode.objects.filter(pk=row.pk).update(used_at=now)
            return Verdict("ok")
        OneTimeCode.objects.filter(pk=row.pk).update(attempts=F("attempts") + 1)
        return Verdict("locked" if row.attempts + 1 >= max_attempts() else "wrong")


def purge(before: datetime | None = None) -> int:
    """Delete codes older than two days (they only serve the daily limit); returns how many."""
    before = before or timezone.now() - timedelta(days=2)
    deleted, _ = OneTimeCode.objects.filter(created_at__lt=before).delete()
    return deleted
