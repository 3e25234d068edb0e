import pytest

from households.tests.helpers import build


@pytest.fixture
def hh(world):
    return build(world)
