"""Text messages (短信) through a pluggable gateway, chosen by ``settings.NOTIFY_SMS_BACKEND``.

The one call the rest of the product makes::

    from notify.sms import send_sms
    result = send_sms("13959001234", "【连心桥】您的验证码是 123456。")
    if not result.ok:
        ...  # result.response says why

``send_sms`` never raises: a gateway that is down, slow or misconfigured gives ``ok=False`` and
its answer in ``response``. Backends:

- ``notify.sms.OutboxSmsBackend`` keeps messages in ``notify.sms.outbox`` (as
  ``django.core.mail.outbox``): the default with DEBUG and in tests;
- ``notify.sms.ConsoleSmsBackend`` writes them to the log;
- ``notify.sms.HttpSmsBackend`` POSTs ``{"phone", "text", "sign"}`` as JSON to
  ``NOTIFY_SMS_URL`` with ``Authorization: Bearer NOTIFY_SMS_TOKEN`` (5 s timeout); it succeeds
  on a 2xx answer whose JSON, if any, has no ``code`` or ``code`` 0.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from django.conf import settings
from django.utils.module_loading import import_string

from notify.http import MAX_ANSWER_CHARS, post_json

logger = logging.getLogger("lianxin.notify")


@dataclass(frozen=True)
class SmsResult:
    ok: bool
    response: str = ""


@dataclass(frozen=True)
class SmsMessage:
    phone: str
    text: str


# The messages OutboxSmsBackend "sent", oldest first; tests clear it.
outbox: list[SmsMessage] = []


class BaseSmsBackend:
    def send(self, phone: str, text: str) -> SmsResult:
        raise NotImplementedError


class OutboxSmsBackend(BaseSmsBackend):
    def send(self, phone: str, text: str) -> SmsResult:
        outbox.append(SmsMessage(phone, text))
        return SmsResult(True, "outbox")


class ConsoleSmsBackend(BaseSmsBackend):
    def send(self, phone: str, text: str) -> SmsResult:
        logger.info("SMS to %s: %s", phone, text)
        return SmsResult(True, "console")


class HttpSmsBackend(BaseSmsBackend):
    def send(self, phone: str, text: str) -> SmsResult:
        token = settings.NOTIFY_SMS_TOKEN
        answer = post_json(
            settings.NOTIFY_SMS_URL,
            {"phone": phone, "text": text, "sign": settings.NOTIFY_SMS_SIGN},
            headers={"Authorization": f"Bearer {token}"} if token else {},
            timeout=settings.NOTIFY_HTTP_TIMEOUT,
        )
        body = answer.json()
        code = body.get("code", 0) if isinstance(body, dict) else 0
        return SmsResult(answer.ok and str(code) == "0", answer.describe())


def get_backend() -> BaseSmsBackend:
    backend_class = import_string(settings.NOTIFY_SMS_BACKEND)
    return backend_class()


def send_sms(phone: str, text: str) -> SmsResult:
    """Send one text message; report failure in the result, never as an exception."""
    phone = (phone or "").strip()
    if not phone:
        return SmsResult(False, "no phone number")
    try:
        return get_backend().send(phone, text)
    except Exception as error:  # a broken backend must not break the page or move that sends
        logger.exception("SMS backend failed")
        return SmsResult(False, f"{type(error).__name__}: {error}"[:MAX_ANSWER_CHARS])
