"""The REST API over real HTTP: gunicorn serving a fresh database, load from this process.

Three measurements, each repeated ``--runs`` times (the table shows medians):

- **lifecycle**: ``--lifecycle-clients`` clients each take cases through the whole loop by HTTP
  — create (grid worker) → triage → assign → accept → note → answer → return visit → close,
  8 requests per case, each move naming the version it read — reported as cases/s and
  requests/s;
- **list** and **detail**: ``--clients`` (default 50) clients read ``GET /api/v1/cases/`` (a page
  of 50 cases in a county dispatcher's scope) or ``GET /api/v1/cases/{id}/`` (with its timeline)
  as fast as they can; reported as p50 / p99 latency and requests/s.

gunicorn runs as its own process (``--workers``, sync workers, ``127.0.0.1``); the load comes from
threads of this process over loopback. The database is recreated and seeded with
``--seed-cases`` cases first (bench-only: ``/tmp/lianxin_bench_api.sqlite3`` or the PostgreSQL
database ``lianxin_bench_api``).

    .venv/bin/python bench/api_http.py --db sqlite
    .venv/bin/python bench/api_http.py --db postgres --runs 5 --workers 4
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    ROOT,
    database_version,
    load_average,
    print_table,
    setup_django,
)

URLS = {
    "sqlite": "sqlite:////tmp/lianxin_bench_api.sqlite3",
    "postgres": "postgres://postgres@127.0.0.1:5432/lianxin_bench_api",
}
MOVES_PER_CASE = 8


@dataclass
class World:
    """What the load needs: keys of the actors, the codes and ids to send, cases to read."""

    keys: dict[str, str]
    grid: str
    dept: int
    category: int
    case_ids: list[int]


def prepare(seed_cases: int) -> World:
    """The test world, an API key per actor, and ``seed_cases`` cases in every state."""
    from cases.models import Status
    from cases.tests.world import World as TestWorld
    from people.apikeys import create_api_key

    world = TestWorld.build()
    keys = {
        name: create_api_key(f"bench-{name}", user=getattr(world, name))[1]
        for name in ("grid_worker", "dispatcher", "handler")
    }
    states = [Status.REPORTED, Status.ASSIGNED, Status.IN_PROGRESS, Status.ANSWERED]
    case_ids = []
    for index in range(seed_cases):
        case_ids.append(world.in_status(states[index % len(states)]).pk)
    return World(keys, world.grid.code, world.dept.pk, world.category().pk, case_ids)


# --- The server -------------------------------------------------------------------------------


def start_server(url: str, port: int, workers: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "DJANGO_DEBUG": "0",
        "DJANGO_SECRET_KEY": "bench-only-not-a-secret",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "LIANXIN_API_RATE_USER": "10000000/min",
        "LIANXIN_LOG_LEVEL": "ERROR",
    }
    server = subprocess.Popen(
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "config.wsgi:application",
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "--timeout",
            "60",
        ],  # fmt: skip
        cwd=ROOT,
        env=env,
    )
    import requests

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            requests.get(f"http://127.0.0.1:{port}/api/v1/nothing/", timeout=5)
            return server
        except requests.RequestException:
            time.sleep(0.2)
    server.terminate()
    server.wait(timeout=30)
    raise SystemExit("gunicorn did not start")


# --- The load ---------------------------------------------------------------------------------


class Client:
    """One simulated client: a requests session per actor, JSON in and out."""

    def __init__(self, base: str, keys: dict[str, str]) -> None:
        import requests

        self.base = base
        self.sessions = {}
        for name, key in keys.items():
            session = requests.Session()
            session.headers["Authorization"] = f"Token {key}"
            self.sessions[name] = session

    def call(
        self,
        actor: str,
        method: str,
        path: str,
        body: Any = None,
        expect: int = 200,
        *,
        decode: bool = True,
    ) -> Any:
        """One request; the body is decoded only when the caller needs it (reads do not, so the
        load generator spends its CPU on sending, not on parsing 50 rows)."""
        response = self.sessions[actor].request(method, self.base + path, json=body, timeout=60)
        if response.status_code != expect:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if decode else None


def new_case(world: World) -> dict[str, Any]:
    """The body of ``POST /api/v1/cases/`` every lifecycle starts with."""
    return {"case_type": "resident_issue", "region": world.grid, "title": "路灯不亮",
            "description": "主路三盏路灯不亮，夜间出行不便。", "requester_phone": "13912345678"}  # fmt: skip


def lifecycle_steps(world: World) -> list[tuple[str, str, dict[str, Any]]]:
    """The 7 moves after the report: (actor, action, body besides ``version``)."""
    return [
        ("dispatcher", "triage", {"category": world.category, "priority": "normal"}),
        ("dispatcher", "assign", {"lead_unit": world.dept}),
        ("handler", "accept", {}),
        ("handler", "notes", {"note": "已联系供电所现场勘查。"}),
        ("handler", "answer", {"answer": "已更换路灯，恢复照明。"}),
        ("dispatcher", "return-visit",
         {"reached": True, "contacted": True, "resolved": True, "satisfaction": "satisfied"}),
        ("dispatcher", "close", {}),
    ]  # fmt: skip


def lifecycle(client: Client, world: World) -> None:
    """One case from report to close, 8 requests, each move with the version it read."""
    case = client.call("grid_worker", "POST", "/api/v1/cases/", new_case(world), expect=201)
    steps = lifecycle_steps(world)
    for actor, action, body in steps:
        case = client.call(
            actor,
            "POST",
            f"/api/v1/cases/{case['id']}/{action}/",
            {"version": case["version"], **body},
        )
    assert case["status"] == "closed"


@dataclass
class Timing:
    seconds: float
    latencies: list[float]

    @property
    def per_second(self) -> float:
        return len(self.latencies) / self.seconds

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies)
        return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


def hammer(clients: int, total: int, job: Callable[[Client, int], None], make: Callable) -> Timing:
    """``total`` calls of ``job`` spread over ``clients`` threads; each call timed."""
    latencies: list[float] = []
    lock = threading.Lock()
    counter = iter(range(total))

    def worker() -> None:
        client = make()
        mine = []
        while True:
            with lock:
                index = next(counter, None)
            if index is None:
                break
            start = time.perf_counter()
            job(client, index)
            mine.append(time.perf_counter() - start)
        with lock:
            latencies.extend(mine)

    start = time.perf_counter()
    with ThreadPoolExecutor(clients) as pool:
        for future in [pool.submit(worker) for _ in range(clients)]:
            future.result()
    return Timing(time.perf_counter() - start, latencies)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--db", choices=sorted(URLS), default="sqlite")
    parser.add_argument("--workers", type=int, default=3, help="gunicorn workers (default 3)")
    parser.add_argument("--port", type=int, default=8931)
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each (default 3)")
    parser.add_argument("--clients", type=int, default=50, help="readers at once (default 50)")
    parser.add_argument("--reads", type=int, default=2000, help="requests per read run")
    parser.add_argument("--lifecycle-clients", type=int, default=8)
    parser.add_argument("--lifecycles", type=int, default=80, help="cases per lifecycle run")
    parser.add_argument("--seed-cases", type=int, default=2000)
    args = parser.parse_args(argv)

    url = URLS[args.db]
    setup_django(url, fresh=True)
    world = prepare(args.seed_cases)
    version = database_version()
    from django.db import connections

    connections.close_all()

    server = start_server(url, args.port, args.workers)
    base = f"http://127.0.0.1:{args.port}"
    rng = random.Random(7)
    try:
        make = lambda: Client(base, world.keys)  # noqa: E731
        hammer(4, 40, lambda c, i: c.call("dispatcher", "GET", "/api/v1/cases/"), make)  # warm up
        results: dict[str, list[Timing]] = {"lifecycle": [], "list": [], "detail": []}
        for _ in range(args.runs):
            results["lifecycle"].append(
                hammer(
                    args.lifecycle_clients, args.lifecycles, lambda c, i: lifecycle(c, world), make
                )
            )
            results["list"].append(
                hammer(
                    args.clients,
                    args.reads,
                    lambda c, i: c.call(
                        "dispatcher", "GET", "/api/v1/cases/?page_size=50", decode=False
                    ),
                    make,
                )
            )
            ids = [rng.choice(world.case_ids) for _ in range(args.reads)]

            def read_detail(c: Client, i: int, ids: list[int] = ids) -> None:
                c.call("dispatcher", "GET", f"/api/v1/cases/{ids[i]}/", decode=False)

            results["detail"].append(hammer(args.clients, args.reads, read_detail, make))
    finally:
        server.terminate()
        server.wait(timeout=30)

    def med(values: list[float]) -> float:
        return statistics.median(values)

    life = results["lifecycle"]
    rows = [
        [
            "create + lifecycle (8 requests)",
            f"{args.lifecycle_clients}",
            f"{med([t.per_second for t in life]):.1f} cases/s",
            f"{med([t.per_second * MOVES_PER_CASE for t in life]):.0f} req/s",
            f"{med([t.percentile(50) for t in life]):.0f} ms / case",
            f"{med([t.percentile(99) for t in life]):.0f} ms / case",
        ]
    ]
    for name, label in (
        ("list", "GET /api/v1/cases/ (50 rows)"),
        ("detail", "GET /api/v1/cases/{id}/"),
    ):
        timings = results[name]
        rows.append(
            [
                label,
                f"{args.clients}",
                "",
                f"{med([t.per_second for t in timings]):.0f} req/s",
                f"{med([t.percentile(50) for t in timings]):.0f} ms",
                f"{med([t.percentile(99) for t in timings]):.0f} ms",
            ]
        )
    print_table(
        ["measure", "clients", "cases/s", "throughput", "p50", "p99"],
        rows,
        title=f"API over HTTP — {version}, gunicorn {args.workers} sync workers, {os.cpu_count()} "
        f"cores, {args.seed_cases} seeded cases, medians of {args.runs} runs, load {load_average()}",
    )


if __name__ == "__main__":
    main()
