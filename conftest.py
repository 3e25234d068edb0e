import pytest


@pytest.fixture
def world(db):
    from cases.tests.world import World

    return World.build()
