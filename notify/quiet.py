"""Quiet hours (免打扰时段) for text messages: ``settings.NOTIFY_QUIET_HOURS`` = "22:00-07:00".

A text message due inside them waits for their end; it is deferred, never dropped. The one
exception is a message to staff about an urgent case (priority 紧急): a burst pipe at midnight
must reach the duty officer. Requesters are never woken.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta

from django.conf import settings
from django.utils import timezone


def _window() -> tuple[time, time] | None:
    spec = (settings.NOTIFY_QUIET_HOURS or "").strip()
    if not spec:
        return None
    start, _, end = spec.partition("-")
    return time.fromisoformat(start.strip()), time.fromisoformat(end.strip())


def quiet_until(now: datetime | None = None) -> datetime | None:
    """The end of the quiet hours ``now`` falls in, or None outside them."""
    window = _window()
    if window is None:
        return None
    start, end = window
    local = timezone.localtime(now or timezone.now())
    clock = local.time()
    inside = (start <= clock or clock < end) if start > end else (start <= clock < end)
    if not inside:
        return None
    until = local.replace(hour=end.hour, minute=end.minute, second=0, microsecond=0)
    if until <= local:
        until += timedelta(days=1)
    return until
