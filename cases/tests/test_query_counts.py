"""Every move costs the same number of queries with 10 cases in the database and with 10,000."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import date

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from cases import deadlines, services
from cases.models import Case, Channel, Status
from cases.tests.helpers import local
from cases.tests.test_illegal_moves import MOVES
from people.models import User

pytestmark = pytest.mark.slow  # builds 10,000 cases

BULK = 10_000
# A generous ceiling that still catches a query per row or per event.
MAX_QUERIES_PER_MOVE = 12


def _actor(world, kind: str) -> str:
    if kind in (
        "accepted",
        "progress_noted",
        "contacted",
        "extension_requested",
        "sent_back",
        "answered",
    ):
        return "handler"
    if kind in ("resolved_on_spot", "visited", "visit_failed_to_reach"):
        return "grid_worker"
    if kind == "mediated":
        return "other_handler"  # a co-unit: the slowest path of the permission check
    if kind in REQUESTERS_MOVES:
        return "resident"
    return "dispatcher"


# The requester's own moves, on a case the resident filed on the phone.
REQUESTERS_MOVES = ("rated", "info_added")


def _prepare(world, kind: str) -> Case:
    """A dispute in a state the move starts from, with a co-unit, made by the services."""
    status = sorted(services.RULES[kind].sources)[0]
    own = (
        {"actor": world.resident, "channel": Channel.WEB, "requester": world.resident.person}
        if kind in REQUESTERS_MOVES
        else {}
    )
    if status in (Status.ASSIGNED, Status.IN_PROGRESS):
        case = services.triage_case(world.report("dispute", **own), actor=world.dispatcher)
        case = services.assign_case(
            case, actor=world.dispatcher, lead_unit=world.dept, co_units=[world.other_dept]
        )
        if status == Status.IN_PROGRESS:
            case = services.accept_case(case, actor=world.handler)
    else:
        case = world.in_status(status, "dispute", **own)
    if kind == "info_added":
        case = services.request_info(case, actor=world.dispatcher, question="请补充现场照片。")
    if kind == "clock_resumed":
        case = services.pause_clock(case, actor=world.dispatcher, reason="等待鉴定。")
    if kind in ("extension_approved", "extension_refused"):
        case = services.request_extension(
            case, actor=world.handler, until=local(2026, 12, 31, 17), reason="需协调"
        )
    return case


def measure(world) -> dict[str, int]:
    counts = {}
    for kind, move in MOVES.items():
        case = _prepare(world, kind)
        actor = User.objects.get(
            username=getattr(world, _actor(world, kind)).username
        )  # roles not cached
        master = world.report("dispute") if kind == "merged" else None
        run: Callable = (
            (lambda: services.merge_case(case, actor=actor, master=master))  # noqa: B023
            if kind == "merged"
            else (lambda: move(world, case, actor))  # noqa: B023
        )
        with CaptureQueriesContext(connection) as queries:
            run()
        counts[kind] = len(queries)
    reporter = User.objects.get(username=world.grid_worker.username)
    with CaptureQueriesContext(connection) as queries:
        world.report(actor=reporter)
    counts["reported"] = len(queries)
    return counts


def fill(world, total: int) -> None:
    """Report cases through the engine until the database holds ``total`` of them."""
    places = [world.grid, world.other_grid, world.village, world.town]
    types = list(world.types.values())
    with transaction.atomic():
        for i in range(total - Case.objects.count()):
            services.report_case(
                actor=world.dispatcher,
                case_type=types[i % len(types)],
                region=places[i % len(places)],
                title=f"批量诉求{i}",
                description="批量生成的诉求，用于测量查询次数。",
                channel=Channel.HOTLINE,
            )


def test_every_move_costs_the_same_queries_with_10_and_10000_cases(world):
    with time_machine.travel(local(2026, 9, 14, 10), tick=False):
        deadlines.invalidate_calendar_cache()
        deadlines.is_workday(date(2026, 9, 14))  # warm the calendar cache
        fill(world, 10)
        small = measure(world)

        started = time.perf_counter()
        fill(world, BULK)
        filled_in = time.perf_counter() - started
        assert Case.objects.count() == BULK

        large = measure(world)
    print(f"\n{BULK} cases reported in {filled_in:.1f} s; queries per move: {small}")
    assert large == small
    assert max(small.values()) <= MAX_QUERIES_PER_MOVE, small
