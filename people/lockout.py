"""The page a sign-in gets once django-axes has locked it out (settings.AXES_LOCKOUT_CALLABLE).

Failures are counted per user name and client address (settings.AXES_*); the lock lifts by itself
after the cool-off time, or at once when an administrator deletes the attempt (admin → Axes).
"""

from __future__ import annotations

from typing import Any

from axes.helpers import get_cool_off, get_failure_limit
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

# 429 Too Many Requests, as django-axes answers by default.
STATUS = 429


def lockout_response(
    request: HttpRequest,
    original_response: HttpResponse | None = None,
    credentials: dict[str, Any] | None = None,
) -> HttpResponse:
    """The lockout page in the user's language, saying how long the lock lasts."""
    cool_off = get_cool_off(request)
    minutes = max(1, round(cool_off.total_seconds() / 60)) if cool_off else None
    context = {"failure_limit": get_failure_limit(request, credentials), "minutes": minutes}
    return render(request, "people/lockout.html", context, status=STATUS)
