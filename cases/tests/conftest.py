"""Fixtures for the engine's tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import time_machine

from cases.tests.helpers import MONDAY


@pytest.fixture
def clock() -> Iterator[time_machine.Traveller]:
    """Time stands still at ``MONDAY`` (10:00 in Dehua) until the test moves it."""
    with time_machine.travel(MONDAY, tick=False) as traveller:
        yield traveller
