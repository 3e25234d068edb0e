"""Server time of one request, in process: the whole WSGI stack (every middleware, DRF, the
engine, the response) without a socket, so what is left is Django's own cost per request.

For each step of the loop — create, triage, assign, accept, note, answer, return visit, close —
the API request and the page (form POST) request are timed ``--cases`` times and reported as
median / p90 milliseconds with the queries each sent. ``--profile STEP`` prints a cProfile of
that step's requests instead.

    .venv/bin/python bench/server_time.py                 # SQLite, 200 cases
    .venv/bin/python bench/server_time.py --db postgres
    .venv/bin/python bench/server_time.py --profile triage --cases 300
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    QueryCounter,
    add_database_arguments,
    database_url,
    database_version,
    load_average,
    print_table,
    setup_django,
)

API_STEPS = ["create", "triage", "assign", "accept", "note", "answer", "return-visit", "close"]


class Wsgi:
    """Calls the WSGI application the way gunicorn does: one environ, start_response, the body
    iterated and closed (which fires request_finished)."""

    def __init__(self) -> None:
        from django.core.wsgi import get_wsgi_application

        self.app = get_wsgi_application()

    def __call__(
        self,
        method: str,
        path: str,
        body: bytes = b"",
        *,
        content_type: str = "",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, bytes, dict[str, str]]:
        path, _, query = path.partition("?")
        environ: dict[str, Any] = {
            "REQUEST_METHOD": method,
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_HOST": "127.0.0.1",
            "CONTENT_TYPE": content_type,
            "CONTENT_LENGTH": str(len(body)),
            "wsgi.input": io.BytesIO(body),
            "wsgi.errors": sys.stderr,
            "wsgi.url_scheme": "http",
            "wsgi.version": (1, 0),
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }
        for name, value in (headers or {}).items():
            environ["HTTP_" + name.upper().replace("-", "_")] = value
        status: list[str] = []
        response_headers: dict[str, str] = {}

        def start_response(line: str, pairs: list[tuple[str, str]], exc_info: Any = None) -> None:
            status.append(line)
            for key, value in pairs:
                response_headers.setdefault(key.lower(), value)

        result = self.app(environ, start_response)
        try:
            content = b"".join(result)
        finally:
            if hasattr(result, "close"):
                result.close()
        return int(status[0].split()[0]), content, response_headers


def build_world() -> Any:
    from cases.tests.world import World
    from people.apikeys import create_api_key

    world = World.build()
    world.keys = {
        name: create_api_key(f"bench-{name}", user=getattr(world, name))[1]
        for name in ("grid_worker", "dispatcher", "handler")
    }
    return world


def api_steps(world: Any) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        ("dispatcher", "triage", {"category": world.category().pk, "priority": "normal"}),
        ("dispatcher", "assign", {"lead_unit": world.dept.pk}),
        ("handler", "accept", {}),
        ("handler", "notes", {"note": "已联系供电所现场勘查。"}),
        ("handler", "answer", {"answer": "已更换路灯，恢复照明。"}),
        ("dispatcher", "return-visit",
         {"reached": True, "contacted": True, "resolved": True, "satisfaction": "satisfied"}),
        ("dispatcher", "close", {}),
    ]  # fmt: skip


def run_api(
    world: Any, wsgi: Wsgi, cases: int, record: Callable[[str, float, float, int], None]
) -> None:
    """``cases`` cases through the loop by the API; each request timed with its queries."""
    counter = QueryCounter()

    def call(actor: str, method: str, path: str, body: dict[str, Any], step: str) -> Any:
        payload = json.dumps(body).encode()
        headers = {"Authorization": f"Token {world.keys[actor]}"}
        with counter.counting():
            before = counter.count
            start, cpu = time.perf_counter(), time.thread_time()
            status, content, _ = wsgi(
                method, path, payload, content_type="application/json", headers=headers
            )
            elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
        if status not in (200, 201):
            raise SystemExit(f"{method} {path}: {status} {content[:300]!r}")
        record(step, elapsed, cpu, counter.count - before)
        return json.loads(content)

    body = {"case_type": "resident_issue", "region": world.grid.code, "title": "路灯不亮",
            "description": "主路三盏路灯不亮，夜间出行不便。", "requester_phone": "13912345678"}  # fmt: skip
    for _ in range(cases):
        case = call("grid_worker", "POST", "/api/v1/cases/", body, "create")
        for actor, action, extra in api_steps(world):
            case = call(
                actor,
                "POST",
                f"/api/v1/cases/{case['id']}/{action}/",
                {"version": case["version"], **extra},
                action,
            )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser, name="lianxin_bench_server_time")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", metavar="STEP", help="cProfile one step's requests")
    args = parser.parse_args(argv)

    setup_django(database_url(args), fresh=True)
    world = build_world()
    version = database_version()
    from django.db import connections

    connections.close_all()
    wsgi = Wsgi()

    run_api(world, wsgi, args.warmup, lambda *a: None)
    timings: dict[str, list[float]] = defaultdict(list)
    cpu_times: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, set[int]] = defaultdict(set)

    profiler = None
    if args.profile:
        import cProfile

        profiler = cProfile.Profile()

    def record(step: str, seconds: float, cpu: float, count: int) -> None:
        timings[step].append(seconds * 1000)
        cpu_times[step].append(cpu * 1000)
        queries[step].add(count)

    if profiler:
        profiler.enable()
    run_api(world, wsgi, args.cases, record)
    if profiler:
        import pstats

        profiler.disable()
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        return

    rows = []
    for step in ["create", *[s[1] for s in api_steps(world)]]:
        values = sorted(timings[step])
        rows.append(
            [
                f"API {step}",
                f"{statistics.median(values):.2f}",
                f"{values[int(len(values) * 0.9)]:.2f}",
                f"{statistics.median(cpu_times[step]):.2f}",
                "/".join(str(q) for q in sorted(queries[step])),
            ]
        )
    moves = [v for step, values in timings.items() for v in values]
    cpu = [v for step, values in cpu_times.items() for v in values]
    rows.append(
        [
            "every API request",
            f"{statistics.median(moves):.2f}",
            "",
            f"{statistics.median(cpu):.2f}",
            "",
        ]
    )
    print_table(
        ["request", "median ms", "p90 ms", "median CPU ms", "queries"],
        rows,
        title=f"Server time in process — {version}, {args.cases} cases, load {load_average()}",
    )
    _ = urlencode


if __name__ == "__main__":
    main()
