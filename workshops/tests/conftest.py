import pytest

from workshops.tests.helpers import build


@pytest.fixture
def ws(world):
    return build(world)
