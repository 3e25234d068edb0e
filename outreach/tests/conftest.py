import pytest

from outreach.tests.helpers import build


@pytest.fixture
def ow(world):
    return build(world)
