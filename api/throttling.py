"""Rate limits whose rates are read at each request, so settings (and tests) can change them.

DRF's own throttles copy ``DEFAULT_THROTTLE_RATES`` into a class attribute at import time, which
``override_settings`` cannot reach. The counters live in Django's cache: with the default
per-process memory cache each gunicorn worker counts on its own, so a deployment that wants one
limit across workers configures a shared cache (Redis, database cache).
"""

from __future__ import annotations

from typing import cast

from rest_framework.settings import api_settings
from rest_framework.throttling import AnonRateThrottle, UserRateThrottle


def _rate(scope: str) -> str | None:
    # Rates are strings ("6000/min"); the stubs type DEFAULT_THROTTLE_RATES as numbers.
    return cast(str | None, api_settings.DEFAULT_THROTTLE_RATES.get(scope))


class UserThrottle(UserRateThrottle):
    scope = "user"

    def get_rate(self) -> str | None:
        return _rate(self.scope)


class AnonThrottle(AnonRateThrottle):
    scope = "anon"

    def get_rate(self) -> str | None:
        return _rate(self.scope)
