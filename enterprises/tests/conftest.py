"""The named world of the engine's tests (``cases/tests/world.py``), with the honours seeded."""

from __future__ import annotations

import pytest

from enterprises.reference import ensure_honours


@pytest.fixture
def honours(db) -> None:
    ensure_honours()
