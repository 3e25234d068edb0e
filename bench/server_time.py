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

        result = self.app(environ, start_response)  # type: ignore[arg-type]
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
    world.keys = {  # type: ignore[attr-defined]
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
    world: Any,
    wsgi: Wsgi,
    cases: int,
    record: Callable[[str, float, float, int], None],
    *,
    minimal: bool = False,
) -> None:
    """``cases`` cases through the loop by the API; each request timed with its queries. With
    ``minimal`` the moves send ``Prefer: return=minimal`` (no timeline in the answer)."""
    counter = QueryCounter()

    def call(actor: str, method: str, path: str, body: dict[str, Any], step: str) -> Any:
        payload = json.dumps(body).encode()
        headers = {"Authorization": f"Token {world.keys[actor]}"}
        if minimal and step != "create":
            headers["Prefer"] = "return=minimal"
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


PAGE_STEPS = [
    ("dispatcher", "triaged", lambda w: {"category": w.category().pk, "priority": "normal"}),
    ("dispatcher", "assigned", lambda w: {"lead_unit": w.dept.pk}),
    ("handler", "accepted", lambda w: {}),
    ("handler", "progress_noted", lambda w: {"note": "已联系供电所现场勘查。"}),
    ("handler", "answered", lambda w: {"answer": "已更换路灯，恢复照明。"}),
    ("dispatcher", "visited", lambda w: {"contacted": "1", "resolved": "1",
                                         "satisfaction": "satisfied"}),
    ("dispatcher", "closed", lambda w: {}),
]  # fmt: skip


def run_pages(
    world: Any, wsgi: Wsgi, cases: int, record: Callable[[str, float, float, int], None]
) -> None:
    """``cases`` cases through the loop by the pages' forms (signed in, with CSRF), each POST
    timed with its queries; the case is reported by the service, untimed."""
    from django.middleware.csrf import _get_new_csrf_string
    from django.test import Client

    from cases.models import Case

    counter = QueryCounter()
    cookies = {}
    for actor in ("dispatcher", "handler"):
        client = Client()
        client.force_login(getattr(world, actor))
        cookies[actor] = client.cookies["sessionid"].value
    csrf = _get_new_csrf_string()
    for _ in range(cases):
        case = world.report()
        for actor, kind, fields in PAGE_STEPS:
            version = Case.objects.values_list("version", flat=True).get(pk=case.pk)
            body = urlencode({"csrfmiddlewaretoken": csrf, "version": version, **fields(world)})
            headers = {"Cookie": f"sessionid={cookies[actor]}; csrftoken={csrf}"}
            with counter.counting():
                before = counter.count
                start, cpu = time.perf_counter(), time.thread_time()
                status, content, _ = wsgi(
                    "POST",
                    f"/cases/{case.pk}/move/{kind}/",
                    body.encode(),
                    content_type="application/x-www-form-urlencoded",
                    headers=headers,
                )
                elapsed, cpu = time.perf_counter() - start, time.thread_time() - cpu
            if status != 302:
                raise SystemExit(f"page {kind}: {status} {content[:300]!r}")
            record(f"page {kind}", elapsed, cpu, counter.count - before)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser, name="lianxin_bench_server_time")
    parser.add_argument("--cases", type=int, default=200)
    parser.add_argument("--warmup", type=int, default=20)
    parser.add_argument("--profile", action="store_true", help="print a cProfile instead")
    parser.add_argument("--profile-file", help="with --profile: also dump the stats here")
    parser.add_argument("--api-only", action="store_true", help="leave out the page moves")
    parser.add_argument(
        "--minimal", action="store_true", help="API moves send Prefer: return=minimal"
    )
    args = parser.parse_args(argv)

    setup_django(database_url(args), fresh=True)
    world = build_world()
    version = database_version()
    from django.db import connections

    connections.close_all()
    wsgi = Wsgi()

    run_api(world, wsgi, args.warmup, lambda *a: None)
    run_pages(world, wsgi, args.warmup, lambda *a: None)
    timings: dict[str, list[float]] = defaultdict(list)
    cpu_times: dict[str, list[float]] = defaultdict(list)
    queries: dict[str, set[int]] = defaultdict(set)

    profiler = None
    if args.profile:
        import cProfile  # noqa: I001

        profiler = cProfile.Profile()

    def record(step: str, seconds: float, cpu: float, count: int) -> None:
        timings[step].append(seconds * 1000)
        cpu_times[step].append(cpu * 1000)
        queries[step].add(count)

    if profiler:
        profiler.enable()
    run_api(world, wsgi, args.cases, record, minimal=args.minimal)
    if not args.api_only:
        run_pages(world, wsgi, args.cases, record)
    if profiler:
        import pstats

        profiler.disable()
        if args.profile_file:
            profiler.dump_stats(args.profile_file)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(60)
        return

    def row(label: str, steps: list[str]) -> list[str]:
        values = sorted(v for step in steps for v in timings[step])
        cpu = [v for step in steps for v in cpu_times[step]]
        counts = sorted({q for step in steps for q in queries[step]})
        return [
            label,
            f"{statistics.median(values):.2f}",
            f"{values[int(len(values) * 0.9)]:.2f}",
            f"{statistics.median(cpu):.2f}",
            "/".join(str(q) for q in counts) if len(steps) == 1 else "",
        ]

    api = ["create", *[step[1] for step in api_steps(world)]]
    rows = [row(f"API {step}", [step]) for step in api]
    rows.append(row("every API request", api))
    if not args.api_only:
        pages = [f"page {kind}" for _, kind, _ in PAGE_STEPS]
        rows += [row(step, [step]) for step in pages]
        rows.append(row("every page move", pages))
    print_table(
        ["request", "median ms", "p90 ms", "median CPU ms", "queries"],
        rows,
        title=f"Server time in process — {version}, {args.cases} cases, load {load_average()}",
    )


if __name__ == "__main__":
    main()
