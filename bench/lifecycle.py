"""How many moves per second the engine makes through ``cases/services.py``.

Each case goes the full loop in 8 moves — report → triage → assign → accept → progress note
→ answer → return visit → close — made by the users and roles of the test world
(``cases.tests.world.World``): grid worker, dispatcher, department handler. The target is
300 moves/s on SQLite and on PostgreSQL.

    .venv/bin/python bench/lifecycle.py --db sqlite
    .venv/bin/python bench/lifecycle.py --db postgres --cases 500 --runs 5
    .venv/bin/python bench/lifecycle.py --db postgres --profile /tmp/lifecycle.prof

``--per-request-users`` reloads each actor before every move, as a web request does (its
session middleware loads the user, and the first permission check loads its roles).
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.common import (  # noqa: E402
    QueryCounter,
    add_database_arguments,
    database_url,
    database_version,
    load_average,
    print_table,
    setup_django,
    summary,
)

MOVES = ("report", "triage", "assign", "accept", "progress_note", "answer", "return_visit", "close")


@dataclass
class RunResult:
    """One timed run: wall time, queries, and per-move time and queries."""

    cases: int
    seconds: float = 0.0
    # CPU time of this process (Django, the driver, and for SQLite the database itself):
    # steadier than wall time when other work shares the machine.
    cpu_seconds: float = 0.0
    queries: int = 0
    move_seconds: dict[str, float] = field(default_factory=lambda: defaultdict(float))
    move_queries: dict[str, int] = field(default_factory=lambda: defaultdict(int))

    @property
    def moves(self) -> int:
        return self.cases * len(MOVES)

    @property
    def moves_per_second(self) -> float:
        return self.moves / self.seconds


class Lifecycle:
    """Drives cases through the 8 moves with the world's users."""

    def __init__(self, world: Any, *, per_request_users: bool) -> None:
        from people.backends import AccountBackend

        self.world = world
        self.per_request_users = per_request_users
        self.backend = AccountBackend()
        self.category = world.category("resident_issue")

    def actor(self, user: Any) -> Any:
        """The user as a request would see it: reloaded (roles not yet cached) or reused."""
        if not self.per_request_users:
            return user
        # As a signed-in request does: the session's backend reads the user.
        return self.backend.get_user(user.pk)

    def run(self, cases: int, counter: QueryCounter) -> RunResult:
        from cases import services

        w = self.world
        result = RunResult(cases=cases)
        steps: list[tuple[str, Callable[[Any], Any]]] = [
            (
                "triage",
                lambda c: services.triage_case(
                    c, actor=self.actor(w.dispatcher), category=self.category
                ),
            ),
            (
                "assign",
                lambda c: services.assign_case(c, actor=self.actor(w.dispatcher), lead_unit=w.dept),
            ),
            ("accept", lambda c: services.accept_case(c, actor=self.actor(w.handler))),
            (
                "progress_note",
                lambda c: services.add_progress_note(
                    c, actor=self.actor(w.handler), note="已联系供电所现场勘查。"
                ),
            ),
            (
                "answer",
                lambda c: services.answer_case(
                    c, actor=self.actor(w.handler), answer="已更换路灯，恢复照明。"
                ),
            ),
            (
                "return_visit",
                lambda c: services.return_visit(
                    c,
                    actor=self.actor(w.grid_worker),
                    reached=True,
                    contacted=True,
                    resolved=True,
                    satisfaction="satisfied",
                ),
            ),
            ("close", lambda c: services.close_case(c, actor=self.actor(w.dispatcher))),
        ]
        perf = time.perf_counter
        with counter.counting():
            start, cpu_start = perf(), time.process_time()
            for _ in range(cases):
                t0, q0 = perf(), counter.count
                case = w.report(actor=self.actor(w.grid_worker))
                t1, q1 = perf(), counter.count
                result.move_seconds["report"] += t1 - t0
                result.move_queries["report"] += q1 - q0
                for name, step in steps:
                    t0, q0 = t1, q1
                    case = step(case)
                    t1, q1 = perf(), counter.count
                    result.move_seconds[name] += t1 - t0
                    result.move_queries[name] += q1 - q0
            result.seconds = perf() - start
            result.cpu_seconds = time.process_time() - cpu_start
        result.queries = counter.count
        return result


def build_world() -> Any:
    from cases.tests.world import World

    return World.build()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    add_database_arguments(parser, name="lianxin_bench_lifecycle")
    parser.add_argument(
        "--cases", type=int, default=500, help="cases per run (8 moves each; default 500)"
    )
    parser.add_argument("--runs", type=int, default=5, help="timed runs (default 5)")
    parser.add_argument(
        "--warmup", type=int, default=50, help="cases run once before timing (default 50)"
    )
    parser.add_argument(
        "--per-request-users",
        action="store_true",
        help="reload each actor before every move, as a web request would",
    )
    parser.add_argument(
        "--profile",
        metavar="FILE",
        default=None,
        help="after timing, profile one more run with cProfile, save to FILE, print the top",
    )
    parser.add_argument(
        "--session-sql",
        action="append",
        default=[],
        metavar="SQL",
        help='run on the connection before timing, e.g. "SET synchronous_commit = off" (repeatable)',
    )
    args = parser.parse_args(argv)

    setup_django(database_url(args), fresh=not args.keep, options=args.db_option)
    from django.db import connection

    from people.models import User

    with connection.cursor() as cursor:
        for statement in args.session_sql:
            cursor.execute(statement)

    world = (
        build_world() if not User.objects.filter(username="dispatcher").exists() else _load_world()
    )
    bench = Lifecycle(world, per_request_users=args.per_request_users)
    if args.warmup:
        bench.run(args.warmup, QueryCounter())

    results = []
    for index in range(args.runs):
        result = bench.run(args.cases, QueryCounter())
        results.append(result)
        print(
            f"run {index + 1}: {result.moves} moves in {result.seconds:.2f} s = "
            f"{result.moves_per_second:,.0f} moves/s, {result.queries / result.moves:.2f} queries/move, "
            f"{1000 * result.cpu_seconds / result.moves:.2f} ms CPU/move"
            f" (load average {load_average()})",
            flush=True,
        )

    rates = [r.moves_per_second for r in results]
    median, low, high = summary(rates)
    queries_per_move = results[0].queries / results[0].moves
    mode = "per-request users" if args.per_request_users else "actors reused"
    if args.session_sql or args.db_option:
        mode += "; " + "; ".join([*args.db_option, *args.session_sql])
    print_table(
        [
            "database",
            "mode",
            "cases × runs",
            "moves/s median",
            "min",
            "max",
            "ms/move",
            "CPU ms/move",
            "queries/move",
            "target 300/s",
        ],
        [
            [
                database_version(),
                mode,
                f"{args.cases} × {args.runs}",
                median,
                low,
                high,
                1000 / median,
                1000 * summary([r.cpu_seconds / r.moves for r in results])[0],
                queries_per_move,
                "met" if median >= 300 else "MISSED",
            ]
        ],
        title="Full lifecycle through cases/services.py",
    )
    total_cases = sum(r.cases for r in results)
    print_table(
        ["move", "ms (mean)", "queries", "share of time"],
        [
            [
                name,
                1000 * sum(r.move_seconds[name] for r in results) / total_cases,
                results[0].move_queries[name] / results[0].cases,
                f"{100 * sum(r.move_seconds[name] for r in results) / sum(r.seconds for r in results):.0f} %",
            ]
            for name in MOVES
        ],
        title="Per move",
    )
    if args.profile:
        profile_run(bench, args.cases, args.profile)


def profile_run(bench: Lifecycle, cases: int, path: str) -> None:
    """One extra run under cProfile; the cumulative top shows where a move's time goes."""
    profiler = cProfile.Profile()
    profiler.enable()
    bench.run(cases, QueryCounter())
    profiler.disable()
    profiler.dump_stats(path)
    stats = pstats.Stats(profiler).strip_dirs().sort_stats("cumulative")
    print(f"\ncProfile of one run of {cases} cases (saved to {path}):")
    stats.print_stats(40)
    stats.sort_stats("tottime").print_stats(25)


def _load_world() -> Any:
    """The world a previous ``--keep`` run built, looked up by its names."""
    from cases.models import CaseType
    from cases.tests.world import World
    from orgs.models import Organisation
    from people.models import User
    from regions.models import Region

    regions = {r.code: r for r in Region.objects.all()}
    orgs = {o.name: o for o in Organisation.objects.all()}
    users = {u.username: u for u in User.objects.all()}
    return World(
        county=regions["350526"],
        town=regions["350526100"],
        village=regions["350526100001"],
        grid=regions["350526100001G1"],
        other_town=regions["350526101"],
        other_grid=regions["350526101001G1"],
        chain_committee=orgs["德化县陶瓷产业链党委"],
        dept=orgs["德化县人力资源和社会保障局"],
        other_dept=orgs["德化县市场监督管理局"],
        enterprise=orgs["德化佳诚陶瓷有限公司"],
        types={t.code: t for t in CaseType.objects.all()},
        dispatcher=users["dispatcher"],
        handler=users["handler"],
        other_handler=users["other_handler"],
        grid_worker=users["grid_worker"],
        other_grid_worker=users["other_grid_worker"],
        leader=users["leader"],
        admin=users["admin"],
        outsider=users["outsider"],
        operator=users["operator"],
        resident=users["resident"],
        liaison=users["liaison"],
    )


if __name__ == "__main__":
    main()
