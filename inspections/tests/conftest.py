import pytest

from inspections.tests.helpers import build


@pytest.fixture
def iw(world):
    return build(world)
