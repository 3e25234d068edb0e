"""Fixtures of the ledger tests."""

from __future__ import annotations

from typing import Any

import pytest

from ledgers.tests.helpers import build_office


@pytest.fixture
def office(world) -> dict[str, Any]:
    """The places and units the test ledgers name (``helpers.build_office``)."""
    return build_office(world)
