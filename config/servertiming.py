"""``Server-Timing`` on every response, when ``LIANXIN_SERVER_TIMING=1``: the time Django spent
on the request, the time its queries took and how many there were, e.g.
``app;dur=4.21, db;dur=1.02;desc="9 queries"``. Benchmarks over HTTP read it (bench/api_http.py,
bench/city_day.py); browsers show it in their developer tools. Off by default: timings tell an
attacker more than they should.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.db import connections
from django.http import HttpRequest, HttpResponse

HEADER = "Server-Timing"


class _QueryClock:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: Any) -> Any:
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.seconds += time.perf_counter() - start
            self.count += 1


class ServerTimingMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        clock = _QueryClock()
        start = time.perf_counter()
        connection = connections["default"]
        with connection.execute_wrapper(clock):
            response = self.get_response(request)
        app = (time.perf_counter() - start) * 1000
        response[HEADER] = (
            f'app;dur={app:.2f}, db;dur={clock.seconds * 1000:.2f};desc="{clock.count} queries"'
        )
        return response
