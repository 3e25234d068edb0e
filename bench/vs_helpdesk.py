"""State-changing requests per second over HTTP, Lianxin beside django-helpdesk 2.6.1, alternating
runs in one session on this machine (issue 14's target: Lianxin at least 5× the peer with one
client).

Each round runs the peer's lifecycle (``../shared/peer-bench/run_http.sh --skip-patch``:
create, comment, close — 3 state-changing requests per ticket, gunicorn with 2 sync workers,
SQLite, one client), then Lianxin's (create → triage → assign → accept → note → answer →
return visit → close: 8 state-changing requests per case, gunicorn with 2 sync workers, SQLite,
one client, API keys). Lianxin's server time per request is read from ``Server-Timing``
(``LIANXIN_SERVER_TIMING=1``, config/servertiming.py). The peer's PATCH phase is left out: it
writes nothing the lifecycle needs and its cost grows with the table (see its README), so
leaving it out makes the peer faster, not slower.

    ../shared/peer-bench/setup.sh            # once
    .venv/bin/python bench/vs_helpdesk.py --rounds 3
"""

from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.api_http import URLS, lifecycle_steps, new_case, prepare, start_server  # noqa: E402
from bench.common import ROOT, database_version, load_average, print_table, setup_django  # noqa: E402

PEER = ROOT.parent / "shared" / "peer-bench" / "run_http.sh"
_TIMING = re.compile(r"app;dur=([0-9.]+)")


def run_peer(tickets: int) -> dict[str, Any]:
    """One run of the peer's lifecycle; its JSON report."""
    # Its own environment: this process's Django settings must not leak into the peer's.
    keep = ("PATH", "HOME", "LANG", "TMPDIR")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(N=str(tickets), WORKERS="2")
    done = subprocess.run(
        ["bash", str(PEER), "--skip-patch"], env=env, capture_output=True, text=True, check=False
    )
    found = re.search(r"== report: (\S+\.json)", done.stdout + done.stderr)
    if done.returncode != 0 or found is None:
        raise SystemExit(f"peer-bench failed ({done.returncode}):\n{done.stdout}\n{done.stderr}")
    report = json.loads(Path(found.group(1)).read_text())
    requests_made = sum(phase["requests"] for phase in report["phases"])
    return {
        "req_per_s": requests_made / report["lifecycle_total_s"],
        "p50_ms": statistics.median(phase["p50_ms"] for phase in report["phases"]),
    }


def run_lianxin(world: Any, cases: int, port: int, *, minimal: bool = False) -> dict[str, Any]:
    """``cases`` lifecycles by one client against a fresh gunicorn (2 sync workers); with
    ``minimal`` the moves ask for ``Prefer: return=minimal``."""
    import requests

    os.environ["LIANXIN_SERVER_TIMING"] = "1"
    server = start_server(URLS["sqlite"], port, 2)
    base = f"http://127.0.0.1:{port}"
    sessions = {}
    for name, key in world.keys.items():
        sessions[name] = requests.Session()
        sessions[name].headers["Authorization"] = f"Token {key}"
        if minimal:
            sessions[name].headers["Prefer"] = "return=minimal"
    latencies: list[float] = []
    server_ms: list[float] = []

    def call(actor: str, path: str, body: dict[str, Any], expect: int) -> Any:
        start = time.perf_counter()
        response = sessions[actor].post(base + path, json=body, timeout=60)
        latencies.append(time.perf_counter() - start)
        if response.status_code != expect:
            raise SystemExit(f"POST {path}: {response.status_code} {response.text[:300]}")
        timing = _TIMING.search(response.headers.get("Server-Timing", ""))
        if timing:
            server_ms.append(float(timing.group(1)))
        return response.json()

    body = new_case(world)
    steps = lifecycle_steps(world)
    try:
        for _ in range(10):  # warm-up: both workers import and connect
            call("grid_worker", "/api/v1/cases/", body, 201)
        # The floor: the same client and server for a request that does nothing (GET /healthz:
        # no session, no key, no database), so what HTTP alone costs per request is known.
        floor = []
        for _ in range(300):
            tick = time.perf_counter()
            sessions["grid_worker"].get(base + "/healthz", timeout=60).raise_for_status()
            floor.append(time.perf_counter() - tick)
        latencies.clear()
        server_ms.clear()
        start = time.perf_counter()
        for _ in range(cases):
            case = call("grid_worker", "/api/v1/cases/", body, 201)
            for actor, action, extra in steps:
                path = f"/api/v1/cases/{case['id']}/{action}/"
                case = call(actor, path, {"version": case["version"], **extra}, 200)
        seconds = time.perf_counter() - start
    finally:
        server.terminate()
        server.wait(timeout=30)
    return {
        "req_per_s": len(latencies) / seconds,
        "p50_ms": statistics.median(latencies) * 1000,
        "server_ms": statistics.median(server_ms),
        "floor_ms": statistics.median(floor) * 1000,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cases", type=int, default=300, help="Lianxin cases per round")
    parser.add_argument("--tickets", type=int, default=1000, help="peer tickets per round")
    parser.add_argument("--port", type=int, default=8932)
    parser.add_argument(
        "--minimal", action="store_true", help="Lianxin's moves send Prefer: return=minimal"
    )
    args = parser.parse_args(argv)
    if not PEER.exists():
        raise SystemExit(f"{PEER} not found: the peer bench lives in ../shared/peer-bench/")

    setup_django(URLS["sqlite"], fresh=True)
    world = prepare(0)
    version = database_version()
    from django.db import connections

    connections.close_all()

    rows = []
    peers, ours = [], []
    for round_number in range(1, args.rounds + 1):
        peer = run_peer(args.tickets)
        mine = run_lianxin(world, args.cases, args.port, minimal=args.minimal)
        peers.append(peer)
        ours.append(mine)
        rows.append(
            [
                f"round {round_number}",
                f"{peer['req_per_s']:.1f}",
                f"{peer['p50_ms']:.1f}",
                f"{mine['req_per_s']:.1f}",
                f"{mine['p50_ms']:.1f}",
                f"{mine['server_ms']:.2f}",
                f"{mine['floor_ms']:.2f}",
                f"{mine['req_per_s'] / peer['req_per_s']:.2f}×",
            ]
        )
        print(" | ".join(rows[-1]), file=sys.stderr, flush=True)
    peer_median = statistics.median(p["req_per_s"] for p in peers)
    our_median = statistics.median(o["req_per_s"] for o in ours)
    rows.append(
        [
            "median",
            f"{peer_median:.1f}",
            f"{statistics.median(p['p50_ms'] for p in peers):.1f}",
            f"{our_median:.1f}",
            f"{statistics.median(o['p50_ms'] for o in ours):.1f}",
            f"{statistics.median(o['server_ms'] for o in ours):.2f}",
            f"{statistics.median(o['floor_ms'] for o in ours):.2f}",
            f"{our_median / peer_median:.2f}×",
        ]
    )
    print_table(
        ["round", "helpdesk req/s", "helpdesk p50 ms", "Lianxin req/s", "Lianxin p50 ms",
         "Lianxin server ms (median)", "HTTP floor ms (GET /healthz)", "ratio"],
        rows,
        title=f"State-changing requests over HTTP, one client, gunicorn 2 sync workers, {version}, "
        f"{os.cpu_count()} cores, load {load_average()}",
    )  # fmt: skip


if __name__ == "__main__":
    main()
