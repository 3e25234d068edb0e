"""Two people move the same case at the same moment, each on their own database connection:
exactly one wins, the other is told the case is stale, and the log gains exactly one event.

On PostgreSQL the case row lock (SELECT … FOR UPDATE) makes the second mover wait and then see
the new version; on SQLite ``transaction_mode=IMMEDIATE`` serialises the two writers instead.
"""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Callable

import pytest
from django.db import connection, connections

from cases import services
from cases.models import Case, CaseEvent, Satisfaction, Status

# How long the first mover holds the case locked, so that the second really has to wait for it.
HOLD_SECONDS = 0.3


def race(*moves: Callable[[], object]) -> list[object]:
    """Run the moves in threads released together by a barrier; return each result or error."""
    barrier = threading.Barrier(len(moves))
    outcomes: list[object] = [None] * len(moves)

    def run(index: int, move: Callable[[], object]) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = move()
        except Exception as error:  # noqa: BLE001 — the outcome under test
            outcomes[index] = error
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, m)) for i, m in enumerate(moves)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a mover never finished (deadlock?)"
    return outcomes


@pytest.fixture
def slow_moves(monkeypatch):
    """Hold the case lock for a moment inside each move, once the move is checked."""
    check = services._check

    def held(case, kind, actor):
        check(case, kind, actor)
        time.sleep(HOLD_SECONDS)

    monkeypatch.setattr(services, "_check", held)


def copies(case: Case, n: int = 2) -> list[Case]:
    return [Case.objects.get(pk=case.pk) for _ in range(n)]


def assert_one_winner(
    case: Case, outcomes: list[object], version_before: int, events_before: int
) -> Case:
    winners = [o for o in outcomes if isinstance(o, Case)]
    losers = [o for o in outcomes if not isinstance(o, Case)]
    assert len(winners) == 1, outcomes
    assert all(isinstance(o, (services.StaleCase, services.InvalidTransition)) for o in losers), (
        outcomes
    )
    fresh = Case.objects.get(pk=case.pk)
    assert fresh.version == version_before + 1 == winners[0].version
    assert CaseEvent.objects.filter(case=case).count() == events_before + 1
    assert fresh.status == winners[0].status
    return fresh


def both_accept(world) -> None:
    case = world.assigned()
    a, b = copies(case)
    world.handler.role_assignments  # noqa: B018 — load the roles once, outside the threads
    outcomes = race(
        lambda: services.accept_case(a, actor=world.handler),
        lambda: services.accept_case(b, actor=world.handler),
    )
    fresh = assert_one_winner(case, outcomes, a.version, a.version)
    assert fresh.status == Status.IN_PROGRESS
    assert any(isinstance(o, services.StaleCase) for o in outcomes)


def answer_while_supervising(world) -> None:
    case = services.accept_case(world.assigned(), actor=world.handler)
    a, b = copies(case)
    for user in (world.handler, world.dispatcher):
        user.role_assignments  # noqa: B018
    outcomes = race(
        lambda: services.answer_case(a, actor=world.handler, answer="已办结"),
        lambda: services.supervise_case(b, actor=world.dispatcher, note="请加快"),
    )
    fresh = assert_one_winner(case, outcomes, a.version, a.version)
    assert (fresh.status == Status.ANSWERED) != (fresh.supervision_level == 1)


def both_read_fresh_then_visit(world) -> None:
    """Each mover reads the case itself, unlocked, just before moving: the lock must decide."""
    case = world.answered()
    version = case.version
    world.grid_worker.role_assignments  # noqa: B018
    world.dispatcher.role_assignments  # noqa: B018

    def visit(actor, satisfaction):
        return services.return_visit(
            Case.objects.get(pk=case.pk),
            actor=actor,
            reached=True,
            contacted=True,
            resolved=True,
            satisfaction=satisfaction,
        )

    outcomes = race(
        lambda: visit(world.grid_worker, Satisfaction.SATISFIED),
        lambda: visit(world.dispatcher, Satisfaction.BASIC),
    )
    fresh = assert_one_winner(case, outcomes, version, version)
    assert fresh.status == Status.VERIFIED


SCENARIOS = [both_accept, answer_while_supervising, both_read_fresh_then_visit]


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_on_postgresql_exactly_one_of_two_simultaneous_moves_wins(world, slow_moves, scenario):
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL row locks and concurrent connections")
    scenario(world)


@pytest.fixture
def sqlite_file(tmp_path):
    """Copy the test database into a file and point new connections at it.

    The in-memory test database is shared between threads in SQLite's shared-cache mode, where a
    second writer gets "database table is locked" at once instead of waiting: not how the product
    runs. A file gets the product's own set-up (WAL, IMMEDIATE transactions, a busy timeout).
    Only new connections — the threads' — use the file; this thread's stays on the test database.
    """
    if connection.vendor != "sqlite":
        pytest.skip("the SQLite variant of the race")
    path = str(tmp_path / "race.sqlite3")
    connection.ensure_connection()
    target = sqlite3.connect(path)
    connection.connection.backup(target)
    target.close()
    settings_dict = connection.settings_dict
    test_name = settings_dict["NAME"]
    settings_dict["NAME"] = path
    try:
        yield path
    finally:
        settings_dict["NAME"] = test_name


def in_own_thread(function: Callable[[], None]) -> None:
    """Run ``function`` on a fresh connection (so, on the file) and re-raise what it raised."""
    errors: list[BaseException] = []

    def run() -> None:
        try:
            function()
        except BaseException as error:  # noqa: BLE001 — re-raised below
            errors.append(error)
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(timeout=120)
    if errors:
        raise errors[0]


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_on_sqlite_exactly_one_of_two_simultaneous_moves_wins(
    world, sqlite_file, slow_moves, scenario
):
    in_own_thread(lambda: scenario(world))
    # The product's SQLite really ran: a file in WAL mode.
    with sqlite3.connect(sqlite_file) as check:
        assert check.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
