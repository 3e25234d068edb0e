"""Suite-wide test set-up: the ``slow`` mark for browser tests, the named ``world``, and what
keeps a bare ``pytest`` fast (see the Tests section of the README)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import transaction

MODULES_WITH_COMMITS = pytest.StashKey[set[str]]()
# Whole modules of ``slow`` tests that cost seconds just to collect (schemathesis builds its 65
# tests from the OpenAPI schema at collection): skipped unseen when the run leaves out ``slow``.
SLOW_TO_COLLECT = {Path(__file__).parent / "api" / "tests" / "test_fuzz.py"}


def _commits(item: pytest.Item) -> bool:
    """Whether the test runs on committed data (pytest-django's transactional tests)."""
    marker = item.get_closest_marker("django_db")
    if marker:

        def flags(transaction: bool = False, reset_sequences: bool = False, *_, **__) -> bool:
            return transaction or reset_sequences

        if flags(*marker.args, **marker.kwargs):
            return True
    fixtures = getattr(item, "fixturenames", ())
    return "transactional_db" in fixtures or "live_server" in fixtures


def pytest_ignore_collect(collection_path: Path, config: pytest.Config) -> bool | None:
    if collection_path in SLOW_TO_COLLECT and config.getoption("markexpr") == "not slow":
        return True
    return None


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Every browser test is also ``slow``, so a bare ``pytest`` leaves it out (``tryfirst``:
    the mark must be on the item before ``-m 'not slow'`` deselects). Modules holding a
    transactional test are noted: their tests build their own world (see ``world``)."""
    config.stash[MODULES_WITH_COMMITS] = {
        item.module.__name__
        for item in items
        if isinstance(item, pytest.Function) and _commits(item)
    }
    for item in items:
        if item.get_closest_marker("browser"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def _static_files_found_per_request() -> None:
    """WhiteNoise looks a static file up when it is asked for instead of listing every app's
    static folder each time a test client builds the middleware (tens of milliseconds a test).
    What it serves is the same."""
    from django.conf import settings

    settings.WHITENOISE_AUTOREFRESH = True


@pytest.fixture(scope="module")
def _module_world(request: pytest.FixtureRequest, django_db_setup, django_db_blocker) -> Iterator:
    """One world per test module, built in a transaction rolled back after the module (as
    ``cases.tests.helpers.module_world_fixture``); ``None`` in a module with transactional tests,
    which need a committed world of their own."""
    if request.module.__name__ in request.config.stash.get(MODULES_WITH_COMMITS, set()):
        yield None
        return
    from cases.tests.world import World

    with django_db_blocker.unblock(), transaction.atomic():
        yield World.build()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db):
    """The named world (``cases/tests/world.py``). Built once per module: each test still runs in
    its own savepoint, so it sees the world as built, but shares the Python objects, so a test
    that changes one in memory (not only in the database) must ``refresh_from_db()`` it."""
    if _module_world is not None:
        return _module_world
    from cases.tests.world import World

    return World.build()
