"""Sending one outbox row on its channel. Each sender answers (ok, the provider's answer) and
raises nothing for a provider that is down; ``notify.services.deliver_notification`` decides
what a failure means (retry, give up).

Robot formats, as the providers document them:

- WeCom group robot: ``{"msgtype": "text", "text": {"content": …, "mentioned_mobile_list": […]}}``
  POSTed to the robot's address; success is ``errcode`` 0.
- DingTalk group robot: ``{"msgtype": "text", "text": {"content": …}, "at": {"atMobiles": […]}}``;
  with a signing secret (加签) the address gets ``timestamp`` (ms) and ``sign`` =
  base64(HMAC-SHA256(secret, f"{timestamp}\\n{secret}")), URL-encoded; success is ``errcode`` 0.
  DingTalk highlights a mention only when ``@phone`` also appears in the content.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import time
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

from django.conf import settings
from django.core.mail import send_mail

from notify import sms
from notify.http import MAX_ANSWER_CHARS, HttpAnswer, post_json
from notify.models import Channel, Notification, Webhook


@dataclass(frozen=True)
class SendResult:
    ok: bool
    response: str


def wecom_payload(text: str, mobiles: list[str]) -> dict[str, Any]:
    content: dict[str, Any] = {"content": text}
    if mobiles:
        content["mentioned_mobile_list"] = mobiles
    return {"msgtype": "text", "text": content}


def dingtalk_payload(text: str, mobiles: list[str]) -> dict[str, Any]:
    mentions = "".join(f" @{mobile}" for mobile in mobiles)
    return {
        "msgtype": "text",
        "text": {"content": text + mentions},
        "at": {"atMobiles": mobiles, "isAtAll": False},
    }


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


def dingtalk_url(url: str, secret: str, timestamp_ms: int | None = None) -> str:
    if not secret:
        return url
    timestamp_ms = timestamp_ms if timestamp_ms is not None else int(time.time() * 1000)
    joiner = "&" if "?" in url else "?"
    return f"{url}{joiner}timestamp={timestamp_ms}&sign={dingtalk_sign(secret, timestamp_ms)}"


def _robot_result(answer: HttpAnswer) -> SendResult:
    body = answer.json()
    code = body.get("errcode") if isinstance(body, dict) else None
    return SendResult(answer.ok and str(code) == "0", answer.describe())


def send_robot(webhook: Webhook, text: str, mobiles: list[str]) -> SendResult:
    timeout = settings.NOTIFY_HTTP_TIMEOUT
    if webhook.kind == Webhook.Kind.WECOM:
        return _robot_result(post_json(webhook.url, wecom_payload(text, mobiles), timeout=timeout))
    url = dingtalk_url(webhook.url, webhook.secret)
    return _robot_result(post_json(url, dingtalk_payload(text, mobiles), timeout=timeout))


def send_email(address: str, text: str) -> SendResult:
    subject = text.splitlines()[0][:60] if text else "连心桥"
    try:
        sent = send_mail(subject, text, None, [address])
    except Exception as error:  # SMTP down, refused, timed out
        return SendResult(False, f"{type(error).__name__}: {error}"[:MAX_ANSWER_CHARS])
    return SendResult(bool(sent), "sent" if sent else "not sent")


def send(notification: Notification) -> SendResult:
    """Send one outbox row on its channel."""
    channel = notification.channel
    if channel == Channel.INBOX:
        return SendResult(True, "inbox")
    if channel == Channel.SMS:
        result = sms.send_sms(notification.address, notification.text)
        return SendResult(result.ok, result.response)
    if channel == Channel.EMAIL:
        return send_email(notification.address, notification.text)
    if channel in (Channel.WECOM, Channel.DINGTALK):
        webhook = notification.webhook
        if webhook is None or not webhook.is_active:
            return SendResult(False, "no active robot")
        return send_robot(webhook, notification.text, list(notification.mentions))
    return SendResult(False, f"unknown channel {channel!r}")
