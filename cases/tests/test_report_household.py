"""A case may name the household it is about (一户一策, 1+10+N); the household must be in the
place the case happened."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from cases import services
from cases.tests.helpers import fresh, module_world_fixture
from people.models import Household

module_world = module_world_fixture()


@pytest.fixture
def world(module_world, db):
    return module_world


def _household(region) -> Household:
    return Household.objects.create(head_name="王建国", region=region, members=4)


def test_a_case_names_its_household(world, clock):
    household = _household(world.grid)
    case = services.report_case(
        actor=world.grid_worker,
        case_type=world.category().case_type,
        region=world.grid,
        title="低保复核",
        description="户主因病住院，申请低保复核。",
        household=household,
    )
    assert fresh(case).household == household
    assert list(household.cases.all()) == [case]


def test_a_household_elsewhere_is_refused(world, clock):
    with pytest.raises(ValidationError) as refused:
        services.report_case(
            actor=world.grid_worker,
            case_type=world.category().case_type,
            region=world.grid,
            title="低保复核",
            description="户主因病住院，申请低保复核。",
            household=_household(world.other_grid),
        )
    assert refused.value.error_dict["household"][0].code == "household_elsewhere"
